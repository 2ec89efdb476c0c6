"""Every write of the generation app: voice and templates, generation requests, drafts, review.

Pages, the API and the worker all call these. The one rule that matters most: only
`approve_draft` changes a product's published copy, and it refuses to replace existing copy
unless the caller says it showed the person what will be replaced.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from catalog import jobs as job_services
from catalog.audit import record_audit
from catalog.errors import Conflict, InvalidInput, ShopError
from catalog.models import Job, Product, Shop
from catalog.rules import clean_text, too_long
from catalog.services import save_product
from generation.checks import run_checks
from generation.job_kinds import GENERATE_COPY
from generation.models import (
    OPEN_STATUSES,
    BrandVoice,
    CopyField,
    Draft,
    DraftStatus,
    DraftVersion,
    PromptTemplate,
    VersionSource,
)
from generation.prompts import (
    DEFAULT_TEMPLATES,
    LANGUAGES,
    LENGTHS,
    TONES,
    VoiceSettings,
    validate_template,
)

JOB_KIND = GENERATE_COPY.name
MAX_KEYWORDS = 10
MAX_DRAFT_TEXT = 5000  # a person's edit; the checks flag copy over the field's own limit


class GenerationError(ShopError):
    """A request or draft action that breaks a rule; the message is safe to show."""


class DraftConflict(GenerationError, Conflict):
    """The draft's state forbids the action: it is closed, not a draft, or would replace copy."""


# --- Brand voice and templates -----------------------------------------------------------------


def voice_settings(shop: Shop) -> VoiceSettings:
    voice = BrandVoice.objects.filter(shop=shop).first()
    if voice is None:
        return VoiceSettings()
    return VoiceSettings(voice.voice, voice.example_copy, list(voice.banned_phrases))


def save_brand_voice(
    shop: Shop, *, voice: str, example_copy: str, banned_phrases: list[str], user=None
) -> BrandVoice:
    phrases = [phrase.strip() for phrase in banned_phrases if phrase.strip()][:100]
    brand_voice, _ = BrandVoice.objects.update_or_create(
        shop=shop,
        defaults={
            "voice": voice.strip(),
            "example_copy": example_copy.strip(),
            "banned_phrases": phrases,
            "updated_by": user,
        },
    )
    return brand_voice


def templates_for(shop: Shop) -> dict[str, str]:
    """The template of every field: the shop's own where it has one, else the default."""
    templates = {field: DEFAULT_TEMPLATES[field] for field in CopyField.values}
    for row in PromptTemplate.objects.filter(shop=shop):
        templates[row.field] = row.template
    return templates


def save_prompt_template(shop: Shop, field: str, template: str, user=None) -> PromptTemplate | None:
    """Save a shop's template for `field`; an empty or default template resets to the default."""
    if field not in CopyField.values:
        raise GenerationError(f"Unknown field {field!r}.")
    template = template.strip()
    if not template or template == DEFAULT_TEMPLATES[field].strip():
        PromptTemplate.objects.filter(shop=shop, field=field).delete()
        return None
    try:
        validate_template(template)
    except ValueError as exc:
        raise GenerationError(str(exc), fields={"template": [str(exc)]}) from None
    row, _ = PromptTemplate.objects.update_or_create(
        shop=shop, field=field, defaults={"template": template, "updated_by": user}
    )
    return row


# --- Generation requests -----------------------------------------------------------------------


@dataclass
class Selection:
    """Which products a request covers: explicit ids, or a product-list filter."""

    product_ids: list[int] | None = None
    category: str = ""
    search: str = ""
    tag: str = ""
    in_stock_only: bool = False

    def as_params(self) -> dict:
        if self.product_ids is not None:
            return {"product_ids": self.product_ids}
        return {
            "category": self.category,
            "search": self.search,
            "tag": self.tag,
            "in_stock_only": self.in_stock_only,
        }

    @classmethod
    def from_params(cls, params: dict) -> Selection:
        if "product_ids" in params:
            return cls(product_ids=[int(pk) for pk in params["product_ids"]])
        return cls(
            category=params.get("category", ""),
            search=params.get("search", ""),
            tag=params.get("tag", ""),
            in_stock_only=bool(params.get("in_stock_only")),
        )

    def products(self, shop: Shop) -> QuerySet[Product]:
        products = Product.objects.for_shop(shop)
        if self.product_ids is not None:
            return products.filter(pk__in=self.product_ids).order_by("pk")
        products = products.in_category(self.category).search(self.search).with_tag(self.tag)
        if self.in_stock_only:
            products = products.in_stock()
        return products.distinct().order_by("pk")

    def describe(self) -> str:
        if self.product_ids is not None:
            return f"{len(self.product_ids)} selected product(s)"
        parts = [
            f"category “{self.category}”" if self.category else "",
            f"search “{self.search}”" if self.search else "",
            f"tag “{self.tag}”" if self.tag else "",
            "in stock" if self.in_stock_only else "",
        ]
        return "products with " + ", ".join(p for p in parts if p) if any(parts) else "all products"


def clean_request_options(
    *,
    fields: list[str],
    tone: str = "neutral",
    length: str = "medium",
    language: str = "en",
    keywords: list[str] | str = (),
    audience: str = "",
    overwrite: bool = False,
) -> dict:
    """Validate the knobs of a request; returns them as job params."""
    fields = [field for field in CopyField.values if field in set(fields)]
    if not fields:
        raise GenerationError("Choose at least one field to write.")
    if tone not in TONES:
        raise GenerationError(f"Tone must be one of: {', '.join(TONES)}.")
    if length not in LENGTHS:
        raise GenerationError(f"Length must be one of: {', '.join(LENGTHS)}.")
    if language not in LANGUAGES:
        raise GenerationError(f"Language must be one of: {', '.join(LANGUAGES)}.")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    keywords = [keyword.strip()[:60] for keyword in keywords if keyword.strip()]
    if len(keywords) > MAX_KEYWORDS:
        raise GenerationError(f"At most {MAX_KEYWORDS} keywords.")
    return {
        "fields": fields,
        "tone": tone,
        "length": length,
        "language": language,
        "keywords": keywords,
        "audience": audience.strip()[:120],
        "overwrite": bool(overwrite),
    }


def create_generation_job(
    shop: Shop,
    selection: Selection,
    *,
    user=None,
    source: str = VersionSource.MODEL,
    **options,
) -> Job:
    """Validate a request and queue a "generate_copy" job for it (after commit)."""
    params = clean_request_options(**options)
    if selection.product_ids is not None:
        found = set(
            Product.objects.for_shop(shop)
            .filter(pk__in=selection.product_ids)
            .values_list("pk", flat=True)
        )
        # Another shop's product id is treated like one that does not exist.
        missing = [pk for pk in selection.product_ids if pk not in found]
        if missing:
            raise GenerationError(f"No such product(s): {', '.join(map(str, missing[:10]))}.")
        selection = Selection(product_ids=sorted(found))
    count = selection.products(shop).count()
    if not count:
        raise GenerationError("No products match this selection.")
    params.update(
        selection=selection.as_params(),
        selection_label=selection.describe(),
        product_count=count,
        source=source,
    )
    return job_services.create_job(
        shop, JOB_KIND, user=user, params=params, total=count * len(params["fields"])
    )


def regenerate_draft(draft: Draft, *, user=None) -> Job:
    """Queue a job that writes a new version of one draft's field (same knobs as before)."""
    if not draft.is_open:
        raise DraftConflict("Only an open draft can be regenerated.")
    last_job_version = (
        draft.versions.filter(job__isnull=False).select_related("job").order_by("-number").first()
    )
    knobs = {}
    if last_job_version and last_job_version.job:
        knobs = {
            key: last_job_version.job.params[key]
            for key in ("tone", "length", "language", "keywords", "audience")
            if key in last_job_version.job.params
        }
    return create_generation_job(
        draft.shop,
        Selection(product_ids=[draft.product_id]),
        user=user,
        source=VersionSource.REGENERATE,
        fields=[draft.field],
        overwrite=True,
        **knobs,
    )


def generation_jobs(shop: Shop) -> QuerySet[Job]:
    return Job.objects.for_shop(shop).filter(kind=JOB_KIND).order_by("-created_at")


# --- Drafts and versions -----------------------------------------------------------------------


def published_text(product: Product, field: str) -> str:
    """The product's published copy for a field, as text (bullets one per line)."""
    value = getattr(product, field)
    if field == CopyField.BULLET_POINTS:
        return "\n".join(str(item) for item in value or [])
    return value or ""


@transaction.atomic
def add_version(
    product: Product,
    field: str,
    text: str,
    *,
    source: str,
    user=None,
    job: Job | None = None,
    banned_phrases: list[str] | None = None,
    examples: list[str] = (),
    selection: dict | None = None,
    voice: str | None = None,
    model_version=None,
) -> DraftVersion:
    """A new checked version on the product's open draft for `field` (created if none).
    `examples`: the example copy the model was shown (leak check); `selection`: how the text
    was chosen among candidates (generation/selection.py), kept with the checks; `voice` and
    `banned_phrases` default to the shop's brand voice (the voice counts as support for claims);
    `model_version`: the shop's tuned copy model (catalog.ModelVersion) that wrote the text."""
    draft = (
        Draft.objects.select_for_update()
        .filter(product=product, field=field, status__in=OPEN_STATUSES)
        .first()
    )
    if draft is None:
        try:
            with transaction.atomic():
                draft = Draft.objects.create(shop_id=product.shop_id, product=product, field=field)
        except IntegrityError:
            # Another job opened the draft for this field a moment ago: add to that one.
            draft = Draft.objects.select_for_update().get(
                product=product, field=field, status__in=OPEN_STATUSES
            )
    if banned_phrases is None or voice is None:
        settings = voice_settings(product.shop)
        banned_phrases = settings.banned_phrases if banned_phrases is None else banned_phrases
        voice = settings.voice if voice is None else voice
    last = draft.versions.order_by("-number").values_list("number", flat=True).first() or 0
    checks = run_checks(text, field, product, banned_phrases, examples, voice)
    if selection is not None:
        checks["selection"] = selection
    version = DraftVersion.objects.create(
        draft=draft,
        number=last + 1,
        text=text,
        source=source,
        checks=checks,
        job=job,
        model_version=model_version,
        created_by=user,
    )
    draft.current_version = version
    if draft.status == DraftStatus.REJECTED and source == VersionSource.EDIT:
        # The merchant answered the reviewer's reason: back to their desk, reason kept visible.
        draft.status = DraftStatus.DRAFT
    draft.save(update_fields=["current_version", "status", "updated_at"])
    return version


def clean_draft_edit(values: dict) -> dict:
    """The rule for a person's edit of a draft: {"text": ...} cleaned like every catalog text
    (no control or bidi characters; line breaks kept), not empty, at most MAX_DRAFT_TEXT
    characters. Raises InvalidInput naming "text"."""
    raw = values.get("text")
    if raw is not None and not isinstance(raw, str):
        raise InvalidInput("Enter a text.", fields={"text": ["Enter a text."]})
    text = clean_text(raw, multiline=True).strip()
    if not text:
        message = "The text must not be empty."
        raise InvalidInput(message, fields={"text": [message]})
    if len(text) > MAX_DRAFT_TEXT:
        message = too_long(MAX_DRAFT_TEXT, len(text))
        raise InvalidInput(message, fields={"text": [message]})
    return {"text": text}


def edit_draft(draft: Draft, text: str, *, user) -> DraftVersion:
    if not draft.is_open:
        raise DraftConflict("This draft is closed; generate a new one to change the copy.")
    text = clean_draft_edit({"text": text})["text"]
    if draft.current_version and draft.current_version.text == text:
        return draft.current_version
    version = add_version(draft.product, draft.field, text, source=VersionSource.EDIT, user=user)
    if draft.status == DraftStatus.PENDING_REVIEW:
        Draft.objects.filter(pk=draft.pk).update(status=DraftStatus.DRAFT)
    draft.refresh_from_db()
    return version


def submit_for_review(draft: Draft, *, user) -> Draft:
    if draft.status not in (DraftStatus.DRAFT, DraftStatus.REJECTED):
        raise DraftConflict("Only a draft can be submitted for review.")
    draft.status = DraftStatus.PENDING_REVIEW
    draft.save(update_fields=["status", "updated_at"])
    return draft


@transaction.atomic
def approve_draft(draft: Draft, *, user, replace_published: bool = False) -> Draft:
    """Publish the draft's current version to the product. The ONLY path that changes published
    copy. If the product already has different copy in that field, `replace_published` must be
    True: the caller showed the person what will be replaced and they confirmed."""
    draft = Draft.objects.select_for_update().select_related("product").get(pk=draft.pk)
    if not draft.is_open:
        raise DraftConflict("This draft is already closed.")
    version = draft.current_version
    if version is None:
        raise DraftConflict("This draft has no text yet.")
    product = draft.product
    current = published_text(product, draft.field)
    if current.strip() and current.strip() != version.text.strip() and not replace_published:
        raise DraftConflict(
            "The product already has published copy in this field; confirm that it should be "
            "replaced."
        )
    if draft.field == CopyField.BULLET_POINTS:
        value: object = [line.strip() for line in version.text.splitlines() if line.strip()]
    else:
        value = version.text.strip()
    save_product(product.shop, {draft.field: value}, product)
    Draft.objects.filter(product=product, field=draft.field, status=DraftStatus.APPROVED).update(
        status=DraftStatus.SUPERSEDED
    )
    draft.status = DraftStatus.APPROVED
    draft.reviewer = user
    draft.reviewed_at = timezone.now()
    draft.save(update_fields=["status", "reviewer", "reviewed_at", "updated_at"])
    details = {"field": draft.field, "product_id": product.pk, "version_id": version.pk}
    record_audit(product.shop, user, "draft.approve", target=draft, details=details)
    return draft


def reject_draft(draft: Draft, *, user, reason: str) -> Draft:
    reason = reason.strip()
    if not reason:
        raise GenerationError("Say why the draft is rejected, so that the merchant can fix it.")
    if draft.status not in (DraftStatus.PENDING_REVIEW, DraftStatus.DRAFT):
        raise DraftConflict("Only a draft or a draft pending review can be rejected.")
    draft.status = DraftStatus.REJECTED
    draft.rejection_reason = reason[:2000]
    draft.reviewer = user
    draft.reviewed_at = timezone.now()
    draft.save(
        update_fields=["status", "rejection_reason", "reviewer", "reviewed_at", "updated_at"]
    )
    return draft
