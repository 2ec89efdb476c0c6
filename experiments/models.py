"""Experiments: arms, their traffic split, exposures (what each arm served, under which ref) and
the run a shop pins when a recommendation experiment's winner is promoted.

Assignment is a hash of (experiment salt, visitor id): no row is written to assign a visitor.
An exposure row is written for every list or copy served inside an experiment; its `ref` is the
id the client passes back as `recommendation_ref` on interactions, which is how clicks, carts
and purchases are attributed to the arm.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalog.models import Product, Shop
from generation.models import CopyField, DraftVersion
from recommendations.models import RecommendationRun


def new_salt() -> str:
    return secrets.token_hex(8)


class ExperimentKind(models.TextChoices):
    RECOMMENDATIONS = "recommendations", "Recommendation lists"
    COPY = "copy", "Product copy"


class Placement(models.TextChoices):
    """Where a recommendation list is shown; one running experiment per placement."""

    CUSTOMER = "customer", "Lists for a customer"
    SIMILAR = "similar", "Similar products"
    BOUGHT_TOGETHER = "bought_together", "Bought together"


class ExperimentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"


class Metric(models.TextChoices):
    CONVERSION = "conversion", "Conversion (visitors who buy)"
    CTR = "ctr", "Click-through (impressions followed by an interaction)"


class ExperimentQuerySet(models.QuerySet):
    def for_shop(self, shop) -> ExperimentQuerySet:
        return self.filter(shop=shop)

    def running(self) -> ExperimentQuerySet:
        return self.filter(status=ExperimentStatus.RUNNING)


class Experiment(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="experiments")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=ExperimentKind.choices)
    # Recommendation experiments: the list they replace. Copy experiments: blank.
    placement = models.CharField(max_length=20, choices=Placement.choices, blank=True)
    # Copy experiments: the product field whose two versions are compared.
    field = models.CharField(max_length=20, choices=CopyField.choices, blank=True)
    status = models.CharField(
        max_length=10, choices=ExperimentStatus.choices, default=ExperimentStatus.DRAFT
    )
    # Hash salt: a visitor's arm is stable within an experiment, independent across experiments.
    salt = models.CharField(max_length=32, default=new_salt)
    # Pre-registration, fixed at creation: the primary metric, the baseline rate, the smallest
    # relative lift worth detecting, the test's alpha and power, and the sample per arm they need.
    metric = models.CharField(max_length=12, choices=Metric.choices, default=Metric.CONVERSION)
    baseline_rate = models.FloatField()
    minimum_effect = models.FloatField()
    alpha = models.FloatField(default=0.05)
    power = models.FloatField(default=0.8)
    sample_size_per_arm = models.PositiveIntegerField()
    winner = models.ForeignKey(
        "Arm", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    objects = ExperimentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "placement"],
                condition=Q(status="running", kind="recommendations"),
                name="one_running_experiment_per_placement",
            )
        ]
        indexes = [models.Index(fields=["shop", "status", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_running(self) -> bool:
        return self.status == ExperimentStatus.RUNNING


class Arm(models.Model):
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="arms")
    name = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField()  # 0 = control
    # Share of the traffic in percent; the arms of an experiment add up to 100.
    weight = models.PositiveSmallIntegerField()
    # Recommendation experiments: the run whose lists this arm serves. An arm defined by a
    # configuration (`settings`) gets the run it trains here once that run is started.
    run = models.ForeignKey(
        RecommendationRun, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    # Recommender settings this arm trains with, over the shop's ({} = the arm names a run).
    settings = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["experiment", "position"], name="unique_arm_position")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_control(self) -> bool:
        return self.position == 0


class CopyVariant(models.Model):
    """The text one arm of a copy experiment shows for one product (an approved version)."""

    experiment = models.ForeignKey(
        Experiment, on_delete=models.CASCADE, related_name="copy_variants"
    )
    arm = models.ForeignKey(Arm, on_delete=models.CASCADE, related_name="copy_variants")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        DraftVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["arm", "product"], name="one_variant_per_arm_product")
        ]
        indexes = [models.Index(fields=["product"])]

    def __str__(self) -> str:
        return f"{self.arm} / {self.product_id}"


class Exposure(models.Model):
    """One list or copy served by an arm to a visitor; interactions cite `ref`."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="+")
    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="exposures")
    arm = models.ForeignKey(Arm, on_delete=models.CASCADE, related_name="exposures")
    ref = models.CharField(max_length=64, unique=True)
    # The customer's external id (the id interactions name), not a foreign key: a visitor may
    # see copy before the shop knows them as a customer.
    visitor = models.CharField(max_length=64)
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["experiment", "created_at"])]

    def __str__(self) -> str:
        return self.ref


class ServedRunPin(models.Model):
    """The recommendation run a shop serves instead of its latest one (a promoted winner)."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="served_run_pin")
    run = models.ForeignKey(RecommendationRun, on_delete=models.CASCADE, related_name="+")
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.shop} serves run {self.run_id}"
