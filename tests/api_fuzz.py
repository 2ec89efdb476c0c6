"""Schema-driven fuzzing of the API with schemathesis, shared by the CI test and the bench run.

Requests go to the Django WSGI application in this process (no network, no server), signed
with a real token of a shop owner, against a small catalog so that some generated ids and keys
hit real rows. Each response is checked for: no 5xx, a status the schema documents, a content
type the schema documents, and a body that matches the schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog import services
from catalog.models import ApiToken, Membership, Role, Shop

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextmanager
def in_test_transaction() -> Iterator[None]:
    """Keep the database connection open between requests to the WSGI application.

    The handler closes the connection when a request ends, which would end the test's
    transaction; Django's own test client disconnects the same signal handler.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def load_schema() -> schemathesis.schemas.BaseSchema:
    """The API's own OpenAPI document, bound to the WSGI application."""
    from shopllm_site.wsgi import application

    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    schema.app = application
    return schema


class SilentGenerator:
    """Stands in for the language model: the fuzz run tests the API, not the model."""

    name = "silent"

    def generate(self, prompts, params, *, system=None) -> list[str]:
        return ["" for _ in prompts]


def seed_shop(username: str = "fuzz-owner") -> str:
    """A shop with an owner, a few products and customers; returns the owner's API key."""
    from django.contrib.auth import get_user_model

    shop = Shop.objects.create(name="Fuzz Outfitters", slug=f"fuzz-{username}")
    user = get_user_model().objects.create_user(username=username, password="x-" * 8)
    membership = Membership.objects.create(shop=shop, user=user, role=Role.OWNER)
    for number in range(1, 4):
        services.save_product(
            shop,
            {
                "sku": f"SKU-{number}",
                "title": f"Trail Mug {number}",
                "brand": "Acme",
                "category": "Kitchen > Mugs",
                "price": Decimal("12.50"),
                "attributes": {"capacity": "350 ml"},
            },
        )
        services.save_customer(
            shop, {"external_id": f"C-{number}", "name": f"Pat {number}", "email": ""}
        )
    key = ApiToken.new_key()
    ApiToken.objects.create(
        membership=membership, name="fuzz", prefix=key[:8], key_hash=ApiToken.hash_key(key)
    )
    return key
