"""The owner's audit log page: who did what, when (privacy requests, approvals, tokens, members)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.audit import ACTION_LABELS, audit_events
from catalog.models import Role
from catalog.pagination import capped_page
from catalog.tenancy import shop_member_required

PER_PAGE = 50


@shop_member_required(Role.OWNER)
def audit_log(request: HttpRequest) -> HttpResponse:
    action = request.GET.get("action", "")
    if action not in ACTION_LABELS:
        action = ""
    page = capped_page(audit_events(request.shop, action), request.GET.get("page"), PER_PAGE)
    context = {
        "page": page,
        "events": page.object_list,
        "action": action,
        "actions": ACTION_LABELS.items(),
    }
    return render(request, "catalog/audit_log.html", context)
