"""The audit log: privacy requests, approvals and publications, token and member changes."""

from __future__ import annotations

import pytest

from answers import services as answer_services
from answers.models import ShopperQuestion
from catalog import services
from catalog.audit import record_audit
from catalog.models import AuditEvent, Membership, Role
from generation import services as generation_services
from tests.conftest import make_user


def actions(shop) -> list[str]:
    return list(
        AuditEvent.objects.filter(shop=shop).order_by("pk").values_list("action", flat=True)
    )


def test_member_and_token_changes_from_the_pages_are_logged_with_the_actor(
    shop, owner, owner_client
):
    make_user("nina-new")
    owner_client.post("/settings/members/add/", {"username": "nina-new", "role": "viewer"})
    membership = Membership.objects.get(user__username="nina-new")
    owner_client.post(f"/settings/members/{membership.pk}/role/", {"role": "editor"})
    owner_client.post("/settings/tokens/create/", {"name": "Sync", "member": membership.pk})
    token = membership.tokens.get()
    owner_client.post(f"/settings/tokens/{token.pk}/revoke/")
    owner_client.post(f"/settings/members/{membership.pk}/remove/")

    assert actions(shop) == [
        "member.add",
        "member.role",
        "token.create",
        "token.revoke",
        "member.remove",
    ]
    events = AuditEvent.objects.filter(shop=shop)
    assert {event.actor_name for event in events} == {owner.get_username()}
    role_change = events.get(action="member.role")
    assert role_change.details == {
        "username": "nina-new",
        "role": "editor",
        "previous_role": "viewer",
    }
    # The key is never logged, only its public prefix.
    assert events.get(action="token.create").details["prefix"] == token.prefix


def test_a_refused_change_is_not_logged(shop, owner):
    with pytest.raises(services.CatalogConflict):
        services.remove_member(Membership.objects.get(user=owner), actor=owner)
    assert actions(shop) == []


def test_draft_approval_and_answer_approval_are_logged(shop, editor):
    product = services.save_product(shop, {"sku": "MUG-1", "title": "Enamel mug"})
    draft = generation_services.add_version(
        product, "description", "A sturdy enamel mug.", source="model"
    ).draft
    generation_services.approve_draft(draft, user=editor)
    question = ShopperQuestion.objects.create(
        shop=shop,
        product=product,
        question="Is it enamel?",
        answer="Yes.",
        answer_kind="extractive",
    )
    answer_services.approve_answer(question, editor)

    approvals = AuditEvent.objects.filter(shop=shop).order_by("pk")
    assert [(e.action, e.target_type, e.actor) for e in approvals] == [
        ("draft.approve", "draft", editor),
        ("answer.approve", "shopperquestion", editor),
    ]
    assert approvals[0].details["field"] == "description"


def test_unknown_action_is_refused(shop, owner):
    with pytest.raises(ValueError):
        record_audit(shop, owner, "customer.peek")


@pytest.fixture
def logged(shop, other_shop, owner, outsider):
    record_audit(shop, owner, "token.create", target_type="apitoken", target_id=1)
    record_audit(shop, owner, "customer.export", target_type="customer", target_id=7)
    record_audit(other_shop, outsider, "token.create", target_type="apitoken", target_id=99)


def test_audit_page_is_owner_only_and_lists_the_shops_events(
    logged, owner_client, editor_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        page = owner_client.get("/settings/audit/")
    assert page.status_code == 200
    assert page.content.count(b"<td>Created an API token</td>") == 1  # not the other shop's
    assert b"<td>Exported a customer&#x27;s data</td>" in page.content
    filtered = owner_client.get("/settings/audit/", {"action": "customer.export"})
    assert b"<td>Created an API token</td>" not in filtered.content
    assert editor_client.get("/settings/audit/").status_code == 403


def test_audit_api_is_owner_only_and_shop_scoped(logged, owner_api, editor_api, outsider_api):
    response = owner_api.get("/api/v1/audit-events/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["action"] for row in rows] == ["customer.export", "token.create"]
    assert rows[0]["actor"] == "olivia-owner" and rows[0]["target_id"] == "7"
    only = owner_api.get("/api/v1/audit-events/", {"action": "token.create"}).json()["results"]
    assert [row["target_id"] for row in only] == ["1"]
    assert editor_api.get("/api/v1/audit-events/").status_code == 403
    outsider_rows = outsider_api.get("/api/v1/audit-events/").json()["results"]
    assert [row["target_id"] for row in outsider_rows] == ["99"]


def test_a_change_made_by_no_person_is_logged_as_the_system(shop, editor, owner):
    membership = Membership.objects.get(user=editor)
    services.change_role(membership, Role.OWNER)
    assert AuditEvent.objects.get().actor is None  # a service call with no person: the system
