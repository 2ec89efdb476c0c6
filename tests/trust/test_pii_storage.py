"""Nothing personal a shopper types is stored or logged: a question full of personal data goes
through the API, then the stored question and the written log lines are searched for it."""

from __future__ import annotations

import io
import logging

import pytest

from answers.models import ShopperQuestion
from catalog import services as catalog_services
from shopllm_site.ml import set_generator
from shopllm_site.trust.pii import RedactingFilter

SECRETS = [
    "Lukas",
    "Becker",
    "lukas.becker@web.de",
    "0176 1234567",
    "Hauptstraße",
    "10115",
    "4111 1111 1111 1111",
    "DE89 3704 0044 0532 0130 00",
    "A12345",
]
QUESTION = (
    "Hi, I'm Lukas Becker (lukas.becker@web.de, 0176 1234567), Hauptstraße 5, 10115 Berlin. "
    "Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00, order #A12345. "
    "Is the Trail Bottle dishwasher safe?"
)


class FixedReply:
    name = "fixed"

    def generate(self, prompts, params, *, system=None):
        return ["Yes, it is dishwasher safe [1]." for _ in prompts]


@pytest.fixture
def bottle(shop):
    set_generator(FixedReply())
    yield catalog_services.save_product(
        shop,
        {
            "sku": "BOT-750",
            "title": "Trail Bottle",
            "attributes": {"capacity": "750 ml", "dishwasher_safe": "yes"},
        },
    )
    set_generator(None)


@pytest.fixture
def written_log():
    """What the configured (redacting) console handler writes during the test."""
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactingFilter) for f in handler.filters)
    ]
    assert handlers, "settings.LOGGING installs the redacting filter on the console handler"
    stream = io.StringIO()
    previous = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, old in zip(handlers, previous, strict=True):
        handler.setStream(old)


def test_question_with_personal_data_is_stored_and_logged_without_it(
    editor_api, bottle, written_log
):
    response = editor_api.post(
        "/api/v1/answers/ask/", {"question": QUESTION, "sku": "BOT-750"}, format="json"
    )
    assert response.status_code == 201, response.content
    # Code that logs what it was given (a view's debug line, an error) goes through the filter too.
    logging.getLogger("answers").warning("Shopper asked: %s", QUESTION)

    stored = ShopperQuestion.objects.get()
    row = " ".join(
        str(value) for value in (stored.question, stored.answer, stored.flags, stored.evidence)
    )
    assert "dishwasher safe" in stored.question
    logged = written_log.getvalue()
    assert "Shopper asked:" in logged
    for secret in SECRETS:
        assert secret not in row
        assert secret not in logged
        assert secret not in response.content.decode()
