"""Materials, colours and sizes the grounding check knows, with their canonical names."""

from __future__ import annotations

import re
from collections.abc import Iterable

MATERIALS = {
    "stainless steel": "stainless steel",
    "steel": "steel",
    "aluminium": "aluminium",
    "aluminum": "aluminium",
    "titanium": "titanium",
    "copper": "copper",
    "brass": "brass",
    "iron": "iron",
    "cast iron": "cast iron",
    "cotton": "cotton",
    "organic cotton": "organic cotton",
    "wool": "wool",
    "merino": "merino",
    "cashmere": "cashmere",
    "linen": "linen",
    "silk": "silk",
    "leather": "leather",
    "suede": "suede",
    "polyester": "polyester",
    "nylon": "nylon",
    "spandex": "spandex",
    "elastane": "elastane",
    "fleece": "fleece",
    "down": None,  # too common as a word ("down the trail"); not checked
    "denim": "denim",
    "canvas": "canvas",
    "plastic": "plastic",
    "polycarbonate": "polycarbonate",
    "polypropylene": "polypropylene",
    "silicone": "silicone",
    "rubber": "rubber",
    "glass": "glass",
    "borosilicate": "borosilicate",
    "ceramic": "ceramic",
    "porcelain": "porcelain",
    "stoneware": "stoneware",
    "wood": "wood",
    "wooden": "wood",
    "bamboo": "bamboo",
    "oak": "oak",
    "walnut": "walnut",
    "cork": "cork",
    "marble": "marble",
    "carbon fibre": "carbon fibre",
    "carbon fiber": "carbon fibre",
    "gore-tex": "gore-tex",
}
COLOURS = {
    "black": "black",
    "white": "white",
    "grey": "grey",
    "gray": "grey",
    "silver": "silver",
    "gold": "gold",
    "red": "red",
    "blue": "blue",
    "navy": "navy",
    "green": "green",
    "olive": "olive",
    "yellow": "yellow",
    "orange": "orange",
    "purple": "purple",
    "violet": "violet",
    "pink": "pink",
    "brown": "brown",
    "beige": "beige",
    "tan": "tan",
    "teal": "teal",
    "turquoise": "turquoise",
    "burgundy": "burgundy",
    "khaki": "khaki",
    "charcoal": "charcoal",
    "cream": "cream",
    "ivory": "ivory",
}
_SIZE_CODES = r"XXS|XS|S|M|L|XL|XXL|XXXL|[2-5]XL"
SIZE_RE = re.compile(
    rf"\b(?:[Ss]ize\s+(?P<named>\d{{1,3}}|{_SIZE_CODES})|(?P<code>XXS|XS|XL|XXL|XXXL|[2-5]XL))\b"
)


def _vocabulary_re(words: Iterable[str]) -> re.Pattern:
    alternation = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)


MATERIAL_RE = _vocabulary_re(word for word, canon in MATERIALS.items() if canon)
COLOUR_RE = _vocabulary_re(COLOURS)
