"""What a run writes, as plain data: reason texts, stored item dicts, the popularity histogram
and the packed model arrays. Split from services.py to keep that module short."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

KIND_RANK = {"view": 0, "rating": 1, "cart": 2, "purchase": 3}
KIND_VERB = {0: "viewed", 1: "rated", 2: "added to cart", 3: "bought"}


@dataclass
class ShopData:
    product_ids: list[int]
    titles: list[str]
    categories: list[str]
    available: np.ndarray
    repurchasable: np.ndarray
    customer_ids: list[int]
    users: np.ndarray
    items: np.ndarray
    kinds: list[str]
    timestamps: np.ndarray
    until: object
    last_id: int | None
    brands: list[str]  # of product_ids, for the fairness report


def strongest_kinds(data: ShopData, n_users: int, n_items: int):
    """Users x items CSR of 1 + the strongest kind rank (view < rating < cart < purchase)."""
    import scipy.sparse as sp

    pairs, ranks = _strongest_pairs(data, n_items)
    users, items = np.divmod(pairs, max(n_items, 1))
    return sp.csr_matrix((ranks, (users, items)), shape=(n_users, n_items), dtype=np.int8)


def _strongest_pairs(data: ShopData, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (user, item) pair with events as one sorted int64 key (user * n_items + item), and
    1 + the strongest kind rank of its events."""
    rank_of = {kind: KIND_RANK.get(kind, 0) + 1 for kind in set(data.kinds)}
    ranks = np.fromiter(map(rank_of.__getitem__, data.kinds), np.int64, len(data.kinds))
    # One int64 key per event, (user, item) first and the rank last: after one sort each pair's
    # strongest event comes last, keep that one (ranks are 1..4, three bits).
    pairs = data.users.astype(np.int64) * max(n_items, 1) + data.items
    keys = np.sort(pairs * 8 + ranks)
    pairs, ranks = keys >> 3, (keys & 7).astype(np.int8)
    last = np.ones(len(keys), dtype=bool)
    last[:-1] = pairs[1:] != pairs[:-1]
    return pairs[last], ranks[last]


def index_of(sorted_ids, values):
    """The position of each of `values` in `sorted_ids` (ascending, distinct), -1 where it is
    not there: one table over the ids' span when that is small (a shop's ids mostly are),
    else a binary search per value."""
    if len(sorted_ids) == 0 or len(values) == 0:
        return np.full(len(values), -1, dtype=np.int64)
    low = int(sorted_ids[0])
    span = int(sorted_ids[-1]) - low + 1
    if span <= 4 * (len(sorted_ids) + len(values)):
        table = np.full(span, -1, dtype=np.int64)
        table[sorted_ids - low] = np.arange(len(sorted_ids))
        inside = (values >= low) & (values < low + span)
        return np.where(inside, table[np.where(inside, values - low, 0)], -1)
    positions = np.minimum(np.searchsorted(sorted_ids, values), len(sorted_ids) - 1)
    return np.where(sorted_ids[positions] == values, positions, -1)


def via_kinds(data: ShopData, customer_recs) -> list[list[int]]:
    """For each customer's recs, the strongest kind (KIND_RANK) of the customer's own events on
    the rec's `via` product; -1 where there is no `via` or no event on it. One lookup for all
    customers (a dict of each customer's history cost more than the lists' text)."""
    n_items = max(len(data.product_ids), 1)
    pairs, ranks = _strongest_pairs(data, n_items)
    lengths = np.fromiter(map(len, customer_recs), np.int64, len(customer_recs))
    vias = np.fromiter(
        (-1 if rec.via is None else rec.via for recs in customer_recs for rec in recs),
        np.int64,
        int(lengths.sum()),
    )
    keys = np.repeat(np.arange(len(customer_recs), dtype=np.int64), lengths) * n_items + vias
    found = index_of(pairs, keys)
    kinds = np.full(len(keys), -1, dtype=np.int64)
    hit = (vias >= 0) & (found >= 0)  # a -1 via's key is the previous item's: not a hit
    kinds[hit] = ranks[found[hit]] - 1
    flat = kinds.tolist()
    ends = np.cumsum(lengths).tolist()
    return [flat[end - length : end] for end, length in zip(ends, lengths.tolist(), strict=True)]


def kind_mask(kinds: list[str], wanted: tuple[str, ...]) -> np.ndarray:
    """True for the events whose kind is one of `wanted` (one test per distinct kind)."""
    member = {kind: kind in wanted for kind in set(kinds)}
    return np.fromiter(map(member.__getitem__, kinds), bool, len(kinds))


def _user_kinds(strongest, user: int) -> dict[int, int]:
    lo, hi = strongest.indptr[user], strongest.indptr[user + 1]
    return {
        int(i): int(r) - 1
        for i, r in zip(strongest.indices[lo:hi], strongest.data[lo:hi], strict=True)
    }


def customer_items(recs, data: ShopData, strongest, user: int) -> list[dict]:
    kinds = _user_kinds(strongest, user)
    return [item_json(rec, data, kinds.get(rec.via)) for rec in recs]


def reason_text(reason: str, via_title: str | None, category: str = "", verb: str = "") -> str:
    if reason == "because_you" and via_title:
        return f"Because you {verb or 'liked'} “{via_title}”"
    if reason == "similar_to" and via_title:
        return f"Similar to “{via_title}”"
    if reason == "also_liked" and via_title:
        return f"Customers who liked “{via_title}” also liked this"
    if reason == "bought_together" and via_title:
        return f"Often bought together with “{via_title}”"
    if reason == "popular_in_category" and category:
        return f"Popular in {category}"
    return "Popular right now"


def item_json(rec, data: ShopData, strongest_kind: int | None) -> dict:
    via = rec.via
    via_title = data.titles[via] if via is not None else None
    verb = KIND_VERB.get(strongest_kind, "") if strongest_kind is not None else ""
    text = reason_text(rec.reason, via_title, data.categories[rec.item], verb)
    if rec.reason == "bought_together":
        text += f" ({int(rec.score)} customers)"
    return {
        "p": data.product_ids[rec.item],
        "s": round(float(rec.score), 4),
        "r": rec.reason,
        "via": data.product_ids[via] if via is not None else None,
        "t": text,
    }


class ItemText:
    """The stored items of one run as JSON text, written without a dict or the json encoder per
    item (at 200k customers that was most of the time spent storing lists). `json.loads` of
    what it writes equals what `item_json` returns: JSON escaping is per character, so the
    escaped title inside a reason template is the escaped reason."""

    def __init__(self, data: ShopData):
        self.data = data
        self.ids = [str(int(pid)) for pid in data.product_ids]
        self.heads = [f'{{"p": {pid}, "s": ' for pid in self.ids]
        self.titles = [_escaped(title) for title in data.titles]
        self.categories = [_escaped(category) for category in data.categories]
        self.tails: dict[tuple, str] = {}

    def items(self, recs, kinds=None) -> str:
        """`recs` as a JSON list; `kinds[i]`: the customer's strongest kind on `recs[i].via`
        (None or -1: none; via_kinds)."""
        heads, tails = self.heads, self.tails
        parts = []
        for (item, score, reason, via), kind in zip(recs, kinds or [None] * len(recs), strict=True):
            # Everything after the score depends on a few values only: written once per key.
            if reason == "popular_in_category":
                key = (reason, via, kind, item)
            elif reason == "bought_together":
                key = (reason, via, kind, None, int(score))
            else:
                key = (reason, via, kind)
            tail = tails.get(key)
            if tail is None:
                tail = tails[key] = self._tail(item, score, reason, via, kind)
            parts.append(heads[item] + _score_text(score) + tail)
        return "[" + ", ".join(parts) + "]"

    def customer_lists(self, customer_recs) -> Iterator[str]:
        """Every customer's items (`customer_recs[user]`) as JSON text, one at a time (a COPY
        sends each while the next is written)."""
        kinds = via_kinds(self.data, customer_recs)
        for recs, user_kinds in zip(customer_recs, kinds, strict=True):
            yield self.items(recs, user_kinds)

    def _tail(self, item: int, score: float, reason: str, via, strongest_kind) -> str:
        if strongest_kind is not None and strongest_kind < 0:
            strongest_kind = None
        verb = KIND_VERB.get(strongest_kind, "") if strongest_kind is not None else ""
        text = reason_text(
            reason, self.titles[via] if via is not None else None, self.categories[item], verb
        )
        if reason == "bought_together":
            text += f" ({int(score)} customers)"
        via_id = self.ids[via] if via is not None else "null"
        return f', "r": {_encode(reason)}, "via": {via_id}, "t": "{text}"}}'


def _score_text(score: float) -> str:
    """`repr(round(float(score), 4))`, as item_json stores it, at a third of the cost: both
    round the exact binary value to 4 decimals the same way (dtoa), and below 1e15 the shortest
    repr of that is its decimals without trailing zeros."""
    if -1e15 < score < 1e15:
        text = f"{score:.4f}".rstrip("0")
        return text + "0" if text[-1] == "." else text
    return repr(round(float(score), 4))


_encode = json.JSONEncoder(ensure_ascii=False).encode


def _escaped(text: str) -> str:
    """`text` as inside a JSON string (quotes, backslashes, control characters escaped)."""
    return _encode(text)[1:-1]


def popularity_histogram(popularity: np.ndarray, customer_recs) -> dict:
    """Share of catalog items and of recommended slots in each popularity decile (0 = most)."""
    n_items = len(popularity)
    if n_items == 0:
        return {"catalog": [], "recommended": []}
    order = np.argsort(-popularity, kind="stable")
    decile = np.empty(n_items, dtype=np.int64)
    decile[order] = np.minimum(np.arange(n_items) * 10 // n_items, 9)
    catalog = np.bincount(decile, minlength=10) / n_items
    slots = [rec.item for recs in customer_recs for rec in recs]
    recommended = np.bincount(decile[slots], minlength=10) / len(slots) if slots else np.zeros(10)
    return {
        "catalog": [round(float(x), 4) for x in catalog],
        "recommended": [round(float(x), 4) for x in recommended],
    }


def pack_arrays(data: ShopData, item_factors, embeddings, popularity) -> bytes:
    buffer = io.BytesIO()
    arrays = {
        "item_ids": np.array(data.product_ids, dtype=np.int64),
        "item_factors": item_factors.astype(np.float32),
        "popularity": popularity.astype(np.float32),
        "categories": np.array(data.categories, dtype=np.str_),
        "available": data.available,
        "repurchasable": data.repurchasable,
    }
    if embeddings is not None:
        arrays["item_embeddings"] = embeddings.astype(np.float16)
    np.savez(buffer, **arrays)
    return buffer.getvalue()
