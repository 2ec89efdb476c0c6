from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from catalog.errors import ShopError
from catalog.partials import wants_fragment
from catalog.tenancy import resolve_membership


class CurrentShopMiddleware:
    """Sets `request.membership`/`request.shop` for pages (None outside any shop).

    API requests authenticate later, in DRF; its permission class sets both from the token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = resolve_membership(request)
        request.shop = request.membership.shop if request.membership else None
        return self.get_response(request)


class ShopErrorMiddleware:
    """The one place a page turns a service's `ShopError` into what the person sees.

    A plain request gets the message on the page it came from (redirect back); an htmx
    request gets a small error fragment with the error's status, aimed at the page's message
    area. The API never gets here: DRF hands its errors to `catalog.api_errors`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ShopError):
            return None
        if wants_fragment(request):
            response = render(
                request, "catalog/_error.html", {"error": exception}, status=exception.status
            )
            response["HX-Retarget"] = "#messages"
            response["HX-Reswap"] = "innerHTML"
            return response
        messages.error(request, exception.message)
        return redirect(back_url(request))


def back_url(request: HttpRequest) -> str:
    """The form's `next` or the referer when they stay on this site, else the dashboard.

    Never the URL that just failed: a GET that raises would redirect to itself forever.
    """
    failed = request.get_full_path()
    for candidate in (
        request.POST.get("next"),
        request.GET.get("next"),
        request.headers.get("Referer"),
    ):
        if not candidate or not url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            continue
        parts = urlsplit(candidate)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if request.method == "GET" and target == failed:
            continue
        return candidate
    return reverse("catalog:dashboard")
