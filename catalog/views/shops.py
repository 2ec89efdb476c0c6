from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.models import Customer, Interaction, Job, Product
from catalog.tenancy import SESSION_KEY, memberships_for, shop_member_required


@shop_member_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    context = {
        "product_count": Product.objects.for_shop(shop).count(),
        "missing_copy_count": Product.objects.for_shop(shop).missing_copy().count(),
        "customer_count": Customer.objects.for_shop(shop).count(),
        "interaction_count": Interaction.objects.for_shop(shop).count(),
        "recent_jobs": Job.objects.for_shop(shop).order_by("-created_at")[:5],
        "recent_interactions": Interaction.objects.for_shop(shop)
        .select_related("customer", "product")
        .order_by("-occurred_at")[:10],
    }
    return render(request, "catalog/dashboard.html", context)


@login_required
@require_POST
def switch_shop(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("shop")
    for membership in memberships_for(request.user):
        if str(membership.shop_id) == wanted:
            request.session[SESSION_KEY] = membership.shop_id
            break
    return redirect("catalog:dashboard")


@login_required
def no_shop(request: HttpRequest) -> HttpResponse:
    return render(request, "catalog/no_shop.html", status=403)
