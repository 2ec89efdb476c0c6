"""Every write of the experiments app: create, start, stop, promote, pin a served run.

Views, API views and tests call these; none writes the models directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.audit import record_audit
from catalog.errors import Conflict, InvalidInput
from catalog.models import JobStatus, Product, Shop
from experiments import stats
from experiments.analysis import analyse_experiment
from experiments.models import (
    Arm,
    CopyVariant,
    Experiment,
    ExperimentKind,
    ExperimentStatus,
    Metric,
    Placement,
    ServedRunPin,
)
from generation import services as generation_services
from generation.models import CopyField, Draft, DraftStatus, VersionSource
from recommendations import services as recommendation_services
from recommendations.models import RecommendationRun

MAX_ARMS = 4
MAX_COPY_PRODUCTS = 500


class ExperimentConflict(Conflict):
    pass


@dataclass
class ArmSpec:
    """An arm serves a succeeded `run`, or trains its own run with `settings` (recommender
    settings over the shop's, e.g. {"diversity": 0.3})."""

    name: str
    weight: int
    run: RecommendationRun | None = None
    settings: dict | None = None


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, fields={field: [message]})


def clean_preregistration(
    metric: str, baseline_rate: float, minimum_effect: float, alpha: float, power: float
) -> int:
    """The rule for the pre-registered plan; returns the sample per arm it needs."""
    if metric not in Metric.values:
        raise _invalid("metric", f"Choose one of: {', '.join(Metric.values)}.")
    if not 0 < baseline_rate < 1:
        raise _invalid("baseline_rate", "The baseline rate is a share between 0 and 1.")
    if not 0.001 <= abs(minimum_effect) <= 10:
        raise _invalid("minimum_effect", "The minimum lift is a share, e.g. 0.1 for +10%.")
    if not 0 < alpha <= 0.2:
        raise _invalid("alpha", "Alpha is between 0 and 0.2 (0.05 is usual).")
    if not 0.5 <= power < 1:
        raise _invalid("power", "Power is between 0.5 and 1 (0.8 is usual).")
    try:
        return stats.required_sample_size(baseline_rate, minimum_effect, alpha, power)
    except ValueError as exc:
        raise _invalid("minimum_effect", str(exc)) from None


def _clean_name(name: str) -> str:
    name = name.strip()[:120]
    if not name:
        raise _invalid("name", "Give the experiment a name.")
    return name


def _new_experiment(shop: Shop, user, **fields) -> Experiment:
    """A draft experiment of `shop`, created by `user` (None for a system action)."""
    created_by = user if user is not None and user.is_authenticated else None
    return Experiment.objects.create(shop=shop, created_by=created_by, **fields)


def _clean_arms(arms: Sequence[ArmSpec]) -> None:
    if not 2 <= len(arms) <= MAX_ARMS:
        raise _invalid("arms", f"An experiment has 2 to {MAX_ARMS} arms.")
    if any(arm.weight <= 0 for arm in arms) or sum(arm.weight for arm in arms) != 100:
        raise _invalid("split", "The traffic split gives every arm a share; shares add up to 100.")
    names = [arm.name.strip() for arm in arms]
    if any(not name or len(name) > 40 for name in names) or len(set(names)) != len(names):
        raise _invalid("arms", "Arms need distinct names of at most 40 characters.")


@transaction.atomic
def create_recommendation_experiment(
    shop: Shop,
    *,
    user,
    name: str,
    placement: str,
    arms: Sequence[ArmSpec],
    metric: str = Metric.CONVERSION,
    baseline_rate: float,
    minimum_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
) -> Experiment:
    """A draft experiment whose arms serve the lists of succeeded runs of the shop."""
    name = _clean_name(name)
    if placement not in Placement.values:
        raise _invalid("placement", f"Choose one of: {', '.join(Placement.values)}.")
    _clean_arms(arms)
    for arm in arms:
        if arm.settings:
            _clean_arm_settings(arm.settings)
            if arm.run is not None:
                raise _invalid("arms", "An arm names a run or settings to train, not both.")
        elif (
            arm.run is None
            or arm.run.shop_id != shop.pk
            or arm.run.job.status != JobStatus.SUCCEEDED
        ):
            raise _invalid(
                "arms",
                "Every arm serves a succeeded recommendation run of this shop, or names "
                "recommender settings to train one with.",
            )
    sample = clean_preregistration(metric, baseline_rate, minimum_effect, alpha, power)
    experiment = _new_experiment(
        shop,
        user,
        name=name,
        kind=ExperimentKind.RECOMMENDATIONS,
        placement=placement,
        metric=metric,
        baseline_rate=baseline_rate,
        minimum_effect=minimum_effect,
        alpha=alpha,
        power=power,
        sample_size_per_arm=sample,
    )
    Arm.objects.bulk_create(
        Arm(
            experiment=experiment,
            name=arm.name.strip(),
            position=i,
            weight=arm.weight,
            run=arm.run,
            settings=arm.settings or {},
        )
        for i, arm in enumerate(arms)
    )
    return experiment


def _clean_arm_settings(overrides: dict) -> None:
    if not isinstance(overrides, dict):
        raise _invalid("arms", "An arm's settings are an object of recommender settings.")
    unknown = sorted(set(overrides) - set(recommendation_services.SETTINGS_FIELDS))
    if unknown:
        raise _invalid(
            "arms",
            f"Unknown recommender setting(s): {', '.join(unknown[:5])}. Known: "
            f"{', '.join(recommendation_services.SETTINGS_FIELDS)}.",
        )


def arms_to_train(experiment: Experiment) -> list[Arm]:
    """Arms defined by settings whose run is missing, failed or cancelled."""
    return [
        arm
        for arm in experiment.arms.select_related("run__job").order_by("position")
        if arm.settings
        and (arm.run is None or arm.run.job.status in (JobStatus.FAILED, JobStatus.CANCELLED))
    ]


def train_next_arm(experiment: Experiment, *, user) -> Arm:
    """Start the run of the next arm defined by settings. The shop trains one run at a time,
    so arms train one after the other (call again when the run finished).

    Through the recommender's own services: the arm's settings are applied, the run is started
    (it copies the settings it trains with), and the shop's settings are put back, all in one
    transaction: nobody sees the arm's settings as the shop's, and the job is queued only if
    everything commits."""
    if experiment.status != ExperimentStatus.DRAFT:
        raise ExperimentConflict("Arms are trained before the experiment starts.")
    pending = arms_to_train(experiment)
    if not pending:
        raise ExperimentConflict("Every arm already has its run.")
    arm = pending[0]
    shop = experiment.shop
    with transaction.atomic():
        previous = recommendation_services.settings_snapshot(shop)
        try:
            recommendation_services.update_settings(shop, arm.settings)
        except (ValueError, TypeError) as exc:  # its ShopErrors are ValueErrors
            raise _invalid("arms", f"Arm {arm.name}: {exc}") from None
        run = recommendation_services.start_run(shop, user=user, trigger="experiment")
        recommendation_services.update_settings(
            shop, {name: previous[name] for name in arm.settings}
        )
        arm.run = run
        arm.save(update_fields=["run"])
    return arm


def approved_versions(product: Product, field: str, limit: int = 2) -> list:
    """The product's approved versions of `field`, newest first: the published one, then those
    it superseded. An approved draft's current version is the text that was published."""
    drafts = (
        Draft.objects.filter(
            product=product,
            field=field,
            status__in=(DraftStatus.APPROVED, DraftStatus.SUPERSEDED),
            current_version__isnull=False,
        )
        .select_related("current_version")
        .order_by("-reviewed_at", "-pk")
    )
    versions, texts = [], set()
    for draft in drafts:
        text = draft.current_version.text.strip()
        if text and text not in texts:
            texts.add(text)
            versions.append(draft.current_version)
        if len(versions) == limit:
            break
    return versions


@transaction.atomic
def create_copy_experiment(
    shop: Shop,
    *,
    user,
    name: str,
    field: str,
    skus: Sequence[str],
    split: Sequence[int] = (50, 50),
    metric: str = Metric.CONVERSION,
    baseline_rate: float,
    minimum_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
) -> tuple[Experiment, list[str]]:
    """A draft copy experiment on `field` of the products `skus`: arm "published" shows the
    version published now (the control), arm "previous" the approved version it superseded.
    Products without two approved versions are skipped and returned."""
    name = _clean_name(name)
    if field not in CopyField.values:
        raise _invalid("field", f"Choose one of: {', '.join(CopyField.values)}.")
    skus = list(dict.fromkeys(sku.strip() for sku in skus if sku.strip()))
    if not skus or len(skus) > MAX_COPY_PRODUCTS:
        raise _invalid("skus", f"Name 1 to {MAX_COPY_PRODUCTS} products by SKU.")
    arms = [ArmSpec("published", split[0]), ArmSpec("previous", split[1])]
    _clean_arms(arms)
    sample = clean_preregistration(metric, baseline_rate, minimum_effect, alpha, power)
    products = {p.sku: p for p in Product.objects.for_shop(shop).filter(sku__in=skus)}
    unknown = [sku for sku in skus if sku not in products]
    if unknown:
        raise _invalid("skus", f"Unknown SKU(s): {', '.join(unknown[:10])}.")
    pairs, skipped = [], []
    for sku in skus:
        versions = approved_versions(products[sku], field)
        if len(versions) < 2:
            skipped.append(sku)
        else:
            pairs.append((products[sku], versions))
    if not pairs:
        raise _invalid("skus", "None of these products has two approved versions of that field.")
    experiment = _new_experiment(
        shop,
        user,
        name=name,
        kind=ExperimentKind.COPY,
        field=field,
        metric=metric,
        baseline_rate=baseline_rate,
        minimum_effect=minimum_effect,
        alpha=alpha,
        power=power,
        sample_size_per_arm=sample,
    )
    saved = [
        Arm.objects.create(experiment=experiment, name=arm.name, position=i, weight=arm.weight)
        for i, arm in enumerate(arms)
    ]
    CopyVariant.objects.bulk_create(
        CopyVariant(
            experiment=experiment,
            arm=saved[position],
            product=product,
            version=versions[position],
            text=versions[position].text,
        )
        for product, versions in pairs
        for position in (0, 1)
    )
    return experiment, skipped


def start_experiment(experiment: Experiment, *, user) -> Experiment:
    with transaction.atomic():
        # Serialises starts in one shop, so two overlapping copy experiments cannot both pass
        # the check below (lists have a database constraint as well).
        Shop.objects.select_for_update().filter(pk=experiment.shop_id).first()
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if experiment.status != ExperimentStatus.DRAFT:
            raise ExperimentConflict("Only a draft experiment can be started.")
        untrained = [
            arm.name
            for arm in experiment.arms.select_related("run__job")
            if experiment.kind == ExperimentKind.RECOMMENDATIONS
            and (arm.run is None or arm.run.job.status != JobStatus.SUCCEEDED)
        ]
        if untrained:
            raise ExperimentConflict(
                f"Arm(s) {', '.join(untrained)} have no succeeded run yet: train them first."
            )
        if experiment.kind == ExperimentKind.COPY:
            overlapping = CopyVariant.objects.filter(
                experiment__shop=experiment.shop_id,
                experiment__status=ExperimentStatus.RUNNING,
                experiment__field=experiment.field,
                product__in=experiment.copy_variants.values("product"),
            )
            if overlapping.exists():
                raise ExperimentConflict(
                    "Another running copy experiment tests this field on some of these products."
                )
        experiment.status = ExperimentStatus.RUNNING
        experiment.started_at = timezone.now()
        try:
            with transaction.atomic():
                experiment.save(update_fields=["status", "started_at"])
        except IntegrityError:
            raise ExperimentConflict(
                "Another experiment is already running on this placement; stop it first."
            ) from None
        record_audit(experiment.shop, user, "experiment.start", target=experiment)
    return experiment


@transaction.atomic
def stop_experiment(experiment: Experiment, *, user) -> Experiment:
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.status != ExperimentStatus.RUNNING:
        raise ExperimentConflict("Only a running experiment can be stopped.")
    experiment.status = ExperimentStatus.STOPPED
    experiment.stopped_at = timezone.now()
    experiment.save(update_fields=["status", "stopped_at"])
    record_audit(experiment.shop, user, "experiment.stop", target=experiment)
    return experiment


def promote_winner(experiment: Experiment, *, user) -> Arm:
    """Make the winning arm the default (stopping the experiment if it runs): for lists, pin
    its run as the shop's served run; for copy, publish its text through generation's approval.
    Only a winner declared by the analysis at the pre-registered sample can be promoted."""
    with transaction.atomic():
        experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if experiment.promoted_at is not None:
            raise ExperimentConflict("This experiment's winner was already promoted.")
        result = analyse_experiment(experiment)
        if result["verdict"] != "winner":
            raise ExperimentConflict(_no_winner_message(result))
        arms = list(experiment.arms.order_by("position"))
        winner = arms[result["winner"]]
        if experiment.status == ExperimentStatus.RUNNING:
            stop_experiment(experiment, user=user)
            experiment.refresh_from_db()
        if experiment.kind == ExperimentKind.RECOMMENDATIONS:
            pin_served_run(experiment.shop, winner.run, user=user, experiment=experiment)
            published = 0
        else:
            published = _publish_copy(winner, user=user)
        experiment.winner = winner
        experiment.promoted_at = timezone.now()
        experiment.save(update_fields=["winner", "promoted_at"])
        record_audit(
            experiment.shop,
            user,
            "experiment.promote",
            target=experiment,
            details={"arm": winner.name, "run_id": winner.run_id, "published": published},
        )
    return winner


def _no_winner_message(result: dict) -> str:
    if result["verdict"] == "srm":
        return "The arms' traffic does not match the split (sample-ratio mismatch); not promoted."
    if result["verdict"] == "collecting":
        return (
            f"Not yet at the pre-registered sample ({result['smallest_sample']:,} of "
            f"{result['sample_size_per_arm']:,} per arm); no winner can be declared yet."
        )
    return "No arm is significantly better than the others; nothing to promote."


def _publish_copy(arm: Arm, *, user) -> int:
    """Publish the arm's text of every product whose published copy differs from it."""
    published = 0
    field = arm.experiment.field
    for variant in arm.copy_variants.select_related("product"):
        product = variant.product
        if generation_services.published_text(product, field).strip() == variant.text.strip():
            continue
        # The one path that publishes copy: a version on the field's open draft, approved.
        version = generation_services.add_version(
            product, field, variant.text, source=VersionSource.EDIT, user=user
        )
        generation_services.approve_draft(version.draft, user=user, replace_published=True)
        published += 1
    return published


def pin_served_run(shop: Shop, run: RecommendationRun, *, user, experiment=None) -> ServedRunPin:
    if run.shop_id != shop.pk or run.job.status != JobStatus.SUCCEEDED:
        raise _invalid("run", "Only a succeeded run of this shop can be served.")
    pin, _ = ServedRunPin.objects.update_or_create(
        shop=shop,
        defaults={
            "run": run,
            "experiment": experiment,
            "pinned_by": user if user is not None and user.is_authenticated else None,
            "pinned_at": timezone.now(),
        },
    )
    return pin


def unpin_served_run(shop: Shop) -> None:
    """Serve the latest successful run again."""
    ServedRunPin.objects.filter(shop=shop).delete()


def pinned_run(shop: Shop) -> RecommendationRun | None:
    """The resolver registered with recommendations.serving (see apps.py)."""
    pin = (
        ServedRunPin.objects.filter(shop=shop, run__job__status=JobStatus.SUCCEEDED)
        .select_related("run")
        .first()
    )
    return pin.run if pin else None
