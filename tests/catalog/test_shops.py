import pytest
from django.urls import reverse

from catalog import services
from catalog.errors import InvalidInput
from catalog.models import Customer, Membership, Product, Role


def test_login_page_and_login_flow(client, owner):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and b'name="password"' in page.content
    response = client.post(
        reverse("login"), {"username": owner.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("catalog:dashboard")).status_code == 200


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("catalog:dashboard"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_dashboard_counts_only_the_current_shop(owner_client, shop, other_shop):
    services.save_product(shop, {"sku": "A-1", "title": "Trail bottle"})
    for index in range(3):
        services.save_product(other_shop, {"sku": f"R-{index}", "title": f"Rival {index}"})
    Customer.objects.create(shop=other_shop, external_id="rival-customer")
    page = owner_client.get(reverse("catalog:dashboard"))
    assert page.context["product_count"] == 1
    assert page.context["customer_count"] == 0
    assert b"Rival" not in page.content


def test_member_of_two_shops_switches_between_them(owner, owner_client, shop, other_shop):
    Membership.objects.create(shop=other_shop, user=owner, role=Role.VIEWER)
    services.save_product(other_shop, {"sku": "R-1", "title": "Rival lantern"})
    assert owner_client.get(reverse("catalog:dashboard")).context["current_shop"] == shop
    owner_client.post(reverse("catalog:switch_shop"), {"shop": other_shop.pk})
    page = owner_client.get(reverse("catalog:dashboard"))
    assert page.context["current_shop"] == other_shop
    assert page.context["product_count"] == 1


def test_cannot_switch_into_a_shop_one_is_not_member_of(outsider_client, shop, other_shop):
    outsider_client.post(reverse("catalog:switch_shop"), {"shop": shop.pk})
    page = outsider_client.get(reverse("catalog:dashboard"))
    assert page.context["current_shop"] == other_shop


def test_user_without_shop_sees_explanation(client, django_user_model):
    user = django_user_model.objects.create_user("lonely", password="x-long-password-1")
    client.force_login(user)
    response = client.get(reverse("catalog:dashboard"), follow=True)
    assert response.status_code == 403
    assert b"not a member of any shop" in response.content


def test_last_owner_cannot_be_demoted(owner, shop):
    membership = Membership.objects.get(user=owner, shop=shop)
    with pytest.raises(services.CatalogError, match="at least one owner"):
        services.change_role(membership, Role.EDITOR)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_sku_is_unique_per_shop_not_globally(shop, other_shop):
    services.save_product(shop, {"sku": "SAME", "title": "One"})
    services.save_product(other_shop, {"sku": "SAME", "title": "Other"})
    assert Product.objects.filter(sku="SAME").count() == 2
    with pytest.raises(InvalidInput, match="already has SKU"):
        services.save_product(shop, {"sku": "SAME", "title": "Clash"})


def test_staff_reviewer_without_a_shop_finds_both_review_queues(staff_client):
    page = staff_client.get(reverse("catalog:dashboard"), follow=True)
    assert reverse("generation:review_queue").encode() in page.content
    assert reverse("answers:review").encode() in page.content
    queue = staff_client.get(reverse("generation:review_queue"))
    assert queue.status_code == 200
    assert reverse("answers:review").encode() in queue.content
