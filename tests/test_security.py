"""Log-in lockout, API throttling, security headers, proxy headers and the API docs' access."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
LOGIN = "/login/"


def try_login(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


# --- Log-in lockout (django-axes) -----------------------------------------------------------


@override_settings(AXES_FAILURE_LIMIT=3)
def test_right_password_is_refused_after_the_failure_limit(owner):
    client = Client()
    statuses = [try_login(client, owner.username, "wrong").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]  # the form again, then the lockout
    response = try_login(client, owner.username, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert b"Too many failed log-in attempts" in response.content
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_account_lockout_holds_from_another_address(owner):
    for number in range(3):
        try_login(Client(), owner.username, "wrong", address=f"198.51.100.{number}")
    assert try_login(Client(), owner.username, PASSWORD, address="192.0.2.50").status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_address_lockout_holds_for_another_account(owner, editor):
    for name in ("a", "b", "c"):
        try_login(Client(), name, "wrong")
    assert try_login(Client(), editor.username, PASSWORD).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_success_before_the_limit_resets_the_count(owner):
    for _ in range(2):
        try_login(Client(), owner.username, "wrong")
    assert try_login(Client(), owner.username, PASSWORD).status_code == 302
    for _ in range(2):
        try_login(Client(), owner.username, "wrong")
    assert try_login(Client(), owner.username, PASSWORD).status_code == 302


# --- API throttling -------------------------------------------------------------------------


def rates(**overrides) -> dict:
    return {**api_settings.DEFAULT_THROTTLE_RATES, **overrides}


@pytest.fixture
def throttle_rates(monkeypatch):
    """Lower the API rates for one test (DRF reads them when its throttle class is made)."""

    def set_rates(**overrides):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates(**overrides))

    return set_rates


def test_token_requests_past_the_rate_get_429_with_retry_after(viewer_api, throttle_rates):
    throttle_rates(token="5/min")
    statuses = [viewer_api.get("/api/v1/products/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = viewer_api.get("/api/v1/products/")
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"


def test_each_token_has_its_own_count(viewer_api, editor_api, throttle_rates):
    throttle_rates(token="2/min")
    for _ in range(2):
        viewer_api.get("/api/v1/products/")
    assert viewer_api.get("/api/v1/products/").status_code == 429
    assert editor_api.get("/api/v1/products/").status_code == 200


def test_anonymous_requests_are_limited_per_address(db, throttle_rates):
    throttle_rates(anon="3/min")
    client = APIClient(REMOTE_ADDR="198.51.100.9")
    statuses = [client.get("/api/v1/products/").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert APIClient(REMOTE_ADDR="198.51.100.10").get("/api/v1/products/").status_code == 401


def test_guessed_tokens_are_limited_per_address(viewer_api, shop, throttle_rates):
    throttle_rates(failed_token="3/min")
    guesser = APIClient(REMOTE_ADDR="198.51.100.20")
    statuses = []
    for number in range(5):
        guesser.credentials(HTTP_AUTHORIZATION=f"Bearer shk_guess{number}")
        statuses.append(guesser.get("/api/v1/products/").status_code)
    assert statuses == [401, 401, 401, 429, 429]
    assert viewer_api.get("/api/v1/products/").status_code == 200  # another address, real token


def test_x_forwarded_for_from_a_client_does_not_reset_its_count(db, throttle_rates):
    throttle_rates(anon="2/min")
    client = APIClient(REMOTE_ADDR="198.51.100.30")
    statuses = [
        client.get("/api/v1/products/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 429]


# --- Proxy headers --------------------------------------------------------------------------


@override_settings(SHOPLLM_TRUSTED_PROXIES=["10.0.0.0/8"], SECURE_SSL_REDIRECT=True)
@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_https_claim_from_a_client_is_ignored_so_it_is_redirected(db):
    response = Client().get(LOGIN, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@override_settings(SHOPLLM_TRUSTED_PROXIES=["10.0.0.0/8"], SECURE_SSL_REDIRECT=True)
@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_https_claim_from_a_trusted_proxy_is_believed(db):
    response = Client().get(LOGIN, REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


@override_settings(SHOPLLM_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_client_address_comes_from_a_trusted_proxy_only(db, throttle_rates):
    throttle_rates(anon="1/min")
    proxy = APIClient(REMOTE_ADDR="10.0.0.2")
    first = proxy.get("/api/v1/products/", HTTP_X_FORWARDED_FOR="198.51.100.1, 10.0.0.5")
    second = proxy.get("/api/v1/products/", HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = proxy.get("/api/v1/products/", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert (first.status_code, second.status_code, again.status_code) == (401, 401, 429)


# --- Headers --------------------------------------------------------------------------------


def test_pages_carry_a_strict_csp_and_a_permissions_policy(owner_client, shop):
    response = owner_client.get(reverse("catalog:dashboard"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "camera=()" in response["Permissions-Policy"]


def test_api_responses_carry_the_headers_too(viewer_api, shop):
    response = viewer_api.get("/api/v1/products/")
    assert "default-src 'self'" in response["Content-Security-Policy"]


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script without src
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle\s*=", re.I),
    re.compile(r"\son[a-z]+\s*=", re.I),
    re.compile(r"\shx-on[:\-]", re.I),
    re.compile(r"javascript:", re.I),
]


def test_no_template_has_inline_script_style_or_handlers():
    offenders = [
        f"{path.relative_to(ROOT)}: {pattern.pattern}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for pattern in INLINE
        if pattern.search(path.read_text())
    ]
    assert offenders == []


def test_htmx_keeps_its_indicator_styles_out_of_the_page(owner_client, shop):
    page = owner_client.get(reverse("catalog:dashboard")).content.decode()
    assert '"includeIndicatorStyles": false' in page
    assert ".htmx-indicator" in (ROOT / "static/css/shopllm.css").read_text()


# --- API docs -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/schema/", "/api/v1/docs/"])
def test_docs_and_schema_need_a_signed_in_person(client, db, url):
    response = client.get(url)
    assert response.status_code in (401, 403)


def test_docs_load_swagger_ui_from_this_site(viewer_client):
    page = viewer_client.get("/api/v1/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in source for source in sources)
    assert all(source.startswith("/") for source in sources), sources
    assert not INLINE[0].search(page) and "<style" not in page
    script = viewer_client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_docs_are_public_when_configured():
    from tests.test_settings import _manage

    show = "from drf_spectacular.views import SpectacularAPIView as V; print(V.permission_classes)"
    public = _manage("shell", "-c", show, SHOPLLM_PUBLIC_API_DOCS="1")
    private = _manage("shell", "-c", show)
    assert "AllowAny" in public.stdout, public.stderr
    assert "IsAuthenticated" in private.stdout, private.stderr
