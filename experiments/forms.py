"""Forms of the experiment pages: they read shapes; the services hold the rules."""

from __future__ import annotations

import json

from django import forms

from catalog.models import JobStatus
from experiments.models import Metric, Placement
from generation.models import CopyField
from recommendations.models import RecommendationRun


def parse_split(text: str, arms: int) -> list[int]:
    """ "50/50" or "34/33/33" -> [50, 50]; raises ValidationError."""
    try:
        shares = [int(part) for part in text.replace(",", "/").split("/") if part.strip()]
    except ValueError:
        raise forms.ValidationError("Write the split as whole percentages, e.g. 50/50.") from None
    if len(shares) != arms:
        raise forms.ValidationError(f"Give one share per arm ({arms}).")
    return shares


class PlanFields(forms.Form):
    """The pre-registration every experiment fixes before it starts."""

    metric = forms.ChoiceField(choices=Metric.choices, initial=Metric.CONVERSION)
    baseline_rate = forms.FloatField(
        min_value=0.0001,
        max_value=0.9999,
        initial=0.05,
        help_text="The primary metric's current rate, e.g. 0.05 for 5% of visitors buying.",
    )
    minimum_effect = forms.FloatField(
        initial=0.1,
        help_text="The smallest relative lift worth detecting, e.g. 0.1 for +10%.",
    )
    alpha = forms.FloatField(initial=0.05, min_value=0.001, max_value=0.2)
    power = forms.FloatField(initial=0.8, min_value=0.5, max_value=0.99)
    split = forms.CharField(initial="50/50", help_text="Traffic per arm in percent, e.g. 50/50.")

    def plan(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("metric", "baseline_rate", "minimum_effect", "alpha", "power")
        }


class RunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, run: RecommendationRun) -> str:
        finished = run.job.finished_at.strftime("%Y-%m-%d %H:%M") if run.job.finished_at else ""
        return f"Run #{run.pk} ({finished})"


def parse_settings(text: str) -> dict:
    """A JSON object of recommender settings, e.g. {"diversity": 0.3}; "" = none."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        raise forms.ValidationError(
            'Write the settings as JSON, e.g. {"diversity": 0.3}.'
        ) from None
    if not isinstance(value, dict):
        raise forms.ValidationError("The settings are a JSON object of setting names to values.")
    return value


SETTINGS_HELP = (
    "Or recommender settings to train this arm's own run with, as JSON over the shop's, e.g. "
    '{"diversity": 0.3}.'
)


class RecommendationExperimentForm(PlanFields):
    name = forms.CharField(max_length=120)
    placement = forms.ChoiceField(choices=Placement.choices)
    settings_b = forms.CharField(
        required=False, max_length=2000, label="Arm B: settings", help_text=SETTINGS_HELP
    )
    settings_c = forms.CharField(
        required=False, max_length=2000, label="Arm C: settings", help_text=SETTINGS_HELP
    )
    field_order = ["name", "placement", "run_a", "run_b", "settings_b", "run_c", "settings_c"]

    def __init__(self, *args, shop, **kwargs):
        super().__init__(*args, **kwargs)
        runs = (
            RecommendationRun.objects.for_shop(shop)
            .filter(job__status=JobStatus.SUCCEEDED)
            .select_related("job")
            .defer("popular")
            .order_by("-created_at")
        )
        self.fields["run_a"] = RunChoiceField(runs, label="Arm A (control): run")
        self.fields["run_b"] = RunChoiceField(runs, label="Arm B: run", required=False)
        self.fields["run_c"] = RunChoiceField(runs, label="Arm C: run (optional)", required=False)
        self.order_fields(self.field_order)

    def clean_settings_b(self) -> dict:
        return parse_settings(self.cleaned_data["settings_b"])

    def clean_settings_c(self) -> dict:
        return parse_settings(self.cleaned_data["settings_c"])

    def arm_choices(self) -> list[tuple]:
        """(run, settings) per arm, in order: A, B, and C when it has either."""
        data = self.cleaned_data
        arms = [(data.get("run_a"), None)]
        for letter in ("b", "c"):
            run, settings = data.get(f"run_{letter}"), data.get(f"settings_{letter}") or None
            if run or settings:
                arms.append((run, settings))
        return arms

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not (cleaned.get("run_b") or cleaned.get("settings_b")):
            self.add_error("run_b", "Choose a run for arm B, or give settings to train one.")
        elif "split" in cleaned:
            try:
                cleaned["split"] = parse_split(cleaned["split"], len(self.arm_choices()))
            except forms.ValidationError as exc:
                self.add_error("split", exc)
        return cleaned


class CopyExperimentForm(PlanFields):
    name = forms.CharField(max_length=120)
    field = forms.ChoiceField(choices=CopyField.choices)
    skus = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=40_000,
        help_text="One SKU per line (or separated by commas). Each needs two approved "
        "versions of the field: the published one and the one it replaced.",
    )
    field_order = ["name", "field", "skus", "split"]

    def clean_skus(self) -> list[str]:
        text = self.cleaned_data["skus"].replace(",", "\n")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_split(self) -> list[int]:
        return parse_split(self.cleaned_data["split"], 2)
