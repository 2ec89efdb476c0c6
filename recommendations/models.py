"""Recommendation runs, their stored lists, per-shop settings, product embeddings, impressions.

A run trains on the shop's interactions and stores one row per customer (and per product and list
kind) holding the ranked items as JSON: serving a list is one indexed lookup whatever the size of
the catalog. Items are dicts {"p": product id, "s": score, "r": reason kind, "t": reason text,
"via": product id that drove it or null}.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from catalog.models import Customer, Job, JobStatus, Product, Shop

# Migration 0001 names the default `recommendations.models.default_weights`.
from recommendations.engine.core import default_candidates, default_weights


class RecommenderSettings(models.Model):
    """Per-shop knobs of the recommender; the values used are copied into every run."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="recommender_settings")
    # Confidence added per interaction kind (implicit feedback weights).
    weights = models.JSONField(default=default_weights)
    # Share of the content (embedding) score in the blend; 0 = collaborative only.
    content_weight = models.FloatField(default=0.3)
    top_n = models.PositiveIntegerField(default=20)
    factors = models.PositiveIntegerField(default=64)
    iterations = models.PositiveIntegerField(default=15)
    regularization = models.FloatField(default=0.05)
    alpha = models.FloatField(default=2.0)
    # Consumables: bought items in these categories (prefix match) or with these tags may come back.
    repurchasable_categories = models.JSONField(default=list, blank=True)
    repurchasable_tags = models.JSONField(default=list, blank=True)
    # Candidate models trained and compared on every run; the best on the hold-out is served.
    candidates = models.JSONField(default=default_candidates, blank=True)
    # Recency weighting: an interaction's confidence halves every this many days (None = off).
    recency_half_life_days = models.FloatField(null=True, blank=True)
    # Seconds a run may spend tuning candidates' key settings on the hold-out (0 = no tuning).
    tuning_budget_s = models.PositiveIntegerField(default=60)
    # Re-ranking for the shop's goals. MMR diversity: 0 = pure relevance, 1 = pure novelty.
    diversity = models.FloatField(default=0.0)
    # At most this many items of one category in a list (None = no cap).
    category_cap = models.PositiveIntegerField(null=True, blank=True)
    # Popularity debiasing: score minus this times the item's log-popularity share (0 = off).
    popularity_penalty = models.FloatField(default=0.0)
    # Coverage goal: each run picks the mildest stronger re-ranking (popularity penalty, then MMR)
    # whose lists reach this share of the catalog, costing at most 5% of NDCG@10 on the
    # validation split (recommendations.engine.coverage_goal); 0 = off. 0.35 is the target on
    # real purchase logs; a shop already there pays nothing.
    coverage_target = models.FloatField(default=0.35)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Recommender settings of {self.shop}"


class ProductEmbedding(models.Model):
    """The encoder's vector for a product, recomputed when the product's text changes."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="embedding")
    model_name = models.CharField(max_length=300)
    text_hash = models.CharField(max_length=64)
    dim = models.PositiveIntegerField()
    # float32 little-endian bytes
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["shop", "product"])]

    def __str__(self) -> str:
        return f"embedding of {self.product_id}"


class RecommendationRunQuerySet(models.QuerySet):
    def for_shop(self, shop) -> RecommendationRunQuerySet:
        return self.filter(shop=shop)

    def succeeded(self) -> RecommendationRunQuerySet:
        return self.filter(job__status=JobStatus.SUCCEEDED)

    def active(self) -> RecommendationRunQuerySet:
        return self.filter(job__status__in=(JobStatus.QUEUED, JobStatus.RUNNING))


class RecommendationRun(models.Model):
    """A training of the shop's recommender and the lists it stored.

    Its job is its one state machine: status, progress, error and timestamps are the job's.
    RESTRICT: a job cannot be deleted from under its run, but deleting the shop removes both.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="recommendation_runs")
    job = models.OneToOneField(Job, on_delete=models.RESTRICT, related_name="recommendation_run")
    trigger = models.CharField(max_length=20, default="manual")  # manual, api, nightly
    settings = models.JSONField(default=dict, blank=True)
    # {"model": {...}, "popularity": {...}, "split": {...}} from the temporal hold-out
    metrics = models.JSONField(default=dict, blank=True)
    # Summary for the pages: counts, timings, popularity distribution of recommended items.
    stats = models.JSONField(default=dict, blank=True)
    # Fallback list: the 100 most popular product ids (bounded, read on every customer request).
    popular = models.JSONField(default=list, blank=True)
    interactions_until = models.DateTimeField(null=True, blank=True)
    # Highest Interaction id the run learned from: "new interactions" for the nightly schedule,
    # also when they arrive late with an old `occurred_at` (a CSV import of last month).
    last_interaction_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecommendationRunQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Recommendation run #{self.pk}"


class RunModelData(models.Model):
    """A run's model artefacts, in their own table so that reading a run row stays cheap.

    `arrays` is a numpy .npz: item_ids (product ids in factor order), item_factors,
    item_embeddings (float16), popularity, categories, available and repurchasable at training
    time; used for fold-in and for products the run did not know. In the database (not a file)
    so that any web machine can serve. SQLite keeps a big blob in the row's overflow pages, which
    every read of later columns would walk: hence the separate table.
    """

    run = models.OneToOneField(
        RecommendationRun, on_delete=models.CASCADE, primary_key=True, related_name="model_data"
    )
    arrays = models.BinaryField()
    # Category -> up to 20 popular product ids (fallback for products without lists).
    popular_by_category = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"model data of run {self.run_id}"


class CustomerRecommendation(models.Model):
    run = models.ForeignKey(
        RecommendationRun, on_delete=models.CASCADE, related_name="customer_lists"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=20, default="model")  # model, fallback
    items = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "customer"], name="one_list_per_customer_run")
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} customer {self.customer_id}"


class ListKind(models.TextChoices):
    SIMILAR = "similar", "Similar products"
    BOUGHT_TOGETHER = "bought_together", "Bought together"


class ProductRecommendation(models.Model):
    run = models.ForeignKey(
        RecommendationRun, on_delete=models.CASCADE, related_name="product_lists"
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ListKind.choices)
    items = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "product", "kind"], name="one_list_per_product_kind_run"
            )
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} product {self.product_id} {self.kind}"


class RecommendationImpression(models.Model):
    """One served list; interactions cite `ref` (Interaction.recommendation_ref) for CTR."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    ref = models.CharField(max_length=64, unique=True)
    run = models.ForeignKey(
        RecommendationRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="impressions",
    )
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(max_length=20)  # customer, similar, bought_together
    source = models.CharField(max_length=20)  # model, fold_in, fallback
    product_ids = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["shop", "-created_at"])]

    def __str__(self) -> str:
        return self.ref
