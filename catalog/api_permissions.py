"""Every API request acts inside one shop: the token's shop, or the session's current shop."""

from __future__ import annotations

from rest_framework import exceptions, permissions

from catalog.api_throttling import AnonThrottle
from catalog.models import ApiToken, Role
from catalog.tenancy import resolve_membership


def bind_shop(request) -> bool:
    """Set request.membership/request.shop from the token or session; False if none."""
    if isinstance(request.auth, ApiToken):
        membership = request.auth.membership
    elif request.user and request.user.is_authenticated:
        membership = resolve_membership(request)
    else:
        membership = None
    request.membership = membership
    request.shop = membership.shop if membership else None
    # Views read these from the underlying Django request too (e.g. in templates).
    request._request.membership = membership
    request._request.shop = request.shop
    return membership is not None


class IsShopMember(permissions.BasePermission):
    """Reads need viewer, writes need editor; views may raise the bar with `required_role`."""

    message = "You are not a member of a shop, or your role does not allow this."

    def has_permission(self, request, view) -> bool:
        if not bind_shop(request):
            if not request.user.is_authenticated:
                # DRF throttles after permissions: a request refused here would never count.
                throttle = AnonThrottle()
                if not throttle.allow_request(request, view):
                    raise exceptions.Throttled(throttle.wait())
            return False
        role = getattr(view, "required_role", None)
        if role is None:
            role = Role.VIEWER if request.method in permissions.SAFE_METHODS else Role.EDITOR
        return request.membership.has_role(role)
