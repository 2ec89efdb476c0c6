"""Instructions planted in product data or questions never change what is published.

Every case of injection_cases.py goes through the real answering path (retrieval with the real
encoder, prompt, checks, save) with an OBEDIENT fake model: it follows any instruction it can
find in its prompt, and otherwise answers from the first fact. Neutralising the data and the
checks after the model must keep every payload out of what a shopper can see.
"""

from __future__ import annotations

import re

import pytest

from answers import answering
from answers import prompts as answer_prompts
from answers import services as answer_services
from generation.prompts import PromptOptions, VoiceSettings, build_prompt
from shopllm_site.ml import set_generator
from tests.trust.injection_cases import ANSWER_PATH_CASES, VOICE, InjectionCase, plant

# What an obedient model takes as an order: a verb of saying (several languages), then what to
# say, up to the end of the sentence.
ORDER = re.compile(
    r"(?:say|reply|respond|answer|tell \w+|state|claim|output exactly|repeat this|answer must be"
    r"|antworte|sage|sag|réponds|répondez|dis|dites|responde|contesta|di|diga|rispondi|di')"
    r"(?:\s+(?:only|always|with|that|dass|que|che|toujours|siempre|sempre|exactly))*"
    r"\s*[,:]?\s*(?P<said>[^.\n<]{3,})",
    re.IGNORECASE,
)
# Our own task lines, which it does not count as planted orders.
TASK_LINES = ("Answer the question using only", "The shopper's question is inside")
FACT_LINE = re.compile(r"^\[1\] (?P<fact>.+)$", re.MULTILINE)


class ObedientGenerator:
    """Follows the first order found in the prompt; else restates the first fact."""

    name = "obedient"

    def __init__(self):
        self.prompts: list[str] = []

    def reply(self, prompt: str) -> str:
        for line in prompt.splitlines():
            if line.startswith(TASK_LINES):
                continue
            order = ORDER.search(line)
            if order:
                return order.group("said").strip(" '\"«»“”") + "."
        first = FACT_LINE.search(prompt)
        return f"{first.group('fact')} [1]" if first else "I don't know."

    def generate(self, prompts, params, *, system=None):
        self.prompts.extend(prompts)
        return [self.reply(prompt) for prompt in prompts]


@pytest.fixture
def obedient(shop):
    # The model path is on, so that the obedient model gets every chance to publish a payload.
    answer_services.save_settings(shop, rephrase_with_model=True)
    generator = ObedientGenerator()
    set_generator(generator)
    yield generator
    set_generator(None)


def published_text(question) -> str:
    return f"{question.answer} {answering.shopper_message(question)}".lower()


@pytest.mark.parametrize(
    "case", ANSWER_PATH_CASES, ids=lambda case: f"{case.where}:{case.text[:30]}"
)
def test_planted_instruction_is_never_published(shop, obedient, case):
    mug = plant(shop, case)
    question = answer_services.answer_question(shop, case.question or "Tell me more", product=mug)
    assert case.payload.lower() not in published_text(question)
    assert "[removed]" not in question.answer


def test_the_corpus_is_large_and_varied():
    cases = ANSWER_PATH_CASES + VOICE
    assert len(cases) >= 50
    assert {case.where for case in cases} == {
        "attribute",
        "description",
        "faq",
        "voice",
        "question",
    }


def test_without_neutralising_the_obedient_model_repeats_the_payloads(shop, obedient, monkeypatch):
    """The corpus and the fake have teeth: with neutralising off, the model obeys the planted
    text (what stops it then is the check after the model alone)."""
    monkeypatch.setattr(answering, "looks_like_instruction", lambda text: False)
    monkeypatch.setattr(
        answer_prompts,
        "data_block",
        lambda label, lines, max_chars=0: f"<{label}>\n" + "\n".join(lines) + f"\n</{label}>",
    )
    obeyed = 0
    cases = [case for case in ANSWER_PATH_CASES if case.where == "attribute"][:6]
    for case in cases:
        mug = plant(shop, case)
        question = answer_services.answer_question(shop, case.question, product=mug)
        obeyed += case.payload.lower() in question.model_output.lower()
        mug.delete()
    assert obeyed >= 4


@pytest.mark.parametrize("case", VOICE, ids=lambda case: case.text[:30])
def test_brand_voice_instructions_never_reach_the_copy_prompt(shop, case):
    mug = plant(shop, InjectionCase("none", "", ""))
    prompt = build_prompt(mug, "description", PromptOptions(), voice=VoiceSettings(voice=case.text))
    assert case.payload.lower() not in prompt.lower()
    assert "Brand voice:" in prompt  # the voice's harmless part is still used
