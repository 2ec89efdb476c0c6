"""Every route, page and API alike, tried by an outsider from another shop.

The per-area tests check each view by name; this sweep walks the whole URL configuration so that
a route added later without shop scoping fails here. Shop A's rows carry a marker string; the
outsider (owner of shop B) requests every route with every id of shop A's rows and every SKU /
external id of shop A, by GET and by POST, and must never see the marker nor change a row.
"""

from __future__ import annotations

import re
from itertools import product as cartesian

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from answers.models import FaqEntry, ShopperQuestion
from catalog import services
from catalog.models import AuditEvent, Customer, Interaction, Job, Product
from generation.models import Draft
from generation.services import add_version

MARK = "ZEBRA7SECRET"
SKU = "SKU-ZEBRA7"
EXTERNAL_ID = "cust-zebra7"
# Routes the sweep must not call: logging out would end the outsider's session midway.
SKIPPED = ("logout/", "admin/")
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        elif isinstance(entry, URLPattern) and "format" not in route:
            yield route.replace("\\", "")


def _fill(route: str, ids: list[int]) -> list[str]:
    """Every URL from `route` with its parameters set to shop A's ids, SKU and external id."""
    names = [m.group("name") or m.group("rname") for m in PARAM.finditer(route)]
    choices = []
    for name in names:
        if name in ("sku",):
            choices.append([SKU])
        elif name in ("external_id", "customer_external_id"):
            choices.append([EXTERNAL_ID])
        else:
            choices.append([str(pk) for pk in ids] + [SKU, EXTERNAL_ID])
    urls = []
    for values in cartesian(*choices):
        it = iter(values)
        urls.append("/" + PARAM.sub(lambda _m, it=it: next(it), route).lstrip("/"))
    return urls


@pytest.fixture
def shop_a_rows(shop, owner):
    product = services.save_product(
        shop, {"sku": SKU, "title": f"Bottle {MARK}", "attributes": {"capacity": "750 ml"}}
    )
    customer = services.save_customer(
        shop, {"external_id": EXTERNAL_ID, "name": f"Ana {MARK}", "email": "ana@example.com"}
    )
    services.record_interactions(shop, [{"customer": EXTERNAL_ID, "sku": SKU, "kind": "purchase"}])
    job = Job.objects.create(shop=shop, kind="demo_count", params={"note": MARK})
    draft = add_version(product, "description", f"A bottle. {MARK}", source="model").draft
    faq = FaqEntry.objects.create(shop=shop, product=product, question=MARK, answer=MARK)
    question = ShopperQuestion.objects.create(
        shop=shop,
        product=product,
        question=f"Is it big? {MARK}",
        answer=MARK,
        status="pending_review",
        answer_kind="extractive",
    )
    ids = {product.pk, customer.pk, job.pk, draft.pk, faq.pk, question.pk}
    ids |= set(Interaction.objects.filter(shop=shop).values_list("pk", flat=True))
    ids |= set(draft.versions.values_list("pk", flat=True))
    rows = {"ids": sorted(ids), "product": product, "draft": draft, "job": job, "faq": faq}
    return {**rows, "customer": customer}


def _urls(ids: list[int]) -> list[str]:
    urls = []
    for route in _routes(get_resolver()):
        if route.startswith(SKIPPED):
            continue
        urls.extend(_fill(route, ids))
    return sorted(set(urls))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_outsider_never_sees_shop_a_on_any_route(
    shop_a_rows, outsider_client, outsider_api, owner_client, owner_api
):
    urls = _urls(shop_a_rows["ids"])
    assert len(urls) > 100  # the sweep really walks the whole site
    leaks, seen_by_owner = [], []
    for url in urls:
        is_api = url.startswith("/api/")
        response = (outsider_api if is_api else outsider_client).get(url)
        assert response.status_code < 500, f"GET {url} -> {response.status_code}"
        if MARK.encode() in _body(response):
            leaks.append(url)
        if MARK.encode() in _body((owner_api if is_api else owner_client).get(url)):
            seen_by_owner.append(url)
    assert leaks == []
    # Control: the marker is really on shop A's pages, so its absence above means something.
    assert len(seen_by_owner) >= 10


def test_outsider_posts_to_every_route_change_nothing_of_shop_a(
    shop_a_rows, outsider_client, outsider_api
):
    for url in _urls(shop_a_rows["ids"]):
        if url.startswith("/api/"):
            for method in ("post", "put", "patch", "delete"):
                response = getattr(outsider_api, method)(url, {}, format="json")
                assert response.status_code < 500, f"{method} {url} -> {response.status_code}"
        else:
            response = outsider_client.post(url, {})
            assert response.status_code < 500, f"post {url} -> {response.status_code}"
    product = Product.objects.get(pk=shop_a_rows["product"].pk)
    assert product.title == f"Bottle {MARK}" and product.description == ""
    assert Draft.objects.get(pk=shop_a_rows["draft"].pk).status == "draft"
    assert Job.objects.get(pk=shop_a_rows["job"].pk).status == "queued"
    assert FaqEntry.objects.filter(pk=shop_a_rows["faq"].pk).exists()
    assert ShopperQuestion.objects.get(question__contains=MARK).status == "pending_review"
    # The privacy routes (export, erase, audit log) neither erased nor exported shop A's customer.
    customer = shop_a_rows["customer"]
    assert Customer.objects.filter(pk=customer.pk, name=f"Ana {MARK}").exists()
    assert Interaction.objects.filter(customer=customer).count() == 1
    assert not AuditEvent.objects.filter(shop=customer.shop_id).exists()
