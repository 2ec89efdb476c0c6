"""Interaction logs from CSV for the evaluate command and the candidates benchmark.

Columns by name (customer, product, timestamp, optional kind); timestamps as Unix seconds, ISO
8601 or common spreadsheet forms. Nothing here touches Django.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KNOWN_KINDS = ("view", "cart", "purchase", "rating")
_DATE_FORMATS = ("%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y", "%d.%m.%Y")


@dataclass
class InteractionLog:
    users: np.ndarray
    items: np.ndarray
    kinds: list[str]
    timestamps: np.ndarray
    customer_names: list[str]
    product_names: list[str]


def parse_timestamp(value: str) -> float:
    """Unix seconds, ISO 8601, or a common spreadsheet form (12/1/2010 8:26, month first)."""
    from datetime import UTC, datetime

    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
        if moment is None:
            raise ValueError(f"Unreadable timestamp {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def read_interactions_csv(
    path,
    *,
    customer: str = "customer",
    product: str = "product",
    timestamp: str = "timestamp",
    kind: str | None = "kind",
    default_kind: str = "purchase",
    delimiter: str = ",",
) -> InteractionLog:
    """Rows of (customer, product, timestamp[, kind]) by column name; kinds outside
    view/cart/purchase/rating count as views, a missing kind column as `default_kind`.
    Raises ValueError with the line number on an unreadable timestamp, KeyError naming missing
    columns."""
    import csv

    customers: dict[str, int] = {}
    products: dict[str, int] = {}
    users, items, kinds, stamps = [], [], [], []
    parsed: dict[str, float] = {}
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        columns = set(reader.fieldnames or [])
        missing = {customer, product, timestamp} - columns
        if missing:
            raise KeyError(", ".join(sorted(missing)))
        has_kind = bool(kind) and kind in columns
        for line, row in enumerate(reader, start=2):
            raw = row[timestamp] or ""
            stamp = parsed.get(raw)
            if stamp is None:
                try:
                    stamp = parsed[raw] = parse_timestamp(raw)
                except ValueError as exc:
                    raise ValueError(f"Line {line}: {exc}") from exc
            stamps.append(stamp)
            users.append(customers.setdefault(row[customer], len(customers)))
            items.append(products.setdefault(row[product], len(products)))
            value = (row.get(kind) or "view").strip().lower() if has_kind else default_kind
            kinds.append(value if value in KNOWN_KINDS else "view")
    return InteractionLog(
        users=np.array(users, dtype=np.int64),
        items=np.array(items, dtype=np.int64),
        kinds=kinds,
        timestamps=np.array(stamps, dtype=np.float64),
        customer_names=list(customers),
        product_names=list(products),
    )
