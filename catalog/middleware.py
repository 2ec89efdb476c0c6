from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from catalog.errors import ShopError
from catalog.partials import wants_fragment
from catalog.tenancy import resolve_membership
from catalog.views.errors import error_json, is_api_request

NUL_MESSAGE = "The address holds a NUL character."


FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


@lru_cache(maxsize=1)
def _trusted_networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    networks = _trusted_networks(tuple(settings.SHOPLLM_TRUSTED_PROXIES))
    return any(ip in network for network in networks)


class TrustedProxyMiddleware:
    """Believe X-Forwarded-* only when the connection comes from a configured proxy.

    From anyone else the headers are dropped, so that a client cannot claim HTTPS (and skip
    the redirect) or another address (and escape login and API limits). From a trusted proxy,
    the client address is the right-most X-Forwarded-For entry that is not itself a trusted
    proxy, and SECURE_PROXY_SSL_HEADER reads the proxy's X-Forwarded-Proto. Must come before
    SecurityMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if is_trusted_proxy(meta.get("REMOTE_ADDR", "")):
            hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            for hop in reversed([hop for hop in hops if hop]):
                if not is_trusted_proxy(hop):
                    meta["REMOTE_ADDR"] = hop
                    break
        else:
            for header in FORWARDING_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response that lacks them.

    The policy allows scripts and styles from this site only (no inline code: templates keep
    theirs in static/), images also from https (product image URLs), nothing framed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.SHOPLLM_CSP)
        response.headers.setdefault("Permissions-Policy", settings.SHOPLLM_PERMISSIONS_POLICY)
        return response


class RejectNulMiddleware:
    """400 for a NUL character anywhere in the path or the query string.

    PostgreSQL refuses NUL in any text it is given; a filter or a key holding one would fail
    inside the query (for a streamed CSV, after the 200 went out). Forms and serializers
    already refuse NUL in bodies.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if is_api_request(request):
                return error_json("invalid", NUL_MESSAGE, 400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


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
