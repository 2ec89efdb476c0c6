"""Numbers with units, normalised to one base unit per dimension (ml, g, mm, ...)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# unit -> (dimension, factor to the base unit of that dimension)
UNITS: dict[str, tuple[str, float]] = {
    "ml": ("volume", 1),
    "millilitre": ("volume", 1),
    "milliliter": ("volume", 1),
    "cl": ("volume", 10),
    "dl": ("volume", 100),
    "l": ("volume", 1000),
    "litre": ("volume", 1000),
    "liter": ("volume", 1000),
    "fl oz": ("volume", 29.5735),
    "mg": ("mass", 0.001),
    "g": ("mass", 1),
    "gram": ("mass", 1),
    "kg": ("mass", 1000),
    "kilogram": ("mass", 1000),
    "lb": ("mass", 453.592),
    "lbs": ("mass", 453.592),
    "pound": ("mass", 453.592),
    "oz": ("mass", 28.3495),
    "ounce": ("mass", 28.3495),
    "mm": ("length", 1),
    "millimetre": ("length", 1),
    "millimeter": ("length", 1),
    "cm": ("length", 10),
    "centimetre": ("length", 10),
    "centimeter": ("length", 10),
    "m": ("length", 1000),
    "metre": ("length", 1000),
    "meter": ("length", 1000),
    "km": ("length", 1_000_000),
    "in": ("length", 25.4),
    "inch": ("length", 25.4),
    '"': ("length", 25.4),
    "ft": ("length", 304.8),
    "foot": ("length", 304.8),
    "feet": ("length", 304.8),
    "w": ("power", 1),
    "watt": ("power", 1),
    "kw": ("power", 1000),
    "v": ("voltage", 1),
    "volt": ("voltage", 1),
    "mah": ("charge", 1),
    "wh": ("energy", 1),
    "gb": ("data", 1),
    "tb": ("data", 1000),
    "mb": ("data", 0.001),
    "%": ("percent", 1),
    "percent": ("percent", 1),
    "h": ("time", 60),
    "hr": ("time", 60),
    "hour": ("time", 60),
    "min": ("time", 1),
    "minute": ("time", 1),
    "°c": ("temperature", 1),
    "°f": ("temperature_f", 1),
    "year": ("years", 1),
    "yr": ("years", 1),
}
_UNIT_ALTERNATION = "|".join(
    re.escape(unit) + ("s?" if unit[-1].isalpha() and len(unit) > 2 else "")
    for unit in sorted(UNITS, key=len, reverse=True)
)
NUMBER = r"\d+(?:[.,]\d+)*"
QUANTITY_RE = re.compile(
    rf"(?<![\w.,])(?P<num>{NUMBER})\s?-?\s?(?P<unit>{_UNIT_ALTERNATION})(?![a-z0-9])",
    re.IGNORECASE,
)
BARE_NUMBER_RE = re.compile(rf"(?<![\w.,])(?P<num>{NUMBER})(?![\w])")


def parse_number(raw: str) -> float | None:
    """'1,5' -> 1.5 (decimal comma), '1,000' -> 1000 (thousands), '15.6' -> 15.6."""
    if "," in raw and "." not in raw:
        head, _, tail = raw.rpartition(",")
        raw = raw.replace(",", "") if len(tail) == 3 and head else raw.replace(",", ".")
    else:
        raw = raw.replace(",", "")
    try:
        return float(raw)
    except ValueError:
        return None


def _unit_key(raw: str) -> str | None:
    unit = raw.lower()
    if unit in UNITS:
        return unit
    if unit.endswith("s") and unit[:-1] in UNITS:
        return unit[:-1]
    return None


@dataclass(frozen=True)
class Quantity:
    value: float  # in the dimension's base unit
    dimension: str
    start: int
    end: int
    text: str


def find_quantities(text: str) -> list[Quantity]:
    found = []
    for match in QUANTITY_RE.finditer(text):
        unit = _unit_key(match.group("unit"))
        number = parse_number(match.group("num"))
        if unit is None or number is None:
            continue
        dimension, factor = UNITS[unit]
        found.append(
            Quantity(number * factor, dimension, match.start(), match.end(), match.group(0))
        )
    return found


def same_value(a: float, b: float) -> bool:
    # 2% tolerance: "15.6 inch" vs "39.6 cm", "0.75 l" vs "750 ml".
    return abs(a - b) <= 0.02 * max(abs(a), abs(b), 1e-9)
