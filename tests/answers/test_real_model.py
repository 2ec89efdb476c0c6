"""End to end with the real default model (SmolLM2-135M) and the real encoder."""

from __future__ import annotations

import re

import pytest

from answers.models import AnswerKind

pytestmark = pytest.mark.model
ASK = "/api/v1/answers/ask/"


def test_real_model_answers_from_facts_without_seeing_personal_data(
    editor_api, catalog, jane, recording
):
    response = editor_api.post(
        ASK,
        {
            "question": "Hi, I'm Jane Doe (jane.doe@example.com). Is this bottle dishwasher safe?",
            "sku": "BOT-750",
            "customer_id": "C-17",
            "time_budget_s": 30,
        },
        format="json",
    )
    body = response.json()
    assert response.status_code == 201, body
    assert recording.prompts, "the model was not called"
    prompt = recording.prompts[0]
    assert not re.search(r"Jane|Doe|jane\.doe@example\.com", prompt)
    assert "dishwasher safe: yes" in prompt
    assert body["answer_kind"] in (AnswerKind.GENERATED, AnswerKind.EXTRACTIVE)
    assert [c["text"] for c in body["citations"]] == ["dishwasher safe: yes"]
    if body["answer_kind"] == AnswerKind.GENERATED:
        assert body["grounded"] and not re.search(r"\bnot\b|\bno\b", body["answer"].lower())


def test_real_model_capacity_answer_states_750_ml(editor_api, catalog, recording):
    body = editor_api.post(
        ASK,
        {"question": "What is the capacity?", "sku": "BOT-750", "time_budget_s": 30},
        format="json",
    ).json()
    assert "750" in body["answer"]
    assert "capacity: 750 ml" in [c["text"] for c in body["citations"]]
    # Whatever the model wrote, the published text holds no figure the facts lack.
    assert set(re.findall(r"\d+", body["answer"])) <= {"750"}


def test_real_model_unanswerable_question_is_dont_know(editor_api, catalog, recording):
    body = editor_api.post(
        ASK,
        {"question": "Does it come with a warranty?", "sku": "BOT-750", "time_budget_s": 30},
        format="json",
    ).json()
    assert body["answer_kind"] == "dont_know" and body["status"] == "needs_merchant"
