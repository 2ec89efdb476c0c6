"""The API fuzzed from its own OpenAPI schema: no server error, every response as documented.

A bounded, repeatable run for CI (a fixed seed and a few examples per operation);
bench/api_fuzz.py runs the same checks longer and prints counts.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from shopllm_site.ml import set_encoder, set_generator
from tests.api_fuzz import CHECKS, SilentGenerator, in_test_transaction, load_schema, seed_shop
from tests.recommendations.conftest import FakeEncoder

EXAMPLES_PER_OPERATION = 12

schema = load_schema()


@pytest.fixture
def owner_key(db) -> str:
    set_encoder(FakeEncoder())
    set_generator(SilentGenerator())
    with in_test_transaction():
        yield seed_shop()
    set_encoder(None)
    set_generator(None)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,  # the same cases on every run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, owner_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {owner_key}"}, checks=CHECKS)
