from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from catalog.tenancy import get_for_shop
from generation.models import Draft


def staff_required(view):
    """Reviewers: staff users, who work across shops without a membership."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("The review queue is for staff reviewers.")
        return view(request, *args, **kwargs)

    return wrapper


def get_draft_for_member(request: HttpRequest, pk: int) -> Draft:
    """A draft of the current shop (404 for any other shop's)."""
    draft = get_for_shop(Draft, request.shop, pk=pk)
    return Draft.objects.select_related("product", "current_version", "reviewer").get(pk=draft.pk)
