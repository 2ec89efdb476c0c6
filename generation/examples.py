"""Which example copy a product's prompt shows the model: the shop's own, else a built-in one.

Small models imitate their example closely, facts included (a bed frame once became a bag with a
"roomy 40 l compartment"). So the example should be as close to the product as possible and
come from the shop itself: its approved copy for the same field, on a product in the same
category first (then the same broad category), nearest by embedding similarity of the product
facts. With none of those, the built-in example of the product's broad category. Whatever is
chosen, generation/checks/leak.py flags words that the output copies from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import Shop
from generation.builtin_examples import EXAMPLES, broad_category
from generation.models import CopyField, Draft, DraftStatus
from shopllm_site.ml import get_encoder

# The most recent approved copy is enough to find a near neighbour; more only costs embeddings.
MAX_POOL = 200


@dataclass(frozen=True)
class CopyExample:
    product: object  # a catalog Product or a built-in ExampleProduct
    text: str
    source: str  # "shop" or "built-in"
    label: str  # what the draft page shows: "shop copy of SKU-1" or "built-in: kitchen"


def builtin_example(product, field_name: str) -> CopyExample:
    category = broad_category(product)
    example = EXAMPLES[category]
    return CopyExample(
        example.product,
        example.copy[CopyField(field_name)],
        "built-in",
        f"built-in example ({category})",
    )


def facts_line(product) -> str:
    """The product as one line of text for the encoder (title, brand, category, attributes)."""
    attributes = " ".join(f"{key} {value}" for key, value in (product.attributes or {}).items())
    return " ".join(
        part for part in (product.title, product.brand, product.category, attributes) if part
    )


class ExampleFinder:
    """Picks one example per product for one field of one shop (built once per job and field)."""

    def __init__(self, shop: Shop, field_name: str):
        self.field_name = field_name
        drafts = (
            Draft.objects.for_shop(shop)
            .filter(field=field_name, status=DraftStatus.APPROVED, current_version__isnull=False)
            .select_related("product", "current_version")
            .order_by("-updated_at")[:MAX_POOL]
        )
        self.pool = [draft for draft in drafts if draft.current_version.text.strip()]
        self._vectors = None

    def _pool_vectors(self):
        if self._vectors is None:
            self._vectors = get_encoder().embed([facts_line(d.product) for d in self.pool])
        return self._vectors

    def for_products(self, products: list) -> list[CopyExample]:
        """One example per product, in order (one encoder call for all that need ranking)."""
        choices = [self._candidates(product) for product in products]
        needs_ranking = [i for i, candidates in enumerate(choices) if len(candidates) > 1]
        queries = {}
        if needs_ranking:
            rows = get_encoder().embed([facts_line(products[i]) for i in needs_ranking])
            queries = dict(zip(needs_ranking, rows, strict=True))
        examples = []
        for index, (product, candidates) in enumerate(zip(products, choices, strict=True)):
            if not candidates:
                examples.append(builtin_example(product, self.field_name))
                continue
            best = candidates[0]
            if index in queries:
                vectors = self._pool_vectors()
                best = max(candidates, key=lambda row: float(vectors[row] @ queries[index]))
            draft = self.pool[best]
            examples.append(
                CopyExample(
                    draft.product,
                    draft.current_version.text,
                    "shop",
                    f"shop's approved copy of {draft.product.sku}",
                )
            )
        return examples

    def _candidates(self, product) -> list[int]:
        """Pool rows in the product's category, else in its broad category; never its own."""
        others = [i for i, draft in enumerate(self.pool) if draft.product_id != product.pk]
        same_category = [
            i
            for i in others
            if product.category and self.pool[i].product.category == product.category
        ]
        if same_category:
            return same_category
        # An example from another kind of product teaches the wrong facts: below the broad
        # category, the built-in example of the product's own kind is the better teacher.
        broad = broad_category(product)
        return [i for i in others if broad_category(self.pool[i].product) == broad]
