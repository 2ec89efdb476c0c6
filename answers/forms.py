"""Forms of the shopper-answers pages."""

from __future__ import annotations

from django import forms

from answers.models import AnswerSettings
from answers.safety import MAX_QUESTION_CHARS
from answers.services import FAQ_ANSWER_MAX_CHARS, FAQ_QUESTION_MAX_CHARS, clean_faq_entry
from catalog.errors import InvalidInput
from catalog.forms import add_rule_errors
from catalog.rules import clean_text


class AskForm(forms.Form):
    question = forms.CharField(max_length=MAX_QUESTION_CHARS)
    sku = forms.CharField(
        max_length=64, required=False, help_text="Optional: the product the question is about."
    )

    def clean_question(self) -> str:
        return clean_text(self.cleaned_data["question"])

    def clean_sku(self) -> str:
        return clean_text(self.cleaned_data["sku"])


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea, max_length=2000, required=False)

    def clean_answer(self) -> str:
        return clean_text(self.cleaned_data["answer"], multiline=True)


class FaqForm(forms.Form):
    """Shapes only: the limits and cleaning are `services.clean_faq_entry`'s."""

    question = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"maxlength": FAQ_QUESTION_MAX_CHARS})
    )
    answer = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"maxlength": FAQ_ANSWER_MAX_CHARS})
    )
    sku = forms.CharField(
        max_length=64, required=False, help_text="Leave empty for a shop-wide entry."
    )

    def clean_sku(self) -> str:
        return clean_text(self.cleaned_data["sku"])

    def clean(self) -> dict:
        data = super().clean()
        try:
            data.update(clean_faq_entry(question=data.get("question"), answer=data.get("answer")))
        except InvalidInput as error:
            add_rule_errors(self, error)
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = AnswerSettings
        fields = (
            "auto_publish",
            "auto_publish_threshold",
            "min_retrieval_score",
            "rephrase_with_model",
            "time_budget_s",
        )
        widgets = {
            "auto_publish_threshold": forms.NumberInput(attrs={"step": "0.05"}),
            "min_retrieval_score": forms.NumberInput(attrs={"step": "0.05"}),
            "time_budget_s": forms.NumberInput(attrs={"step": "0.5"}),
        }
