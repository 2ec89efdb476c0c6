"""Details the facts do not back (generation/checks/details.py) and drafts assembled from the clean
sentences of several candidates (generation/selection.assemble)."""

from __future__ import annotations

import pytest

from generation.checks import product_facts, run_checks
from generation.checks.details import check_details, unsupported_words
from generation.pipeline import draft_copy
from generation.prompts import PromptOptions
from generation.selection import CANDIDATE_TEMPERATURES, choose
from tests.generation.conftest import make_product


def _flagged_words(text: str, product) -> list[str]:
    return [word.lower() for _, _, word in unsupported_words(text, product_facts(product))]


@pytest.mark.parametrize(
    "text, invented",
    [
        ("The Acme Trail Bottle roasts your coffee beans at home.", {"roasts", "coffee", "beans"}),
        ("Keep it out at sea on your next cruise.", {"sea", "cruise"}),
        ("A stylish bottle with earbuds included.", {"earbuds"}),
        ("The perfect lightbulleon for your pillowbox.", {"lightbulleon", "pillowbox"}),
    ],
)
def test_words_neither_in_the_facts_nor_generic_are_flagged(product, text, invented):
    assert set(_flagged_words(text, product)) == invented
    flags = check_details(text, product_facts(product))
    assert {flag["check"] for flag in flags} == {"detail"}
    marked = " ".join(flag["text"] for flag in flags).lower()
    assert all(word in marked for word in invented)
    assert all(flag["text"] == text[flag["start"] : flag["end"]] for flag in flags)


@pytest.mark.parametrize(
    "text",
    [
        "The Acme Trail Bottle holds 750 ml. It is made of blue stainless steel.",
        "A perfect everyday companion for the outdoors, designed to last.",
        "Discover the Acme Trail Bottle: a stylish, durable choice you will love.",
    ],
)
def test_fact_words_their_forms_and_generic_copy_pass(product, text):
    assert _flagged_words(text, product) == []


def test_other_forms_of_a_fact_word_are_backed(shop):
    product = make_product(
        shop, sku="PIL", title="Memory Foam Pillow", attributes={"cover": "washable, bamboo"}
    )
    assert _flagged_words("The bamboo cover washes easily.", product) == []
    assert _flagged_words("The bamboo cover glows in the dark.", product) == ["glows", "dark"]


def test_claims_judged_by_the_claim_readers_are_left_to_them(product):
    # "2 litres" is a number claim (grounding flags it); the detail check does not flag it again
    text = "The Acme Trail Bottle holds 2 litres."
    checks = run_checks(text, "description", product)
    assert [flag["check"] for flag in checks["flags"]] == ["grounding"]


def test_flags_mark_runs_of_words_and_repair_drops_only_their_sentence(product):
    text = "The Acme Trail Bottle holds 750 ml. It comes with cribs and blankets, as a telescope."
    flags = check_details(text, product_facts(product))
    assert [flag["text"] for flag in flags] == ["cribs and blankets", "telescope"]
    choice = choose([text] * 3, CANDIDATE_TEMPERATURES, "description", product)
    assert choice.text.startswith("The Acme Trail Bottle holds 750 ml.")
    assert "cribs" not in choice.text and not choice.fallback


# --- Assembling clean sentences of several candidates -------------------------------------------

CLEAN_A = "The Acme Trail Bottle holds 750 ml."
CLEAN_B = "A durable blue bottle designed for everyday outdoor use."
BAD = "It doubles as a telescope for stargazing."


def test_clean_sentences_of_several_candidates_make_one_draft(product):
    raws = [f"{CLEAN_A} {BAD}", f"{BAD} {CLEAN_B}", BAD]
    # alone, neither repaired candidate keeps enough words; together they do
    choice = choose(raws, CANDIDATE_TEMPERATURES, "description", product)
    assert not choice.fallback
    assert CLEAN_A in choice.text and CLEAN_B in choice.text and "telescope" not in choice.text
    selection = choice.selection
    assert selection["assembled"] and selection["sources"] == [0, 1]
    assert selection["completed"] == 0 and "candidate(s) 1 and 2" in selection["why"]
    assert run_checks(choice.text, "description", product)["flags"] == []


def test_too_few_clean_words_are_topped_up_with_fact_sentences(product):
    raws = [f"Blue, sturdy and durable. {BAD}", f"The Acme Co. {BAD}", BAD]
    choice = choose(raws, CANDIDATE_TEMPERATURES, "description", product)
    assert not choice.fallback and choice.selection["completed"] >= 1
    assert choice.text.startswith("Blue, sturdy and durable.")
    assert "Acme Co." not in choice.text  # a fragment cut at a full stop is not a sentence
    assert "Its capacity is 750 ml." in choice.text
    # the colour the model already said is not said again by a fact sentence
    assert "Its colour is blue." not in choice.text
    assert run_checks(choice.text, "description", product)["flags"] == []


def test_bullets_are_assembled_without_repeats(product):
    raws = [
        "750 ml capacity\nDoubles as a telescope",
        "Holds 750 ml of water\nBlue stainless steel body",
        "Blue stainless steel\nTelescope included",
    ]
    choice = choose(raws, CANDIDATE_TEMPERATURES, "bullet_points", product)
    lines = choice.text.splitlines()
    assert not choice.fallback and "telescope" not in choice.text.lower()
    assert "750 ml capacity" in lines
    # "Blue stainless steel" and "Blue stainless steel body": one is kept, not both
    assert sum("stainless steel" in line for line in lines) == 1
    assert set(choice.selection["sources"]) == {0, 2}
    assert run_checks(choice.text, "bullet_points", product)["flags"] == []


def test_nothing_clean_in_any_candidate_is_still_the_plain_fallback(product):
    choice = choose([BAD] * 3, CANDIDATE_TEMPERATURES, "description", product)
    assert choice.fallback and not choice.selection.get("assembled")


class RoundsGenerator:
    """Answers every row of the n-th generate() call with rounds[n]; records the calls."""

    name = "scripted-rounds"

    def __init__(self, rounds: list[str]):
        self.rounds = rounds
        self.calls = []

    def generate(self, prompts, params, *, system=None):
        self.calls.append((list(prompts), params))
        return [self.rounds[len(self.calls) - 1]] * len(prompts)


def test_a_second_shorter_round_runs_only_when_nothing_was_clean(product):
    clean = "The Acme Trail Bottle holds 750 ml and is made of blue stainless steel."
    generator = RoundsGenerator([BAD, clean])
    (choice,) = draft_copy(generator, [product], "description", PromptOptions(), [None])
    assert len(generator.calls) == 2
    first, second = (params for _, params in generator.calls)
    assert second.max_new_tokens < first.max_new_tokens  # asked for shorter copy
    assert not choice.fallback and "750 ml" in choice.text
    assert choice.selection["second_round"] and choice.selection["candidates"] == 6
    assert "second round" in choice.selection["why"]

    generator = RoundsGenerator([BAD, BAD])
    (choice,) = draft_copy(generator, [product], "description", PromptOptions(), [None])
    assert choice.fallback and choice.selection["candidates"] == 6
    assert "found nothing clean either" in choice.selection["why"]

    generator = RoundsGenerator([f"{CLEAN_A} {CLEAN_B}"])
    (choice,) = draft_copy(generator, [product], "description", PromptOptions(), [None])
    assert len(generator.calls) == 1 and not choice.selection.get("second_round")


# --- Closed-vocabulary decoding ------------------------------------------------------------------


def test_each_prompt_carries_its_products_vocabulary_when_the_setting_is_on(shop, settings):
    bottle = make_product(shop, sku="B1", title="Trail Bottle", attributes={"colour": "teal"})
    board = make_product(shop, sku="B2", title="Walnut Board", attributes={"finish": "oiled"})
    settings.SHOPLLM_COPY_VOCABULARY_PENALTY = 7.0
    clean = "A durable choice, designed for everyday use."
    generator = RoundsGenerator([clean])
    draft_copy(generator, [bottle, board], "description", PromptOptions(), [None, None])
    (prompts, params), *_ = generator.calls
    assert params.vocabulary_penalty == 7.0
    assert len(params.prompt_vocabularies) == len(prompts) == 2 * len(CANDIDATE_TEMPERATURES)
    first, last = set(params.prompt_vocabularies[0]), set(params.prompt_vocabularies[-1])
    assert {"teal", "Trail", "Bottle", "designed"} <= first and "Walnut" not in first
    assert {"oiled", "Walnut", "Board", "designed"} <= last and "teal" not in last
    # Every word the vocabulary holds passes the detail check for that product.
    assert _flagged_words(" ".join(first), bottle) == []

    settings.SHOPLLM_COPY_VOCABULARY_PENALTY = 0.0
    generator = RoundsGenerator([clean])
    draft_copy(generator, [bottle], "description", PromptOptions(), [None])
    assert generator.calls[0][1].vocabulary_for(0) == ()


# --- Fragments and short winners ------------------------------------------------------------------


def test_fragments_leave_a_clean_winner_and_short_winners_get_fact_sentences(shop):
    attributes = {"capacity": "750 ml", "material": "stainless steel", "colour": "blue"}
    product = make_product(shop, sku="LID", attributes={**attributes, "lid": "screw cap"})
    bullets = "Acme.\nHolds 750 ml\nBlue stainless steel bottle"
    choice = choose([bullets] * 3, CANDIDATE_TEMPERATURES, "bullet_points", product)
    lines = choice.text.splitlines()
    assert lines[:2] == ["Holds 750 ml", "Blue stainless steel bottle"]
    assert lines[2:] == ["Lid – screw cap"]  # a list of two gets the fact it leaves out
    assert choice.selection["completed"] >= 1 and "plain sentence" in choice.selection["why"]

    # A description of one short sentence gets fact sentences for the facts it leaves out.
    short = "A durable blue bottle for everyday use."
    choice = choose([short] * 3, CANDIDATE_TEMPERATURES, "description", product)
    assert choice.text.startswith(short) and "750 ml" in choice.text
    assert not choice.fallback and choice.selection["completed"] >= 1

    # Nothing but a fragment is no model copy: the plain fallback, said so.
    choice = choose(["The Acme Co."] * 3, CANDIDATE_TEMPERATURES, "description", product)
    assert choice.fallback
