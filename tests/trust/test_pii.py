"""Personal data removal (shopllm_site.trust.pii): each kind is found in the forms shoppers write
it, and product text that only looks like it ("size 42", "SKU AB-1234", prices) stays."""

from __future__ import annotations

import logging

import pytest

from shopllm_site.trust.pii import RedactingFilter, contains_pii, find_pii, redact

FOUND = [
    # names in free text, not only after "my name is"
    ("Dr. Rajesh Kumar here, is the kettle cordless?", "name", "Rajesh Kumar"),
    ("my wife sarah connor asks if it is dishwasher safe", "name", "sarah connor"),
    ("Hi, I'm Lukas Becker and I need a bigger size", "name", "Lukas Becker"),
    ("this is Priya Sharma, does it ship to Canada?", "name", "Priya Sharma"),
    ("Does it fit? Regards, jean dupont", "name", "jean dupont"),
    ("Mein Name ist Jürgen Weber, passt der Deckel?", "name", "Jürgen Weber"),
    ("Je m'appelle Camille Martin, est-ce lavable ?", "name", "Camille Martin"),
    ("Hola, me llamo Javier Ortega", "name", "Javier Ortega"),
    ("Is it good for Emma Thompson's kitchen?", "name", "Emma Thompson"),
    # e-mails, also spelt out
    ("write to peter.miller@gmail.com", "email", "peter.miller@gmail.com"),
    ("peter dot miller at gmail dot com please", "email", "peter dot miller at gmail dot com"),
    ("mail me: peter(at)gmail(dot)com", "email", "peter(at)gmail(dot)com"),
    # phones: international, local, followed by a full stop
    ("call +44 20 7946 0958 after 6", "phone", "+44 20 7946 0958"),
    ("reach me on 0176 1234567.", "phone", "0176 1234567"),
    ("Mon numéro : 06 12 34 56 78", "phone", "06 12 34 56 78"),
    ("my cell is (415) 555-0132", "phone", "(415) 555-0132"),
    # addresses
    ("ship to Hauptstraße 5, 10115 Berlin", "address", "Hauptstraße 5, 10115 Berlin"),
    ("deliver to 12 rue de la Paix, 75002 Paris", "address", "12 rue de la Paix, 75002 Paris"),
    ("I live at 221B Baker Street, London NW1 6XE", "address", "221B Baker Street, London NW1 6XE"),
    ("envíalo a Calle Mayor 7, 28013 Madrid", "address", "Calle Mayor 7, 28013 Madrid"),
    ("spedire a Via Roma 10, 00184 Roma", "address", "Via Roma 10, 00184 Roma"),
    ("send it to PO Box 1234", "address", "PO Box 1234"),
    # payment
    ("Card 4111 1111 1111 1111.", "card", "4111 1111 1111 1111"),
    ("card 5500-0000-0000-0004 CVV 123", "cvv", "123"),
    ("the security code is 4321", "cvv", "4321"),
    ("IBAN DE89 3704 0044 0532 0130 00 please", "iban", "DE89 3704 0044 0532 0130 00"),
    # order numbers
    ("my order #A12345 never arrived", "order", "#A12345"),
    ("Bestellnummer 40213377 fehlt noch", "order", "40213377"),
    ("commande n° FR-99812 reçue abîmée", "order", "FR-99812"),
    # national ids
    ("SSN 123-45-6789", "id", "123-45-6789"),
    ("NI number AB123456C", "id", "AB123456C"),
    ("mi DNI es 12345678Z", "id", "12345678Z"),
    ("NIE X1234567L", "id", "X1234567L"),
    ("codice fiscale RSSMRA85T10A562S", "id", "RSSMRA85T10A562S"),
    ("Steuer-ID 36574261809", "id", "36574261809"),
    ("Personalausweis L01X00T47", "id", "L01X00T47"),
]

PRODUCT_TEXT = [
    "Do you have this in size 42?",
    "Is the model 2019 compatible with the new lid?",
    "What is SKU AB-1234 made of?",
    "Is it 1200 W or 1500 W?",
    "Does it cost €49.99 or 59,90 €?",
    "Is the 500 GB hard drive included?",
    "Does the set have 6 place settings?",
    "Can I connect via Bluetooth 5.0 or via USB 3?",
    "Is the Spring 2024 collection in stock?",
    "How loud is 12000 Pa suction at 2400 rpm?",
    "Is the earring 5 mm wide?",
    "Does the 2019 Edition fit the 15.6 inch laptop?",
    "EAN 4006381333931 — is this the 750 ml bottle?",
    "Can I order 2 more mugs?",
    "I'm looking for a waterproof jacket for my husband",
    "This is a gift from Amazon for Philips Hue fans",
    "Is it dishwasher safe up to 65 °C and 2.5 bar?",
    "Weight 3.2 kg, dimensions 30 x 40 x 55 cm: will it fit?",
]


@pytest.mark.parametrize(("text", "kind", "value"), FOUND)
def test_each_kind_is_found_and_replaced(text, kind, value):
    cleaned = redact(text)
    assert (kind, value) in cleaned.found
    assert value not in cleaned.text
    assert f"[{kind}]" in cleaned.text
    assert contains_pii(text)


@pytest.mark.parametrize("text", PRODUCT_TEXT)
def test_product_text_is_left_alone(text):
    assert redact(text).text == text
    assert find_pii(text) == []
    assert not contains_pii(text)


@pytest.mark.parametrize(
    "text",
    [
        "Part 4111 1111 1111 1112 fits?",  # fails Luhn
        "Batch DE89 3704 0044 0532 0130 AB",  # fails mod 97
        "Part 12345678A in stock?",  # wrong DNI check letter
        "Code RSSMRA85T10A562X on the box",  # wrong codice fiscale check character
    ],
)
def test_numbers_with_a_wrong_check_digit_and_no_cue_are_not_personal_data(text):
    assert not contains_pii(text)


def test_after_its_cue_a_mistyped_id_is_still_removed():
    assert redact("DNI 12345678A").text == "DNI [id]"


def test_a_number_before_a_full_stop_loses_its_last_group_too():
    assert redact("Card 4111 1111 1111 1111. Thanks").text == "Card [card]. Thanks"
    assert redact("reach me on 0176 1234567.").text == "reach me on [phone]."


def test_known_customer_name_and_email_are_removed_in_any_case():
    cleaned = redact(
        "JANE here, reply to JANE.DOE@EXAMPLE.COM",
        names=["Jane Doe"],
        emails=["jane.doe@example.com"],
    )
    assert cleaned.text == "[name] here, reply to [email]"
    assert cleaned.kinds == ["name", "email"]


def test_address_parts_next_to_each_other_become_one_placeholder():
    cleaned = redact("Hauptstraße 5, 10115 Berlin, bitte")
    assert cleaned.text == "[address], bitte"


def test_log_filter_redacts_the_formatted_message_and_drops_the_arguments():
    record = logging.LogRecord(
        "answers", logging.INFO, __file__, 1, "Question from %s: %s", ("a@b.de", "ok?"), None
    )
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "Question from [email]: ok?"
    assert record.args is None
