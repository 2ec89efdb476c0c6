"""Privacy rights: export everything held about one customer, erase a customer on request."""

from __future__ import annotations

import json

import pytest

from answers.models import ShopperQuestion
from catalog import privacy, services
from catalog.models import AuditEvent, Customer, Interaction, Job
from recommendations.models import (
    CustomerRecommendation,
    RecommendationImpression,
    RecommendationRun,
)

EXTERNAL_ID = "cust-ana"


@pytest.fixture
def ana(shop) -> Customer:
    """A customer with something in every section, next to another customer who must survive."""
    services.upsert_products(shop, [{"sku": "MUG-1", "title": "Enamel mug"}])
    ana = services.save_customer(
        shop, {"external_id": EXTERNAL_ID, "name": "Ana Lima", "email": "ana@example.com"}
    )
    services.save_customer(shop, {"external_id": "cust-ben", "name": "Ben"})
    services.record_interactions(
        shop,
        [
            {"customer": EXTERNAL_ID, "sku": "MUG-1", "kind": "view"},
            {"customer": EXTERNAL_ID, "sku": "MUG-1", "kind": "purchase", "value": "12.50"},
            {"customer": "cust-ben", "sku": "MUG-1", "kind": "view"},
        ],
    )
    run = RecommendationRun.objects.create(
        shop=shop, job=Job.objects.create(shop=shop, kind="recommendation_run")
    )
    for customer in Customer.objects.filter(shop=shop):
        CustomerRecommendation.objects.create(run=run, customer=customer, items=[{"id": 1}])
        RecommendationImpression.objects.create(
            shop=shop,
            ref=f"ref-{customer.external_id}",
            run=run,
            customer=customer,
            kind="customer",
            source="model",
            product_ids=[1],
        )
        ShopperQuestion.objects.create(
            shop=shop,
            customer=customer,
            question=f"Is the mug dishwasher safe? ({customer.external_id})",
            answer_kind="extractive",
        )
    return ana


def test_export_holds_every_section_and_is_audited(ana, owner):
    data = privacy.export_customer(ana, actor=owner)
    assert data["customer"]["name"] == "Ana Lima" and data["customer"]["email"] == "ana@example.com"
    assert [row["kind"] for row in data["interactions"]] == ["view", "purchase"]
    assert data["interactions"][1]["value"] == "12.50"
    assert len(data["recommendations"]["stored"]) == 1
    assert [served["ref"] for served in data["recommendations"]["served"]] == ["ref-cust-ana"]
    assert [q["question"] for q in data["questions"]] == ["Is the mug dishwasher safe? (cust-ana)"]
    json.dumps(data)  # JSON-ready as it is
    event = AuditEvent.objects.get(action="customer.export")
    assert event.actor == owner and event.target_id == str(ana.pk)
    assert event.details["sections"]["interactions"] == 2


def test_erase_removes_the_customer_and_all_held_about_them_only(ana, shop, owner):
    erased = privacy.erase_customer(ana, actor=owner)
    assert erased == {
        "questions": 1,
        "recommendations": 2,
        "experiments": 0,
        "interactions": 2,
        "customer": 1,
    }
    assert not Customer.objects.filter(external_id=EXTERNAL_ID).exists()
    assert not ShopperQuestion.objects.filter(question__contains=EXTERNAL_ID).exists()
    assert not RecommendationImpression.objects.filter(ref="ref-cust-ana").exists()
    # The other customer keeps everything.
    ben = Customer.objects.get(shop=shop, external_id="cust-ben")
    assert Interaction.objects.filter(customer=ben).count() == 1
    assert CustomerRecommendation.objects.filter(customer=ben).count() == 1
    assert ShopperQuestion.objects.filter(customer=ben).count() == 1
    event = AuditEvent.objects.get(action="customer.erase")
    assert event.details["erased"] == erased
    assert event.details["external_id_sha256"] == privacy.pseudonym(EXTERNAL_ID)
    # The log says that it happened, not who it was.
    assert "Ana" not in json.dumps(event.details) and EXTERNAL_ID not in json.dumps(event.details)


# --- Pages --------------------------------------------------------------------------------------


def test_owner_sees_privacy_actions_and_editor_does_not(ana, owner_client, editor_client):
    assert b"privacy-actions" in owner_client.get(f"/customers/{ana.pk}/").content
    assert b"privacy-actions" not in editor_client.get(f"/customers/{ana.pk}/").content


def test_owner_downloads_the_export_from_the_page(ana, owner_client):
    response = owner_client.post(f"/customers/{ana.pk}/export/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["customer"]["external_id"] == EXTERNAL_ID
    assert owner_client.get(f"/customers/{ana.pk}/export/").status_code == 405


def test_erase_page_needs_the_typed_id_before_it_erases(ana, owner_client):
    assert b"confirm_external_id" in owner_client.get(f"/customers/{ana.pk}/erase/").content
    wrong = owner_client.post(f"/customers/{ana.pk}/erase/", {"confirm_external_id": "cust-ben"})
    assert wrong.status_code == 400 and Customer.objects.filter(pk=ana.pk).exists()
    done = owner_client.post(f"/customers/{ana.pk}/erase/", {"confirm_external_id": EXTERNAL_ID})
    assert done.status_code == 302 and not Customer.objects.filter(pk=ana.pk).exists()


@pytest.mark.parametrize("path", ["export/", "erase/"])
def test_editor_cannot_export_or_erase_from_the_page(ana, editor_client, path):
    response = editor_client.post(
        f"/customers/{ana.pk}/{path}", {"confirm_external_id": EXTERNAL_ID}
    )
    assert response.status_code == 403
    assert Customer.objects.filter(pk=ana.pk).exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("path", ["export/", "erase/"])
def test_outsider_gets_404_on_the_privacy_pages(ana, outsider_client, path):
    response = outsider_client.post(
        f"/customers/{ana.pk}/{path}", {"confirm_external_id": EXTERNAL_ID}
    )
    assert response.status_code == 404 and Customer.objects.filter(pk=ana.pk).exists()


# --- API ----------------------------------------------------------------------------------------


def test_api_export_by_id_and_by_external_id(ana, owner_api):
    by_id = owner_api.get(f"/api/v1/customers/{ana.pk}/export/")
    by_key = owner_api.get(f"/api/v1/customers/by-external-id/{EXTERNAL_ID}/export/")
    assert by_id.status_code == by_key.status_code == 200
    assert by_id.json()["customer"] == by_key.json()["customer"]
    assert len(by_key.json()["interactions"]) == 2
    assert AuditEvent.objects.filter(action="customer.export").count() == 2


def test_api_erase_by_external_id_returns_the_counts(ana, owner_api):
    response = owner_api.post(f"/api/v1/customers/by-external-id/{EXTERNAL_ID}/erase/")
    assert response.status_code == 200
    assert response.json()["erased"]["interactions"] == 2
    assert not Customer.objects.filter(pk=ana.pk).exists()
    missing = owner_api.post(f"/api/v1/customers/by-external-id/{EXTERNAL_ID}/erase/")
    assert missing.status_code == 404


def test_api_erase_by_id(ana, owner_api):
    response = owner_api.post(f"/api/v1/customers/{ana.pk}/erase/")
    assert response.status_code == 200 and response.json()["erased"]["customer"] == 1


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/customers/{pk}/export/"),
        ("post", "/api/v1/customers/{pk}/erase/"),
        ("get", "/api/v1/customers/by-external-id/cust-ana/export/"),
        ("post", "/api/v1/customers/by-external-id/cust-ana/erase/"),
    ],
)
def test_api_privacy_actions_are_owner_only_and_shop_scoped(
    ana, editor_api, outsider_api, method, path
):
    url = path.format(pk=ana.pk)
    assert getattr(editor_api, method)(url).status_code == 403
    assert getattr(outsider_api, method)(url).status_code == 404
    assert Customer.objects.filter(pk=ana.pk).exists() and not AuditEvent.objects.exists()
