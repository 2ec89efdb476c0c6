"""Bounds of integer inputs in API bodies: what the database's columns can hold.

A serializer field declared by hand (not generated from a model field) has no range of its own;
a larger number reaches the query and fails there (a 500) instead of being a 400.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1  # BigAutoField primary keys
MAX_POSITIVE_INT = 2**31 - 1  # PositiveIntegerField on PostgreSQL
