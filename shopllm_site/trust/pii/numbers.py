"""Contact details and numbers that identify a person: e-mail addresses (also spelt out), phone
numbers, payment cards and their security codes, IBANs, order numbers and national ids.

Numbers are confirmed with kept libraries before they are removed, so product numbers stay:
`phonenumbers` (Google's libphonenumber metadata, updated monthly) decides what is a dialable
number in the regions the shops sell to; `python-stdnum` checks IBANs (mod 97), card numbers
(Luhn), and the check characters of Spanish DNI/NIE, Italian codice fiscale, German Steuer-ID,
French INSEE and US SSN ranges. A number is matched up to its last digit, so a full stop after it
("…1111 1111.") cannot leave its last group behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from stdnum import iban, luhn
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.us import ssn

Found = tuple[str, int, int]  # kind, start, end

# --- e-mail -------------------------------------------------------------------------------------

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_DOT = r"(?:\s*[(\[{<]\s*(?:dot|punkt|point|punto)\s*[)\]}>]\s*|\s+(?:dot|punkt|point|punto)\s+)"
_AT = (
    r"(?:\s*[(\[{<]\s*(?:at|ät|chez|arroba|chiocciola)\s*[)\]}>]\s*"
    r"|\s+(?:at|ät|arroba)\s+|\s*@\s*)"
)
_TLD = r"(?:com|net|org|de|fr|es|it|nl|be|at|ch|uk|co|io|eu|info|pl|pt|se|dk|no|fi|ie|us|ca|in)"
# "peter dot miller at gmail dot com", "peter(at)gmail(dot)com", "anna.k [at] web [dot] de"
SPELT_EMAIL = re.compile(
    rf"\b[\w+-]+(?:(?:{_DOT}|[.])[\w+-]+)*{_AT}[\w-]+(?:(?:{_DOT}|[.])[\w-]+)*(?:{_DOT}|[.]){_TLD}\b",
    re.IGNORECASE,
)

# --- phones -------------------------------------------------------------------------------------

PHONE_REGIONS = ("DE", "GB", "US", "FR", "ES", "IT", "NL", "AT", "CH", "IN")
# An international number with its "+" or "00" is a phone even where libphonenumber's metadata
# calls it invalid (a new range, a typo): nothing else in a shopper's question looks like it
# (unless it is a group inside a longer code: "DE89 3704 0044 …").
INTERNATIONAL = re.compile(
    r"(?<![\w+])(?<![\dA-Z][\s-])(?:\+|00)[1-9]\d{0,2}(?:[\s./-]?\(?\d+\)?){3,}(?!\d)"
)
PHONE_CUE = re.compile(
    r"\b(?:phone|tel|telephone|mobile|cell|call me|reach me|whatsapp|handy|telefon|mobil|"
    r"rufnummer|portable|téléphone|tél|móvil|movil|teléfono|telefono|cellulare|numero)\b",
    re.IGNORECASE,
)
CUED_DIGITS = re.compile(r"\(?\d[\d\s()./-]{5,}\d")

# --- cards, CVV, IBAN ---------------------------------------------------------------------------

CARD = re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d])")
CVV = re.compile(
    r"\b(?:cvv2?|cvc2?|csc|cid|card verification (?:code|value)|security code|secure code|"
    r"sicherheitscode|prüfnummer|kartenprüfnummer|prüfziffer|code de sécurité|cryptogramme|"
    r"código de seguridad|codigo de seguridad|codice di sicurezza|codice cvv)\b"
    r"(?:\s*(?:is|ist|est|es|è|number|no\.?|nr\.?|=|:|-))*\s*(\d{3,4})(?!\d)",
    re.IGNORECASE,
)
IBAN_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){10,30}", re.IGNORECASE)

# --- order numbers ------------------------------------------------------------------------------

ORDER = re.compile(
    r"\b(?:order|orders|bestellung|bestellnummer|bestell-nr\.?|auftrag|auftragsnummer|"
    r"commande|pedido|ordine|invoice|rechnung|rechnungsnummer|facture|factura|fattura|"
    r"tracking|sendungsnummer|parcel|paket|colis|referencia|reference|ref)\b"
    r"(?:\s*(?:number|numbers|nummer|no\.?|nr\.?|n[º°o]\.?|n\.|num\.?|numéro|numero|número|id|"
    r"code|is|ist|was|:|#))*\s*[:#]?\s*(#?[A-Z0-9](?:[A-Z0-9]|-(?=[A-Z0-9])){3,24})\b",
    re.IGNORECASE,
)
HASH_NUMBER = re.compile(r"(?<![\w#])#[A-Z]{0,3}-?\d{4,}\b", re.IGNORECASE)

# --- national ids -------------------------------------------------------------------------------

SSN = re.compile(r"\b\d{3}[- ]\d{2}[- ]\d{4}\b")
UK_NINO = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b",
    re.IGNORECASE,
)
DE_TAX_ID = re.compile(r"\b\d{2}\s?\d{3}\s?\d{3}\s?\d{3}\b")
ES_DNI = re.compile(r"\b\d{8}[- ]?[A-Z]\b", re.IGNORECASE)
ES_NIE = re.compile(r"\b[XYZ][- ]?\d{7}[- ]?[A-Z]\b", re.IGNORECASE)
IT_CF = re.compile(r"\b[A-Z]{6}\d{2}[A-Z]\d{2}[A-Z]\d{3}[A-Z]\b", re.IGNORECASE)
FR_NIR = re.compile(r"\b[12]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2A|2B)\s?\d{3}\s?\d{3}\s?\d{2}\b", re.I)
# An id document's number after its name: German Personalausweis (9 characters, no check digit
# that libraries know), passports, driving licences.
ID_CUE = re.compile(
    r"\b(?:personalausweis(?:nummer)?|ausweis(?:nummer)?|ausweis-nr\.?|reisepass(?:nummer)?|"
    r"passport|passport number|id card|identity card|id number|id no\.?|national id|"
    r"driver'?s licen[cs]e|führerschein(?:nummer)?|carte d'identité|numéro de sécurité sociale|"
    r"sécu|dni|nie|nif|codice fiscale|carta d'identità|steuer-?id|steuernummer|"
    r"social security(?: number)?|ssn|national insurance(?: number)?|ni number)\b"
    r"(?:\s*(?:is|ist|est|es|è|number|nummer|no\.?|nr\.?|n[º°o]\.?|:|#|-))*\s*"
    r"([A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9]{2})){5,19})\b",
    re.IGNORECASE,
)


def _emails(text: str) -> Iterator[Found]:
    for pattern in (EMAIL, SPELT_EMAIL):
        for match in pattern.finditer(text):
            yield "email", match.start(), match.end()


def _phones(text: str) -> Iterator[Found]:
    for region in PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID, max_tries=200
        ):
            yield "phone", match.start, match.end
    for match in INTERNATIONAL.finditer(text):
        yield "phone", match.start(), match.end()
    # "reach me on 0176 1234567": after a phone word any run of 7+ digits is the number.
    for cue in PHONE_CUE.finditer(text):
        digits = CUED_DIGITS.search(text, cue.end(), cue.end() + 25)
        if digits and len(re.sub(r"\D", "", digits.group())) >= 7:
            yield "phone", digits.start(), digits.end()


def _cards(text: str) -> Iterator[Found]:
    for match in CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            yield "card", match.start(), match.end()
    for match in CVV.finditer(text):
        yield "cvv", match.start(1), match.end(1)


def _ibans(text: str) -> Iterator[Found]:
    for match in IBAN_CANDIDATE.finditer(text):
        candidate = match.group()
        # The pattern may run into the next word ("… 00 please"): take the longest valid prefix.
        for end in range(len(candidate), 14, -1):
            if candidate[end - 1] != " " and iban.is_valid(candidate[:end]):
                yield "iban", match.start(), match.start() + end
                break


def _orders(text: str) -> Iterator[Found]:
    for match in ORDER.finditer(text):
        number = match.group(1)
        cued = bool(re.search(r"(?i)#|\bn[ro°º.]|\bno\b|num|id\b|:", match.group()[: -len(number)]))
        digits = sum(ch.isdigit() for ch in number)
        # "order 2 mugs" is not an order number; "order 40213377" and "order #A12345" are.
        if digits and (cued or digits >= 5 or (digits >= 3 and not number.isdigit())):
            yield "order", match.start(1), match.end(1)
    for match in HASH_NUMBER.finditer(text):
        yield "order", match.start(), match.end()


def _compact(value: str) -> str:
    return re.sub(r"[\s-]", "", value).upper()


def _ids(text: str) -> Iterator[Found]:
    checked = (
        (SSN, ssn.is_valid),
        (UK_NINO, lambda value: True),
        (DE_TAX_ID, idnr.is_valid),
        (ES_DNI, dni.is_valid),
        (ES_NIE, nie.is_valid),
        (IT_CF, codicefiscale.is_valid),
        (FR_NIR, nir.is_valid),
    )
    for pattern, is_valid in checked:
        for match in pattern.finditer(text):
            if is_valid(_compact(match.group())):
                yield "id", match.start(), match.end()
    for match in ID_CUE.finditer(text):
        if any(ch.isdigit() for ch in match.group(1)):
            yield "id", match.start(1), match.end(1)


def find_numbers(text: str) -> Iterator[Found]:
    """(kind, start, end) of every e-mail, phone, card, CVV, IBAN, order number and id."""
    yield from _emails(text)
    yield from _ibans(text)
    yield from _cards(text)
    yield from _ids(text)
    yield from _orders(text)
    yield from _phones(text)
