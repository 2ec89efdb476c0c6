"""Owner settings pages: members and API tokens (owners only; other shops' rows are 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from catalog import services
from catalog.models import ApiToken, Membership, Role
from tests.conftest import make_user


@pytest.fixture
def newcomer(db):
    return make_user("nina-newcomer")


def membership_of(user, shop) -> Membership:
    return Membership.objects.get(user=user, shop=shop)


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["member_list", "token_list"])
def test_editor_and_viewer_get_403(editor_client, viewer_client, name):
    assert editor_client.get(reverse(f"catalog:{name}")).status_code == 403
    assert viewer_client.get(reverse(f"catalog:{name}")).status_code == 403


def test_editor_cannot_add_members_or_create_tokens(editor_client, shop, newcomer):
    response = editor_client.post(
        reverse("catalog:member_add"), {"username": newcomer.username, "role": "owner"}
    )
    assert response.status_code == 403
    response = editor_client.post(reverse("catalog:token_create"), {"name": "sneaky"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=newcomer).exists()
    assert not ApiToken.objects.exists()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("catalog:member_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_settings_link_only_for_owners(owner_client, editor_client):
    assert reverse("catalog:member_list").encode() in owner_client.get("/").content
    assert reverse("catalog:member_list").encode() not in editor_client.get("/").content


def test_outsider_gets_404_for_another_shops_members_and_tokens(
    outsider_client, owner, editor, shop
):
    editor_membership = membership_of(editor, shop)
    token, _ = services.create_api_token(membership_of(owner, shop), "acme-erp-sync")
    for url in (
        reverse("catalog:member_update", args=[editor_membership.pk]),
        reverse("catalog:member_remove", args=[editor_membership.pk]),
        reverse("catalog:token_revoke", args=[token.pk]),
    ):
        assert outsider_client.post(url, {"role": "viewer"}).status_code == 404
    editor_membership.refresh_from_db()
    token.refresh_from_db()
    assert editor_membership.role == Role.EDITOR and token.revoked_at is None
    page = outsider_client.get(reverse("catalog:member_list")).content.decode()
    assert editor.username not in page
    assert (
        "acme-erp-sync" not in outsider_client.get(reverse("catalog:token_list")).content.decode()
    )


def test_outsider_cannot_create_token_for_another_shops_member(outsider_client, owner, shop):
    response = outsider_client.post(
        reverse("catalog:token_create"),
        {"name": "x", "member": membership_of(owner, shop).pk},
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


# --- Members ----------------------------------------------------------------------------------


def test_owner_lists_members_with_bounded_queries(
    owner_client, owner, editor, viewer, shop, django_assert_max_num_queries
):
    for index in range(10):
        services.add_member(shop, make_user(f"extra-{index}").username, Role.VIEWER)
    with django_assert_max_num_queries(10):
        response = owner_client.get(reverse("catalog:member_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert all(name in page for name in (owner.username, editor.username, "extra-9"))


def test_owner_adds_existing_user_with_role(owner_client, shop, newcomer):
    response = owner_client.post(
        reverse("catalog:member_add"), {"username": "nina-newcomer", "role": "editor"}
    )
    assert response.status_code == 302
    assert membership_of(newcomer, shop).role == Role.EDITOR


def test_adding_unknown_or_existing_user_says_why(owner_client, editor):
    # Like a role change the shop refuses: back to the members page, with the reason.
    members = "http://testserver" + reverse("catalog:member_list")
    response = owner_client.post(
        reverse("catalog:member_add"),
        {"username": "nobody", "role": "viewer"},
        HTTP_REFERER=members,
    )
    assert response.status_code == 302 and response["Location"] == members
    assert "There is no user called" in owner_client.get(members).content.decode()
    response = owner_client.post(
        reverse("catalog:member_add"), {"username": editor.username, "role": "viewer"}, follow=True
    )
    assert "already a member" in response.content.decode()


def test_owner_changes_role_and_removes_member(owner_client, editor, viewer, shop):
    membership = membership_of(editor, shop)
    owner_client.post(reverse("catalog:member_update", args=[membership.pk]), {"role": "viewer"})
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    owner_client.post(reverse("catalog:member_remove", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_last_owner_cannot_be_demoted_or_removed(owner_client, owner, shop):
    membership = membership_of(owner, shop)
    response = owner_client.post(
        reverse("catalog:member_update", args=[membership.pk]), {"role": "viewer"}, follow=True
    )
    assert "at least one owner" in response.content.decode()
    response = owner_client.post(
        reverse("catalog:member_remove", args=[membership.pk]), follow=True
    )
    assert "at least one owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_invalid_role_is_refused(owner_client, editor, shop):
    membership = membership_of(editor, shop)
    owner_client.post(reverse("catalog:member_update", args=[membership.pk]), {"role": "god"})
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR


# --- Tokens -----------------------------------------------------------------------------------


def test_new_token_key_is_shown_once_and_works(owner_client, owner, editor, shop):
    response = owner_client.post(
        reverse("catalog:token_create"),
        {"name": "Shop backend", "member": membership_of(editor, shop).pk},
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(name="Shop backend")
    page = response.content.decode()
    start = page.index("shk_")
    key = page[start : page.index("<", start)]
    assert ApiToken.hash_key(key) == token.key_hash
    assert token.membership.user == editor
    # The list shows the prefix, never the key again.
    listing = owner_client.get(reverse("catalog:token_list")).content.decode()
    assert token.prefix in listing and key not in listing
    # The key acts as the editor in this shop.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/products/").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert "never" not in owner_client.get(reverse("catalog:token_list")).content.decode()


def test_token_needs_a_name(owner_client, owner, shop):
    response = owner_client.post(
        reverse("catalog:token_create"), {"name": "", "member": membership_of(owner, shop).pk}
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoked_token_stops_working(owner_client, owner, shop):
    token, key = services.create_api_token(membership_of(owner, shop), "ci")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/jobs/").status_code == 200
    response = owner_client.post(reverse("catalog:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/jobs/").status_code == 401
    assert "Revoked" in owner_client.get(reverse("catalog:token_list")).content.decode()


def test_token_list_escapes_names_and_bounds_queries(
    owner_client, owner, shop, django_assert_max_num_queries
):
    membership = membership_of(owner, shop)
    for index in range(12):
        services.create_api_token(membership, f"<script>alert({index})</script>")
    with django_assert_max_num_queries(10):
        response = owner_client.get(reverse("catalog:token_list"))
    page = response.content.decode()
    assert "<script>alert(" not in page and "&lt;script&gt;alert(11)" in page
