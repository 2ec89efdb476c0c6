"""Numbers in text: quantities with units (normalised to one base unit per dimension),
dimensions (39 x 15 x 3 in), counts ("two drawers", "2-pack", "set of 4"), years and bare
numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopllm_site.trust.claims.words import COUNT_NOUNS, NUMBER_WORDS, PACK_NOUNS, singular

_ML_PER_CUBIC_FOOT = 28316.8
# unit -> (dimension, factor to the base unit of that dimension)
UNITS: dict[str, tuple[str, float]] = {
    "ml": ("volume", 1),
    "millilitre": ("volume", 1),
    "milliliter": ("volume", 1),
    "cc": ("volume", 1),
    "cl": ("volume", 10),
    "dl": ("volume", 100),
    "l": ("volume", 1000),
    "ltr": ("volume", 1000),
    "litre": ("volume", 1000),
    "liter": ("volume", 1000),
    "fl oz": ("volume", 29.5735),
    "fl. oz": ("volume", 29.5735),
    "fluid ounce": ("volume", 29.5735),
    "gallon": ("volume", 3785.41),
    "gal": ("volume", 3785.41),
    "quart": ("volume", 946.353),
    "qt": ("volume", 946.353),
    "pint": ("volume", 473.176),
    "cu ft": ("volume", _ML_PER_CUBIC_FOOT),
    "cu. ft": ("volume", _ML_PER_CUBIC_FOOT),
    "ft³": ("volume", _ML_PER_CUBIC_FOOT),
    "cubic centimetre": ("volume", 1),
    "cubic centimeter": ("volume", 1),
    "cm³": ("volume", 1),
    "cm3": ("volume", 1),
    "ccm": ("volume", 1),
    "cubic inch": ("volume", 16.3871),
    "cubic inches": ("volume", 16.3871),
    "cu in": ("volume", 16.3871),
    "cu. in": ("volume", 16.3871),
    "in³": ("volume", 16.3871),
    "cubic metre": ("volume", 1e6),
    "cubic meter": ("volume", 1e6),
    "m³": ("volume", 1e6),
    "m3": ("volume", 1e6),
    "cu m": ("volume", 1e6),
    "cubic yard": ("volume", 764555),
    "cu yd": ("volume", 764555),
    "tbsp": ("volume", 14.7868),
    "tablespoon": ("volume", 14.7868),
    "tsp": ("volume", 4.92892),
    "teaspoon": ("volume", 4.92892),
    "cubic foot": ("volume", _ML_PER_CUBIC_FOOT),
    "cubic feet": ("volume", _ML_PER_CUBIC_FOOT),
    "mg": ("mass", 0.001),
    "mcg": ("mass", 1e-6),
    "µg": ("mass", 1e-6),
    "microgram": ("mass", 1e-6),
    "milligram": ("mass", 0.001),
    "g": ("mass", 1),
    "gram": ("mass", 1),
    "gramme": ("mass", 1),
    "kg": ("mass", 1000),
    "kilo": ("mass", 1000),
    "kilogram": ("mass", 1000),
    "lb": ("mass", 453.592),
    "lbs": ("mass", 453.592),
    "pound": ("mass", 453.592),
    "oz": ("mass", 28.3495),
    "ounce": ("mass", 28.3495),
    "ton": ("mass", 907185),
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
    "µm": ("length", 0.001),
    "micron": ("length", 0.001),
    "micrometre": ("length", 0.001),
    "kilometre": ("length", 1_000_000),
    "kilometer": ("length", 1_000_000),
    "mile": ("length", 1_609_344),
    "in": ("length", 25.4),
    "in.": ("length", 25.4),
    "inch": ("length", 25.4),
    "inches": ("length", 25.4),
    '"': ("length", 25.4),
    "”": ("length", 25.4),
    "″": ("length", 25.4),
    "''": ("length", 25.4),
    "ft": ("length", 304.8),
    "foot": ("length", 304.8),
    "feet": ("length", 304.8),
    "'": ("length", 304.8),
    "′": ("length", 304.8),
    "yd": ("length", 914.4),
    "yard": ("length", 914.4),
    "sq ft": ("area", 0.092903),
    "sq. ft": ("area", 0.092903),
    "sqft": ("area", 0.092903),
    "ft²": ("area", 0.092903),
    "ft2": ("area", 0.092903),
    "sq in": ("area", 0.00064516),
    "sq. in": ("area", 0.00064516),
    "square inch": ("area", 0.00064516),
    "square inches": ("area", 0.00064516),
    "in²": ("area", 0.00064516),
    "sq cm": ("area", 0.0001),
    "cm²": ("area", 0.0001),
    "cm2": ("area", 0.0001),
    "square centimetre": ("area", 0.0001),
    "square centimeter": ("area", 0.0001),
    "sq yd": ("area", 0.836127),
    "square yard": ("area", 0.836127),
    "acre": ("area", 4046.86),
    "hectare": ("area", 10000),
    "square foot": ("area", 0.092903),
    "square feet": ("area", 0.092903),
    "m²": ("area", 1),
    "m2": ("area", 1),
    "sq m": ("area", 1),
    "square metre": ("area", 1),
    "square meter": ("area", 1),
    "w": ("power", 1),
    "watt": ("power", 1),
    "kw": ("power", 1000),
    "kilowatt": ("power", 1000),
    "hp": ("power", 745.7),
    "v": ("voltage", 1),
    "volt": ("voltage", 1),
    "kv": ("voltage", 1000),
    "amp": ("current", 1),
    "ampere": ("current", 1),
    "ma": ("current", 0.001),
    "mah": ("charge", 1),
    "ah": ("charge", 1000),
    "wh": ("energy", 1),
    "kwh": ("energy", 1000),
    "hz": ("frequency", 1),
    "khz": ("frequency", 1e3),
    "mhz": ("frequency", 1e6),
    "ghz": ("frequency", 1e9),
    "kb": ("data", 1e-6),
    "mb": ("data", 1e-3),
    "gb": ("data", 1),
    "tb": ("data", 1000),
    "lumen": ("light", 1),
    "lm": ("light", 1),
    "lux": ("illuminance", 1),
    "db": ("sound", 1),
    "dba": ("sound", 1),
    "decibel": ("sound", 1),
    "psi": ("pressure", 1),
    "bar": ("pressure", 14.5038),
    "kpa": ("pressure", 0.145038),
    "mbar": ("pressure", 0.0145038),
    "pa": ("pressure", 0.000145038),
    "nm": ("torque", 1),
    "n·m": ("torque", 1),
    "n.m": ("torque", 1),
    "newton metre": ("torque", 1),
    "newton meter": ("torque", 1),
    "ft-lb": ("torque", 1.35582),
    "ft-lbs": ("torque", 1.35582),
    "in-lb": ("torque", 0.112985),
    "kj": ("energy_food", 1),
    "kilojoule": ("energy_food", 1),
    "btu": ("heat", 1),
    "cfm": ("airflow", 1),
    "m³/h": ("airflow", 0.588578),
    "l/min": ("flow", 1),
    "gpm": ("flow", 3.78541),
    "mbps": ("bandwidth", 1),
    "gbps": ("bandwidth", 1000),
    "nits": ("luminance", 1),
    "nit": ("luminance", 1),
    "cd/m²": ("luminance", 1),
    "ohm": ("resistance", 1),
    "Ω": ("resistance", 1),
    "kelvin": ("colour temperature", 1),
    "tog": ("tog", 1),
    "denier": ("denier", 1),
    "iu": ("iu", 1),
    "mph": ("speed", 1.60934),
    "km/h": ("speed", 1),
    "kph": ("speed", 1),
    "rpm": ("rotation", 1),
    "mp": ("pixels", 1),
    "milliamp hour": ("charge", 1),
    "milliamp hours": ("charge", 1),
    "watt hour": ("energy", 1),
    "watt hours": ("energy", 1),
    "amp hour": ("charge", 1000),
    "amp hours": ("charge", 1000),
    "hertz": ("frequency", 1),
    "gigabyte": ("data", 1),
    "terabyte": ("data", 1000),
    "megabyte": ("data", 1e-3),
    "revolutions per minute": ("rotation", 1),
    "frames per second": ("rate", 1),
    "lumens": ("light", 1),
    "megapixel": ("pixels", 1),
    "dpi": ("density", 1),
    "ppi": ("density", 1),
    "fps": ("rate", 1),
    "gsm": ("fabric weight", 1),
    "g/m²": ("fabric weight", 1),
    "g/m2": ("fabric weight", 1),
    "kcal": ("calories", 1),
    "calorie": ("calories", 1),
    "cal": ("calories", 1),
    "°c": ("temperature", 1),
    "ºc": ("temperature", 1),
    "degrees c": ("temperature", 1),
    "°f": ("temperature_f", 1),
    "ºf": ("temperature_f", 1),
    "degrees f": ("temperature_f", 1),
    "°": ("angle", 1),
    "degree": ("angle", 1),
    "ms": ("time", 1 / 60000),
    "sec": ("time", 1 / 60),
    "second": ("time", 1 / 60),
    "min": ("time", 1),
    "minute": ("time", 1),
    "h": ("time", 60),
    "hr": ("time", 60),
    "hrs": ("time", 60),
    "hour": ("time", 60),
    "day": ("time", 1440),
    "week": ("time", 10080),
    "month": ("time", 43830),
    "year": ("time", 525960),
    "yr": ("time", 525960),
    "%": ("percent", 1),
    "percent": ("percent", 1),
    "per cent": ("percent", 1),
}


def _unit_form(unit: str) -> str:
    form = re.escape(unit).replace(r"\ ", r"\s?")
    # plurals for spelled-out units ("inches", "gallons", "hours"), not for symbols ("ms")
    return form + ("(?:e?s)?" if unit[-1].isalpha() and len(unit) > 2 else "")


UNIT_ALTERNATION = "|".join(_unit_form(unit) for unit in sorted(UNITS, key=len, reverse=True))
NUMBER = r"\d+(?:[.,]\d+)*"
# "15-inch", "15 in", "15in", '15"'; not "3 in 1" or "2 in the box" (checked in find_quantities)
_SPELLED = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|fifty"
QUANTITY_RE = re.compile(
    rf"(?<![\w.,])(?:(?P<num>{NUMBER})\s?-?\s?|(?P<word>{_SPELLED})(?:[\s-]+(?:full|whole|long))?"
    rf"[\s-]+)(?P<unit>{UNIT_ALTERNATION})(?![a-z0-9²])",
    re.IGNORECASE,
)
_IN_NOT_UNIT_RE = re.compile(
    r"[ \t]*(?:\d|one\b|the\b|a\b|an\b|stock\b|total\b|every\b|each\b|your\b|our\b|this\b|its\b|"
    r"their\b|minutes\b|seconds\b|no time\b|line\b|person\b|store\b|seconds\b|hand\b)",
    re.IGNORECASE,
)
BARE_NUMBER_RE = re.compile(rf"(?<![\w.,])(?P<num>{NUMBER})(?![\w])")
YEAR_RE = re.compile(r"(?<![\w.,#-])(?P<num>(?:19|20)\d{2})(?![\w%]|\s?(?:-|–)\s?\d)")
_SEP = r"\s*(?:x|×|X|\*|by)\s*"
_DIM_UNIT = (
    r"(?:mm|cm|m|in\.?|inch(?:es)?|\"|”|″|''|ft|feet|foot|'|′|yd"
    r"|millimet(?:re|er)s?|centimet(?:re|er)s?|met(?:re|er)s?)"
)
_LABEL = r"(?:\s?(?:[WDHL]|wide|deep|high|long|tall)\b)?"
DIMENSION_RE = re.compile(
    rf"(?<![\w.,])(?P<a>{NUMBER})\s?(?P<ua>{_DIM_UNIT})?{_LABEL}{_SEP}(?P<b>{NUMBER})\s?"
    rf"(?P<ub>{_DIM_UNIT})?{_LABEL}(?:{_SEP}(?P<c>{NUMBER})\s?(?P<uc>{_DIM_UNIT})?{_LABEL})?"
    r"(?![\w])",
    re.IGNORECASE,
)
_NUMBER_WORD_RE = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
_NOUN_RE = "|".join(
    sorted(COUNT_NOUNS | {"pieces", "shelves", "knives", "batteries"}, key=len, reverse=True)
)
# "2 drawers", "two large drawers", "2-pack", "4-person", "12-piece", "3-seater"
COUNT_RE = re.compile(
    rf"(?<![\w.,])(?P<num>\d+|{_NUMBER_WORD_RE})(?:[\s-]+(?!and\b|or\b|of\b|to\b|in\b|with\b)"
    rf"[a-z]+){{0,2}}?[\s-]+(?P<noun>(?:{_NOUN_RE})(?:e?s)?)\b",
    re.IGNORECASE,
)
# "sleeps three", "seats 4", and the facts' "sleeps: 2": how many people
PEOPLE_RE = re.compile(
    rf"\b(?:sleeps|seats)\s*:?\s+(?:up\s+to\s+)?(?P<num>\d+|{_NUMBER_WORD_RE})\b",
    re.IGNORECASE,
)
# "pack of 2", "set of 4", "box of 12", "case of 24"
PACK_OF_RE = re.compile(
    rf"\b(?P<noun>pack|set|box|bundle|case|pair)s?\s+of\s+(?P<num>\d+|{_NUMBER_WORD_RE})\b",
    re.IGNORECASE,
)

# numbers named by a keyword rather than a unit: "SPF 50", "SPF50+", "UPF 50", "spf: 30"
KEYWORD_NUMBER_RE = re.compile(
    r"\b(?P<key>SPF|UPF)\s*(?::\s*|-\s*)?(?P<num>\d+(?:\.\d+)?)\+?(?!\w|\.\d)", re.IGNORECASE
)
# the word after a quantity that says what it measures: "13 mm weight", "50 cm of cord"
QUALIFIER_RE = re.compile(r"[ \t-]*(?:of[ \t]+(?:the[ \t]+|its[ \t]+)?)?(?P<word>[A-Za-z]+)\b")
# words naming a measure: "weight" is a mass, "long" a length
MEASURE_WORDS: dict[str, str] = {
    **dict.fromkeys(("weight", "weighs", "heavy", "weighing"), "mass"),
    **dict.fromkeys(
        (
            "long",
            "length",
            "wide",
            "width",
            "deep",
            "depth",
            "high",
            "height",
            "tall",
            "thick",
            "thickness",
            "diameter",
            "across",
        ),
        "length",
    ),
    **dict.fromkeys(("volume",), "volume"),
}
MEASURED_DIMENSIONS = {"length", "mass", "volume", "area"}
# parts of a product a quantity can measure: "50 cm cord", "a 13 mm chuck", "30 cm blade"
_PARTS = """cord cable hose blade chuck strap handle screen display bowl drum tank wheel chain bar
    nozzle pipe mattress shelf drawer door lid arm leg head brush basket tray seat backrest
    sole heel collar sleeve cushion filter rope wire spout plate hob lens pole ladder panel hood
    brim tip needle shaft bristle hopper armrest footrest headrest barrel deck frame shade band
    cuff pad wick string mast"""
PART_WORDS = set(_PARTS.split())


def parse_number(raw: str) -> float | None:
    """'1,5' -> 1.5 (decimal comma), '1,000' -> 1000 (thousands), '15.6' -> 15.6, 'two' -> 2."""
    if raw.lower() in NUMBER_WORDS:
        return float(NUMBER_WORDS[raw.lower()])
    if "," in raw and "." not in raw:
        head, _, tail = raw.rpartition(",")
        raw = raw.replace(",", "") if len(tail) == 3 and head else raw.replace(",", ".")
    else:
        raw = raw.replace(",", "")
    try:
        return float(raw)
    except ValueError:
        return None


def unit_key(raw: str) -> str | None:
    unit = re.sub(r"\s+", " ", raw.lower())
    for candidate in (unit, unit.replace(" ", ""), unit.rstrip("s"), unit[:-2], unit[:-1]):
        if candidate in UNITS:
            return candidate
    return None


@dataclass(frozen=True)
class Quantity:
    value: float  # in the dimension's base unit
    dimension: str
    start: int
    end: int
    text: str
    factor: float = 1.0  # of the unit written: same factor means the same unit

    def matches(self, value: float, factor: float) -> bool:
        """Same amount: exact in the same unit ("180 cm" is not "183 cm"), within 2% across
        units ("15.6 inch" is "39.6 cm")."""
        if factor == self.factor:
            return abs(value - self.value) <= 1e-6 * max(abs(value), abs(self.value), 1.0)
        return same_value(value, self.value)


@dataclass(frozen=True)
class Dimensions:
    values: tuple[float | None, ...]  # in mm, or plain numbers when no unit was given
    factors: tuple[float, ...]  # of each value's unit
    has_unit: bool
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Count:
    number: int
    noun: str  # singular; packs are "pack"
    start: int
    end: int
    text: str


def find_quantities(text: str) -> list[Quantity]:
    found = []
    for match in QUANTITY_RE.finditer(text):
        unit = unit_key(match.group("unit"))
        number = parse_number(match.group("num") or match.group("word"))
        if unit is None or number is None:
            continue
        written = match.group("unit")
        if match.group("word") and (
            len(written) < 3 or not written.isalpha() or UNITS[unit][0] == "percent"
        ):
            continue  # "one in", "two l": spelled numbers only with spelled units ("two days")
        if unit in ("in", "in.") and _IN_NOT_UNIT_RE.match(text, match.end()):
            continue
        if (
            unit in ("'", "′")
            and match.group(0).endswith("'")
            and text[match.end() : match.end() + 1] == "s"
        ):
            continue
        dimension, factor = UNITS[unit]
        found.append(
            Quantity(number * factor, dimension, match.start(), match.end(), match.group(0), factor)
        )
    return found


def find_dimensions(text: str) -> list[Dimensions]:
    found = []
    for match in DIMENSION_RE.finditer(text):
        raws = [match.group(k) for k in "abc" if match.group(k)]
        units = [match.group("u" + k) for k in "abc" if match.group(k)]
        # "39 x 15 x 3 in": a unit applies to the numbers before it that have none
        last = next((u for u in reversed(units) if u), None)
        values: list[float | None] = []
        factors: list[float] = []
        for index, raw in enumerate(raws):
            unit = units[index] or next((u for u in units[index:] if u), last)
            number = parse_number(raw)
            factor = UNITS[unit_key(unit)][1] if unit and unit_key(unit) else 1
            values.append(number * factor if number is not None else None)
            factors.append(factor)
        found.append(
            Dimensions(
                tuple(values),
                tuple(factors),
                last is not None,
                match.start(),
                match.end(),
                match.group(0),
            )
        )
    return found


def count_noun(noun: str) -> str:
    noun = singular(noun)
    if noun in ("seater", "people"):
        return "person"  # "3-seater", "sleeps 3 people"
    return "pack" if noun in PACK_NOUNS else noun


def find_counts(text: str) -> list[Count]:
    found = []
    for match in COUNT_RE.finditer(text):
        number = parse_number(match.group("num"))
        if number is None or number != int(number):
            continue
        found.append(
            Count(
                int(number),
                count_noun(match.group("noun")),
                match.start(),
                match.end(),
                match.group(0),
            )
        )
    for match in PEOPLE_RE.finditer(text):
        number = parse_number(match.group("num"))
        if number is not None:
            found.append(Count(int(number), "person", match.start(), match.end(), match.group(0)))
    for match in PACK_OF_RE.finditer(text):
        number = parse_number(match.group("num"))
        if number is None:
            continue
        noun = "pack" if match.group("noun").lower() != "pair" else "pair"
        found.append(Count(int(number), noun, match.start(), match.end(), match.group(0)))
    return found


def same_value(a: float, b: float) -> bool:
    # 2% tolerance: "15.6 inch" vs "39.6 cm", "0.75 l" vs "750 ml".
    return abs(a - b) <= 0.02 * max(abs(a), abs(b), 1e-9)
