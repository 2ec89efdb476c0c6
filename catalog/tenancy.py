"""The current shop of a request, role checks, and shop-scoped fetches (404 for outsiders)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest
from django.shortcuts import redirect

from catalog.models import Membership, Role

SESSION_KEY = "current_shop_id"


def memberships_for(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=user).select_related("shop").order_by("shop__name"))


def resolve_membership(request: HttpRequest) -> Membership | None:
    """The member's chosen shop from the session, else their first shop."""
    memberships = memberships_for(request.user)
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.shop_id == chosen:
            return membership
    return memberships[0]


def shop_member_required(role: str = Role.VIEWER) -> Callable:
    """Page decorator: logged in, a member of the current shop, with at least `role`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args, **kwargs):
            membership = request.membership
            if membership is None:
                return redirect("catalog:no_shop")
            if not membership.has_role(role):
                raise PermissionDenied(f"This needs the {role} role in {membership.shop}.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_for_shop(model: type[Model], shop, **lookup) -> Model:
    """Fetch one row of `shop`; another shop's row is a 404, like one that does not exist."""
    try:
        return model.objects.get(shop=shop, **lookup)
    except (model.DoesNotExist, ValueError):
        raise Http404(f"No such {model._meta.verbose_name}.") from None


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` URL from the form if it stays on this site, else `default`."""
    from django.shortcuts import resolve_url
    from django.utils.http import url_has_allowed_host_and_scheme

    candidate = request.POST.get("next") or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)
