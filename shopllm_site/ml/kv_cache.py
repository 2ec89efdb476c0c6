"""Key/value cache helpers of the local generator's decode loop (torch and transformers are
imported when first used, so that importing this costs nothing)."""

from __future__ import annotations

import functools
from typing import Any

# Below this many tokens in common, reading the opening once saves less than a forward costs.
MIN_SHARED_PREFIX = 16


def common_prefix_length(prompts: list[list[int]]) -> int:
    first = prompts[0]
    length = min(len(prompt) for prompt in prompts)
    for index in range(length):
        if any(prompt[index] != first[index] for prompt in prompts):
            return index
    return length


def prefix_then_padding(prompts: list[list[int]], shared: int, pad_id: int) -> tuple[Any, Any]:
    """Token ids and attention mask of prompts that share their first `shared` tokens, laid out
    as the shared part, then each prompt's padding, then the rest of it."""
    import torch

    width = max(len(prompt) for prompt in prompts)
    input_ids = torch.full((len(prompts), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, prompt in enumerate(prompts):
        rest = len(prompt) - shared
        input_ids[row, :shared] = torch.tensor(prompt[:shared])
        input_ids[row, width - rest :] = torch.tensor(prompt[shared:])
        mask[row, :shared] = 1
        mask[row, width - rest :] = 1
    return input_ids, mask


def reserve_cache(cache: Any, tokens: int) -> None:
    """Give each layer of a DynamicCache room for `tokens` more positions, written in place."""
    layer_class = reserved_layer_class()
    cache.layers = [layer_class(layer, tokens) for layer in cache.layers]


@functools.cache
def reserved_layer_class() -> type:
    from transformers.cache_utils import DynamicLayer

    class ReservedLayer(DynamicLayer):
        """A DynamicLayer whose keys and values sit in buffers with room for the whole
        generation: a step writes its position in place, where DynamicLayer copies the whole
        cache (torch.cat), which cost a quarter of a decode step at 24 rows. keys/values are
        views of the filled part; a row leaving copies the buffers once."""

        def __init__(self, layer: Any, room: int):
            super().__init__()
            self.dtype, self.device = layer.dtype, layer.device
            self.is_initialized = True
            batch, heads, length, width = layer.keys.shape
            self.length = length
            self.key_buffer = layer.keys.new_empty((batch, heads, length + room, width))
            self.value_buffer = layer.values.new_empty((batch, heads, length + room, width))
            self.key_buffer[:, :, :length] = layer.keys
            self.value_buffer[:, :, :length] = layer.values
            self._views()

        def _views(self) -> None:
            self.keys = self.key_buffer[:, :, : self.length]
            self.values = self.value_buffer[:, :, : self.length]

        def update(self, key_states, value_states, *args, **kwargs):
            import torch

            end = self.length + key_states.shape[-2]
            if end > self.key_buffer.shape[-2]:
                room = end - self.key_buffer.shape[-2]
                pad = (0, 0, 0, room)
                self.key_buffer = torch.nn.functional.pad(self.key_buffer, pad)
                self.value_buffer = torch.nn.functional.pad(self.value_buffer, pad)
            self.key_buffer[:, :, self.length : end] = key_states
            self.value_buffer[:, :, self.length : end] = value_states
            self.length = end
            self._views()
            return self.keys, self.values

        def batch_select_indices(self, indices) -> None:
            self.key_buffer = self.key_buffer[indices]
            self.value_buffer = self.value_buffer[indices]
            self._views()

        def reorder_cache(self, beam_idx) -> None:
            self.batch_select_indices(beam_idx)

        def crop(self, tokens_to_remove: int) -> None:
            raise NotImplementedError("a reserved cache layer is never cropped")

    return ReservedLayer
