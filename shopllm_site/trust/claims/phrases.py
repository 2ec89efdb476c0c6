"""Certifications and standards, origin ("made in"), warranty and guarantees, awards, and
compatibility ("compatible with iPhone 15")."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shopllm_site.trust.claims.claim import Claim, judged
from shopllm_site.trust.claims.units import parse_number
from shopllm_site.trust.claims.vocabulary import (
    CERTIFICATIONS,
    COUNTRIES,
    NATIONALITIES,
    REGIONS,
    alternation,
    key_of,
)
from shopllm_site.trust.claims.words import NUMBER_WORDS, singular

if TYPE_CHECKING:
    from shopllm_site.trust.claims.facts import Facts

# --- certifications ------------------------------------------------------------------------
CERT_RES = {key: re.compile(pattern) for key, pattern in CERTIFICATIONS.items()}
# Standards named by a code: the code must match too ("ANSI Z87.1" is not "ANSI Z89.1").
CODED = {"ansi", "astm", "en", "iso", "nsf", "ip rating", "n95"}


def _coded_key(key: str, span: str) -> str:
    if key not in CODED:
        return key
    if key in ("ip rating", "n95"):
        return span.lower()
    # The code's letter counts only as its own token ("ANSI Z87.1"); "EN1836" is EN 1836.
    code = re.search(r"(?:(?<=[\s-])[A-Z])?(?<![0-9.])\d+(?:\.\d+)*", span)
    return f"{key} {code.group(0).lower()}" if code else key


def cert_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) with key like 'ul', 'ansi z87.1', 'iso 9001', 'ip67'; longest wins."""
    found = [
        (match.start(), match.end(), _coded_key(key, match.group(0)))
        for key, pattern in CERT_RES.items()
        for match in pattern.finditer(text)
    ]
    found.sort(key=lambda item: (item[0], -(item[1] - item[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, key in found:
        if not any(s < end and start < e for s, e, _ in kept):
            kept.append((start, end, key))
    return kept


def _base(key: str) -> str:
    """'ansi z87.1' -> 'ansi', 'ip67' -> 'ip'; uncoded keys are their own base."""
    if re.fullmatch(r"ip[x0-9][0-9]", key):
        return "ip"
    for coded in CODED:
        if key.startswith(coded + " "):
            return coded
    return key


def certifications_in(text: str) -> set[str]:
    keys = set()
    for _, _, key in cert_mentions(text):
        keys |= {key, _base(key)}
        if key == "usda organic":
            keys.add("organic")
    return keys


def check_certifications(text: str, facts: Facts) -> list[Claim]:
    claims = []
    bases = {_base(key) for key in facts.certifications}
    for start, end, key in cert_mentions(text):
        span = text[start:end]
        if key == "certified":
            supported = bool(facts.certifications) or "certified" in facts.words
        else:
            coded = key != _base(key)
            supported = key in facts.certifications or (not coded and key in bases)
        contradicted = _base(key) in bases and not supported
        message = (
            f"“{span}” contradicts the product facts ({', '.join(sorted(facts.certifications))})."
            if contradicted
            else f"Certification or standard “{span}” is not in the product facts."
        )
        claims.append(judged("certification", start, end, supported, contradicted, message))
    return claims


# --- origin --------------------------------------------------------------------------------
_COUNTRY = alternation(COUNTRIES)
_NATIONALITY = alternation(NATIONALITIES)
_VERBS = (
    r"made|manufactured|produced|crafted|handcrafted|hand[\s-]?made|hand[\s-]?crafted|designed"
    r"|assembled|built|sewn|woven|knitted|knit|roasted|grown|harvested|brewed|bottled|printed"
    r"|engineered|sourced|imported|distilled|forged|milled|blown|baked|packed|cast|carved"
    r"|stitched|tailored|finished|poured|fired|spun|tanned|bred|raised|caught|farmed|developed"
)
MADE_IN_RE = re.compile(
    rf"\b(?:{_VERBS})\s+(?:(?:and|&)\s+(?:{_VERBS})\s+)?(?:in|from)\s+(?P<country>{_COUNTRY})\b"
    rf"|\b(?P<made>{_COUNTRY}|{_NATIONALITY})[\s-](?:made|built|crafted|designed)\b",
    re.IGNORECASE,
)
PLACE_RE = re.compile(
    rf"(?i:\b(?:(?:{_VERBS})\s+in|(?:imported|sourced|shipped|grown|harvested)\s+from))\s+"
    r"(?:the\s+)?(?P<place>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})"
)
# "a leading manufacturer in the UK", "a family brand from Italy", "a studio based in Oslo"
_MAKERS = (
    r"manufacturer|maker|brand|company|producer|designer|workshop|studio|label|house|roaster"
    r"|brewery|distillery|factory|mill|atelier|business|firm|supplier|artisan|craftsm[ae]n"
)
MAKER_IN_RE = re.compile(
    rf"(?i:\b(?:{_MAKERS})s?,?\s+(?:(?:proudly|originally|locally)\s+)?(?:(?:based|founded"
    rf"|headquartered|located)\s+)?(?:in|from))\s+(?:the\s+)?"
    r"(?P<place>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})"
)
# "a sofa from Italy", "straight from France": a country after "from" is where it comes from,
# unless the text speaks of shipping or travel ("ships from the UK", "flights from Spain")
FROM_COUNTRY_RE = re.compile(
    rf"(?i:\b(?:based\s+in|from|hails\s+from)\s+(?:the\s+)?(?P<country>{_COUNTRY}))\b"
)
_NOT_ORIGIN_BEFORE = re.compile(
    r"(?:ship(?:s|ped|ping)?|dispatch(?:es|ed)?|deliver(?:s|ed|y|ies)?|sen[dt]s?|post(?:s|ed)?"
    r"|travel(?:s|l?ing|l?ed)?|flights?|trips?|journeys?|fl(?:y|ies|ew)|away|far|miles"
    r"|visitors?|guests?|friends?|customers?|orders?|returns?)\s+$",
    re.IGNORECASE,
)
# "French press", "Dutch oven", "Italian-style": the adjective names a kind, not an origin
_NOT_ORIGIN_AFTER = re.compile(
    r"[ \t-]*(?:press|oven|door|doors|toast|fries|braid|roast|knot|yogh?urt|style|inspired"
    r"|twist|horn|dressing|seam|fry)\b",
    re.IGNORECASE,
)
NATIONALITY_RE = re.compile(rf"\b(?:{_NATIONALITY})\b", re.IGNORECASE)
HANDMADE_RE = re.compile(
    r"\b(?:hand[\s-]?made|hand[\s-]?crafted|hand[\s-]?sewn|hand[\s-]?woven|hand[\s-]?stitched"
    r"|hand[\s-]?painted|hand[\s-]?blown|hand[\s-]?thrown|artisan(?:al)?|locally[\s-]made)\b",
    re.IGNORECASE,
)
COUNTRY_NAME_RE = re.compile(
    rf"(?i:\b(?:{alternation(k for k in COUNTRIES if k not in ('us', 'america'))})\b)"
    r"|\bU\.?S\.?A?\.?(?![\w])|\bAmerica\b"
)


def _country_key(name: str) -> str:
    name = name.strip()
    lowered = key_of(name).replace(".", "") if name.upper() != name else name.lower()
    for candidate in (key_of(name), lowered, name.lower(), name.lower().replace(" ", "")):
        if candidate in COUNTRIES:
            return COUNTRIES[candidate]
        if candidate in NATIONALITIES:
            return NATIONALITIES[candidate]
    return COUNTRIES.get(name.lower().replace(".", ""), name.lower())


def origin_mentions(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []

    def add(start: int, end: int, key: str) -> None:
        if not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, key))

    for match in MADE_IN_RE.finditer(text):
        add(match.start(), match.end(), _country_key(match.group("country") or match.group("made")))
    for match in PLACE_RE.finditer(text):
        add(match.start(), match.end(), _country_key(match.group("place")))
    for match in MAKER_IN_RE.finditer(text):
        add(match.start(), match.end(), _country_key(match.group("place")))
    for match in FROM_COUNTRY_RE.finditer(text):
        if not _NOT_ORIGIN_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
            add(match.start(), match.end(), _country_key(match.group("country")))
    for match in NATIONALITY_RE.finditer(text):
        if not _NOT_ORIGIN_AFTER.match(text, match.end()):
            add(match.start(), match.end(), NATIONALITIES[match.group(0).lower()])
    for match in HANDMADE_RE.finditer(text):
        add(match.start(), match.end(), "handmade")
    return sorted(found)


def origins_in(text: str) -> set[str]:
    origins = {key for _, _, key in origin_mentions(text)}
    origins |= {_country_key(m.group(0)) for m in COUNTRY_NAME_RE.finditer(text)}
    for region, countries in REGIONS.items():
        if origins & countries:
            origins.add(region)
    return origins


def check_origins(text: str, facts: Facts) -> list[Claim]:
    claims = []
    countries = facts.origins - {"handmade"}
    for start, end, key in origin_mentions(text):
        span = text[start:end]
        supported = key in facts.origins or (key != "handmade" and facts.has(key))
        contradicted = key != "handmade" and bool(countries)
        message = (
            f"“{span}” contradicts the product's origin ({', '.join(sorted(countries))})."
            if contradicted
            else f"Origin “{span}” is not in the product facts."
        )
        claims.append(judged("origin", start, end, supported, contradicted, message))
    return claims


# --- warranty ------------------------------------------------------------------------------
_NUM = rf"\d+(?:[.,]\d+)?|{'|'.join(w for w in NUMBER_WORDS if ' ' not in w)}"
_PERIOD = r"(?P<unit>years?|yrs?|months?|days?)"
WARRANTY_RE = re.compile(
    rf"\b(?:(?P<n>{_NUM})[\s-]*{_PERIOD}|(?P<life>(?:limited[\s-]+)?life[\s-]?time))"
    rf"[\s-]+(?:limited\s+|full\s+|manufacturer'?s?\s+|extended\s+)?(?P<kind>warrant(?:y|ies)|guarantee)"
    rf"|\b(?:covered|guaranteed|warrantied|protected)\s+for\s+(?P<n3>{_NUM})[\s-]*"
    r"(?P<unit3>years?|yrs?|months?)"
    rf"|\b(?P<kind2>warranty|guarantee)\s*(?::|of|for|period:?|-)?\s*(?:(?P<n2>{_NUM})\s*"
    r"(?P<unit2>years?|yrs?|months?|days?)|(?P<life2>(?:limited\s+)?life[\s-]?time))",
    re.IGNORECASE,
)
_WITHIN = rf"(?:\s+(?:within|for|of|up\s+to)\s+(?P<within>{_NUM})[\s-]*days?)?"
MONEY_BACK_RE = re.compile(
    rf"\b(?:(?P<n>{_NUM})[\s-]*days?[\s-]+)?(?:money[\s-]*back(?:\s+guarantee)?|full\s+refund)"
    rf"{_WITHIN}"
    r"|\bsatisfaction\s+guarantee[d]?|\brisk[\s-]free\b|\bno[\s-]questions[\s-]asked\b",
    re.IGNORECASE,
)
RETURNS_RE = re.compile(
    rf"\b(?P<n>{_NUM})[\s-]*days?\s+(?:free\s+|hassle[\s-]free\s+|easy\s+)?returns?\b"
    rf"|\b(?:free\s+)?(?:returns?|exchanges?)(?:\s+polic(?:y|ies))?{_WITHIN}\b",
    re.IGNORECASE,
)
GENERIC_WARRANTY_RE = re.compile(
    r"\b(?:warrant(?:y|ies|ed)|guarantee[ds]?|free\s+replacements?|replace(?:ment)?\s+(?:it\s+)?"
    r"(?:for\s+)?free|we(?:'ll|\s+will)\s+replace\s+it)\b",
    re.IGNORECASE,
)
_MINUTES = {"year": 525960, "yr": 525960, "month": 43830, "day": 1440}


def _period(number: str | None, unit: str | None) -> float | None:
    if not number or not unit:
        return None
    value = parse_number(number)
    unit = singular(unit.lower()).rstrip("s")
    return None if value is None else round(value * _MINUTES.get(unit, 1) / 1440)


def warranty_mentions(text: str) -> list[tuple[int, int, tuple[str, float | str | None]]]:
    found: list[tuple[int, int, tuple]] = []

    def add(start: int, end: int, key: tuple) -> None:
        if not any(s < end and start < e for s, e, _ in found):
            found.append((start, end, key))

    for match in WARRANTY_RE.finditer(text):
        if match.group("life") or match.group("life2"):
            add(match.start(), match.end(), ("warranty", "lifetime"))
        else:
            period = _period(
                match.group("n") or match.group("n2") or match.group("n3"),
                match.group("unit") or match.group("unit2") or match.group("unit3"),
            )
            add(match.start(), match.end(), ("warranty", period))
    for match in MONEY_BACK_RE.finditer(text):
        days = match.group("n") or match.group("within")
        add(match.start(), match.end(), ("money back", _period(days, "day")))
    for match in RETURNS_RE.finditer(text):
        days = match.group("n") or match.group("within")
        add(match.start(), match.end(), ("returns", _period(days, "day")))
    for match in GENERIC_WARRANTY_RE.finditer(text):
        add(match.start(), match.end(), ("warranty", None))
    return sorted(found)


def warranties_in(text: str) -> set[tuple[str, float | None]]:
    return {key for _, _, key in warranty_mentions(text)}


def check_warranties(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for start, end, (kind, value) in warranty_mentions(text):
        same_kind = {v for k, v in facts.warranties if k == kind}
        supported = (value in same_kind) or (value is None and bool(same_kind))
        contradicted = any(v is not None for v in same_kind) and not supported
        span = text[start:end]
        message = (
            f"“{span}” contradicts the product's {kind} in the facts."
            if contradicted
            else f"“{span}”: no such {kind} in the product facts."
        )
        claims.append(judged("warranty", start, end, supported, contradicted, message))
    return claims


# --- awards --------------------------------------------------------------------------------
AWARD_FAMILIES: dict[str, tuple[str, set[str]]] = {
    # family: (pattern in copy, words in the facts that support it)
    "award": (
        r"award[\s-]?winning|award[\s-]winner|winners?\s+of|won\s+(?:the|an?|\d+)\b|awards?"
        r"|prize[\s-]?winning|red dot|good housekeeping|gold medal|medal[\s-]winning",
        {"award", "winner", "won", "prize", "medal"},
    ),
    "bestseller": (
        r"best[\s-]?sell(?:ing|ers?)|#\s?1\b|number[\s-]one|no\.\s?1\b|most[\s-]popular"
        r"|top[\s-]selling|voted\s+(?:the\s+)?best",
        {"bestseller", "best-selling", "bestselling", "best selling", "#1", "number one"},
    ),
    "rated": (
        r"top[\s-]rated|highly[\s-]rated|highest[\s-]rated|best[\s-]rated|five[\s-]star"
        r"|5[\s-]star|4\.\d[\s-]star|customer[\s-]favou?rite|fan[\s-]favou?rite"
        r"|loved\s+by\s+(?:thousands|millions)|rated\s+\d(?:[.,]\d)?(?:\s*/\s*5)?(?:\s+stars?)?"
        r"|\d(?:[.,]\d)?[\s-]stars?(?:\s+(?:rating|reviews?))?|cult[\s-](?:favou?rite|classic)"
        r"|much[\s-]loved|crowd[\s-]favou?rite",
        {"rated", "rating", "star", "stars", "review", "reviews", "favourite", "favorite"},
    ),
    "press": (
        r"editor'?s'?[\s-](?:choice|pick)|critically[\s-]acclaimed|as\s+seen\s+on"
        r"|recommended\s+by|trusted\s+by|endorsed\s+by|featured\s+in"
        r"|world'?s\s+(?:best|first|favou?rite|leading|#1)|industry[\s-]leading",
        {
            "editor",
            "acclaimed",
            "seen",
            "recommended",
            "trusted",
            "endorsed",
            "featured",
            "leading",
        },
    ),
}
AWARD_RES = {
    family: re.compile(rf"(?<![\w])(?:{pattern})(?![\w])", re.IGNORECASE)
    for family, (pattern, _) in AWARD_FAMILIES.items()
}


def check_awards(text: str, facts: Facts) -> list[Claim]:
    claims: list[Claim] = []
    facts_text = key_of(facts.text)
    for family, pattern in AWARD_RES.items():
        support = AWARD_FAMILIES[family][1]
        supported = bool(support & facts.words) or any(w in facts_text for w in support if " " in w)
        for match in pattern.finditer(text):
            if any(c.start < match.end() and match.start() < c.end for c in claims):
                continue
            message = f"“{match.group(0)}”: no such award or ranking in the product facts."
            claims.append(judged("award", match.start(), match.end(), supported, False, message))
    return claims


# --- compatibility -------------------------------------------------------------------------
# Strong phrases name what the product works with: every content word must be in the facts.
# Weak ones ("fits", "designed for") often take ordinary words ("fits in your hand"): only
# names and model numbers after them are checked.
_ADVERB = r"(?:\w+ly\s+)?"
STRONG = (
    rf"compatible\s+{_ADVERB}with|works\s+{_ADVERB}(?:with|on)|for\s+use\s+with"
    rf"|connects\s+{_ADVERB}(?:to|with)|syncs\s+{_ADVERB}with|pairs\s+{_ADVERB}with"
    rf"|integrates\s+{_ADVERB}with|replacement\s+for|compatibility\s+with"
)
WEAK = r"fits|fit|designed\s+for|made\s+for|sized\s+for"
COMPAT_RE = re.compile(
    rf"\b(?P<head>{STRONG}|{WEAK})\s+(?P<object>(?:[^.;:!?\n()]|\.(?=\d))+)", re.IGNORECASE
)
# the object ends at a new clause or at how it connects ("over Bluetooth", "via USB-C")
_OBJECT_END = re.compile(
    r"\s(?:that|which|so|while|because|when|where|to|thanks|without|over|via|using|through"
    r"|in\s+(?:seconds|minutes))\b"
    r"|,\s*(?!and\b|or\b|[A-Z0-9])",
)
_FILLER = {
    "most",
    "all",
    "any",
    "many",
    "other",
    "others",
    "standard",
    "the",
    "a",
    "an",
    "your",
    "our",
    "and",
    "or",
    "&",
    "models",
    "model",
    "devices",
    "device",
    "versions",
    "version",
    "including",
    "newer",
    "older",
    "later",
    "earlier",
    "series",
    "with",
    "of",
    "up",
    "to",
    "plus",
    "pro",
    "both",
    "every",
    "each",
    "popular",
    "major",
    "brands",
    "brand",
    "types",
    "type",
    "sizes",
    "size",
    "regular",
    "common",
    "compatible",
    "one",
    "two",
    "universal",
    "etc",
    # the kinds of device a name is followed by: "Android phones", "Windows laptops"
    "phone",
    "phones",
    "smartphone",
    "smartphones",
    "tablet",
    "tablets",
    "computer",
    "computers",
    "laptop",
    "laptops",
    "system",
    "systems",
    "app",
    "apps",
}


def _object_span(text: str, start: int, end: int) -> int:
    cut = _OBJECT_END.search(text, start, end)
    return cut.start() if cut else end


def check_compatibility(text: str, facts: Facts) -> list[Claim]:
    claims = []
    has_compat = any(w in facts.words for w in ("compatible", "fit", "fits", "works"))
    for match in COMPAT_RE.finditer(text):
        strong = re.fullmatch(STRONG, match.group("head"), re.IGNORECASE) is not None
        end = _object_span(text, match.start("object"), match.end("object"))
        obj = text[match.start("object") : end].rstrip()
        tokens = re.findall(r"[A-Za-z0-9][\w.+'-]*", obj)
        # names and model numbers ("iPhone 15", "Makita 18V") say what it works with
        checked = [
            token
            for token in tokens
            if re.search(r"\d|[a-z][A-Z]", token)
            or (token[:1].isupper() and token.lower() not in _FILLER)
        ]
        if strong:
            # "compatible with the pasta roller attachment": the plain words are the claim too
            checked += [
                t for t in tokens if t.lower() not in _FILLER and len(t) > 2 and t not in checked
            ]
        if not checked:
            continue
        missing = [
            token
            for token in checked
            if token.lower().strip(".'") not in facts.words
            and singular(token.lower().strip(".'")) not in facts.words
            and not facts.has(token)
        ]
        message = f"“{match.group('head')} {obj}”: {', '.join(missing)} not in the product facts."
        claims.append(
            judged(
                "compatibility",
                match.start(),
                match.start("object") + len(obj),
                not missing,
                has_compat,
                message,
            )
        )
    return claims
