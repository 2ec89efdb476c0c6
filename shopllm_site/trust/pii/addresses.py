"""Street addresses, PO boxes and postcodes with a town, in the forms shoppers write them in
English, German, French, Spanish and Italian.

A street is a house number next to a street word ("221B Baker Street", "Hauptstraße 5",
"12 rue de la Paix", "Calle Mayor 7", "Via Roma 10"); a postcode counts when a town follows it
("10115 Berlin", "SW1A 1AA", "75002 Paris") and the "town" is not a unit ("12000 Pa").
Adjacent parts ("Hauptstraße 5, 10115 Berlin") are joined by the caller into one span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Found = tuple[str, int, int]

_W = r"[A-Za-zÀ-ÖØ-öø-ÿ'’.-]"
_CAP = r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’.-]*"
_NOT_NAME = r"(?!(?i:the|and|a|an|to|of|in|on|for|with|or|is|it|this|that|my|your|per|by|gb|tb)\b)"
# Street words that are also product words ("hard drive", "3-way", "place settings") need
# capitalised words: "10 Downing Street", but not "500 GB hard drive".
EN_TYPES = (
    r"street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|terrace|crescent|highway|hwy|"
    r"parkway|pkwy|mews|gardens|grove"
)
EN_CAPITAL_TYPES = r"Drive|Dr|Way|Court|Ct|Place|Pl|Close|Square|Sq|Row|Walk|Hill"
_APARTMENT = r"(?:,?\s+(?i:apt|apartment|flat|unit|suite|ste)\.?\s*#?\w+)?"
# "221B Baker Street", "12 high st.", "4 Elm Tree Lane, Apt 3", "7 Mill Close"
EN_STREET = re.compile(
    rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:{_NOT_NAME}{_W}+\s+){{1,4}}?(?i:{EN_TYPES})\b\.?{_APARTMENT}"
    rf"|\b\d{{1,5}}[A-Za-z]?,?\s+(?:{_CAP}\s+){{1,4}}?(?:{EN_CAPITAL_TYPES})\b\.?{_APARTMENT}",
)
DE_SUFFIX = (
    r"[Ss]traße|[Ss]trasse|[Ss]tr\.|[Ww]eg|[Aa]llee|[Pp]latz|[Gg]asse|[Dd]amm|[Uu]fer|"
    r"[Cc]haussee|[Ss]teig|[Pp]fad"
)
# "Hauptstraße 5", "Berliner Str. 12a", "Am Lindenweg 3", "Straße des 17. Juni 100"
DE_STREET = re.compile(
    rf"\b(?:(?:Am|An der|Auf dem|Im|In der|Zum|Zur|Alte|Neue|Obere|Untere|Große|Kleine)\s+)?"
    rf"(?:{_CAP}[\s-])?[A-Za-zÀ-ÖØ-öø-ÿ]*(?:{DE_SUFFIX})\s*\d{{1,4}}\s?[a-zA-Z]?\b"
    rf"|\b(?:Straße|Strasse|Platz|Allee)\s+(?:des|der|am|an|zum|zur)\s+(?:\d{{1,2}}\.\s+)?{_CAP}"
    rf"\s+\d{{1,4}}[a-z]?\b",
)
FR_TYPES = r"rue|avenue|av\.|bd|boulevard|place|chemin|allée|allee|impasse|quai|route|cours|square"
FR_PARTICLE = r"(?i:de la|de l'|de l’|de|du|des|d'|d’|la|le|les|l'|l’)"
# "12 rue de la Paix", "5 bis, avenue Victor Hugo", "3 place d'Italie" ("6 place settings" is not)
FR_STREET = re.compile(
    rf"\b\d{{1,4}}(?:\s?(?i:bis|ter))?,?\s+(?i:{FR_TYPES})\s+"
    rf"(?:{FR_PARTICLE}\s*{_W}+|{_CAP})(?:\s+{_CAP}){{0,3}}",
)
# Words that follow "via" in product questions, not in street names.
_NOT_STREETS = r"(?!(?i:usb|bluetooth|wi-?fi|hdmi|app|nfc|zigbee|alexa|email|e-mail|dhl|ups)\b)"
ES_IT_TYPES = (
    r"calle|c/|avenida|avda\.?|plaza|paseo|carrer|camino|ronda|via|viale|piazza|piazzale|"
    r"corso|largo|vicolo|strada|contrada|rua"
)
ES_IT_PARTICLE = r"(?i:de la|de los|del|de|della|delle|dei|degli|di|san|santa)"
# "Calle Mayor 7", "C/ de Alcalá, 45", "Via Roma 10", "Piazza Garibaldi, 3", "Corso Italia n. 5"
ES_IT_STREET = re.compile(
    rf"\b(?i:{ES_IT_TYPES})\s+{_NOT_STREETS}(?:{ES_IT_PARTICLE}\s+)?{_CAP}"
    rf"(?:\s+(?:{ES_IT_PARTICLE}\s+)?{_CAP}){{0,3}},?\s*(?i:n[º°o.]\s*\.?\s*)?\d{{1,4}}"
    r"(?![\d.,]\d)[a-z]?\b",
)
PO_BOX = re.compile(
    r"\b(?:p\.?\s?o\.?\s?box|post office box|postfach|boîte postale|b\.p\.|apartado(?: de "
    r"correos)?|casella postale)\s*\d{1,6}\b",
    re.IGNORECASE,
)
UNITS = frozenset(
    str.split(
        "pa kpa w kw wh kwh mah v ma a hz rpm lm lumen lumens lux db dpi mm cm m km g kg mg ml l "
        "btu psi bar pcs stk watt volt mal times euro eur usd dollars pieces units stück series "
        "edition model serie"
    )
)
# Five-digit postcodes (DE, FR, ES, IT, US) and four-digit ones only with their country letter
# ("CH-8001 Zürich"): a bare four-digit number is more often a year or a model.
POSTCODE_TOWN = re.compile(
    rf"(?:\b[A-Z]{{1,2}}-\d{{4,5}}|\b\d{{5}})\s+"
    rf"({_CAP}(?:[\s-](?:am|an der|sur|de|del|di)?\s?{_CAP}){{0,2}})"
)
UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b")
US_STATE_ZIP = re.compile(rf"\b{_CAP}(?:\s+{_CAP})?,\s+[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?\b")


def find_addresses(text: str) -> Iterator[Found]:
    """(kind "address", start, end) of street addresses, PO boxes and postcode + town."""
    for pattern in (EN_STREET, DE_STREET, FR_STREET, ES_IT_STREET, PO_BOX, UK_POSTCODE):
        for match in pattern.finditer(text):
            yield "address", match.start(), match.end()
    for match in US_STATE_ZIP.finditer(text):
        yield "address", match.start(), match.end()
    for match in POSTCODE_TOWN.finditer(text):
        town = match.group(1).split()[0].lower()
        if town not in UNITS and len(town) >= 3:
            yield "address", match.start(), match.end()
