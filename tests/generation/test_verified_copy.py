"""Verifier-guided copy: candidates in one batch, selection, sentence repair, fallback, examples."""

from __future__ import annotations

import numpy as np
import pytest

from catalog.models import JobStatus
from generation.builtin_examples import EXAMPLES, broad_category
from generation.checks import run_checks
from generation.checks.leak import check_leak, distinctive_words
from generation.examples import ExampleFinder, builtin_example
from generation.models import CopyField, Draft, DraftStatus, DraftVersion, VersionSource
from generation.selection import CANDIDATE_TEMPERATURES, choose, fallback_copy, repair
from generation.services import Selection, add_version, create_generation_job
from generation.tasks import run_generation_job
from shopllm_site.ml import GenerationParams, set_encoder, set_generator
from tests.generation.conftest import make_product

FAITHFUL = "The Acme Trail Bottle holds 750 ml. It is made of blue stainless steel."
UNSUPPORTED = "The Acme Trail Bottle holds 2 litres and comes with a lifetime warranty."


class ByTemperatureGenerator:
    """Answers each row by its temperature (greedy, sampled...); records every call."""

    name = "scripted"

    def __init__(self, answers: dict[float, str]):
        self.answers = answers
        self.calls: list[tuple[list[str], GenerationParams]] = []

    def generate(self, prompts, params, *, system=None):
        self.calls.append((list(prompts), params))
        return [self.answers[params.temperature_for(i)] for i in range(len(prompts))]


@pytest.fixture
def scripted():
    def install(answers: dict[float, str]) -> ByTemperatureGenerator:
        generator = ByTemperatureGenerator(answers)
        set_generator(generator)
        return generator

    yield install
    set_generator(None)


def run_job(shop, products, fields):
    job = create_generation_job(
        shop, Selection(product_ids=[p.pk for p in products]), fields=fields
    )
    assert run_generation_job(job.pk) == JobStatus.SUCCEEDED
    return job


# --- Selection, repair, fallback ---------------------------------------------------------------


def test_clean_candidate_beats_a_flagged_greedy_one(product):
    choice = choose(
        [UNSUPPORTED, FAITHFUL, "A bottle."], CANDIDATE_TEMPERATURES, "description", product
    )
    assert choice.text == FAITHFUL and not choice.fallback
    selection = choice.selection
    assert selection["candidates"] == 3 and selection["chosen"] == 1
    assert selection["scores"][0]["flags"] > 0 and selection["scores"][1]["flags"] == 0
    assert "Candidate 2 of 3" in selection["why"] and "sampled" in selection["why"]
    assert run_checks(choice.text, "description", product)["flags"] == []


def test_repair_drops_only_the_sentence_with_the_unsupported_claim(product):
    text = FAITHFUL + " " + UNSUPPORTED
    checks = run_checks(text, "description", product)
    repaired, dropped = repair(text, checks, "description")
    assert dropped == 1 and repaired == FAITHFUL
    choice = choose([text, text, text], CANDIDATE_TEMPERATURES, "description", product)
    assert choice.text == FAITHFUL and choice.selection["dropped"] == 1
    assert "after dropping 1 flagged sentence" in choice.selection["why"]


def test_nothing_clean_left_falls_back_to_a_plain_draft_from_the_facts(product):
    choice = choose([UNSUPPORTED] * 3, CANDIDATE_TEMPERATURES, "description", product)
    assert choice.fallback and choice.selection["chosen"] is None
    assert "built from the product facts" in choice.selection["why"]
    assert "750 ml" in choice.text and "Trail Bottle" in choice.text
    assert run_checks(choice.text, "description", product)["flags"] == []


@pytest.mark.parametrize("field", CopyField.values)
@pytest.mark.parametrize(
    "fields",
    [
        {},
        {
            "title": "Queen Oak Bed Frame",
            "brand": "Hearth",
            "category": "Home > Furniture > Beds",
            "attributes": {"size": "queen", "material": "solid oak", "height": "110 cm"},
            "tags": [],
        },
        {
            "title": "Trail Running Shoe",
            "brand": "Stride",
            "category": "Clothing > Footwear",
            "attributes": {"sizes": "EU 38-46", "drop": "8 mm", "colour": "black, orange"},
        },
    ],
)
def test_fallback_copy_passes_every_check(shop, field, fields):
    product = make_product(shop, sku="FB", **fields)
    text = fallback_copy(product, field)
    assert text.strip()
    assert run_checks(text, field, product)["flags"] == []


# --- Examples and leaks --------------------------------------------------------------------------


def test_at_least_eight_broad_categories_each_with_copy_for_every_field():
    assert len(EXAMPLES) >= 8
    for example in EXAMPLES.values():
        assert set(example.copy) == set(CopyField.values)
        # Every built-in example is faithful to its own facts (it models faithfulness).
        for field, text in example.copy.items():
            assert run_checks(text, field, example.product)["flags"] == [], (field, text)


@pytest.mark.parametrize(
    "category, title, expected",
    [
        ("Kitchen > Drinkware > Bottles", "Trail Bottle", "kitchen"),
        ("Home > Furniture > Beds", "Oak Bed Frame", "home"),
        ("Pets > Cats", "Scratching Post", "pets"),
        ("", "Wireless Headphones", "electronics"),
        ("Miscellaneous", "Thing", "home"),
    ],
)
def test_broad_category_by_category_first_then_title(shop, category, title, expected):
    product = make_product(shop, sku="BC", category=category, title=title)
    assert broad_category(product) == expected


def test_leak_check_flags_the_examples_distinctive_words_only(product):
    example = "The Ferrova Cast Iron Skillet sears steaks; a sturdy pan for 750 ml of stock."
    words = distinctive_words(example, "Trail Bottle Acme 750 ml stainless steel blue")
    assert {"ferrova", "skillet", "sear", "steak"} <= words
    assert "sturdy" not in words  # a common copy word is style, not a leak
    text = "A sturdy Trail Bottle from Ferrova, great for skillets."
    flags = check_leak(text, [example], product)
    assert [flag["text"] for flag in flags] == ["Ferrova", "skillets"]
    assert check_leak(text, [], product) == []
    # The leak check runs with the others and names itself.
    checks = run_checks(text, "description", product, examples=[example])
    assert checks["counts"].get("leak") == 2


class KeywordEncoder:
    """Vectors from keyword counts: "oak" products are near each other (no model needed)."""

    model_name = "keywords"
    dim = 3

    def embed(self, texts):
        rows = [[text.lower().count("oak"), text.lower().count("pine"), 1.0] for text in texts]
        matrix = np.array(rows, dtype=np.float32)
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.fixture
def keyword_encoder():
    set_encoder(KeywordEncoder())
    yield
    set_encoder(None)


def approve(product, field, text):
    version = add_version(product, field, text, source=VersionSource.EDIT)
    Draft.objects.filter(pk=version.draft_id).update(status=DraftStatus.APPROVED)


def test_shops_approved_copy_nearest_in_the_same_category_is_the_example(shop, keyword_encoder):
    beds = "Home > Furniture > Beds"
    approve(make_product(shop, sku="PINE", title="Pine Bed", category=beds), "description", "P.")
    approve(make_product(shop, sku="OAK", title="Oak Bed", category=beds), "description", "O.")
    approve(make_product(shop, sku="MUG", category="Kitchen > Mugs"), "description", "Mug.")
    target = make_product(shop, sku="NEW", title="Oak Bed Frame", category=beds)
    other_kind = make_product(shop, sku="TENT", title="Tent", category="Outdoor > Tents")

    examples = ExampleFinder(shop, "description").for_products([target, other_kind])
    assert (examples[0].source, examples[0].text) == ("shop", "O.")
    assert "OAK" in examples[0].label
    # No approved copy of the same kind: the built-in example of its broad category.
    assert examples[1] == builtin_example(other_kind, "description")
    assert examples[1].source == "built-in" and "outdoor" in examples[1].label


def test_another_shops_approved_copy_is_never_an_example(shop, other_shop, keyword_encoder):
    beds = "Home > Furniture > Beds"
    approve(make_product(other_shop, sku="THEIRS", category=beds), "description", "Theirs.")
    target = make_product(shop, sku="MINE", category=beds)
    assert ExampleFinder(shop, "description").for_products([target])[0].source == "built-in"


# --- The job path ---------------------------------------------------------------------------------


def test_job_samples_every_candidate_of_every_product_in_one_batch(shop, scripted):
    generator = scripted({0.0: UNSUPPORTED, 0.7: FAITHFUL, 1.0: "A bottle."})
    bottle = make_product(shop, sku="B1")
    tent = make_product(
        shop, sku="T1", title="Ridge Tent", category="Outdoor > Tents", attributes={}
    )
    job = run_job(shop, [bottle, tent], ["description"])
    # one batch for every candidate of every product; then a second, shorter round only for
    # the tent, which nothing clean was written for (the scripted copy is about a bottle)
    assert len(generator.calls) == 2
    retry_prompts, _ = generator.calls[1]
    assert len(retry_prompts) == len(CANDIDATE_TEMPERATURES)
    assert all("Ridge Tent" in prompt for prompt in retry_prompts)
    prompts, params = generator.calls[0]
    assert len(prompts) == 2 * len(CANDIDATE_TEMPERATURES)
    assert params.prompt_temperatures == CANDIDATE_TEMPERATURES * 2
    # Each row carries its own product's example exchange: kitchen for the bottle, outdoor
    # for the tent.
    assert params.prompt_examples[0][0][1] == EXAMPLES["kitchen"].copy["description"]
    assert params.prompt_examples[3][0][1] == EXAMPLES["outdoor"].copy["description"]
    version = DraftVersion.objects.get(job=job, draft__product=bottle)
    assert version.text == FAITHFUL and version.checks["flags"] == []
    assert version.checks["selection"]["chosen"] == 1
    assert version.checks["selection"]["examples"] == ["built-in example (kitchen)"]


def test_job_counts_fallbacks_and_the_draft_page_says_so(client, owner, shop, product, scripted):
    scripted({t: UNSUPPORTED for t in CANDIDATE_TEMPERATURES})
    job = run_job(shop, [product], ["description"])
    job.refresh_from_db()
    assert job.result["fallbacks"] == 1 and "plain draft" in job.result["summary"]
    draft = Draft.objects.get(product=product, field="description")
    assert draft.current_version.checks["selection"]["fallback"] is True
    client.force_login(owner)
    page = client.get(f"/generation/drafts/{draft.pk}/").content.decode()
    assert "Plain draft built from the facts" in page
    # three candidates, then three shorter ones in a second round
    assert "6 candidates tried" in page and "second round" in page


def test_draft_page_and_api_show_how_the_winner_was_chosen(client, owner, shop, product, scripted):
    scripted({0.0: UNSUPPORTED, 0.7: FAITHFUL, 1.0: FAITHFUL + " Blue."})
    run_job(shop, [product], ["description"])
    draft = Draft.objects.get(product=product, field="description")
    client.force_login(owner)
    page = client.get(f"/generation/drafts/{draft.pk}/").content.decode()
    assert "Best of 3 candidates." in page and "(chosen)" in page
    body = client.get(f"/api/v1/drafts/{draft.pk}/").json()
    selection = body["versions"][-1]["selection"]
    assert selection["candidates"] == 3 and selection["fallback"] is False
    assert len(selection["scores"]) == 3 and selection["why"]


def test_row_temperature_keeps_greedy_rows_greedy_and_scales_the_others():
    import torch

    from shopllm_site.ml.local_generator import _RowTemperature

    scores = torch.tensor([[1.0, 3.0, 2.0], [1.0, 3.0, 2.0]])
    out = _RowTemperature([0.0, 0.5])(None, scores.clone())
    assert out[0, 1] == 3.0 and out[0, 0] == -float("inf") and out[0, 2] == -float("inf")
    assert out[1].tolist() == [2.0, 6.0, 4.0]


def test_per_prompt_overrides_must_match_the_prompts():
    params = GenerationParams(prompt_temperatures=(0.0, 0.7))
    with pytest.raises(ValueError, match="prompt_temperatures"):
        params.check_prompt_count(3)
    assert not params.greedy and params.temperature_for(1) == 0.7
    assert GenerationParams(examples=(("u", "a"),)).examples_for(5) == (("u", "a"),)


@pytest.mark.model
def test_greedy_row_in_a_sampled_batch_matches_plain_greedy(real_generator):
    prompt = "Write one short sentence about a blue bottle."
    greedy = real_generator.generate([prompt], GenerationParams(max_new_tokens=12))[0]
    mixed = real_generator.generate(
        [prompt, prompt],
        GenerationParams(max_new_tokens=12, prompt_temperatures=(0.0, 1.0), seed=3),
    )
    assert mixed[0] == greedy
