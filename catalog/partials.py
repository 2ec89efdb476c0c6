"""One URL, two bodies: the full page, or for an htmx swap only the fragment the page includes.

`request.htmx` comes from django-htmx's middleware; every view that answers with a fragment
decides through `wants_fragment`, so a history restore is handled the same way everywhere.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """True for an htmx swap. A history restore (htmx fetching a page it no longer holds in its
    cache, after Back) replaces the whole body, so it gets the full page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_fragment(
    request: HttpRequest, page: str, fragment: str, context: dict, *, status: int = 200
) -> HttpResponse:
    template = fragment if wants_fragment(request) else page
    response = render(request, template, context, status=status)
    # Caches must keep the page and the fragment of one URL apart.
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    return response
