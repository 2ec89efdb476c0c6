"""Brand voice and prompt templates (owners edit; members read), with a prompt preview."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Product, Role
from catalog.tenancy import shop_member_required
from generation.examples import ExampleFinder
from generation.forms import BrandVoiceForm, TemplateForm
from generation.models import BrandVoice, CopyField
from generation.prompts import (
    PLACEHOLDERS,
    SYSTEM_MESSAGE,
    PromptOptions,
    build_prompt,
    example_exchange,
)
from generation.services import (
    save_brand_voice,
    save_prompt_template,
    templates_for,
    voice_settings,
)


def _template_forms(shop, bound: dict | None = None) -> list[tuple[str, str, TemplateForm]]:
    templates = templates_for(shop)
    forms = []
    for value, label in CopyField.choices:
        if bound and bound.get("field") == value:
            form = bound["form"]
        else:
            form = TemplateForm(initial={"template": templates[value]})
        forms.append((value, label, form))
    return forms


def _render(request, voice_form, template_forms, status=200) -> HttpResponse:
    products = Product.objects.for_shop(request.shop).order_by("title").only("pk", "title")[:200]
    return render(
        request,
        "generation/voice.html",
        {
            "voice_form": voice_form,
            "template_forms": template_forms,
            "products": products,
            "placeholders": PLACEHOLDERS,
            "is_owner": request.membership.has_role(Role.OWNER),
        },
        status=status,
    )


@shop_member_required()
def voice_page(request: HttpRequest) -> HttpResponse:
    voice = BrandVoice.objects.filter(shop=request.shop).first()
    initial = {}
    if voice:
        initial = {
            "voice": voice.voice,
            "example_copy": voice.example_copy,
            "banned_phrases": "\n".join(voice.banned_phrases),
        }
    return _render(request, BrandVoiceForm(initial=initial), _template_forms(request.shop))


@shop_member_required(Role.OWNER)
@require_POST
def voice_save(request: HttpRequest) -> HttpResponse:
    form = BrandVoiceForm(request.POST)
    if not form.is_valid():
        return _render(request, form, _template_forms(request.shop), status=400)
    data = form.cleaned_data
    save_brand_voice(
        request.shop,
        voice=data["voice"],
        example_copy=data["example_copy"],
        banned_phrases=data["banned_phrases"].splitlines(),
        user=request.user,
    )
    messages.success(request, "Brand voice saved.")
    return redirect("generation:voice")


@shop_member_required(Role.OWNER)
@require_POST
def template_save(request: HttpRequest, field: str) -> HttpResponse:
    form = TemplateForm(request.POST)
    if field not in CopyField.values:
        messages.error(request, "Unknown field.")
        return redirect("generation:voice")
    if form.is_valid():
        save_prompt_template(request.shop, field, form.cleaned_data["template"], request.user)
        messages.success(request, f"Template for {CopyField(field).label} saved.")
        return redirect("generation:voice")
    bound = {"field": field, "form": form}
    return _render(request, BrandVoiceForm(), _template_forms(request.shop, bound), status=400)


@shop_member_required()
def template_preview(request: HttpRequest) -> HttpResponse:
    """The exact prompt a field's template gives for one product (htmx fragment)."""
    field = request.GET.get("field", CopyField.DESCRIPTION)
    if field not in CopyField.values:
        field = CopyField.DESCRIPTION
    products = Product.objects.for_shop(request.shop)
    product_id = request.GET.get("product", "")
    product = products.filter(pk=product_id).first() if product_id.isdigit() else products.first()
    if product is None:
        return render(
            request, "generation/_template_preview.html", {"error": "Add a product first."}
        )
    template = request.GET.get("template") or templates_for(request.shop)[field]
    voice = voice_settings(request.shop)
    prompt = build_prompt(product, field, PromptOptions(), template=template, voice=voice)
    # What the model really receives: the example exchange comes before the product's prompt.
    example = ExampleFinder(request.shop, field).for_products([product])[0]
    exchange = example_exchange(
        example.product, example.text, field, PromptOptions(), template=template, voice=voice
    )
    examples = (exchange,) if exchange else ()
    context = {
        "prompt": prompt,
        "system": SYSTEM_MESSAGE,
        "examples": examples,
        "example_label": example.label,
        "product": product,
        "field": field,
    }
    return render(request, "generation/_template_preview.html", context)
