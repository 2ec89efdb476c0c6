"""The copy model's training set: the shop's approved copy paired with the prompt its facts make.

Each example is one chat, exactly as generation asks a tuned model (generation/pipeline.copy_prompt
builds it for both; nothing is duplicated here): the system message, the user prompt for the
product and field (the shop's template and brand voice, the options of the job that first wrote
the draft), no example exchange (a tuned model is asked without one: the shop's voice is in its
adapter), and as the reply the text as it was approved, after people's edits. Optionally the shop's
published copy for products without an approved draft (copy imported with the catalog).

Personal data is scrubbed (shopllm_site/trust/pii) from prompt and reply. The held-out part is
fixed per product (a hash of the product id), so versions trained on a growing shop are evaluated
on the same products, and a product is never in both parts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.conf import settings

from catalog.models import Job, Product, Shop
from generation.models import CopyField, Draft, DraftStatus, DraftVersion
from generation.pipeline import copy_prompt
from generation.prompts import SYSTEM_MESSAGE, PromptOptions
from generation.services import published_text, templates_for, voice_settings
from shopllm_site.trust.pii import redact

HELDOUT_PERCENT = 15
TRAIN, HELDOUT = "train", "heldout"


@dataclass(frozen=True)
class CopyExample:
    product_id: int
    sku: str
    field: str
    source: str  # "approved" or "published"
    split: str  # TRAIN or HELDOUT
    system: str
    prompt: str
    completion: str

    def messages(self, *, reply: bool = True) -> list[dict]:
        """The chat: system message, the user prompt, and (if asked) the approved reply."""
        chat = [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.prompt},
        ]
        if reply:
            chat.append({"role": "assistant", "content": self.completion})
        return chat

    def as_chat(self) -> dict:
        """One JSONL line: the chat in the common fine-tuning shape, plus where it came from."""
        return {
            "messages": self.messages(),
            "split": self.split,
            "field": self.field,
            "sku": self.sku,
            "source": self.source,
        }


def heldout_bucket(product_id: int) -> int:
    """0..99, fixed per product: the held-out part is the products with bucket < HELDOUT_PERCENT."""
    digest = hashlib.sha256(f"shopllm-heldout:{product_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 100


def scrub(text: str) -> str:
    return redact(text).text


def _job_options(drafts: list[Draft]) -> dict[int, PromptOptions]:
    """The options (tone, length, language...) of the job that wrote each draft's first
    generated version: the prompt the approved text answers."""
    rows = (
        DraftVersion.objects.filter(draft__in=drafts, job__isnull=False)
        .order_by("draft_id", "number")
        .values_list("draft_id", "job_id")
    )
    first_job: dict[int, int] = {}
    for draft_id, job_id in rows:
        first_job.setdefault(draft_id, job_id)
    jobs = Job.objects.in_bulk(set(first_job.values()))
    return {
        draft_id: PromptOptions.from_params(jobs[job_id].params)
        for draft_id, job_id in first_job.items()
        if job_id in jobs
    }


def approved_drafts(shop: Shop) -> list[Draft]:
    return list(
        Draft.objects.for_shop(shop)
        .filter(status=DraftStatus.APPROVED, current_version__isnull=False)
        .select_related("product", "current_version")
        .order_by("product_id", "field")
    )


def build_examples(shop: Shop, *, include_published: bool = False) -> list[CopyExample]:
    """Every example of the shop, in a fixed order, each marked train or held-out."""
    templates = templates_for(shop)
    voice = voice_settings(shop)
    drafts = approved_drafts(shop)
    options = _job_options(drafts)
    pairs: list[tuple[Product, str, str, str, PromptOptions]] = []
    covered: set[tuple[int, str]] = set()
    for draft in drafts:
        text = draft.current_version.text.strip()
        if text:
            opts = options.get(draft.pk, PromptOptions())
            pairs.append((draft.product, draft.field, text, "approved", opts))
            covered.add((draft.product_id, draft.field))
    if include_published:
        for product in Product.objects.filter(shop=shop).order_by("pk"):
            for field in CopyField.values:
                text = published_text(product, field).strip()
                if text and (product.pk, field) not in covered:
                    pairs.append((product, field, text, "published", PromptOptions()))
    heldout_products = {
        product.pk for product, *_ in pairs if heldout_bucket(product.pk) < HELDOUT_PERCENT
    }
    if not heldout_products and len({p.pk for p, *_ in pairs}) >= 2:
        # A small shop whose products all hash into the training part still gets a fixed
        # held-out product: the one with the lowest bucket.
        heldout_products = {min((p.pk for p, *_ in pairs), key=heldout_bucket)}
    examples = []
    for product, field, text, source, opts in pairs:
        # The chat a tuned model is sent when it writes (generation/pipeline.copy_prompt): no
        # example exchange, the shop's voice is what the adapter learns.
        prompt, _no_exchange = copy_prompt(
            product, field, opts, None, template=templates[field], voice=voice
        )
        examples.append(
            CopyExample(
                product_id=product.pk,
                sku=product.sku,
                field=field,
                source=source,
                split=HELDOUT if product.pk in heldout_products else TRAIN,
                system=SYSTEM_MESSAGE,
                prompt=scrub(prompt),
                completion=scrub(text),
            )
        )
    return examples


@dataclass(frozen=True)
class DataSummary:
    approved: int
    published: int
    train: int
    heldout: int
    minimum: int
    fingerprint: str

    @property
    def total(self) -> int:
        return self.train + self.heldout

    @property
    def enough(self) -> bool:
        return self.approved >= self.minimum and self.train > 0 and self.heldout > 0

    def as_dict(self) -> dict:
        return {**asdict(self), "total": self.total, "enough": self.enough}


def fingerprint(examples: list[CopyExample]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(json.dumps(example.as_chat(), sort_keys=True).encode())
    return digest.hexdigest()[:16]


def summarize(examples: list[CopyExample]) -> DataSummary:
    return DataSummary(
        approved=sum(1 for e in examples if e.source == "approved"),
        published=sum(1 for e in examples if e.source == "published"),
        train=sum(1 for e in examples if e.split == TRAIN),
        heldout=sum(1 for e in examples if e.split == HELDOUT),
        minimum=settings.SHOPLLM_TRAINING_MIN_EXAMPLES,
        fingerprint=fingerprint(examples),
    )


def data_summary(shop: Shop, *, include_published: bool = False) -> DataSummary:
    return summarize(build_examples(shop, include_published=include_published))


def jsonl_lines(shop: Shop, *, include_published: bool = False) -> Iterator[str]:
    """The training set as JSONL (one chat per line), for the page's download and the API."""
    for example in build_examples(shop, include_published=include_published):
        yield json.dumps(example.as_chat(), ensure_ascii=False) + "\n"
