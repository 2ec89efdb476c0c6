"""Serving inside experiments: the visitor's arm, its list or copy, and the ref to cite.

The recommendations API cannot know about experiments (it is on a lower floor), so a shop that
runs experiments calls these endpoints instead; with no running experiment they serve exactly
what the plain API serves (the shop's served run, or the published copy), without a ref to an
experiment.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from catalog.models import Customer, Product, Shop
from experiments.assignment import assign
from experiments.models import (
    Arm,
    CopyVariant,
    Experiment,
    ExperimentKind,
    ExperimentStatus,
    Exposure,
    Placement,
)
from generation.services import published_text
from recommendations import serving as recommendation_serving
from recommendations.serving import ServedList


@dataclass
class ServedArm:
    experiment: Experiment | None
    arm: Arm | None
    served: ServedList


def running_arms(shop: Shop, placement: str) -> list[Arm]:
    """The arms of the experiment running on `placement` (one query; [] when none)."""
    return list(
        Arm.objects.filter(
            experiment__shop=shop,
            experiment__kind=ExperimentKind.RECOMMENDATIONS,
            experiment__placement=placement,
            experiment__status=ExperimentStatus.RUNNING,
        )
        .select_related("experiment", "run")
        .order_by("position")
    )


def serve_list(
    shop: Shop,
    placement: str,
    customer: Customer,
    *,
    product: Product | None = None,
    n: int = 10,
) -> ServedArm:
    """The list for `customer` on `placement` from the customer's arm, with its impression
    recorded both by recommendations (RecommendationImpression) and here (Exposure)."""
    arms = running_arms(shop, placement)
    arm = (
        arms[assign(arms[0].experiment.salt, customer.external_id, [a.weight for a in arms])]
        if arms
        else None
    )
    run = arm.run if arm else None
    if placement == Placement.CUSTOMER:
        served = recommendation_serving.for_customer(shop, customer, n=n, run=run)
    else:
        served = recommendation_serving.for_product(shop, product, placement, n=n, run=run)
    if arm is not None and served.ref:
        Exposure.objects.create(
            shop=shop,
            experiment=arm.experiment,
            arm=arm,
            ref=served.ref,
            visitor=customer.external_id,
            product=product,
        )
    return ServedArm(arm.experiment if arm else None, arm, served)


@dataclass
class ServedCopy:
    experiment: Experiment | None
    arm: Arm | None
    text: str
    ref: str


def serve_copy(shop: Shop, product: Product, field: str, visitor: str) -> ServedCopy:
    """The text of `field` that `visitor` sees on `product`: an arm's version while a copy
    experiment runs on it (an exposure is recorded, its ref returned), else the published copy."""
    variants = list(
        CopyVariant.objects.filter(
            product=product,
            experiment__shop=shop,
            experiment__field=field,
            experiment__status=ExperimentStatus.RUNNING,
        )
        .select_related("arm", "experiment")
        .order_by("arm__position")
    )
    if not variants:
        return ServedCopy(None, None, published_text(product, field), "")
    experiment = variants[0].experiment
    variants = [v for v in variants if v.experiment_id == experiment.pk]
    variant = variants[assign(experiment.salt, visitor, [v.arm.weight for v in variants])]
    ref = "cpy_" + secrets.token_hex(12)
    Exposure.objects.create(
        shop=shop,
        experiment=experiment,
        arm=variant.arm,
        ref=ref,
        visitor=visitor,
        product=product,
    )
    return ServedCopy(experiment, variant.arm, variant.text, ref)
