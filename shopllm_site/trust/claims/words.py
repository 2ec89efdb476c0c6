"""Product types, countable features and the common words that are not names.

PRODUCT_TYPES groups synonyms under one key: a draft that calls a "sofa" a "couch" is faithful;
one that calls a bed frame a "bag" is not. COUNT_NOUNS are the features copy counts ("two
drawers", "4 burners", "2-pack"). COMMON_WORDS are ordinary words that start sentences or
headings ("Crafted", "Perfect"), so a capital letter alone does not make them a brand.
"""

from __future__ import annotations

import re


def _words(text: str) -> set[str]:
    return set(text.split())


def _groups(spec: str) -> dict[str, str]:
    """'sofa couch settee; bed frame bedframe' -> {synonym: key}: ';' ends a group, ',' splits
    multi-word synonyms inside one."""
    table: dict[str, str] = {}
    for group in spec.split(";"):
        names = [name.strip() for name in group.split(",") if name.strip()]
        if names:
            for name in names:
                table[name] = names[0]
    return table


PRODUCT_TYPES: dict[str, str] = _groups(
    """
    bag, handbag, purse; backpack, rucksack, daypack; tote, tote bag; duffel, duffel bag,
    holdall; suitcase, luggage, carry-on; wallet, cardholder, card holder; sleeping bag;
    travel bag, weekender; messenger bag; crossbody bag; laptop bag; bottle, water bottle, flask;
    mug, coffee mug, travel mug; cup; tumbler; glass, glasses, wine glass, drinking glass;
    kettle, electric kettle; teapot; coffee maker, coffee machine, espresso machine;
    blender; mixer, stand mixer, hand mixer; food processor; toaster; air fryer; microwave;
    slow cooker, pressure cooker, multicooker, rice cooker; pan, frying pan, skillet, saute pan,
    wok; pot, saucepan, stockpot, dutch oven, casserole; knife, chef knife, chef's knife;
    cleaver; paring knife; bread knife; knife set; cutting board, chopping board; bowl,
    mixing bowl; plate, dinner plate; dinnerware set; cutlery, flatware; spatula; whisk;
    grater; peeler; baking sheet, baking tray, sheet pan;
    cake tin, cake pan; lunch box, bento box; food container, storage container; jar;
    jacket, coat, parka, anorak, raincoat, windbreaker; vest, gilet; shirt, blouse; t-shirt,
    tee, t shirt; polo, polo shirt; sweater, jumper, pullover, knit; cardigan; hoodie, sweatshirt;
    dress; skirt; jeans; trousers, pants, chinos; leggings, tights; shorts; suit; blazer;
    pyjamas, pajamas; underwear, briefs, boxers; bra; sock, socks; hat, beanie; cap, baseball
    cap; scarf; gloves, glove, mittens; belt; tie; swimsuit, bikini; shoe, shoes; sneaker,
    sneakers, trainer, trainers, running shoe, running shoes; boot, boots, hiking boot;
    sandal, sandals, flip-flops; slipper, slippers; loafer, loafers; heel, heels, pumps;
    watch, smartwatch; headphones, headphone, headset; earbuds, earphones, earbud; speaker,
    bluetooth speaker, soundbar; charger, power bank, charging cable; cable; phone case, case;
    phone, smartphone; laptop, notebook computer; tablet; monitor; keyboard; mouse; webcam;
    camera; router; television, tv; projector; printer; hard drive, ssd, flash drive; memory
    card; drone; console; controller; remote; lamp, desk lamp, floor lamp, table lamp; light
    bulb, bulb; ceiling light, pendant light, pendant; string lights, fairy lights;
    chair, armchair, office chair, dining chair; stool, bar stool; bench; sofa, couch, settee;
    table, dining table, coffee table, side table, end table; desk, standing desk; bed frame,
    bedframe, bed; mattress; headboard; pillow, cushion; duvet, comforter, quilt; blanket,
    throw; sheets, sheet set, bed sheets; towel, bath towel; rug, carpet, mat; curtains,
    curtain, drapes; mirror; shelf, shelves, shelving unit; bookcase, bookshelf; cabinet,
    cupboard; dresser, chest of drawers; nightstand, bedside table; wardrobe, closet; sideboard;
    tv stand; vase; candle; clock; picture frame; planter, plant pot;
    tent; hammock; camping stove, stove; lantern; flashlight, torch; headlamp, head torch;
    cooler, cool box; camping chair; trekking poles, trekking pole, hiking poles; sleeping pad,
    sleeping mat; bike, bicycle; helmet; kayak; paddle; fishing rod; grill, bbq, barbecue;
    drill, cordless drill, drill driver, impact driver; saw, circular saw, jigsaw; hammer;
    screwdriver, screwdriver set; wrench, spanner; pliers; tape measure; level; toolbox, tool
    box; ladder, step ladder; safety glasses, safety goggles, goggles; respirator, mask, dust
    mask; ear defenders, ear muffs, earmuffs, ear protection; work gloves; hard hat; sander;
    toy, plaything; puzzle, jigsaw puzzle; doll; action figure; building blocks, blocks,
    building set, brick set; board game, game; plush, plush toy, stuffed animal, teddy bear;
    toy car; train set; kite; ball; crayons; play kitchen;
    serum, face serum; cream, face cream, moisturiser, moisturizer; lotion, body lotion;
    cleanser, face wash; shampoo; conditioner; soap, bar soap, body wash, shower gel;
    toothpaste; toothbrush, electric toothbrush; razor, shaver; lipstick, lip balm; mascara;
    foundation; perfume, eau de parfum, fragrance, cologne; sunscreen, sunblock; deodorant;
    hair dryer, hairdryer; straightener, hair straightener; face mask; nail polish;
    coffee, coffee beans, ground coffee; tea, tea bags; chocolate, chocolate bar; honey; olive
    oil, oil; sauce, hot sauce; pasta; rice; granola, cereal; snack, snack bar, protein bar;
    cookies, biscuits; crackers; jam, preserve; spice, seasoning; nuts; dried fruit; wine; beer;
    vinegar, balsamic vinegar; syrup, maple syrup; flour; sugar; salt; juice; soda; milk;
    yogurt, yoghurt; cheese; butter; peanut butter; bread; soup; candy, sweets; gum; vitamins,
    supplement, supplements; protein powder;
    dog bed; dog collar, collar; leash, dog lead; pet bowl; cat tree; litter box; aquarium;
    vacuum, vacuum cleaner; mop; iron, steam iron; fan; heater; air purifier; humidifier;
    dehumidifier; washing machine; dishwasher; fridge, refrigerator; freezer;
    yoga mat, exercise mat; foam roller; dumbbell, dumbbells; kettlebell; resistance band,
    resistance bands; jump rope, skipping rope; yoga block; water bottle holder; treadmill;
    exercise bike; racket, tennis racket; golf club; football, soccer ball; basketball
    """
)
# Words that name "the product" without a type: always faithful.
GENERIC_TYPES = {
    "product",
    "item",
    "piece",
    "set",
    "kit",
    "accessory",
    "essential",
    "companion",
    "design",
    "gift",
    "tool",
    "must-have",
    "pick",
    "choice",
    "solution",
    "addition",
    "option",
    "model",
    "edition",
    "collection",
    "range",
    "pair",
    "bundle",
    "pack",
    "staple",
    "classic",
    "upgrade",
    "find",
    "favourite",
    "favorite",
    "treat",
    "one",
}
IRREGULAR_PLURALS = {
    "knives": "knife",
    "shelves": "shelf",
    "leaves": "leaf",
    "halves": "half",
    "people": "person",
    "teeth": "tooth",
    "dice": "die",
    "batteries": "battery",
    "accessories": "accessory",
    "boxes": "box",
    "benches": "bench",
    "watches": "watch",
    "dresses": "dress",
    "glasses": "glass",
    "brushes": "brush",
    "dishes": "dish",
    "torches": "torch",
    "couches": "couch",
    "pouches": "pouch",
    "wolves": "wolf",
    "mice": "mouse",
    "series": "series",
    "settees": "settee",
    "lenses": "lens",
    "zippers": "zipper",
    "compartments": "compartment",
    "burners": "burner",
}


def singular(word: str) -> str:
    """A rough singular: 'drawers' -> 'drawer', 'shelves' -> 'shelf', 'glass' stays."""
    word = word.lower()
    if word in IRREGULAR_PLURALS:
        return IRREGULAR_PLURALS[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def type_key(phrase: str) -> str | None:
    """The product-type group of a phrase ('Couches' -> 'sofa'), or None."""
    words = phrase.lower().replace("-", " ").split()
    for candidate in (" ".join(words), " ".join(words[:-1] + [singular(words[-1])])):
        for form in (candidate, candidate.replace(" ", "-")):
            if form in PRODUCT_TYPES:
                return PRODUCT_TYPES[form]
    return None


def _type_pattern() -> str:
    forms = set()
    for name in PRODUCT_TYPES:
        forms.add(re.escape(name).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?"))
    for plural, single in IRREGULAR_PLURALS.items():
        if single in PRODUCT_TYPES:
            forms.add(re.escape(plural))
    ordered = sorted(forms, key=len, reverse=True)
    return rf"\b(?:{'|'.join(ordered)})(?:e?s)?\b"


PRODUCT_TYPE_RE = re.compile(_type_pattern(), re.IGNORECASE)

COUNT_NOUNS = set(
    _words(
        """
        drawer shelf pocket compartment pack piece pcs pc burner speed setting mode port outlet
        battery blade layer door wheel handle strap zipper zip leg seat seater person people player
        cup slot hook bulb lens tier rack bin basket tray panel cushion pillow bowl plate mug glass
        knife brush head attachment accessory bit tip nozzle filter function ply stage step button
        channel zone ring serving capsule tablet sheet bag pod count ct page crayon block card die
        figure ball lock loop fan motor sensor microphone mic speaker driver hole shelf spoon fork
        jar container lid disc pad roll bottle can box sock pair egg bar candle wick cell core
        socket charger cable adapter key piece cartridge refill stick tube pen pencil marker
        """
    )
)
# These count packs: "2-pack", "set of 2", "12 pcs" all state how many come in the box.
PACK_NOUNS = {"pack", "piece", "pcs", "pc", "count", "ct", "set", "box", "bundle", "case"}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "single": 1,
    "double": 2,
    "dual": 2,
    "twin": 2,
    "triple": 3,
    "pair": 2,
    "dozen": 12,
    "a pair of": 2,
    "a dozen": 12,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "hundred": 100,
}

# Ordinary words that appear capitalised at the start of sentences, bullets and title-case
# headings in product copy. Kept to copy's own vocabulary; inflections come from suffixes.
COMMON_WORDS = set(
    _words(
        """
        a an the this that these those it its it's our your you we us they their them he she his her
        my me i and or but nor so yet for with without from to in on at by of off out up down over
        under into onto about above below after before during while when where why how what which
        who whom whose if then than as also just only even still too very more most less least much
        many few some any all each every both either neither no not none nothing always never often
        ever here there now today tomorrow soon again once twice already is are was were be been
        being am has have had do does did will would can could may might must shall should let lets
        get gets make makes take takes give gives keep keeps bring brings add adds meet meets say
        enjoy enjoys discover explore choose pick try find shop buy order grab treat upgrade elevate
        transform stay stays go goes come comes see look looks feel feels use uses wear wears carry
        carries store stores pack packs hold holds fit fits clean cleans wash washes rinse dry dries
        cook cooks bake bakes brew brews serve serves pour pours sleep sleeps rest rests relax
        relaxes work works play plays build builds create creates protect protects support supports
        charge charges connect connects listen listens weigh weighs measure measures boil boils heat
        heats warm warms chill chills cool cools blend blends mix mixes chop chops slice slices
        grind grinds fry fries roast roasts toast toasts steam steams sear sears simmer simmers
        brighten brightens light lights glow glows shine shines fold folds fits adjust adjusts lock
        locks seal seals open opens close closes zip zips clip clips attach attaches mount mounts
        hang hangs stand stands sit sits lie lies move moves roll rolls glide glides slide slides
        turn turns spin spins run runs last lasts dry dries absorb absorbs repel repels resist
        resists block blocks filter filters purify purifies hydrate hydrates nourish nourishes
        soothe soothes smooth smooths moisturise moisturises moisturize moisturizes cleanse cleanses
        apply applies layer layers pair pairs match matches complement complements suit suits fill
        fills refill refills replace replaces save saves help helps let allow allows offer offers
        provide provides deliver delivers ensure ensures reduce reduces cut cuts drill drills fasten
        fastens tighten tightens hike hikes camp camps cycle cycles swim swims train trains read
        reads write writes learn learns grow grows share shares gift gifts love loves need needs
        want wants wear-tested gather gathers host hosts entertain entertains organise organises
        organize organizes grown shown known worn sewn woven built held kept sold bought brought
        found left lit spun drawn blown thrown cast forged fired dyed printed packed sealed tested
        proven loved trusted ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen
        nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand one two
        three four five six seven eight nine dozen half quarter introducing presenting featuring
        includes including included comes built made crafted designed engineered handcrafted
        finished tested made-to-last new perfect ideal great good best better easy easier simple
        smart sleek stylish modern classic timeless elegant beautiful lovely cozy cosy comfy
        comfortable soft warm cool cold hot fresh bright clear light lightweight heavy heavy-duty
        sturdy solid strong tough rugged durable reliable versatile practical compact portable
        spacious roomy generous large small big little tiny tall wide slim thin thick deep high low
        long short full whole extra premium quality luxury luxurious rich pure natural gentle mild
        fast quick quiet powerful efficient safe secure ready handy useful essential everyday daily
        ultimate effortless instant precise accurate adjustable removable washable reusable foldable
        stackable breathable waterproof water-resistant non-stick nonstick leakproof leak-proof
        shockproof dishwasher-safe dishwasher microwave-safe oven-safe machine-washable ergonomic
        innovative thoughtful minimalist rustic vintage contemporary traditional chic refined
        polished bold vibrant playful fun delicious tasty sweet savory savoury smooth crisp crunchy
        creamy rich healthy nourishing hydrating refreshing soothing calming lasting long-lasting
        all-day all-weather all-season year-round weatherproof windproof insulated padded cushioned
        supportive flexible stretchy tailored relaxed fitted loose cropped classic-fit slim-fit
        regular standard optional additional multiple various different same other another own true
        real genuine honest official original unique special limited exclusive first second third
        last next main key top bottom front back side inside outside upper lower left right center
        centre middle open closed single double product products item items piece pieces set sets
        kit design designs style styles colour colours color colors size sizes finish finishes shape
        feature features detail details material materials fabric construction build frame base body
        handle handles lid lids storage space room home house kitchen bathroom bedroom living office
        desk garden patio outdoor outdoors indoor indoors travel trip trips adventure adventures
        journey everyday morning mornings evening evenings night nights day days week weekend
        weekends year years time times life moment moments family families friends kids children
        child baby babies adults adult men women man woman people everyone anyone someone guests
        gift gifts water coffee tea food meals meal dinner lunch breakfast drinks drink snacks hands
        hand skin hair face body feet foot head eyes ears power battery charging sound music audio
        video screen display performance comfort style support protection safety care control grip
        fit warmth coverage hydration note tip bonus why what's whats features benefits
        specifications specs details dimensions weight capacity care instructions includes package
        contents care-free worry-free hassle-free stress-free easy-care ready-to-use yes ok okay wow
        hello hi welcome thanks thank please just simply english monday tuesday wednesday thursday
        friday saturday sunday january february march april may june july august september october
        november december spring summer autumn fall winter christmas easter halloween valentine's
        mother's father's black-friday
        """
    )
)
# Acronyms of features and technology, not names: checked by other kinds or too generic.
ACRONYMS = {
    "usb",
    "usb-c",
    "led",
    "leds",
    "lcd",
    "oled",
    "hd",
    "uhd",
    "fhd",
    "uv",
    "uva",
    "uvb",
    "ac",
    "dc",
    "diy",
    "tv",
    "pc",
    "ok",
    "xl",
    "xs",
    "xxl",
    "xxs",
    "s",
    "m",
    "l",
    "spf",
    "id",
    "pdf",
    "faq",
    "vs",
    "ps",
    "pps",
    "rpm",
    "mph",
    "gps",
    "nfc",
    "wifi",
    "wi-fi",
    "hdmi",
    "ai",
    "app",
    "apps",
    "qr",
    "eu",
    "uk",
    "us",
    "usa",
    "bpa",
    "pu",
    "pvc",
    "eva",
    "abs",
    "tpu",
    "mdf",
    "a",
    "i",
    "ii",
    "iii",
    "iv",
    "v",
    "x",
    "n",
    "e",
    "k",
    "mm",
    "cm",
    "ml",
    "kg",
    "g",
    "lb",
    "lbs",
    "oz",
    "w",
    "mah",
    "gb",
    "tb",
    "hz",
    "db",
    "lm",
    "ip",
    "am",
    "pm",
    "co",
    "no",
}
# Endings of ordinary words: at a sentence start "Handcrafted" or "Durable" is not a brand.
COMMON_SUFFIXES = (
    "ing",
    "ed",
    "ly",
    "able",
    "ible",
    "ful",
    "less",
    "ness",
    "ment",
    "tion",
    "sion",
    "ity",
    "ous",
    "ive",
    "proof",
    "ward",
    "wards",
    "est",
)

# Nouns that make a product type before them a modifier: "bike rack", "dog toy", "coffee grinder".
HEAD_NOUNS = set(
    _words(
        """
        holder stand mount rack lock light toy cover case bag mat bowl feeder leash harness pump
        kit stand sleeve pouch organiser organizer strap liner insert warmer opener hook clip
        tray dock grip handle shelf box basket brush carrier crate gate house seat trailer
        lid filter pod capsule tin canister scoop scale press station system guard protector
        """
    )
)
# "-er" words that are no heads: materials, seasons, comparisons
_NOT_AGENT = set(
    _words(
        """
        leather water silver rubber paper copper timber amber lavender summer winter ginger
        butter pepper powder under other super premier larger smaller better lighter thicker
        softer quieter faster stronger taller wider longer deeper cooler warmer tender after
        never ever over outer inner upper lower sheer
        """
    )
)
_NEXT_WORD_RE = re.compile(r"(?:[ \t]+|[ \t]*-[ \t]*)([A-Za-z][A-Za-z']*)")


def modifier_head(title: str, end: int) -> str | None:
    """The noun a product type at title[..end] modifies ("helmet" after "Bike", "grinder"
    after "Coffee"), or None when the type is itself the head."""
    found = _NEXT_WORD_RE.match(title, end)
    if not found:
        return None
    word = singular(found.group(1))
    if PRODUCT_TYPE_RE.match(title, found.start(1)) or word in HEAD_NOUNS:
        return word
    if len(word) > 5 and word.endswith(("er", "or")) and word not in _NOT_AGENT:
        return word  # grinder, cleaner, dispenser, protector
    return None
