"""The fact index of a shop and cosine search over it.

Facts come from three places: each product attribute ("capacity: 750 ml"), the published copy
(bullet points, description sentences, brand, category, price) and merchant-written FAQ entries
(per product or shop-wide). Each fact is one `FactChunk` row holding its embedding as float32
bytes and a hash of the embedded text, so a sync embeds only new or changed facts.

Search loads the candidate rows' embeddings and scores them with one matrix product (rows are
unit length, so the dot product is the cosine). A search narrowed to one product reads only that
product's rows plus the shop-wide FAQ entries; a shop-wide search uses a per-process matrix cache
that is rebuilt when the shop's chunks change (count + latest update stamp).
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from answers.models import AnswerSettings, ChunkSource, FactChunk, FaqEntry
from catalog.model_versions import EncoderSpace, active_encoder_space, shop_encoder
from catalog.models import Product, Shop

if TYPE_CHECKING:
    import numpy

MAX_DESCRIPTION_SENTENCES = 12
# Changed rows are re-read from a little before the last load: app servers' clocks differ.
CLOCK_SKEW = timedelta(seconds=60)
MAX_FACT_CHARS = 400
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")


@dataclass(frozen=True)
class ChunkSpec:
    """A fact as it should be in the index."""

    source: str
    source_key: str
    label: str
    text: str
    embed_text: str
    product_id: int | None = None
    faq_id: int | None = None

    @property
    def text_hash(self) -> str:
        return hashlib.sha256(self.embed_text.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Hit:
    chunk_id: int
    source: str
    label: str
    text: str
    product_id: int | None
    score: float

    def as_evidence(self, cited: bool = False) -> dict:
        return {
            "chunk_id": self.chunk_id,
            "source": self.source,
            "label": self.label,
            "text": self.text,
            "product_id": self.product_id,
            "score": round(float(self.score), 4),
            "cited": cited,
        }


def humanize_key(key: str) -> str:
    return re.sub(r"[_\s]+", " ", str(key)).strip()


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{humanize_key(k)}: {_value_text(v)}" for k, v in value.items())
    return str(value).strip()


def _clip(text: str) -> str:
    return text if len(text) <= MAX_FACT_CHARS else text[: MAX_FACT_CHARS - 1] + "…"


def product_chunk_specs(product: Product) -> list[ChunkSpec]:
    """Every fact of `product` as a chunk: attributes, copy and catalog fields."""
    title = product.title.strip()
    specs: list[ChunkSpec] = []

    def add(source: str, key: str, label: str, text: str) -> None:
        text = _clip(" ".join(text.split()))
        if not text:
            return
        specs.append(
            ChunkSpec(
                source=source,
                source_key=f"p{product.pk}:{key}"[:200],
                label=label[:200],
                text=text,
                embed_text=f"{title} — {text}",
                product_id=product.pk,
            )
        )

    attributes = product.attributes if isinstance(product.attributes, dict) else {}
    for key, value in sorted(attributes.items()):
        value_text = _value_text(value)
        if value_text:
            name = humanize_key(key)
            add(
                ChunkSource.ATTRIBUTE, f"attr:{key}", f"Attribute “{name}”", f"{name}: {value_text}"
            )
    add(ChunkSource.PRODUCT, "title", "Title", f"product name: {title}")
    if product.brand:
        add(ChunkSource.PRODUCT, "brand", "Brand", f"brand: {product.brand}")
    if product.category:
        add(ChunkSource.PRODUCT, "category", "Category", f"category: {product.category}")
    if product.price is not None:
        add(ChunkSource.PRODUCT, "price", "Price", f"price: {product.price} {product.currency}")
    add(
        ChunkSource.PRODUCT,
        "stock",
        "Stock status",
        f"availability: {product.get_stock_status_display().lower()}",
    )
    for index, bullet in enumerate(product.bullet_points or []):
        add(ChunkSource.BULLET, f"bullet:{index}", f"Bullet point {index + 1}", str(bullet))
    sentences = [s for s in SENTENCE_SPLIT.split(product.description or "") if s.strip()]
    for index, sentence in enumerate(sentences[:MAX_DESCRIPTION_SENTENCES]):
        add(
            ChunkSource.DESCRIPTION, f"desc:{index}", f"Description, sentence {index + 1}", sentence
        )
    return specs


def faq_chunk_spec(faq: FaqEntry, product_title: str = "") -> ChunkSpec:
    text = _clip(f"Q: {' '.join(faq.question.split())} A: {' '.join(faq.answer.split())}")
    prefix = product_title or "Shop FAQ"
    return ChunkSpec(
        source=ChunkSource.FAQ,
        source_key=f"faq{faq.pk}",
        label=f"FAQ entry #{faq.pk}",
        text=text,
        embed_text=f"{prefix} — {text}",
        product_id=faq.product_id,
        faq_id=faq.pk,
    )


def encoder_name(shop: Shop | None = None) -> str:
    """The vector space facts are stored in: the shop's active adapted encoder, if any, else
    the settings encoder ("default")."""
    if shop is not None:
        return active_encoder_space(shop).name
    from django.conf import settings

    return getattr(settings, "SHOPLLM_ENCODER_MODEL", "default") or "default"


def _embed(texts: list[str], space: EncoderSpace | None = None) -> list[bytes]:
    import numpy as np

    from shopllm_site.ml.encoder import get_encoder_for

    if not texts:
        return []
    encoder = get_encoder_for(space.name, space.path) if space is not None else get_encoder_for()
    vectors = encoder.embed(texts).astype(np.float32, copy=False)
    return [row.tobytes() for row in vectors]


@dataclass
class SyncResult:
    embedded: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __iadd__(self, other: SyncResult) -> SyncResult:
        self.embedded += other.embedded
        self.unchanged += other.unchanged
        self.deleted += other.deleted
        return self


def sync_chunks(shop: Shop, specs: list[ChunkSpec], existing_scope: Q) -> SyncResult:
    """Make the rows matching `existing_scope` equal `specs`, embedding only what changed
    (a fact stored in another vector space than the shop's active one counts as changed)."""
    space = active_encoder_space(shop)
    encoder = space.name
    existing = {
        chunk.source_key: chunk
        for chunk in FactChunk.objects.filter(existing_scope, shop=shop).only(
            "pk", "source_key", "text_hash", "encoder"
        )
    }
    wanted = {spec.source_key: spec for spec in specs}
    stale = [key for key in existing if key not in wanted]
    changed = [
        spec
        for key, spec in wanted.items()
        if key not in existing
        or existing[key].text_hash != spec.text_hash
        or existing[key].encoder != encoder
    ]
    texts = [spec.embed_text for spec in changed]
    embeddings = _embed(texts, space) if space.path else _embed(texts)
    with transaction.atomic():
        if stale:
            FactChunk.objects.filter(shop=shop, source_key__in=stale).delete()
        for spec, embedding in zip(changed, embeddings, strict=True):
            FactChunk.objects.update_or_create(
                shop=shop,
                source_key=spec.source_key,
                defaults={
                    "product_id": spec.product_id,
                    "faq_id": spec.faq_id,
                    "source": spec.source,
                    "label": spec.label,
                    "text": spec.text,
                    "text_hash": spec.text_hash,
                    "embedding": embedding,
                    "encoder": encoder,
                },
            )
        if stale or changed:
            bump_index_version(shop)
    return SyncResult(
        embedded=len(changed), unchanged=len(wanted) - len(changed), deleted=len(stale)
    )


def bump_index_version(shop: Shop) -> None:
    updated = AnswerSettings.objects.filter(shop=shop).update(index_version=F("index_version") + 1)
    if not updated:
        AnswerSettings.objects.get_or_create(shop=shop, defaults={"index_version": 1})


def sync_product(product: Product) -> SyncResult:
    """Index the facts of one product (its attributes and copy, not its FAQ entries)."""
    scope = Q(product=product) & ~Q(source=ChunkSource.FAQ)
    return sync_chunks(product.shop, product_chunk_specs(product), scope)


def sync_faq(faq: FaqEntry) -> SyncResult:
    title = faq.product.title if faq.product_id else ""
    return sync_chunks(faq.shop, [faq_chunk_spec(faq, title)], Q(faq=faq))


def sync_shop(shop: Shop, batch_size: int = 500, on_progress=None) -> SyncResult:
    """Index every product and FAQ entry of `shop`; unchanged facts cost a hash, not a model."""
    total = SyncResult()
    products = Product.objects.filter(shop=shop).order_by("pk")
    done = 0
    last_pk = 0
    while True:
        batch = list(products.filter(pk__gt=last_pk)[:batch_size])
        if not batch:
            break
        specs = [spec for product in batch for spec in product_chunk_specs(product)]
        scope = Q(product__in=batch) & ~Q(source=ChunkSource.FAQ)
        total += sync_chunks(shop, specs, scope)
        last_pk = batch[-1].pk
        done += len(batch)
        if on_progress is not None:
            on_progress(done)
    faqs = list(FaqEntry.objects.filter(shop=shop).select_related("product"))
    faq_specs = [faq_chunk_spec(faq, faq.product.title if faq.product_id else "") for faq in faqs]
    total += sync_chunks(shop, faq_specs, Q(source=ChunkSource.FAQ))
    return total


# --- Search ---------------------------------------------------------------------------------


@dataclass
class ChunkMatrix:
    """Embeddings (n, dim) of some chunks with their ids, in the same order."""

    ids: numpy.ndarray
    vectors: numpy.ndarray
    version: int = -1
    loaded_at: object = None
    positions: dict = field(default_factory=dict)
    encoder: str = ""


def _decode(rows: list[tuple[int, bytes]]) -> ChunkMatrix:
    import numpy as np

    if not rows:
        return ChunkMatrix(ids=np.zeros(0, dtype=np.int64), vectors=np.zeros((0, 0), np.float32))
    ids = np.fromiter((pk for pk, _ in rows), dtype=np.int64, count=len(rows))
    # One writable buffer, so that a later change replaces a row without copying the matrix.
    buffer = bytearray()
    for _, blob in rows:
        buffer += blob
    vectors = np.frombuffer(buffer, dtype=np.float32)
    return ChunkMatrix(ids=ids, vectors=vectors.reshape(len(rows), -1))


def top_k(matrix: ChunkMatrix, query: numpy.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (chunk id, cosine) pairs, best first."""
    import numpy as np

    if matrix.vectors.size == 0:
        return []
    scores = matrix.vectors @ query.astype(np.float32, copy=False)
    k = min(k, len(scores))
    best = np.argpartition(-scores, k - 1)[:k]
    best = best[np.argsort(-scores[best])]
    return [(int(matrix.ids[i]), float(scores[i])) for i in best]


_cache_lock = threading.Lock()
_shop_matrices: dict[int, ChunkMatrix] = {}


def _index_version(shop: Shop) -> int:
    version = AnswerSettings.objects.filter(shop=shop).values_list("index_version", flat=True)
    return version.first() or 0


def _load_full(shop: Shop, encoder: str) -> ChunkMatrix:
    loaded_at = timezone.now()
    rows = (
        FactChunk.objects.filter(shop=shop, encoder=encoder)
        .order_by("pk")
        .values_list("pk", "embedding")
    )
    matrix = _decode(list(rows))
    matrix.loaded_at = loaded_at
    matrix.encoder = encoder
    matrix.positions = {int(pk): row for row, pk in enumerate(matrix.ids)}
    return matrix


def _load_changes(shop: Shop, cached: ChunkMatrix, encoder: str) -> ChunkMatrix:
    """The cached matrix with the rows changed since it was loaded replaced or appended.

    Deleted chunks stay in the matrix until the next full load; `search` drops ids that no
    longer exist, and a full load happens once they are a tenth of the rows.
    """
    import numpy as np

    loaded_at = timezone.now()
    if cached.encoder != encoder:
        return _load_full(shop, encoder)
    rows = list(
        FactChunk.objects.filter(
            shop=shop, encoder=encoder, updated_at__gte=cached.loaded_at - CLOCK_SKEW
        )
        .order_by("pk")
        .values_list("pk", "embedding")
    )
    live = FactChunk.objects.filter(shop=shop, encoder=encoder).count()
    fresh = [(pk, blob) for pk, blob in rows if pk not in cached.positions]
    if cached.vectors.size == 0 or (len(cached.ids) + len(fresh) - live) > 0.1 * max(live, 1):
        return _load_full(shop, encoder)
    # Rows are replaced in place; a search running meanwhile may see one row half-written,
    # which moves one score a little.
    vectors = cached.vectors
    if rows and not vectors.flags.writeable:
        vectors = vectors.copy()
    for pk, blob in rows:
        if pk in cached.positions:
            vectors[cached.positions[pk]] = np.frombuffer(bytes(blob), dtype=np.float32)
    positions = dict(cached.positions)
    ids = cached.ids
    if fresh:
        added = _decode(fresh)
        for offset, pk in enumerate(added.ids):
            positions[int(pk)] = len(ids) + offset
        ids = np.concatenate([ids, added.ids])
        vectors = np.vstack([vectors, added.vectors])
    return ChunkMatrix(
        ids=ids, vectors=vectors, loaded_at=loaded_at, positions=positions, encoder=encoder
    )


def shop_matrix(shop: Shop) -> ChunkMatrix:
    """All of the shop's chunk embeddings, cached per process.

    Each call reads the shop's index version (one indexed row); when another process or this
    one changed chunks since, only the changed rows are read again. The cache holds one matrix
    per shop (4 bytes x 384 per fact).
    """
    version = _index_version(shop)
    encoder = encoder_name(shop)
    cached = _shop_matrices.get(shop.pk)
    if cached is not None and cached.version == version and cached.encoder == encoder:
        return cached
    fresh = cached is None
    matrix = _load_full(shop, encoder) if fresh else _load_changes(shop, cached, encoder)
    matrix.version = version
    with _cache_lock:
        _shop_matrices[shop.pk] = matrix
    return matrix


def forget_cached_matrices() -> None:
    with _cache_lock:
        _shop_matrices.clear()


def search(
    shop: Shop, query_vector: numpy.ndarray, *, product: Product | None = None, k: int = 5
) -> list[Hit]:
    """The k facts most similar to the query: of `product` (plus shop-wide FAQ entries) when
    given, else of the whole shop. Only facts in the shop's active vector space are compared
    (while a re-embedding job runs after a change of encoder, the others wait for it)."""
    if product is not None:
        # Two queries on the (shop, product) index rather than one OR that scans the shop.
        chunks = FactChunk.objects.filter(shop=shop, encoder=encoder_name(shop)).values_list(
            "pk", "embedding"
        )
        rows = list(chunks.filter(product=product)) + list(chunks.filter(product__isnull=True))
        matrix = _decode(rows)
    else:
        matrix = shop_matrix(shop)
    # A few extra candidates make up for deleted chunks still in a cached matrix.
    ranked = top_k(matrix, query_vector, k + 5)
    if not ranked:
        return []
    chunks = FactChunk.objects.filter(pk__in=[pk for pk, _ in ranked]).only(
        "pk", "source", "label", "text", "product_id"
    )
    by_id = {chunk.pk: chunk for chunk in chunks}
    return [
        Hit(
            chunk_id=pk,
            source=by_id[pk].source,
            label=by_id[pk].label,
            text=by_id[pk].text,
            product_id=by_id[pk].product_id,
            score=score,
        )
        for pk, score in ranked
        if pk in by_id
    ][:k]


def embed_question(question: str, shop: Shop | None = None) -> numpy.ndarray:
    """The question's vector, in the shop's active vector space when `shop` is given."""
    from shopllm_site.ml import get_encoder

    encoder = shop_encoder(shop) if shop is not None else get_encoder()
    return encoder.embed([question])[0]
