"""The local generator's own decode loop: rows leave the batch (and the key/value cache) the step
they end, yet greedy rows come out token for token as transformers' model.generate() gives them."""

from __future__ import annotations

import pytest

from shopllm_site.ml import GenerationParams

# Different lengths (left padding) and different answer lengths (rows end at different steps).
PROMPTS = [
    "Name one colour.",
    "Write two sentences about a stainless steel water bottle for hikers, 750 ml, blue.",
    "Say yes.",
    "Describe a walnut cutting board in one sentence.",
]


def generate_reference(generator, prompts: list[str], params: GenerationParams) -> list[str]:
    """What the generator gave before it had its own loop: model.generate() on the whole batch,
    greedy, with the same generated-only processors."""
    import torch
    from transformers import LogitsProcessorList

    from shopllm_site.ml.local_generator import generated_only_processors

    chats = [generator.render_chat(prompt) for prompt in prompts]
    encoded = generator.tokenizer(
        chats, return_tensors="pt", padding=True, add_special_tokens=False
    )
    length = encoded["input_ids"].shape[1]
    with torch.inference_mode():
        output = generator.model.generate(
            **encoded,
            max_new_tokens=params.max_new_tokens,
            pad_token_id=generator.tokenizer.pad_token_id,
            do_sample=False,
            temperature=None,
            top_p=None,
            top_k=None,
            logits_processor=LogitsProcessorList(generated_only_processors(params, length)),
        )
    texts = generator.tokenizer.batch_decode(output[:, length:], skip_special_tokens=True)
    return [text.strip() for text in texts]


@pytest.mark.model
def test_greedy_rows_match_model_generate_while_finished_rows_leave(generator, monkeypatch):
    params = GenerationParams(max_new_tokens=40, repetition_penalty=1.2, no_repeat_ngram_size=3)
    batch_sizes = []
    forward = generator.model.forward

    def counting_forward(*args, **kwargs):
        rows, width = kwargs["input_ids"].shape
        if width == 1:  # a decode step (the prompts are read before)
            batch_sizes.append(rows)
        return forward(*args, **kwargs)

    monkeypatch.setattr(generator.model, "forward", counting_forward)
    ours = generator.generate(PROMPTS, params)
    monkeypatch.undo()
    assert ours == generate_reference(generator, PROMPTS, params)
    # The batch shrank as rows ended: later steps ran fewer rows than the first.
    assert batch_sizes[0] == len(PROMPTS) and min(batch_sizes) < len(PROMPTS)
    assert batch_sizes == sorted(batch_sizes, reverse=True)
    # One token per live row per step; a row's stop token is not counted.
    steps = sum(batch_sizes)
    assert steps - len(PROMPTS) <= generator.last_token_count <= steps


@pytest.mark.model
def test_shared_prefill_rows_match_model_generate(generator):
    params = GenerationParams(max_new_tokens=24, repetition_penalty=1.2, no_repeat_ngram_size=3)
    prompts = [PROMPTS[1], PROMPTS[0], PROMPTS[1], PROMPTS[0]]
    assert generator.generate(prompts, params) == generate_reference(generator, prompts, params)


@pytest.mark.model
def test_sampled_rows_repeat_with_a_seed_and_greedy_rows_stay_greedy(generator):
    prompts = [PROMPTS[1]] * 3 + [PROMPTS[3]] * 3
    params = GenerationParams(
        max_new_tokens=24,
        seed=11,
        top_p=0.9,
        repetition_penalty=1.2,
        prompt_temperatures=(0.0, 0.7, 1.0) * 2,
    )
    first = generator.generate(prompts, params)
    assert generator.generate(prompts, params) == first
    greedy = generate_reference(generator, [PROMPTS[1], PROMPTS[3]], replace_greedy(params))
    assert [first[0], first[3]] == greedy
    # Sampling does sample: another seed changes at least one sampled row.
    other = generator.generate(prompts, replace_seed(params, 12))
    assert [other[0], other[3]] == greedy
    assert [other[i] for i in (1, 2, 4, 5)] != [first[i] for i in (1, 2, 4, 5)]


def replace_greedy(params: GenerationParams) -> GenerationParams:
    from dataclasses import replace

    return replace(params, prompt_temperatures=(), seed=None)


def replace_seed(params: GenerationParams, seed: int) -> GenerationParams:
    from dataclasses import replace

    return replace(params, seed=seed)


def test_stop_ids_follow_the_models_generation_config():
    from types import SimpleNamespace

    from shopllm_site.ml.local_generator import LocalGenerator

    generator = LocalGenerator.__new__(LocalGenerator)
    generator.tokenizer = SimpleNamespace(eos_token_id=7)
    generator.model = SimpleNamespace(generation_config=SimpleNamespace(eos_token_id=[2, 0, 2]))
    assert generator._stop_ids() == [0, 2]
    generator.model = SimpleNamespace(generation_config=SimpleNamespace(eos_token_id=None))
    assert generator._stop_ids() == [7]


def test_prompts_sharing_an_opening_are_laid_out_opening_then_padding_then_rest():
    from shopllm_site.ml.kv_cache import common_prefix_length, prefix_then_padding

    prompts = [[5, 6, 7, 8, 9], [5, 6, 7, 1], [5, 6, 7, 8, 2, 3]]
    assert common_prefix_length(prompts) == 3
    assert common_prefix_length([[1, 2], [1, 2, 3]]) == 2
    input_ids, mask = prefix_then_padding(prompts, 3, pad_id=0)
    assert input_ids.tolist() == [[5, 6, 7, 0, 8, 9], [5, 6, 7, 0, 0, 1], [5, 6, 7, 8, 2, 3]]
    assert mask.tolist() == [[1, 1, 1, 0, 1, 1], [1, 1, 1, 0, 0, 1], [1, 1, 1, 1, 1, 1]]


@pytest.mark.model
def test_prompts_with_a_common_opening_read_it_once(generator, monkeypatch):
    params = GenerationParams(max_new_tokens=16, repetition_penalty=1.2, no_repeat_ngram_size=3)
    widths = []
    forward = generator.model.forward

    def recording_forward(*args, **kwargs):
        widths.append(tuple(kwargs["input_ids"].shape))
        return forward(*args, **kwargs)

    monkeypatch.setattr(generator.model, "forward", recording_forward)
    ours = generator.generate(PROMPTS[:3], params)
    monkeypatch.undo()
    # First the opening (chat template and default system message) for one row, then the rest.
    assert widths[0][0] == 1 and widths[0][1] >= 16 and widths[1][0] == 3
    assert ours == generate_reference(generator, PROMPTS[:3], params)


def test_reserved_cache_layers_hold_what_a_dynamic_cache_holds():
    import torch
    from transformers import DynamicCache

    from shopllm_site.ml.kv_cache import reserve_cache

    def filled() -> DynamicCache:
        cache = DynamicCache()
        for layer in range(2):
            keys = torch.arange(3 * 2 * 4 * 5, dtype=torch.float32).reshape(3, 2, 4, 5) + layer
            cache.update(keys, -keys, layer)
        return cache

    plain, reserved = filled(), filled()
    reserve_cache(reserved, 2)
    # Three more steps than reserved: the buffers grow instead of failing.
    for step in range(3):
        if step == 1:
            plain.batch_select_indices(torch.tensor([0, 2]))
            reserved.batch_select_indices(torch.tensor([0, 2]))
        rows = 3 if step == 0 else 2
        for layer in range(2):
            new = torch.full((rows, 2, 1, 5), float(step * 10 + layer))
            expected = plain.update(new, new + 1, layer)
            got = reserved.update(new, new + 1, layer)
            assert torch.equal(got[0], expected[0]) and torch.equal(got[1], expected[1])
    assert reserved.get_seq_length() == plain.get_seq_length() == 7
