from __future__ import annotations

from django import forms

from catalog.errors import InvalidInput
from catalog.forms import add_rule_errors
from generation.models import CopyField
from generation.prompts import LANGUAGES, LENGTHS, TONES, validate_template
from generation.services import MAX_DRAFT_TEXT, clean_draft_edit


class GenerateForm(forms.Form):
    """The knobs of a request, plus the selection: product ids, or the product-list filters."""

    fields = forms.MultipleChoiceField(
        choices=CopyField.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[CopyField.DESCRIPTION, CopyField.SEO_TITLE],
    )
    tone = forms.ChoiceField(choices=[(tone, tone.title()) for tone in TONES], initial="neutral")
    length = forms.ChoiceField(
        choices=[(length, length.title()) for length in LENGTHS], initial="medium"
    )
    language = forms.ChoiceField(choices=list(LANGUAGES.items()), initial="en")
    keywords = forms.CharField(required=False, max_length=600, help_text="Comma-separated.")
    audience = forms.CharField(required=False, max_length=120)
    overwrite = forms.BooleanField(
        required=False,
        label="Also products that already have copy (drafts only; publishing still needs approval)",
    )
    # Selection
    product_ids = forms.CharField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(required=False, label="Search")
    category = forms.CharField(required=False)
    tag = forms.CharField(required=False)
    in_stock = forms.BooleanField(required=False, label="In stock only")

    def clean_product_ids(self) -> list[int] | None:
        raw = self.cleaned_data.get("product_ids", "").strip()
        if not raw:
            return None
        try:
            return [int(part) for part in raw.replace(" ", "").split(",") if part]
        except ValueError:
            raise forms.ValidationError("Product ids must be numbers.") from None


class DraftEditForm(forms.Form):
    """The text of a person's edit; `clean_draft_edit` decides, the form shows its errors."""

    # No max_length check here: the rule counts after cleaning (a browser sends "\r\n").
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_DRAFT_TEXT}), strip=False
    )

    def clean(self) -> dict:
        if "text" in self.cleaned_data:
            try:
                self.cleaned_data.update(clean_draft_edit(self.cleaned_data))
            except InvalidInput as exc:
                add_rule_errors(self, exc)
        return self.cleaned_data


class RejectForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class BrandVoiceForm(forms.Form):
    voice = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    example_copy = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    banned_phrases = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One per line."
    )


class TemplateForm(forms.Form):
    template = forms.CharField(widget=forms.Textarea(attrs={"rows": 7}), required=False)

    def clean_template(self) -> str:
        template = self.cleaned_data["template"]
        # Empty resets the field to the default template (see save_prompt_template).
        if template:
            try:
                validate_template(template)
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from None
        return template
