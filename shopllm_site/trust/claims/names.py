"""Product type ("a bed frame described as a bag") and proper nouns (brands, product lines,
places) that the facts do not name."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from shopllm_site.trust.claims.claim import Claim, judged
from shopllm_site.trust.claims.lexicon import is_english_word
from shopllm_site.trust.claims.units import UNITS
from shopllm_site.trust.claims.vocabulary import (
    COLOURS,
    COUNTRIES,
    MATERIALS,
    NATIONALITIES,
    key_of,
)
from shopllm_site.trust.claims.words import (
    ACRONYMS,
    COMMON_SUFFIXES,
    COMMON_WORDS,
    COUNT_NOUNS,
    GENERIC_TYPES,
    PRODUCT_TYPE_RE,
    PRODUCT_TYPES,
    singular,
    type_key,
)

if TYPE_CHECKING:
    from shopllm_site.trust.claims.facts import Facts

# A kind of product is a kind of its parent: sneakers are shoes, a backpack is a bag.
TYPE_PARENTS = {
    "sneaker": "shoe",
    "boot": "shoe",
    "sandal": "shoe",
    "loafer": "shoe",
    "heel": "shoe",
    "slipper": "shoe",
    "backpack": "bag",
    "tote": "bag",
    "duffel": "bag",
    "messenger bag": "bag",
    "crossbody bag": "bag",
    "laptop bag": "bag",
    "travel bag": "bag",
    "mug": "cup",
    "tumbler": "cup",
    "t-shirt": "shirt",
    "polo": "shirt",
    "jeans": "trousers",
    "leggings": "trousers",
    "knife set": "knife",
    "armchair": "chair",
    "office chair": "chair",
    "camping chair": "chair",
    "smartwatch": "watch",
    "power bank": "charger",
    "electric toothbrush": "toothbrush",
    "dinnerware set": "plate",
    "hoodie": "sweater",
    "safety glasses": "goggles",
    "cardigan": "sweater",
    "work gloves": "gloves",
    "dog bed": "bed frame",
    "camping stove": "stove",
    "headlamp": "flashlight",
    "face mask": "mask",
    "sunscreen": "lotion",
}
# Types a product is easily confused with: naming a sibling as what comes with the product
# ("headphones ... with earbuds") says it is, or includes, another product.
TYPE_FAMILIES = {
    key.strip(): family
    for family, keys in {
        "audio": "headphones, earbuds, speaker",
        "footwear": "shoe, sneaker, boot, sandal, slipper, loafer, heel",
        "bags": "bag, backpack, tote, duffel, suitcase, wallet, messenger bag, crossbody bag, "
        "laptop bag",
        "drinkware": "bottle, mug, cup, tumbler, glass",
        "seating": "chair, stool, bench, sofa",
        "bedding": "pillow, duvet, blanket, sheets",
        "lighting": "lamp, lantern, flashlight, headlamp, ceiling light, string lights",
        "computing": "laptop, tablet, phone, monitor, keyboard, mouse",
        "tops": "shirt, t-shirt, polo, sweater, cardigan, hoodie, jacket, vest",
        "appliances": "blender, mixer, toaster, kettle, food processor, coffee maker, air fryer",
        "skincare": "serum, cream, lotion, cleanser, sunscreen",
        "cookware": "pan, pot",
        "knives": "knife, cleaver, paring knife, bread knife, knife set",
    }.items()
    for key in keys.split(",")
}
_INCLUDES = {"with", "includes", "including", "include", "plus"}
# "pair it with a mug", "works with phones": using the product with another one is no claim
_USED_WITH = {
    "pair",
    "pairs",
    "paired",
    "use",
    "used",
    "work",
    "works",
    "compatible",
    "connect",
    "connects",
    "sync",
    "syncs",
    "match",
    "matches",
    "wear",
    "wears",
    "fit",
    "fits",
    "combine",
    "combines",
    "goes",
    "style",
    "serve",
    "layer",
}
_DETERMINERS = {"a", "an", "the"}
_OWN = {"this", "these", "our", "meet", "introducing", "presenting", "discover"}
# words that end a noun phrase: "This mixer kneads, whisks and beats" is not about whisks
_CLAUSE = {
    "that",
    "which",
    "who",
    "it",
    "they",
    "and",
    "or",
    "but",
    "also",
    "then",
    "is",
    "are",
    "was",
    "has",
    "have",
    "can",
    "will",
    "so",
    "while",
    "just",
    "it's",
    "you",
    "we",
}
_IDENTITY_VERBS = {"is", "it's", "its", "as", "be", "becomes", "meet", "introducing", "choose"}
_NOT_IDENTITY = {
    "your",
    "my",
    "any",
    "every",
    "each",
    "their",
    "his",
    "her",
    "most",
    "other",
    "another",
    "in",
    "into",
    "on",
    "onto",
    "with",
    "for",
    "from",
    "to",
    "like",
    "than",
    "of",
    "under",
    "beside",
    "inside",
    "near",
    "behind",
    "and",
    "or",
    "fits",
    "holds",
    "carries",
    "stores",
    "replaces",
    "beats",
    "unlike",
    "without",
    "by",
    "at",
    "over",
    "across",
    "next",
}
_MODIFIER_AFTER = re.compile(
    r"[ \t-]+(?:friendly|sized|style|styled|shaped|like|compatible|ready|proof|safe|holder|stand"
    r"|mount|sleeve|pouch|organi[sz]er|rack|strap|cover|liner|insert|warmer|opener|hook|clip"
    r"|compartment|pocket|bag|case|charger|cable|lid|tray|base|dock|grip|handle|accessor(?:y|ies)"
    r"|space|storage|shelf|cup|holders|of)\b",
    re.IGNORECASE,
)
WORD_RE = re.compile(r"[A-Za-z][A-Za-z]*(?:['’-][A-Za-z]+)*")
TOKEN_RE = re.compile(r"(?<![\w])(?:\d+[A-Za-z][\w]*|[A-Za-z][\w]*(?:['’&.+-][\w]+)*\+?)")


def _compatible(said: str, known: str) -> bool:
    """A text may name the product's type or a broader one ("shoe" for sneakers), never a
    narrower or a sibling one ("cardigan" for a sweater, "boots" for sneakers)."""
    return said == known or TYPE_PARENTS.get(known) == said


def _also_material_or_colour(noun: str) -> bool:
    word = key_of(noun)
    return word in MATERIALS or word in COLOURS or singular(word) in MATERIALS


def _sentence_prefix(text: str, start: int) -> list[str]:
    head = re.split(r"[.!?\n•:;]", text[:start])[-1]
    return [w.lower() for w in WORD_RE.findall(head)]


_JOINERS = {"and", "or", "&", "yet", "but"}


def _modifier_word(word: str) -> bool:
    """Could this word be one of a run of modifiers before the noun ("reliable", "very")?"""
    return not (
        word in _CLAUSE
        or word in _DETERMINERS
        or word in _OWN
        or word in _NOT_IDENTITY
        or word in _IDENTITY_VERBS
        or type_key(word) is not None
    )


def _is_identity(text: str, start: int, end: int) -> bool:
    """Does the noun at start..end say what the product is ("This bag", "A sturdy bag for"),
    rather than mention something else ("fits in your bag")?"""
    if _also_material_or_colour(text[start:end]):
        # "a glass window", "a cream finish": only "this glass holds..." names the product
        following = re.match(r"[ \t]*([A-Za-z']+)", text[end:])
        if following and not (
            following.group(1).lower() in _CLAUSE | _NOT_IDENTITY
            or following.group(1).lower().endswith("s")
        ):
            return False
    following = re.match(r"[ \t-]*([A-Za-z'-]+)", text[end:])
    if following and following.group(1).lower() in GENERIC_TYPES:
        return False  # "wardrobe staple", "kitchen essential"
    if re.match(r"[ \t-]+(?:" + PRODUCT_TYPE_RE.pattern + ")", text[end:], re.IGNORECASE):
        return False  # "bike helmet": the type after is the one named
    after = _MODIFIER_AFTER.match(text, end)
    plural = text[start:end].lower() != singular(text[start:end])
    # "bottle holder", "bag of beans", "KitchenAid-level"; but in "boots grip" a verb follows
    if (after and (not plural or after.group(0).strip() == "of")) or (
        (start > 0 and text[start - 1] in "-/") or text[end : end + 1] == "-"
    ):  # "KitchenAid-level", "game-changer": part of a compound word
        return False
    words = _sentence_prefix(text, start)
    # skip up to three modifiers ("sturdy waxed canvas") back to a determiner or the start; a
    # run joined by "and"/commas ("a light, tough and flexible") may be longer
    index = len(words)
    skipped = 0
    joined = False
    while index > 0 and skipped < (6 if joined else 3):
        word = words[index - 1]
        if word in _JOINERS and skipped and index >= 2 and _modifier_word(words[index - 2]):
            joined = True
            index -= 1  # "reliable and durable": the joiner links two modifiers
            continue
        if word in _CLAUSE or type_key(word) is not None:
            return False
        if word in _DETERMINERS or word in _OWN or word in _NOT_IDENTITY or word in _IDENTITY_VERBS:
            break
        index -= 1
        skipped += 1
    if index == 0:
        # no determiner: "Durable backpack for school" names the product, "Whip up cakes,
        # breads and cookies" does not
        return skipped <= 1
    word = words[index - 1]
    if word in _OWN or word in _IDENTITY_VERBS:
        return not (index >= 2 and words[index - 2] in _NOT_IDENTITY)
    if word in _DETERMINERS:
        before = words[index - 2] if index >= 2 else ""
        return before == "" or before in _IDENTITY_VERBS or before in _OWN
    return False


def _next_word(text: str, end: int) -> str:
    found = re.match(r"[ \t-]+([A-Za-z][A-Za-z']*)", text[end:])
    return singular(found.group(1)) if found else ""


def _modifier_claim(text: str, match: re.Match, key: str, facts: Facts) -> Claim | None:
    """A type the title names only as a modifier ("bike" of "bike helmet") said to be what the
    product is; None when the text names the title's compound ("coffee grinder")."""
    if _next_word(text, match.end()) in facts.modifier_types[key]:
        return None
    before = re.search(r"([A-Za-z-]+)[ \t]+$", text[: match.start()])
    if before and facts.has(f"{before.group(1)} {match.group(0)}"):
        return None  # "cast iron holds its heat": the facts' material, not a type
    if any(_compatible(key, head) for head in facts.head_types):
        return Claim("product_type", match.start(), match.end())
    heads = ", ".join(sorted(facts.head_types))
    message = (
        f"“{match.group(0)}” is not what the product is ({heads}); the facts name it only as "
        f"what the product is for."
        if heads
        else f"“{match.group(0)}” names what the product is for, not what it is."
    )
    return Claim("product_type", match.start(), match.end(), "contradicted", message)


def _included_sibling(text: str, match: re.Match, key: str, facts: Facts) -> Claim | None:
    """ "... with earbuds" for headphones: a sibling type the facts never name, said to come
    with the product or to be it."""
    family = TYPE_FAMILIES.get(key)
    heads = facts.head_types or facts.types
    if (
        family is None
        or not any(TYPE_FAMILIES.get(head) == family for head in heads)
        or any(_compatible(key, known) or _compatible(known, key) for known in facts.types)
        or singular(key.split()[-1]) in facts.words
        or singular(match.group(0).lower().split()[-1]) in facts.words
    ):
        return None
    if _MODIFIER_AFTER.match(text, match.end()) or re.match(
        r"[ \t-]+" + PRODUCT_TYPE_RE.pattern, text[match.end() :], re.IGNORECASE
    ):
        return None  # "with a tumbler lid", "with a mug holder"
    words = _sentence_prefix(text, match.start())
    index = len(words)
    while index > 0 and len(words) - index < 3 and words[index - 1] not in _INCLUDES:
        if not (_modifier_word(words[index - 1]) or words[index - 1] in _DETERMINERS):
            return None
        index -= 1
    if index == 0 or words[index - 1] not in _INCLUDES:
        return None
    if (
        index >= 2
        and words[index - 2] in _USED_WITH
        or (index >= 3 and words[index - 3] in _USED_WITH)
    ):
        return None
    message = (
        f"“{match.group(0)}” is another product type than the facts name "
        f"({', '.join(sorted(heads))})."
    )
    return Claim("product_type", match.start(), match.end(), "contradicted", message)


def check_product_types(text: str, facts: Facts) -> list[Claim]:
    claims = []
    for match in PRODUCT_TYPE_RE.finditer(text):
        key = type_key(match.group(0))
        if key is None or key in GENERIC_TYPES:
            continue
        if not _is_identity(text, match.start(), match.end()):
            if claim := _included_sibling(text, match, key, facts):
                claims.append(claim)
            continue
        if key in facts.modifier_types:
            if claim := _modifier_claim(text, match, key, facts):
                claims.append(claim)
            continue
        head = singular(match.group(0).lower().replace("-", " ").split()[-1])
        # a noun the facts name as a part ("bowl: stainless steel") may be the sentence's subject
        supported = head in facts.words or (
            any(_compatible(key, known) for known in facts.types)
            or singular(key.split()[-1]) in facts.type_heads
        )
        known = ", ".join(sorted(facts.types))
        message = (
            f"“{match.group(0)}” names a different product type than the facts ({known})."
            if facts.types
            else f"Product type “{match.group(0)}” is not in the product facts."
        )
        claims.append(
            judged(
                "product_type", match.start(), match.end(), supported, bool(facts.types), message
            )
        )
    return claims


_VOCABULARY = (
    COMMON_WORDS
    | set(MATERIALS)
    | set(COLOURS)
    | set(COUNTRIES)
    | set(NATIONALITIES)
    | set(PRODUCT_TYPES)
    | COUNT_NOUNS
    | GENERIC_TYPES
    | {u for u in UNITS if u.isalpha()}
)
_CALENDAR = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "christmas",
    "easter",
    "halloween",
    "i",
}


def _title_case_lines(text: str) -> list[tuple[int, int]]:
    """Spans of headings: lines in Title Case, and the 'Label:' part that starts a bullet."""
    spans = []
    offset = 0
    for line in text.splitlines(keepends=True):
        words = [w for w in WORD_RE.findall(line) if len(w) > 3]
        heading = not line.rstrip().endswith((".", "!", "?"))
        if heading and len(words) >= 2 and sum(w[0].isupper() for w in words) / len(words) >= 0.8:
            spans.append((offset, offset + len(line)))
        label = re.match(r"\s*(?:[-*•]\s*)?([^:\n]{1,60}):", line)
        if label and len(label.group(1).split()) <= 6:
            spans.append((offset, offset + label.end()))
        offset += len(line)
    return spans


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    return (
        not before
        or before[-1] in ".!?:;•*-–—\n\"“'(|>"
        or bool(re.search(r"(?:^|\n)\s*\d+[.)]$", before))
    )


def _ordinary(token: str, initial: bool) -> bool:
    """A capitalised token that is just a word: at a sentence start, any known or inflected
    word; elsewhere only calendar words and emphasis in capitals ("NEW")."""
    lower = token.lower().replace("’", "'")
    base = re.sub(r"'s$", "", lower)
    if base in ACRONYMS or base in _CALENDAR:
        return True
    if re.search(r"[a-z][A-Z]|\d", token):
        return False  # iPhone, CeraVe, 3M: always a name
    known = (
        base in _VOCABULARY
        or singular(base) in _VOCABULARY
        or all(part in _VOCABULARY or singular(part) in _VOCABULARY for part in base.split("-"))
    )
    if token.isupper() and len(token) > 1:
        return known
    if initial:
        # a hyphenated word is ordinary only when every part is ("ASICS-inspired" is not)
        return known or all(
            part in _VOCABULARY or part.endswith(COMMON_SUFFIXES) or is_english_word(part)
            for part in base.split("-")
            if part
        )
    return False


def _in_facts(token: str, facts: Facts) -> bool:
    lower = token.lower().replace("’", "'").strip(".+")
    base = re.sub(r"'s$", "", lower)
    parts = [p for p in re.split(r"[-'&.+]", base) if p]
    return (
        base in facts.words
        or singular(base) in facts.words
        or (bool(parts) and all(p in facts.words or singular(p) in facts.words for p in parts))
    )


def check_proper_nouns(text: str, facts: Facts, taken: list[tuple[int, int]]) -> list[Claim]:
    headings = _title_case_lines(text)
    names: list[list[int]] = []
    for match in TOKEN_RE.finditer(text):
        token = match.group(0)
        start, end = match.start(), match.end()
        if not (token[0].isupper() or re.search(r"[a-z][A-Z]", token) or token[0].isdigit()):
            continue
        if token[0].isdigit() and not re.search(r"[A-Z]", token):
            continue  # "15cm", "2nd": numbers, not names
        if any(s < end and start < e for s, e in taken):
            continue
        initial = _sentence_initial(text, start) or any(s <= start < e for s, e in headings)
        if _in_facts(token, facts) or _ordinary(token, initial):
            continue
        if names and re.fullmatch(
            r"[\s&-]|\s(?:&|of|de|la|le)\s", text[names[-1][1] : start] or "x"
        ):
            names[-1][1] = end  # "North Face", "Fisher-Price", "Le Creuset"
        else:
            names.append([start, end])
    claims = []
    for start, end in names:
        span = text[start:end]
        message = (
            f"“{span}” is not the product's brand ({facts.brand}) or named in its facts."
            if facts.brand
            else f"The name “{span}” is not in the product facts."
        )
        claims.append(
            Claim("brand", start, end, "contradicted" if facts.brand else "unsupported", message)
        )
    return claims


_BRAND_JOIN = r"(?:[ \t]*(?:&|\+|\band\b)[ \t]*|[ \t-]+)"
_BRAND_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


def _brand_tokens(brand: str) -> list[str]:
    tokens = re.findall(r"[A-Za-z0-9]+", brand)
    return tokens[1:] if len(tokens) > 2 and tokens[0].lower() == "the" else tokens


def check_brand_parts(text: str, facts: Facts) -> list[Claim]:
    """A brand of several words is named whole and as written: "Meeple's" or "meeple Works"
    for Meeple Works is a mangled brand. A part that is an ordinary word ("Works", "Hale") is
    flagged only when capitalised mid-sentence; the words the title or attributes also use are
    free."""
    tokens = _brand_tokens(facts.brand)
    if len(tokens) < 2 or not facts.brand_only_words:
        return []
    whole = re.compile(
        r"(?<![\w])" + _BRAND_JOIN.join(re.escape(t) for t in tokens) + r"(?![\w])", re.IGNORECASE
    )
    claims: list[Claim] = []
    spans = []
    message = f"The brand is “{facts.brand}”: name it whole and as written."
    for match in whole.finditer(text):
        spans.append((match.start(), match.end()))
        said = re.findall(r"[A-Za-z0-9]+", match.group(0))
        said = [w for w in said if w.lower() != "and"]
        if all(w.islower() and is_english_word(w) for w in said):
            continue  # "willow and pine" as words, not as the brand Willow & Pine
        if not all(s == t or s == t.upper() for s, t in zip(said, tokens, strict=False)):
            claims.append(Claim("brand", match.start(), match.end(), "contradicted", message))
    headings = _title_case_lines(text)
    wanted = {t.lower() for t in tokens} & facts.brand_only_words
    for match in _BRAND_WORD_RE.finditer(text):
        start, end = match.start(), match.end()
        base = re.sub(r"['’]s$", "", match.group(0).lower())
        if base not in wanted or any(s <= start < e for s, e in spans):
            continue
        possessive = base != match.group(0).lower() and match.group(0)[0].isupper()
        if not possessive and (is_english_word(base) or base in _VOCABULARY):
            initial = _sentence_initial(text, start) or any(s <= start < e for s, e in headings)
            if not match.group(0)[0].isupper() or initial:
                continue  # "works well": the word, not the brand
        claims.append(Claim("brand", start, end, "contradicted", message))
    return claims


# "Leather Chelsea Co.", "Summit Outdoor Ltd": capitalised words and a company word name a maker,
# even when each word is in the facts.
_COMPANY_RE = re.compile(
    r"(?<![\w])((?:[A-Z][\w'’-]*\s+(?:&\s+|and\s+)?){1,3})"
    r"(?:&\s+)?(?:Co|Company|Inc|Ltd|LLC|GmbH|Corp|Corporation|Brands)\b\.?"
)


def check_company_names(text: str, facts: Facts) -> list[Claim]:
    """A company name must be the product's brand (or a name the facts write)."""

    def known(name: str) -> bool:
        wanted = key_of(name.replace("&", " and "))
        brand = key_of(facts.brand.replace("&", " and "))
        return facts.has(name) or facts.has(name.replace(" and ", " & ")) or wanted == brand

    claims = []
    for match in _COMPANY_RE.finditer(text):
        name = match.group(0).rstrip(".")
        words = name.split()
        # "The Inkwell & Co": the name may start after a capitalised opening word.
        if any(known(" ".join(words[i:])) for i in range(len(words) - 1)):
            continue
        start = match.start()
        while words and words[0].lower() in _OPENING_WORDS:
            start = text.index(words[1], start + len(words[0])) if len(words) > 1 else start
            words = words[1:]
        name = " ".join(words)
        message = (
            f"“{name}” is not the brand ({facts.brand})."
            if facts.brand
            else f"“{name}”: the product facts name no such maker."
        )
        claims.append(judged("brand", start, match.end(), False, bool(facts.brand), message))
    return claims


_OPENING_WORDS = {"the", "from", "by", "at", "with", "for", "a", "an", "meet", "discover"}
