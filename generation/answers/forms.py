"""Forms of the shopper-answers pages."""

from __future__ import annotations

from django import forms

from catalog.forms import clean_text
from generation.answers.models import AnswerSettings
from generation.answers.safety import MAX_QUESTION_CHARS


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
    question = forms.CharField(max_length=500)
    answer = forms.CharField(widget=forms.Textarea, max_length=2000)
    sku = forms.CharField(
        max_length=64, required=False, help_text="Leave empty for a shop-wide entry."
    )

    def clean_question(self) -> str:
        return clean_text(self.cleaned_data["question"])

    def clean_answer(self) -> str:
        return clean_text(self.cleaned_data["answer"], multiline=True)

    def clean_sku(self) -> str:
        return clean_text(self.cleaned_data["sku"])


class SettingsForm(forms.ModelForm):
    class Meta:
        model = AnswerSettings
        fields = ("auto_publish", "auto_publish_threshold", "min_retrieval_score", "time_budget_s")
        widgets = {
            "auto_publish_threshold": forms.NumberInput(attrs={"step": "0.05"}),
            "min_retrieval_score": forms.NumberInput(attrs={"step": "0.05"}),
            "time_budget_s": forms.NumberInput(attrs={"step": "0.5"}),
        }
