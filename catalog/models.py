"""Shops, their members and API tokens, the catalog, customers, interactions and jobs."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from catalog.managers import InteractionQuerySet, JobQuerySet, ProductQuerySet, ShopScopedQuerySet


class Shop(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    currency = models.CharField(max_length=3, default="EUR")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


# Higher rank may do everything a lower rank may.
ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class Membership(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="one_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.shop} ({self.role})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class ApiToken(models.Model):
    """A bearer token for one member in one shop. Only a hash of the key is stored."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "shk_" + secrets.token_urlsafe(32)


class StockStatus(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    LOW_STOCK = "low_stock", "Low stock"
    OUT_OF_STOCK = "out_of_stock", "Out of stock"
    DISCONTINUED = "discontinued", "Discontinued"


# What "in stock" means everywhere (Product.in_stock, the in_stock() filter, the recommenders'
# candidates): a shopper can buy it now.
AVAILABLE_STOCK = (StockStatus.IN_STOCK, StockStatus.LOW_STOCK)


class PriceField(models.DecimalField):
    """A unit price stored with four decimals and read back with as many as it needs, two at
    least: 24.9000 is 24.90 and 0.0125 stays 0.0125, so pages, exports and prompts show a
    two-decimal price as before."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        value = Decimal(value)
        if not value.is_finite():
            return value
        decimals = min(self.decimal_places, max(2, -value.normalize().as_tuple().exponent))
        return value.quantize(Decimal(1).scaleb(-decimals))


class Product(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="products")
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    brand = models.CharField(max_length=120, blank=True)
    # "Kitchen > Drinkware > Bottles"
    category = models.CharField(max_length=300, blank=True)
    # Up to four decimals (catalog.rules.PRICE_DECIMALS); read back with two or more.
    price = PriceField(max_digits=14, decimal_places=4, null=True, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    stock_status = models.CharField(
        max_length=20, choices=StockStatus.choices, default=StockStatus.IN_STOCK
    )
    # Facts: {"material": "stainless steel", "capacity": "750 ml", "colour": "blue"}
    attributes = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    image_url = models.URLField(max_length=500, blank=True)
    # Published copy: written by people or approved from drafts, never overwritten silently.
    description = models.TextField(blank=True)
    bullet_points = models.JSONField(default=list, blank=True)
    seo_title = models.CharField(max_length=120, blank=True)
    meta_description = models.CharField(max_length=320, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "sku"], name="unique_sku_per_shop")]
        indexes = [
            models.Index(fields=["shop", "category"]),
            models.Index(fields=["shop", "stock_status"]),
            models.Index(fields=["shop", "title"]),
            models.Index(fields=["shop", "price"]),
            models.Index(fields=["shop", "-updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.title}"

    @property
    def in_stock(self) -> bool:
        return self.stock_status in AVAILABLE_STOCK


class ProductTag(models.Model):
    """One row per (product, tag): lets the list filter by tag with an index on every database."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=60)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "tag"], name="unique_tag")]
        indexes = [models.Index(fields=["shop", "tag"])]

    def __str__(self) -> str:
        return self.tag


class Customer(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField(max_length=64)
    # Personal data: shown to members, never sent to a model or written to logs.
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ShopScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id"], name="unique_customer_id")
        ]
        indexes = [models.Index(fields=["shop", "-created_at"])]

    def __str__(self) -> str:
        return self.external_id


class InteractionKind(models.TextChoices):
    VIEW = "view", "View"
    CART = "cart", "Add to cart"
    PURCHASE = "purchase", "Purchase"
    RATING = "rating", "Rating"


class Interaction(models.Model):
    # No single-column index on the keys: each leads one of the composite indexes below, which
    # serves the same lookups (and cascades); every index costs each of millions of inserts.
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="interactions", db_index=False
    )
    kind = models.CharField(max_length=10, choices=InteractionKind.choices)
    quantity = models.PositiveIntegerField(default=1)
    # Purchase value, or the rating (1-5) for ratings.
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    # Which served recommendation led here (click-through attribution), when the client says so.
    recommendation_ref = models.CharField(max_length=64, blank=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["shop", "-occurred_at"]),
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(fields=["product", "kind"]),
            # Attribution of clicks and sales to a served list or experiment arm.
            models.Index(
                fields=["shop", "recommendation_ref"],
                name="interaction_ref_idx",
                condition=~Q(recommendation_ref=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.product_id}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Job(models.Model):
    """Every kind of background work is one of these rows before it is a Celery message.

    Kinds register their task in `catalog.jobs.JOB_KINDS`; `params` holds the request,
    `result` the outcome (counts, row errors, metrics).
    """

    FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Both have database defaults, so rows written by code that predates them stay valid.
    # Times the reaper found this job's worker gone (no heartbeat) and queued it again.
    worker_losses = models.PositiveIntegerField(default=0, db_default=0)
    # Why the job's message could not be sent (broker down); empty once it was sent.
    enqueue_error = models.CharField(max_length=300, blank=True, default="", db_default="")

    objects = JobQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["shop", "-created_at"]),
            models.Index(
                fields=["status", "queued_at"],
                name="job_queued_idx",
                condition=Q(status="queued"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def kind_label(self) -> str:
        from catalog.jobs import job_kind_label

        return job_kind_label(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == JobStatus.SUCCEEDED else 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def eta_seconds(self) -> int | None:
        """Remaining seconds at the rate seen so far, or None before there is a rate."""
        if self.status != JobStatus.RUNNING or not self.started_at or not self.progress_done:
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        remaining = max(0, self.progress_total - self.progress_done)
        return int(elapsed / self.progress_done * remaining)

    @property
    def delayed(self) -> bool:
        """Queued, but its message could not be sent yet (the job server is unreachable)."""
        return self.status == JobStatus.QUEUED and bool(self.enqueue_error)

    @property
    def can_retry(self) -> bool:
        return self.status in (JobStatus.FAILED, JobStatus.CANCELLED)

    @property
    def can_cancel(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)


class Upload(models.Model):
    """An uploaded file kept in the database, so that a worker on another machine can read it."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="uploads")
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename


class AuditEvent(models.Model):
    """Who did what, when, to which record of a shop: privacy requests, approvals and
    publications, token and member changes. Written only through `catalog.audit.record_audit`;
    never edited. `details` holds no personal data (counts, names of fields, roles)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The actor's username when it happened: the record stays readable after the user is gone.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["shop", "-at"]),
            models.Index(fields=["shop", "action", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.action}"

    @property
    def action_label(self) -> str:
        from catalog.audit import action_label

        return action_label(self.action)


class ModelKind(models.TextChoices):
    GENERATOR = "generator", "Copy model"
    ENCODER = "encoder", "Text encoder"


class ModelVersionStatus(models.TextChoices):
    TRAINING = "training", "Training"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ModelVersion(models.Model):
    """A model trained on one shop's data: a LoRA adapter over the shared generator, or an
    adapted encoder. Here, on the ground floor, so that every app can ask which version is
    active for a shop; the training itself lives in the `training` app.

    At most one version per (shop, kind) is active; none active means the shared base model.
    `path` is the folder holding the weights (under SHOPLLM_MODEL_STORE)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="model_versions")
    kind = models.CharField(max_length=20, choices=ModelKind.choices)
    number = models.PositiveIntegerField()  # 1, 2, ... per (shop, kind)
    status = models.CharField(
        max_length=10, choices=ModelVersionStatus.choices, default=ModelVersionStatus.TRAINING
    )
    is_active = models.BooleanField(default=False)
    job = models.OneToOneField(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="model_version"
    )
    base_model = models.CharField(max_length=300)
    path = models.CharField(max_length=500, blank=True)
    # Training settings (method, rank, epochs, learning rate, ...).
    training_settings = models.JSONField(default=dict, blank=True)
    # Sizes of the training and held-out sets, fingerprint of the data.
    data = models.JSONField(default=dict, blank=True)
    # [{"step": int, "loss": float, "at": seconds}, ...]
    curve = models.JSONField(default=list, blank=True)
    # Before/after figures on the held-out part (loss, flags, coverage, hit@5, ndcg@10).
    evaluation = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "kind", "number"], name="model_version_number"),
            models.UniqueConstraint(
                fields=["shop", "kind"],
                condition=Q(is_active=True),
                name="one_active_model_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.number} of {self.shop}"
