"""Training and evaluation data for adapting the text encoder to one shop's catalog.

Pairs the shop already has, each an (anchor, positive) of texts that should lie close:
- `title_description`: a product's title (with its category) and its description and bullets;
- `co_purchase` / `co_view`: the texts of two products the same customers bought (cart or
  purchase) or viewed, from interactions before the temporal cut only, so the recommender's
  hold-out (the last 20% of interactions by time) never leaks into training;
- `question_fact`: a published shopper question and the fact its answer cited;
- `faq`: a FAQ entry's question and its answer.

Questions, answers and FAQ text are typed by people, so personal data is removed
(shopllm_site.trust.pii) before they become training text. Catalog fields are the merchant's
product data and are used as is (the name finder would blank brand names).

The held-out part: a fifth of the pairs by a hash of the anchor (stable from one run to the
next). Questions and FAQ entries are split by the product their answer is about (a hash of its
id; a shop-wide FAQ entry by its own text), so no question about a held-out product is trained
on; the held-out ones become the retrieval cases (question -> the text of the fact that answers
it, among every fact of the shop's answers index).

Each pair carries a `group` (the category of the product it is about): training batches gather
pairs of one category, so in-batch negatives are hard ones (training.encoder_train).
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from answers.models import FaqEntry, QuestionStatus, ShopperQuestion
from answers.retrieval import faq_chunk_spec, product_chunk_specs
from catalog.models import Interaction, Product, Shop
from recommendations.embeddings import product_text
from shopllm_site.trust import pii

HELDOUT_SHARE = 0.2
# The recommender's temporal hold-out (recommendations.engine.evaluation) keeps the same share.
TEMPORAL_HOLDOUT = 0.2
MAX_PAIRS_PER_SOURCE = 20_000
PARTNERS_PER_PRODUCT = 5
ITEMS_PER_CUSTOMER = 30
PURCHASE_KINDS = ("purchase", "cart")
ANSWERED_KINDS = ("extractive", "generated", "edited")


@dataclass(frozen=True)
class Pair:
    anchor: str
    positive: str
    source: str
    group: str = ""  # the product's category: batches gather a group (hard negatives)


@dataclass(frozen=True)
class RetrievalCase:
    """A question and the index text of the fact that answers it; with a product, it is
    searched among that product's facts and the shop-wide FAQ, as answers does."""

    query: str
    target: str
    source: str  # "question" or "faq"
    product_id: int | None = None
    # The product the answer is about (the cited fact's), which decides the split; its category.
    about_product_id: int | None = None
    group: str = ""


@dataclass
class RecommendationData:
    """The shop's interactions as arrays (item = position in `product_ids`)."""

    product_ids: list[int]
    product_texts: list[str]
    users: np.ndarray
    items: np.ndarray
    kinds: np.ndarray
    timestamps: np.ndarray
    cutoff: float | None


@dataclass
class EncoderDataset:
    train: list[Pair]
    heldout: list[Pair]
    retrieval_cases: list[RetrievalCase]
    corpus: list[str]  # every fact text of the shop's answers index, as embedded
    corpus_products: list[int | None]  # the product of each fact (None: shop-wide FAQ)
    recommendation: RecommendationData
    counts: dict = field(default_factory=dict)

    def summary(self) -> dict:
        """Sizes and a fingerprint, stored on the model version (`data`)."""
        digest = hashlib.sha256()
        for pair in self.train:
            digest.update(f"{pair.source}\t{pair.anchor}\t{pair.positive}\n".encode())
        return {
            "train_pairs": len(self.train),
            "heldout_pairs": len(self.heldout),
            "by_source": dict(Counter(pair.source for pair in self.train)),
            "retrieval_cases": len(self.retrieval_cases),
            "corpus_facts": len(self.corpus),
            "products": len(self.recommendation.product_ids),
            "interactions": int(len(self.recommendation.users)),
            "fingerprint": digest.hexdigest()[:16],
        }


def _scrub(text: str) -> str:
    return pii.redact(" ".join((text or "").split())).text


def _is_heldout(key: str, share: float) -> bool:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def is_heldout_product(product_id: int, share: float = HELDOUT_SHARE) -> bool:
    """Whether questions about this product are held out (for the benchmark to know)."""
    return _is_heldout(f"product:{product_id}", share)


def _case_is_heldout(case: RetrievalCase, share: float) -> bool:
    if case.about_product_id is not None:
        return is_heldout_product(case.about_product_id, share)
    return _is_heldout(f"q:{case.query}\t{case.target}", share)


def _title_line(product: Product) -> str:
    return f"{product.title} ({product.category})" if product.category else product.title


def _description(product: Product) -> str:
    parts = [str(bullet) for bullet in product.bullet_points or []]
    if product.description:
        parts.append(product.description)
    return " ".join(" ".join(parts).split())


def title_description_pairs(products: list[Product]) -> list[Pair]:
    return [
        Pair(_title_line(product), _description(product), "title_description", product.category)
        for product in products
        if _description(product)
    ]


def co_interaction_pairs(
    data: RecommendationData,
    texts: list[str],
    *,
    seed: int = 0,
    groups: list[str] | None = None,
) -> list[Pair]:
    """Products the same customers touched before the temporal cut: the strongest partners of
    each product (by how many customers share them), purchases and views apart."""
    if len(data.users) == 0:
        return []
    before = data.timestamps < data.cutoff if data.cutoff is not None else np.ones_like(data.users)
    pairs: list[Pair] = []
    for source, kinds in (("co_purchase", PURCHASE_KINDS), ("co_view", ("view",))):
        mask = before.astype(bool) & np.isin(data.kinds, kinds)
        baskets: dict[int, list[int]] = defaultdict(list)
        for user, item in zip(data.users[mask], data.items[mask], strict=True):
            basket = baskets[int(user)]
            if int(item) not in basket:
                basket.append(int(item))
        together: Counter = Counter()
        for basket in baskets.values():
            basket = basket[-ITEMS_PER_CUSTOMER:]
            for i, first in enumerate(basket):
                for second in basket[i + 1 :]:
                    together[(min(first, second), max(first, second))] += 1
        partners: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (first, second), count in together.items():
            partners[first].append((count, second))
            partners[second].append((count, first))
        seen: set[tuple[int, int]] = set()
        for item, found in partners.items():
            for _, other in sorted(found, reverse=True)[:PARTNERS_PER_PRODUCT]:
                key = (min(item, other), max(item, other))
                if key not in seen:
                    seen.add(key)
                    group = groups[item] if groups else ""
                    pairs.append(Pair(texts[item], texts[other], source, group))
    random.Random(seed).shuffle(pairs)
    return pairs


def question_cases(
    shop: Shop, titles: dict[int, str], categories: dict[int, str] | None = None
) -> list[RetrievalCase]:
    """A case for each published answer's cited fact and each FAQ entry."""
    categories = categories or {}
    cases: list[RetrievalCase] = []
    questions = ShopperQuestion.objects.filter(
        shop=shop, status=QuestionStatus.PUBLISHED, answer_kind__in=ANSWERED_KINDS
    ).only("question", "evidence", "product_id")
    for question in questions.iterator(chunk_size=2000):
        cited = [e for e in question.evidence or [] if isinstance(e, dict) and e.get("cited")]
        for evidence in cited[:1] or (question.evidence or [])[:1]:
            text = str(evidence.get("text") or "")
            if not text or evidence.get("source") == "faq":
                continue
            product_id = evidence.get("product_id")
            title = titles.get(product_id) or "Shop FAQ"
            about = product_id if product_id in titles else None
            cases.append(
                RetrievalCase(
                    _scrub(question.question),
                    f"{title} — {text}",
                    "question",
                    question.product_id if question.product_id in titles else None,
                    about_product_id=about,
                    group=categories.get(about, ""),
                )
            )
    for faq in FaqEntry.objects.filter(shop=shop).select_related("product"):
        spec = faq_chunk_spec(faq, faq.product.title if faq.product_id else "")
        cases.append(
            RetrievalCase(
                _scrub(faq.question),
                _scrub(spec.embed_text),
                "faq",
                faq.product_id,
                about_product_id=faq.product_id,
                group=categories.get(faq.product_id, ""),
            )
        )
    return cases


def recommendation_data(shop: Shop, products: list[Product]) -> RecommendationData:
    position = {product.pk: i for i, product in enumerate(products)}
    rows = (
        Interaction.objects.filter(shop=shop)
        .order_by("occurred_at", "pk")
        .values_list("customer_id", "product_id", "kind", "occurred_at")
    )
    customers: dict[int, int] = {}
    users, items, kinds, stamps = [], [], [], []
    for customer_id, product_id, kind, occurred_at in rows.iterator(chunk_size=20000):
        if product_id not in position:
            continue
        users.append(customers.setdefault(customer_id, len(customers)))
        items.append(position[product_id])
        kinds.append(kind)
        stamps.append(occurred_at.timestamp())
    timestamps = np.array(stamps, dtype=np.float64)
    cutoff = float(np.quantile(timestamps, 1.0 - TEMPORAL_HOLDOUT)) if len(stamps) >= 10 else None
    return RecommendationData(
        product_ids=[product.pk for product in products],
        product_texts=[product_text(product) for product in products],
        users=np.array(users, dtype=np.int64),
        items=np.array(items, dtype=np.int64),
        kinds=np.array(kinds, dtype=object),
        timestamps=timestamps,
        cutoff=cutoff,
    )


def build_dataset(shop: Shop, *, heldout_share: float = HELDOUT_SHARE, seed: int = 0):
    """Every pair of the shop, split into training and held-out parts (see the module doc)."""
    products = list(Product.objects.filter(shop=shop).order_by("pk"))
    recommendation = recommendation_data(shop, products)
    pairs = title_description_pairs(products)[:MAX_PAIRS_PER_SOURCE]
    co_pairs = co_interaction_pairs(
        recommendation,
        recommendation.product_texts,
        seed=seed,
        groups=[product.category for product in products],
    )
    for source in ("co_purchase", "co_view"):
        pairs += [pair for pair in co_pairs if pair.source == source][:MAX_PAIRS_PER_SOURCE]
    titles = {product.pk: product.title for product in products}
    categories = {product.pk: product.category for product in products}
    retrieval_cases: list[RetrievalCase] = []
    cases = question_cases(shop, titles, categories)[: 2 * MAX_PAIRS_PER_SOURCE]
    for case in cases:
        if _case_is_heldout(case, heldout_share):
            retrieval_cases.append(case)
        else:
            source = "question_fact" if case.source == "question" else "faq"
            pairs.append(Pair(case.query, case.target, source, case.group))
    train, heldout = [], []
    for pair in pairs:
        questions = pair.source in ("question_fact", "faq")
        (train if questions or not _is_heldout(pair.anchor, heldout_share) else heldout).append(
            pair
        )
    # Held-out questions are checked as retrieval cases; as pairs they also count in the loss.
    heldout += [
        Pair(
            case.query,
            case.target,
            "question_fact" if case.source == "question" else "faq",
            case.group,
        )
        for case in retrieval_cases
    ]
    facts = {
        spec.embed_text: product.pk for product in products for spec in product_chunk_specs(product)
    }
    # A product's FAQ entry belongs to its product, a shop-wide one to none.
    for case in cases:
        if case.source == "faq":
            facts[case.target] = case.product_id
        else:
            facts.setdefault(case.target, case.product_id)
    corpus = sorted(facts)
    random.Random(seed).shuffle(train)
    return EncoderDataset(
        train=train,
        heldout=heldout,
        retrieval_cases=retrieval_cases,
        corpus=corpus,
        corpus_products=[facts[text] for text in corpus],
        recommendation=recommendation,
    )
