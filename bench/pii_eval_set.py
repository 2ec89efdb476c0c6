"""Shopper questions with planted personal data, for bench/pii_recall.py.

Each case is (question, [(kind, value), ...]): the values are the personal data planted in the
question, written the ways shoppers write them, in English, German, French, Spanish and Italian.
Check digits of planted ids are computed with python-stdnum so every number is a real-looking,
valid one. PRODUCT_QUESTIONS hold no personal data but plenty that looks like it (sizes, models,
SKUs, prices, wattages, years, EANs).
"""

from __future__ import annotations

from stdnum import iban
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale


def _dni(number: str) -> str:
    return number + dni.calc_check_digit(number)


def _nie(number: str) -> str:
    return number + nie.calc_check_digit(number)


def _codice_fiscale(base: str) -> str:
    return base + codicefiscale.calc_check_digit(base)


def _nir(base: str) -> str:
    return f"{base} {nir.calc_check_digits(base.replace(' ', ''))}"


def _steuer_id(base: str) -> str:
    return next(base + str(digit) for digit in range(10) if idnr.is_valid(base + str(digit)))


def _spaced_iban(compact: str) -> str:
    assert iban.is_valid(compact), compact
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


N = "name"
E = "email"
P = "phone"
A = "address"
C = "card"
V = "cvv"
I = "iban"  # noqa: E741
O = "order"  # noqa: E741
D = "id"

CASES: list[tuple[str, list[tuple[str, str]]]] = [
    # --- names ---------------------------------------------------------------------------------
    ("Dr. Rajesh Kumar here, does the kettle switch off by itself?", [(N, "Rajesh Kumar")]),
    ("my wife sarah connor wants to know if the pan works on induction", [(N, "sarah connor")]),
    ("Hi, I'm Lukas Becker. Is the backpack waterproof?", [(N, "Lukas Becker")]),
    ("This is Priya Sharma — can the lamp be dimmed?", [(N, "Priya Sharma")]),
    ("Is the blender loud? Thanks, Maria Gonzalez", [(N, "Maria Gonzalez")]),
    ("Does the mattress come rolled? Regards, tom baker", [(N, "tom baker")]),
    ("My name is Olivia Brown and I'd like to know the fabric of the sofa", [(N, "Olivia Brown")]),
    ("my husband peter wants the black one, is it in stock?", [(N, "peter")]),
    ("Can Anna Kowalski pick it up in store?", [(N, "Anna Kowalski")]),
    ("Mrs. Helen Carter asking: is the teapot glass?", [(N, "Helen Carter")]),
    ("Hallo, ich heiße Jürgen Weber. Ist der Topf induktionsgeeignet?", [(N, "Jürgen Weber")]),
    ("Mein Name ist Katrin Vogel, passt der Bezug auf 140 cm?", [(N, "Katrin Vogel")]),
    ("Frau Schneider fragt, ob die Jacke wasserdicht ist", [(N, "Schneider")]),
    ("Je m'appelle Camille Martin, est-ce que la housse est lavable ?", [(N, "Camille Martin")]),
    ("Bonjour, c'est Julien Moreau, la lampe est-elle dimmable ?", [(N, "Julien Moreau")]),
    ("Hola, me llamo Javier Ortega. ¿La sartén vale para inducción?", [(N, "Javier Ortega")]),
    ("Soy Lucia Fernández, ¿tienen la talla M?", [(N, "Lucia Fernández")]),
    ("Ciao, mi chiamo Giulia Rossi: la borsa è in pelle?", [(N, "Giulia Rossi")]),
    ("Is it a good gift for my daughter emily?", [(N, "emily")]),
    ("Cheers, Mohammed Ali — can it be engraved?", [(N, "Mohammed Ali")]),
    ("Matteo Bianchi here: quanto pesa la bici?", [(N, "Matteo Bianchi")]),
    ("Sincerely, Wei Chen. Does the router support WPA3?", [(N, "Wei Chen")]),
    # --- e-mails -------------------------------------------------------------------------------
    ("Please send the manual to peter.miller@gmail.com", [(E, "peter.miller@gmail.com")]),
    (
        "write me at peter dot miller at gmail dot com about the size",
        [(E, "peter dot miller at gmail dot com")],
    ),  # noqa: E501
    ("my mail is peter(at)gmail(dot)com, is it in stock?", [(E, "peter(at)gmail(dot)com")]),
    ("contact anna.k [at] web [dot] de when it is back", [(E, "anna.k [at] web [dot] de")]),
    (
        "Schreiben Sie an j.weber@t-online.de, wann kommt die Lieferung?",
        [(E, "j.weber@t-online.de")],
    ),  # noqa: E501
    (
        "Mon e-mail: camille_martin@orange.fr — la taille 38 existe ?",
        [(E, "camille_martin@orange.fr")],
    ),  # noqa: E501
    ("Mi correo es javier.ortega@yahoo.es, ¿hay descuento?", [(E, "javier.ortega@yahoo.es")]),
    ("La mia email è giulia.rossi@libero.it", [(E, "giulia.rossi@libero.it")]),
    ("reply to LUKAS.BECKER@GMX.NET please", [(E, "LUKAS.BECKER@GMX.NET")]),
    ("send it to tom+shop@example.co.uk", [(E, "tom+shop@example.co.uk")]),
    ("email: priya sharma at outlook dot com", [(E, "sharma at outlook dot com")]),
    ("Is the lid BPA free? (olivia.brown@icloud.com)", [(E, "olivia.brown@icloud.com")]),
    ("mail an katrin punkt vogel at gmx punkt de", [(E, "katrin punkt vogel at gmx punkt de")]),
    ("wei.chen@company.io asks: is there a 2-year warranty?", [(E, "wei.chen@company.io")]),
    ("My address for the invoice is m.ali@hotmail.com", [(E, "m.ali@hotmail.com")]),
    ("reach me at helen_carter99@aol.com", [(E, "helen_carter99@aol.com")]),
    # --- phones --------------------------------------------------------------------------------
    ("reach me on 0176 1234567.", [(P, "0176 1234567")]),
    ("Call me at +44 20 7946 0958 about delivery", [(P, "+44 20 7946 0958")]),
    ("Meine Nummer: +49 30 12345678, wann wird geliefert?", [(P, "+49 30 12345678")]),
    ("Rufen Sie mich an: 030 / 1234 5678", [(P, "030 / 1234 5678")]),
    ("Mon numéro : 06 12 34 56 78, merci", [(P, "06 12 34 56 78")]),
    ("Appelez-moi au +33 6 12 34 56 78", [(P, "+33 6 12 34 56 78")]),
    ("Mi móvil es 612 345 678, ¿llega mañana?", [(P, "612 345 678")]),
    ("Llámame al +34 912 345 678", [(P, "+34 912 345 678")]),
    ("Il mio cellulare è 347 123 4567", [(P, "347 123 4567")]),
    ("chiamami al +39 06 1234 5678", [(P, "+39 06 1234 5678")]),
    ("my cell is (415) 555-0132, text me when it ships", [(P, "(415) 555-0132")]),
    ("US number 212-555-0187 — does it ship to NY?", [(P, "212-555-0187")]),
    ("whatsapp 07700 900123 please", [(P, "07700 900123")]),
    ("Tel. 0043 1 234 5678, ist das Gerät leise?", [(P, "0043 1 234 5678")]),
    ("phone: +31 20 123 4567.", [(P, "+31 20 123 4567")]),
    ("Handy 0151-23456789, bitte zurückrufen", [(P, "0151-23456789")]),
    ("call +91 98765 43210 for the bulk order", [(P, "+91 98765 43210")]),
    ("telefono 02 1234 5678", [(P, "02 1234 5678")]),
    # --- addresses -----------------------------------------------------------------------------
    ("Ship it to Hauptstraße 5, 10115 Berlin please", [(A, "Hauptstraße 5, 10115 Berlin")]),
    ("Lieferung an Berliner Str. 12a, 80331 München?", [(A, "Berliner Str. 12a, 80331 München")]),
    ("Kann das nach Am Lindenweg 3 geliefert werden?", [(A, "Am Lindenweg 3")]),
    ("deliver to 12 rue de la Paix, 75002 Paris", [(A, "12 rue de la Paix, 75002 Paris")]),
    (
        "Livraison au 5 bis, avenue Victor Hugo, 69003 Lyon ?",
        [(A, "5 bis, avenue Victor Hugo, 69003 Lyon")],
    ),  # noqa: E501
    ("I live at 221B Baker Street, London NW1 6XE", [(A, "221B Baker Street, London NW1 6XE")]),
    ("Can you ship to 4 Elm Tree Lane, Apt 3?", [(A, "4 Elm Tree Lane, Apt 3")]),
    (
        "my address is 1600 Pennsylvania Avenue, Washington, DC 20500",
        [(A, "1600 Pennsylvania Avenue, Washington, DC 20500")],
    ),  # noqa: E501
    ("send to 742 Evergreen Terrace", [(A, "742 Evergreen Terrace")]),
    ("Envíalo a Calle Mayor 7, 28013 Madrid", [(A, "Calle Mayor 7, 28013 Madrid")]),
    ("¿Llega a C/ de Alcalá, 45 antes del viernes?", [(A, "de Alcalá, 45")]),
    ("Spedite a Via Roma 10, 00184 Roma", [(A, "Via Roma 10, 00184 Roma")]),
    ("indirizzo: Piazza Garibaldi, 3, 80142 Napoli", [(A, "Piazza Garibaldi, 3, 80142 Napoli")]),
    ("Corso Italia n. 5, is delivery free there?", [(A, "Corso Italia n. 5")]),
    ("please use PO Box 1234 for the parcel", [(A, "PO Box 1234")]),
    ("Postfach 10 20 30? nein: Postfach 102030, 50667 Köln", [(A, "Postfach 102030, 50667 Köln")]),  # noqa: E501
    (
        "10 Downing Street, London SW1A 2AA — deliver by Friday?",
        [(A, "10 Downing Street, London SW1A 2AA")],
    ),  # noqa: E501
    ("ship to 3 place d'Italie, 75013 Paris", [(A, "3 place d'Italie, 75013 Paris")]),
    ("Adresse: Kaiserallee 40, 76133 Karlsruhe", [(A, "Kaiserallee 40, 76133 Karlsruhe")]),
    ("to 55 high st. Oxford OX1 4AW", [(A, "55 high st. Oxford OX1 4AW")]),
    # --- cards ---------------------------------------------------------------------------------
    ("Card 4111 1111 1111 1111.", [(C, "4111 1111 1111 1111")]),
    ("I paid with 5500-0000-0000-0004, was it charged twice?", [(C, "5500-0000-0000-0004")]),
    ("Meine Karte 4012888888881881 wurde abgelehnt", [(C, "4012888888881881")]),
    ("Ma carte 4242 4242 4242 4242 ne passe pas", [(C, "4242 4242 4242 4242")]),
    ("Mi tarjeta 5555 5555 5555 4444, ¿es seguro?", [(C, "5555 5555 5555 4444")]),
    ("la carta 3782 822463 10005 è stata rifiutata", [(C, "3782 822463 10005")]),
    ("amex 378282246310005 ok?", [(C, "378282246310005")]),
    ("visa 4000 0566 5566 5556, why declined?", [(C, "4000 0566 5566 5556")]),
    ("card number 6011 0009 9013 9424.", [(C, "6011 0009 9013 9424")]),
    ("charged on 5105-1051-0510-5100 twice", [(C, "5105-1051-0510-5100")]),
    ("use card 3530 1113 3330 0000 instead", [(C, "3530 1113 3330 0000")]),
    ("Kreditkarte: 4000 0025 0000 3155", [(C, "4000 0025 0000 3155")]),
    # --- CVV -----------------------------------------------------------------------------------
    ("card 4111 1111 1111 1111 CVV 123", [(C, "4111 1111 1111 1111"), (V, "123")]),
    ("the security code is 4321, please retry", [(V, "4321")]),
    ("CVC: 987 — can you charge it now?", [(V, "987")]),
    ("Prüfnummer 456, bitte abbuchen", [(V, "456")]),
    ("code de sécurité 732", [(V, "732")]),
    ("código de seguridad 219", [(V, "219")]),
    ("codice di sicurezza 845", [(V, "845")]),
    ("cvv2 = 318", [(V, "318")]),
    ("Kartenprüfnummer ist 602", [(V, "602")]),
    ("cryptogramme 551 au dos", [(V, "551")]),
    ("exp 12/27 cvv 774", [(V, "774")]),
    ("Security code: 0912", [(V, "0912")]),
    # --- IBAN ----------------------------------------------------------------------------------
    (
        f"IBAN {_spaced_iban('DE89370400440532013000')} please refund",
        [(I, _spaced_iban("DE89370400440532013000"))],
    ),  # noqa: E501
    ("refund to GB29NWBK60161331926819", [(I, "GB29NWBK60161331926819")]),
    (
        f"Remboursement sur {_spaced_iban('FR1420041010050500013M02606')}",
        [(I, _spaced_iban("FR1420041010050500013M02606"))],
    ),  # noqa: E501
    ("Reembolso a ES9121000418450200051332, gracias", [(I, "ES9121000418450200051332")]),
    (
        f"rimborso su {_spaced_iban('IT60X0542811101000000123456')}",
        [(I, _spaced_iban("IT60X0542811101000000123456"))],
    ),  # noqa: E501
    ("NL91ABNA0417164300 is my account", [(I, "NL91ABNA0417164300")]),
    ("Konto AT611904300234573201, bitte erstatten", [(I, "AT611904300234573201")]),
    (
        f"IBAN: {_spaced_iban('CH9300762011623852957')}.",
        [(I, _spaced_iban("CH9300762011623852957"))],
    ),  # noqa: E501
    ("pay back to PL61109010140000071219812874", [(I, "PL61109010140000071219812874")]),
    ("iban de89 3704 0044 0532 0130 00", [(I, "de89 3704 0044 0532 0130 00")]),
    (
        f"Bankverbindung {_spaced_iban('DE02120300000000202051')}",
        [(I, _spaced_iban("DE02120300000000202051"))],
    ),  # noqa: E501
    # --- order numbers -------------------------------------------------------------------------
    ("my order #A12345 never arrived", [(O, "#A12345")]),
    ("Bestellnummer 40213377 fehlt noch", [(O, "40213377")]),
    ("commande n° FR-99812 reçue abîmée", [(O, "FR-99812")]),
    ("Pedido 7781-2290, ¿cuándo llega?", [(O, "7781-2290")]),
    ("ordine n. 55120934 non ricevuto", [(O, "55120934")]),
    ("order number: ORD-2024-88812", [(O, "ORD-2024-88812")]),
    ("Where is order 112-3344556-7788990?", [(O, "112-3344556-7788990")]),
    ("Rechnungsnummer RE-20931 bitte neu senden", [(O, "RE-20931")]),
    ("tracking 1Z999AA10123456784, stuck since Monday", [(O, "1Z999AA10123456784")]),
    ("Auftrag Nr. 665432 storniert?", [(O, "665432")]),
    ("invoice INV-00981 is wrong", [(O, "INV-00981")]),
    ("re: #100234 – wrong colour delivered", [(O, "#100234")]),
    # --- national ids --------------------------------------------------------------------------
    ("My SSN is 123-45-6789, do you need it?", [(D, "123-45-6789")]),
    ("NI number AB123456C for the invoice", [(D, "AB123456C")]),
    ("national insurance QQ 12 34 56 C", [(D, "QQ 12 34 56 C")]),
    (f"mi DNI es {_dni('12345678')}", [(D, _dni("12345678"))]),
    (f"DNI {_dni('87654321')} para la factura", [(D, _dni("87654321"))]),
    (f"NIE {_nie('X1234567')}", [(D, _nie("X1234567"))]),
    (f"NIE: {_nie('Y7654321')}, ¿vale?", [(D, _nie("Y7654321"))]),
    (
        f"codice fiscale {_codice_fiscale('RSSMRA85T10A562')}",
        [(D, _codice_fiscale("RSSMRA85T10A562"))],
    ),  # noqa: E501
    (
        f"CF {_codice_fiscale('BNCGLI90A41F205')} per la fattura",
        [(D, _codice_fiscale("BNCGLI90A41F205"))],
    ),  # noqa: E501
    (f"Steuer-ID {_steuer_id('3657426180')}", [(D, _steuer_id("3657426180"))]),
    (f"meine Steuer-ID ist {_steuer_id('4715826391')}", [(D, _steuer_id("4715826391"))]),
    ("Personalausweis L01X00T47 liegt vor", [(D, "L01X00T47")]),
    ("Ausweisnummer T220001293", [(D, "T220001293")]),
    (f"numéro de sécurité sociale {_nir('2 84 12 76 451 089')}", [(D, _nir("2 84 12 76 451 089"))]),  # noqa: E501
    (f"sécu {_nir('1 90 05 75 112 345')}", [(D, _nir("1 90 05 75 112 345"))]),
    ("passport number 533380006, is ID needed?", [(D, "533380006")]),
    ("social security 078-05-1120", [(D, "078-05-1120")]),
    # --- several kinds in one question ---------------------------------------------------------
    (
        "Hi, I'm Anna Schmidt (anna.schmidt@web.de, 0171 9876543), Gartenweg 7, 20095 Hamburg. "
        "Order #B77812: is the kettle 1.7 l?",
        [
            (N, "Anna Schmidt"),
            (E, "anna.schmidt@web.de"),
            (P, "0171 9876543"),
            (A, "Gartenweg 7, 20095 Hamburg"),
            (O, "#B77812"),
        ],
    ),  # fmt: skip
    (
        "Bonjour, Pierre Lefèvre, 8 rue Lepic, 75018 Paris, tél 07 98 76 54 32. "
        "Carte 4111 1111 1111 1111, CVV 321.",
        [
            (N, "Pierre Lefèvre"),
            (A, "8 rue Lepic, 75018 Paris"),
            (P, "07 98 76 54 32"),
            (C, "4111 1111 1111 1111"),
            (V, "321"),
        ],
    ),  # fmt: skip
    (
        "Me llamo Carmen Ruiz, DNI " + _dni("11223344") + ", Calle Luna 3, 28004 Madrid, "
        "pedido 99120043.",
        [
            (N, "Carmen Ruiz"),
            (D, _dni("11223344")),
            (A, "Calle Luna 3, 28004 Madrid"),
            (O, "99120043"),
        ],
    ),  # fmt: skip
    (
        "Sono Francesca Conti, telefono +39 333 123 4567, email francesca.conti@gmail.com, "
        "IBAN " + _spaced_iban("IT60X0542811101000000123456") + ".",
        [
            (N, "Francesca Conti"),
            (P, "+39 333 123 4567"),
            (E, "francesca.conti@gmail.com"),
            (I, _spaced_iban("IT60X0542811101000000123456")),
        ],
    ),  # fmt: skip
    (
        "David Miller here, 14 Oak Road, Leeds LS6 2AB, card 5555 5555 5555 4444, "
        "security code 908, order #UK40021",
        [
            (N, "David Miller"),
            (A, "14 Oak Road, Leeds LS6 2AB"),
            (C, "5555 5555 5555 4444"),
            (V, "908"),
            (O, "#UK40021"),
        ],
    ),  # fmt: skip
    (
        "Mit freundlichen Grüßen, Sabine Krüger, Tel. 089 12345678, Lindenstraße 22, 80469 München",
        [(N, "Sabine Krüger"), (P, "089 12345678"), (A, "Lindenstraße 22, 80469 München")],
    ),  # fmt: skip
]

# No personal data, but plenty that looks like it.
PRODUCT_QUESTIONS = [
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
    "EAN 4006381333931: is this the 750 ml bottle?",
    "Can I order 2 more mugs?",
    "I'm looking for a waterproof jacket for my husband",
    "This is a gift from Amazon for Philips Hue fans",
    "Is it dishwasher safe up to 65 °C and 2.5 bar?",
    "Weight 3.2 kg, dimensions 30 x 40 x 55 cm: will it fit?",
    "Passt die Hülle auf das iPhone 15 Pro Max?",
    "Ist der Akku mit 5000 mAh austauschbar?",
    "Gibt es die Jacke in Größe 52 und in Dunkelblau?",
    "Wie viel Watt hat der Mixer, 1000 oder 1200?",
    "La taille 38 correspond à quel tour de taille ?",
    "Est-ce que la poêle de 28 cm va au four à 250 °C ?",
    "¿La batería dura 10 horas con el brillo al 50 %?",
    "¿Es compatible con la cafetera modelo EC-685?",
    "La lavatrice da 9 kg consuma più di 1400 giri?",
    "Il divano a 3 posti è sfoderabile?",
    "Does the Bosch Serie 4 dishwasher have 13 place settings?",
    "Is the Samsung Galaxy S24 case shockproof from 2 m?",
    "Is the Emma mattress 25 cm high?",
    "Does the Paul Hewitt watch come with a 5 year warranty?",
    "Will the 65 inch TV fit a 1.5 m wide cabinet?",
    "Is the router Wi-Fi 6E with 4 x 4 MU-MIMO?",
    "Does part no. 1234-567 fit the 2018 model?",
    "Is the 3-way switch rated 16 A at 230 V?",
    "Does the rug come in 160 x 230 cm?",
    "Can the Dyson V15 run 60 minutes on eco?",
    "Is the 24-piece cutlery set 18/10 steel?",
    "Is the version 2.1.3 firmware already installed?",
    "Is the item shipped by DHL within 2 days to Berlin?",
    "Does the 1 TB SSD read at 7000 MB/s?",
    "How many pages does the 3000-page toner print?",
    "Can I get the Victoria sofa in velvet?",
    "Is the Jack Wolfskin jacket warmer than the North Face one?",
]

# Written after the rules were final and run once, untuned: a check that the figures above are
# not just the rules fitted to CASES.
HELD_OUT: list[tuple[str, list[tuple[str, str]]]] = [
    ("hey its Marco Ferrari, does the grinder do espresso?", [(N, "Marco Ferrari")]),
    ("my son oliver needs size 30 — do you have it?", [(N, "oliver")]),
    ("Greetings from Ingrid Larsen: is the throw pure wool?", [(N, "Ingrid Larsen")]),
    ("Signora Bianca Esposito chiede se il vaso è in vetro", [(N, "Bianca Esposito")]),
    ("Mvh, Henrik Olsen", [(N, "Henrik Olsen")]),
    ("send the invoice to bruno.keller(at)bluewin(dot)ch", [(E, "bruno.keller(at)bluewin(dot)ch")]),  # noqa: E501
    ("my email: sophie-laurent@free.fr", [(E, "sophie-laurent@free.fr")]),
    ("text 0044 7911 123456 when it ships", [(P, "0044 7911 123456")]),
    ("ring me: 0221 9876543", [(P, "0221 9876543")]),
    ("mi numero è 320 987 6543, grazie", [(P, "320 987 6543")]),
    ("deliver to 88 Queen's Road, Bristol BS8 1QU", [(A, "88 Queen's Road, Bristol BS8 1QU")]),
    (
        "Lieferadresse: Goethestraße 17, 60313 Frankfurt am Main",
        [(A, "Goethestraße 17, 60313 Frankfurt am Main")],
    ),  # noqa: E501
    ("au 27 boulevard Haussmann, 75009 Paris", [(A, "27 boulevard Haussmann, 75009 Paris")]),
    (
        "Avenida de la Constitución 12, 41004 Sevilla",
        [(A, "Avenida de la Constitución 12, 41004 Sevilla")],
    ),  # noqa: E501
    ("pay with 4111-1111-1111-1111 exp 09/28 cvc 552", [(C, "4111-1111-1111-1111"), (V, "552")]),
    ("Karte 5425 2334 3010 9903 ging nicht", [(C, "5425 2334 3010 9903")]),
    ("IBAN ES79 2100 0813 6101 2345 6789 para devolución", [(I, "ES79 2100 0813 6101 2345 6789")]),  # noqa: E501
    ("order no. 4410-778 arrived broken", [(O, "4410-778")]),
    ("Bestellung Nr. 2023-55871 wurde doppelt berechnet", [(O, "2023-55871")]),
    ("commande 7766123, colis abîmé", [(O, "7766123")]),
    ("my SSN 219-09-9999 was on the form by mistake", [(D, "219-09-9999")]),
    (
        f"il mio codice fiscale è {_codice_fiscale('VRDLGU80A01H501')}",
        [(D, _codice_fiscale("VRDLGU80A01H501"))],
    ),  # noqa: E501
    (
        f"DNI: {_dni('55667788')} y teléfono 655 443 322",
        [(D, _dni("55667788")), (P, "655 443 322")],
    ),  # noqa: E501
]
