"""What experiments hold about a customer (the lists and copy served to them, by arm), for the
catalog's privacy export and erasure (registered in ExperimentsConfig.ready()).

Erasure keeps the exposure rows but replaces the visitor id with the catalog's pseudonym: the
experiment's visitor counts stay right, nothing links them to the person any more. Their
interactions are deleted by the catalog, so their clicks and purchases leave the figures.
"""

from __future__ import annotations

from catalog.models import Customer
from catalog.privacy import pseudonym
from experiments.models import Exposure


def _exposures(customer: Customer):
    return Exposure.objects.filter(shop=customer.shop_id, visitor=customer.external_id)


def export_exposures(customer: Customer) -> list[dict]:
    return [
        {
            "experiment_id": experiment_id,
            "arm": arm_name,
            "ref": ref,
            "served_at": served_at.isoformat(),
        }
        for experiment_id, arm_name, ref, served_at in _exposures(customer)
        .order_by("created_at", "pk")
        .values_list("experiment_id", "arm__name", "ref", "created_at")
    ]


def erase_exposures(customer: Customer) -> int:
    return _exposures(customer).update(visitor=pseudonym(customer.external_id)[:64])
