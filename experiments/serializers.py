from __future__ import annotations

from rest_framework import serializers

from experiments.models import Arm, Experiment, Metric, Placement
from generation.models import CopyField


class ArmSerializer(serializers.ModelSerializer):
    run_id = serializers.IntegerField(allow_null=True, read_only=True)

    class Meta:
        model = Arm
        fields = ("name", "position", "weight", "run_id", "settings")


class ExperimentSerializer(serializers.ModelSerializer):
    arms = ArmSerializer(many=True, read_only=True)
    winner = serializers.CharField(source="winner.name", allow_null=True, default=None)

    class Meta:
        model = Experiment
        fields = (
            "id",
            "name",
            "kind",
            "placement",
            "field",
            "status",
            "metric",
            "baseline_rate",
            "minimum_effect",
            "alpha",
            "power",
            "sample_size_per_arm",
            "arms",
            "winner",
            "created_at",
            "started_at",
            "stopped_at",
            "promoted_at",
        )


class ArmInputSerializer(serializers.Serializer):
    """An arm serves a succeeded run (`run_id`), or trains its own with `settings`."""

    name = serializers.CharField(max_length=40)
    weight = serializers.IntegerField(min_value=1, max_value=100)
    run_id = serializers.IntegerField(required=False)
    settings = serializers.DictField(
        required=False,
        help_text="Recommender settings over the shop's, e.g. {\"diversity\": 0.3}; the arm's "
        "run is trained with them (POST .../train/).",
    )


class ExperimentCreateSerializer(serializers.Serializer):
    """Recommendation experiments name their arms' runs; copy experiments name a field and the
    products (arm "published" = the copy published now, "previous" = the approved version it
    superseded)."""

    kind = serializers.ChoiceField(choices=("recommendations", "copy"))
    name = serializers.CharField(max_length=120)
    placement = serializers.ChoiceField(choices=Placement.choices, required=False)
    arms = ArmInputSerializer(many=True, required=False)
    field = serializers.ChoiceField(choices=CopyField.choices, required=False)
    skus = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=500
    )
    split = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=99),
        required=False,
        min_length=2,
        max_length=2,
    )
    metric = serializers.ChoiceField(choices=Metric.choices, default=Metric.CONVERSION)
    baseline_rate = serializers.FloatField()
    minimum_effect = serializers.FloatField()
    alpha = serializers.FloatField(default=0.05)
    power = serializers.FloatField(default=0.8)


class ServedListSerializer(serializers.Serializer):
    experiment_id = serializers.IntegerField(allow_null=True)
    arm = serializers.CharField(allow_null=True)
    recommendation_id = serializers.CharField(
        allow_blank=True,
        help_text="Cite it as `recommendation_ref` on later interactions: that attributes "
        "them to the arm.",
    )
    source = serializers.CharField()
    run_id = serializers.IntegerField(allow_null=True)
    items = serializers.ListField(child=serializers.DictField())


class ServedCopySerializer(serializers.Serializer):
    experiment_id = serializers.IntegerField(allow_null=True)
    arm = serializers.CharField(allow_null=True)
    field = serializers.CharField()
    text = serializers.CharField(allow_blank=True)
    recommendation_id = serializers.CharField(
        allow_blank=True,
        help_text="Cite it as `recommendation_ref` on the visitor's interactions with this "
        "product (view, cart, purchase): that attributes them to the arm. Blank outside an "
        "experiment.",
    )
