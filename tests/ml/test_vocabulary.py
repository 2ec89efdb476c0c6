"""Closed-vocabulary decoding (shopllm_site/ml/vocabulary.py): tokens of unlisted words lose
their score, tokens without letters and the stop tokens never do, and rows are steered one by
one in a mixed batch."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest

from shopllm_site.ml import GenerationParams

pytestmark = pytest.mark.model

COLOURS = ("The", "colour", "is", "red", "blue", "green", "a", "of", "and", "it")


def test_listed_words_digits_and_stops_keep_their_scores_others_lose_the_penalty(generator):
    masks = generator._vocabulary_masks()
    penalties = masks.penalties([COLOURS, ()], 5.0)
    tokenizer = generator.tokenizer
    row = penalties[0]
    for form in (" red", "Red", " blue", "The", " colour"):
        assert all(row[token] == 0 for token in tokenizer(form)["input_ids"]), form
    for form in (" 750", ",", ".", "\n", " 3"):
        assert all(row[token] == 0 for token in tokenizer(form)["input_ids"]), form
    assert all(row[token] == 0 for token in generator._stop_ids())
    for word in (" yellow", " stainless", " bottle", " purple"):
        assert row[tokenizer(word)["input_ids"][0]] == 5.0, word
    assert not penalties[1].any()  # an empty vocabulary: not constrained


def test_a_closed_vocabulary_keeps_other_words_out_of_the_output(generator):
    params = GenerationParams(
        max_new_tokens=24,
        prompt_vocabularies=(COLOURS,),
        vocabulary_penalty=math.inf,
    )
    open_text = generator.generate(["Name one colour."], replace(params, vocabulary_penalty=0))[0]
    closed_text = generator.generate(["Name one colour."], params)[0]
    allowed = {word.lower() for word in COLOURS}
    words = {word.lower() for word in re.findall(r"[A-Za-z]+", closed_text)}
    assert words, closed_text
    # A listed word, or one with the always-allowed plural ending.
    unlisted = {
        word
        for word in words
        if word not in allowed
        and word.removesuffix("s") not in allowed
        and word.removesuffix("es") not in allowed
    }
    assert not unlisted, closed_text
    # The open output used words outside the list (else this test proves nothing).
    assert {word.lower() for word in re.findall(r"[A-Za-z]+", open_text)} - allowed, open_text


def test_rows_of_one_batch_are_steered_by_their_own_vocabulary(generator):
    prompts = ["Name one colour.", "Describe a walnut cutting board in one sentence."]
    alone = generator.generate(prompts[1:], GenerationParams(max_new_tokens=20))[0]
    mixed = generator.generate(
        prompts,
        GenerationParams(
            max_new_tokens=20,
            prompt_vocabularies=(COLOURS, ()),
            vocabulary_penalty=math.inf,
        ),
    )
    assert mixed[1] == alone  # the unconstrained row is what it is on its own


def test_the_penalty_is_ignored_without_vocabularies_and_checked():
    assert GenerationParams(vocabulary_penalty=3.0).vocabulary_for(0) == ()
    with pytest.raises(ValueError, match="vocabulary_penalty"):
        GenerationParams(vocabulary_penalty=-1.0)
    with pytest.raises(ValueError, match="prompt_vocabularies"):
        GenerationParams(prompt_vocabularies=((), ())).check_prompt_count(3)
