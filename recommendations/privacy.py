"""Recommendations stored for a customer and the lists served to them, for the catalog's
privacy export and erasure (registered in RecommendationsConfig.ready()).

The models a run trained hold the customer's interactions only as aggregates; the next run
recomputes them without the erased customer.
"""

from __future__ import annotations

from catalog.models import Customer
from recommendations.models import CustomerRecommendation, RecommendationImpression


def export_recommendations(customer: Customer) -> dict:
    stored = CustomerRecommendation.objects.filter(customer=customer).select_related("run")
    served = RecommendationImpression.objects.filter(customer=customer).order_by("created_at")
    return {
        "stored": [
            {
                "run_id": row.run_id,
                "computed_at": row.run.created_at.isoformat(),
                "source": row.source,
                "items": row.items,
            }
            for row in stored.order_by("run__created_at", "pk")
        ],
        "served": [
            {
                "ref": impression.ref,
                "served_at": impression.created_at.isoformat(),
                "kind": impression.kind,
                "product_ids": impression.product_ids,
            }
            for impression in served
        ],
    }


def erase_recommendations(customer: Customer) -> int:
    stored, _ = CustomerRecommendation.objects.filter(customer=customer).delete()
    served, _ = RecommendationImpression.objects.filter(customer=customer).delete()
    return stored + served
