"""Facts: everything copy may state about one product, parsed once by the same readers that
read the copy, so a claim and the fact that supports it are compared in one form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from shopllm_site.trust.claims import attributes, phrases, units
from shopllm_site.trust.claims.vocabulary import key_of
from shopllm_site.trust.claims.words import PRODUCT_TYPE_RE, modifier_head, singular, type_key

WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’&+.]*[A-Za-z0-9+]|[A-Za-z0-9]")
TRUE_VALUES = {"yes", "true", "y", "1"}
_PERCENT_KEY_RE = re.compile(r"percent|pct|%|concentration|abv|proportion|share", re.IGNORECASE)
FALSE_VALUES = {"no", "false", "n", "0", "none", "-"}


def words_of(text: str) -> set[str]:
    """Lower-case words and their singulars, split at hyphens and apostrophes too."""
    found: set[str] = set()
    for word in WORD_RE.findall(text.lower().replace("’", "'")):
        word = word.strip(".'")
        for part in {word, *re.split(r"[-'&+.]", word)}:
            if part:
                found.add(part)
                found.add(singular(part))
        if word.endswith("'s"):
            found.add(word[:-2])
    return found


def attribute_line(key: str, value) -> str | None:
    """'bpa_free': True -> 'bpa free'; 'material': 'oak' -> 'material: oak'; false -> None."""
    name = str(key).replace("_", " ").strip()
    if isinstance(value, bool):
        return name if value else None
    if isinstance(value, list | tuple | set):
        value = ", ".join(str(item) for item in value)
    value = str(value).strip()
    if value.lower() in TRUE_VALUES:
        return name
    if value.lower() in FALSE_VALUES or not value:
        return None  # "dishwasher safe: no" must not vouch for "dishwasher safe"
    return f"{name}: {value}"


_GENERIC_KEY_WORDS = {"number", "of", "no", "num", "total", "max", "maximum", "min", "minimum"}
_GENERIC_KEY_WORDS |= {"count", "qty", "quantity", "approx", "the", "a", "and", "per", "in"}
_LINE_NUMBER_RE = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w.,])")


@dataclass(frozen=True)
class FactLine:
    """One attribute: its key's words ("hopper", "capacity") and the numbers its value holds,
    a list's length included ("sand, sage, charcoal" holds 3)."""

    key: str
    value: str
    words: tuple[str, ...]
    numbers: frozenset[float]
    quantities: tuple[units.Quantity, ...]
    boolean: bool  # "lumbar support: yes": says it has one, not how many
    items: int  # a list's length ("sand, sage, charcoal": 3), else 0
    value_words: frozenset[str]  # the value's words, singular ("duck down": duck, down)


def fact_line(key: str, value) -> FactLine | None:
    name = str(key).lower().replace("_", " ").strip()
    words = tuple(singular(w) for w in re.findall(r"[a-z]+", name) if w not in _GENERIC_KEY_WORDS)
    if not words:
        return None
    if isinstance(value, list | tuple | set):
        value = ", ".join(str(item) for item in value)
    value = str(value)
    numbers = {n for raw in _LINE_NUMBER_RE.findall(value) if (n := units.parse_number(raw))}
    numbers |= {
        float(units.NUMBER_WORDS[w])
        for w in re.findall(r"[a-z]+", value.lower())
        if w in units.NUMBER_WORDS
    }
    items = [item for item in re.split(r"[,/;]| and ", value) if item.strip()]
    if len(items) > 1:
        numbers.add(float(len(items)))
    quantities = tuple(units.find_quantities(value))
    boolean = value.strip().lower() in TRUE_VALUES
    count = len(items) if len(items) > 1 and not re.search(r"\d", value) else 0
    value_words = frozenset(singular(w) for w in re.findall(r"[a-z]+", value.lower()))
    return FactLine(
        name, value.strip(), words, frozenset(numbers), quantities, boolean, count, value_words
    )


@dataclass
class Facts:
    """The closed world a text is checked against. Build with `Facts.from_values`."""

    text: str
    brand: str
    identity: str  # title, category, type attributes, tags: what the product is
    words: set[str] = field(default_factory=set)
    quantities: list[units.Quantity] = field(default_factory=list)
    numbers: set[float] = field(default_factory=set)
    lengths: list[units.Quantity] = field(default_factory=list)  # quantities and dimensions
    counts: dict[str, set[int]] = field(default_factory=dict)
    materials: set[str] = field(default_factory=set)
    free_of: set[str] = field(default_factory=set)
    colours: set[str] = field(default_factory=set)
    sizes: set[tuple[str, str]] = field(default_factory=set)
    certifications: set[str] = field(default_factory=set)
    origins: set[str] = field(default_factory=set)
    warranties: set[tuple[str, float | None]] = field(default_factory=set)
    types: set[str] = field(default_factory=set)
    type_heads: set[str] = field(default_factory=set)
    keyed_numbers: set[tuple[str, float]] = field(default_factory=set)  # ("spf", 30.0)
    percents: set[float] = field(default_factory=set)  # "15%", "alcohol percent: 40"
    identity_words: set[str] = field(default_factory=set)
    items: list[str] = field(default_factory=list)  # the facts fact_coverage counts
    keyed: str = ""  # the text in key_of form, for phrase lookups
    # types the title names only as a modifier ("bike" in "bike helmet"), and what follows them
    modifier_types: dict[str, set[str]] = field(default_factory=dict)
    head_types: set[str] = field(default_factory=set)  # what the product is ("helmet")
    brand_only_words: set[str] = field(default_factory=set)  # "meeple" of "Meeple Works"
    lines: list[FactLine] = field(default_factory=list)  # attribute lines, for bound numbers

    @classmethod
    def from_values(
        cls,
        title: str = "",
        brand: str = "",
        category: str = "",
        attributes: dict | None = None,
        tags: list | None = None,
        texts: list[str] | None = None,
        voice: str = "",
    ) -> Facts:
        """`texts`: the product's existing copy; `voice`: the shop's brand voice. Both count as
        support, but only title, category, type attributes and tags say what the product is."""
        lines = [title, brand, category, ", ".join(str(tag) for tag in tags or [])]
        items = [value for value in (brand,) if value]
        size_values: list[str] = []
        identity = [title, category, " ".join(str(tag) for tag in tags or [])]
        counts: dict[str, set[int]] = {}
        percents: set[float] = set()
        fact_lines: list[FactLine] = []
        for key, value in (attributes or {}).items():
            line = attribute_line(key, value)
            if line is None:
                continue
            lines.append(line)
            items.append(line)
            if (parsed := fact_line(key, value)) is not None:
                fact_lines.append(parsed)
            name = str(key).lower().replace("_", " ")
            if "size" in name:
                size_values.append(str(value))
            if name in ("type", "product type", "kind", "style", "category"):
                identity.append(str(value))
            number = units.parse_number(str(value).strip())
            if number is not None and _PERCENT_KEY_RE.search(name):
                percents.add(number)  # "vitamin c percent": 15 backs "15%"
            if number is not None and number == int(number):
                # "drawers: 2", "number_of_drawers": 2, "pack_size": 4
                for word in name.split():
                    noun = units.count_noun(word)
                    if noun in units.COUNT_NOUNS or noun == "pack":
                        counts.setdefault(noun, set()).add(int(number))
        lines += list(texts or [])
        lines.append(voice)
        text = "\n".join(str(line) for line in lines if line)
        facts = cls(text=text, brand=brand.strip(), identity="\n".join(identity), items=items)
        facts.percents = percents
        facts.lines = fact_lines
        others = words_of("\n".join(str(line) for line in lines[:1] + lines[2:] if line))
        facts.brand_only_words = words_of(brand) - others
        facts._parse(size_values, counts)
        facts._type_roles(title, category)
        return facts

    def _parse(self, size_values: list[str], counts: dict[str, set[int]]) -> None:
        text = self.text
        self.keyed = key_of(text)
        self.words = words_of(text)
        self.identity_words = words_of(self.identity)
        self.quantities = units.find_quantities(text)
        self.numbers = {
            value
            for match in units.BARE_NUMBER_RE.finditer(text)
            if (value := units.parse_number(match.group("num"))) is not None
        }
        self.lengths = [q for q in self.quantities if q.dimension == "length"]
        self.percents |= {q.value for q in self.quantities if q.dimension == "percent"}
        self.keyed_numbers = {
            (m.group("key").lower(), float(m.group("num")))
            for m in units.KEYWORD_NUMBER_RE.finditer(text)
        }
        for dims in units.find_dimensions(text):
            if dims.has_unit:
                self.lengths += [
                    units.Quantity(v, "length", dims.start, dims.end, dims.text, factor)
                    for v, factor in zip(dims.values, dims.factors, strict=True)
                    if v is not None
                ]
            self.numbers |= {v for v in dims.values if v is not None and not dims.has_unit}
        for count in units.find_counts(text):
            counts.setdefault(count.noun, set()).add(count.number)
        self.counts = counts
        self.materials, self.free_of = attributes.materials_in(text)
        self.colours = attributes.colours_in(text, facts_side=True)
        self.sizes = attributes.sizes_in(text, facts_side=True)
        for value in size_values:
            self.sizes |= attributes.size_list(value)
        self.certifications = phrases.certifications_in(text)
        self.origins = phrases.origins_in(text)
        self.warranties = phrases.warranties_in(text)
        for match in PRODUCT_TYPE_RE.finditer(self.identity):
            key = type_key(match.group(0))
            if key:
                self.types.add(key)
                self.type_heads.add(singular(key.split()[-1]))
                self.type_heads.add(singular(match.group(0).lower().replace("-", " ").split()[-1]))

    def _type_roles(self, title: str, category: str) -> None:
        """Split the title's types into what the product is and the modifiers of its head noun:
        "Carbon Road Bike Helmet" is a helmet, "Burr Coffee Grinder" no coffee."""
        leaf = category.split(">")[-1]
        heads = {key for m in PRODUCT_TYPE_RE.finditer(leaf) if (key := type_key(m.group(0)))}
        modifiers: dict[str, set[str]] = {}
        for match in PRODUCT_TYPE_RE.finditer(title):
            key = type_key(match.group(0))
            if not key:
                continue
            following = modifier_head(title, match.end())
            if following is None:
                heads.add(key)
            else:
                modifiers.setdefault(key, set()).add(following)
        self.head_types = heads
        self.modifier_types = {k: v for k, v in modifiers.items() if k not in heads}

    def line_words(self, start: int) -> set[str]:
        """The words of the facts line holding position `start` ("blade length: 50 cm")."""
        begin = self.text.rfind("\n", 0, start) + 1
        end = self.text.find("\n", start)
        return words_of(self.text[begin : end if end >= 0 else len(self.text)])

    def has(self, phrase: str) -> bool:
        """The phrase's words appear in the facts in this order (hyphens and case ignored)."""
        wanted = key_of(phrase)
        return bool(wanted) and re.search(rf"\b{re.escape(wanted)}\b", self.keyed) is not None
