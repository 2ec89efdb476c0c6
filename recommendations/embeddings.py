"""What the recommender embeds for a product; the encoder itself comes from shopllm_site.ml."""

from __future__ import annotations

import hashlib
from typing import Any


def _flatten(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def product_text(product: Any) -> str:
    """The text embedded for a product: catalog facts and published copy, never customer data."""
    parts = [product.title or ""]
    if product.brand:
        parts.append(f"Brand: {product.brand}")
    if product.category:
        parts.append(f"Category: {product.category}")
    attributes = product.attributes or {}
    if isinstance(attributes, dict) and attributes:
        parts.append("; ".join(f"{k}: {_flatten(v)}" for k, v in sorted(attributes.items())))
    if product.tags:
        parts.append("Tags: " + _flatten(product.tags))
    if product.bullet_points:
        parts.append(" ".join(str(b) for b in product.bullet_points))
    if product.description:
        parts.append(product.description)
    return "\n".join(p for p in parts if p).strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
