"""Word-level diffs rendered as escaped HTML with <ins>/<del>."""

from __future__ import annotations

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

TOKEN_RE = re.compile(r"\s+|[^\s]+")


def html_diff(before: str, after: str) -> SafeString:
    """`before` -> `after` as HTML: removed words in <del>, added in <ins>, all text escaped."""
    old, new = TOKEN_RE.findall(before), TOKEN_RE.findall(after)
    pieces = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(escape("".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            pieces.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return mark_safe("".join(pieces))  # noqa: S308 (every piece is escaped above)
