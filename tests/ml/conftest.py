"""The decode-loop tests run the default copy model in float32 (tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def generator(float32_generator):
    return float32_generator
