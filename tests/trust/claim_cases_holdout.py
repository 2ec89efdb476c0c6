"""Held-out claim cases: other products, other phrasings, written before the checker was tuned;
the benchmark prints their figures separately so over-fitting to the main suite shows.

CASES (first slice) was written before tuning; its misses then (recall 0.91, 2 of 21 faithful
texts flagged) led to general fixes, so it is no longer blind. LATE_CASES were written after
those fixes and have not been tuned on.

Each case: (product, kind the case is about, variant, text, kinds expected to be flagged).
"""

from __future__ import annotations

from tests.trust.claim_cases import Case

PRODUCTS: dict[str, dict] = {
    "desk_lamp": {
        "title": "Orbit LED Desk Lamp",
        "brand": "Lumio",
        "category": "Home > Lighting > Desk Lamps",
        "attributes": {
            "brightness": "450 lumens",
            "power": "6 W",
            "colour": "matte black",
            "material": "aluminium",
            "cable_length": "1.5 m",
            "certifications": "CE, RoHS",
            "warranty": "2 years",
        },
        "tags": ["office", "dimmable"],
    },
    "dining_chair": {
        "title": "Nora Dining Chair, Set of 2",
        "brand": "Holm",
        "category": "Furniture > Dining > Chairs",
        "attributes": {
            "material": "solid oak, wool upholstery",
            "colour": "natural oak, grey",
            "seat_height": "46 cm",
            "max_load": "120 kg",
            "origin": "Made in Denmark",
            "pack_size": 2,
        },
        "tags": ["scandinavian"],
    },
    "hiking_boot": {
        "title": "Ridge Mid GTX Hiking Boot",
        "brand": "Alpenweg",
        "category": "Footwear > Outdoor > Hiking Boots",
        "attributes": {
            "upper": "suede and nylon",
            "membrane": "Gore-Tex",
            "sizes": "EU 38-46",
            "colour": "brown",
            "weight": "540 g per boot",
            "sole": "Vibram rubber",
        },
        "tags": ["waterproof"],
    },
    "speaker": {
        "title": "Pulse Mini Bluetooth Speaker",
        "brand": "Sonora",
        "category": "Electronics > Audio > Portable Speakers",
        "attributes": {
            "battery": "2000 mAh",
            "playtime": "12 hours",
            "bluetooth": "5.3",
            "water_resistance": "IPX7",
            "colours": "teal, black",
            "output": "10 W",
            "compatible_with": "Android, iOS",
        },
        "tags": ["portable"],
    },
    "face_cream": {
        "title": "Daily Barrier Face Cream",
        "brand": "Verdell",
        "category": "Beauty > Skincare > Moisturisers",
        "attributes": {
            "volume": "50 ml",
            "key_ingredients": "ceramides, niacinamide, squalane",
            "skin_type": "dry and sensitive",
            "fragrance_free": True,
            "cruelty_free": "yes",
            "vegan": "yes",
        },
        "tags": ["skincare"],
    },
    "drill": {
        "title": "PowerMax 18V Cordless Drill Driver",
        "brand": "Torque",
        "category": "Tools > Power Tools > Drills",
        "attributes": {
            "voltage": "18 V",
            "max_torque": "60 Nm",
            "speeds": 2,
            "chuck": "13 mm",
            "battery": "2.0 Ah lithium-ion, 1 included",
            "weight": "1.4 kg",
            "warranty": "3-year limited warranty",
        },
        "tags": ["diy"],
    },
    "sleeping_bag": {
        "title": "Nimbus 3-Season Sleeping Bag",
        "brand": "Fjellgear",
        "category": "Outdoor > Camping > Sleeping Bags",
        "attributes": {
            "comfort_temperature": "2 °C",
            "fill": "recycled polyester",
            "length": "220 cm",
            "weight": "1.3 kg",
            "colour": "olive green",
            "shell": "ripstop nylon",
        },
        "tags": ["camping"],
    },
    "puzzle": {
        "title": "World Map Wooden Jigsaw Puzzle, 100 Pieces",
        "brand": "Tinkertown",
        "category": "Toys > Puzzles",
        "attributes": {
            "pieces": 100,
            "material": "FSC-certified birch plywood",
            "age": "5+ years",
            "size": "40 x 30 cm",
            "safety": "EN 71 tested",
        },
        "tags": ["educational"],
    },
    "olive_oil": {
        "title": "Cold-Pressed Extra Virgin Olive Oil",
        "brand": "Casa Lume",
        "category": "Food > Pantry > Oils",
        "attributes": {
            "volume": "500 ml",
            "origin": "Italy",
            "harvest": "2023",
            "certification": "organic",
            "bottle": "dark glass",
        },
        "tags": ["pantry"],
    },
    "chef_knife": {
        "title": "Kaze 8-Inch Chef's Knife",
        "brand": "Kaze",
        "category": "Kitchen > Knives > Chef Knives",
        "attributes": {
            "blade_length": "8 in",
            "blade": "VG-10 stainless steel",
            "handle": "pakka wood",
            "origin": "Made in Japan",
            "hardness": "60 HRC",
        },
        "tags": ["knives"],
    },
}

C, U, F = "contradicted", "unsupported", "faithful"
CASES: list[Case] = [
    # numbers
    Case("desk_lamp", "number", C, "A bright 800 lumen lamp for late nights.", ("number",)),
    Case("desk_lamp", "number", U, "Dims smoothly through 5 levels of light.", ("number",)),
    Case("desk_lamp", "number", F, "Puts out 450 lumens from just 6 watts.", ()),
    Case("drill", "number", C, "A 20 V drill with plenty of torque.", ("number",)),
    Case("drill", "number", U, "Comes with two batteries for all-day work.", ("number",)),
    Case("drill", "number", F, "At 1.4 kg it is light enough for overhead work.", ()),
    Case("olive_oil", "number", C, "From the 2021 harvest.", ("number",)),
    Case("sleeping_bag", "number", F, "Roomy at 220 cm long and only 1.3 kg.", ()),
    # brands and names
    Case("speaker", "brand", C, "Sound tuned by Bose engineers.", ("brand",)),
    Case("speaker", "brand", U, "The perfect partner for your Spotify playlists.", ("brand",)),
    Case("speaker", "brand", F, "The Sonora Pulse Mini fills a room with sound.", ()),
    Case("hiking_boot", "brand", C, "Salomon quality for every trail.", ("brand",)),
    Case("hiking_boot", "brand", F, "Alpenweg built the Ridge Mid on a Vibram sole.", ()),
    Case("face_cream", "brand", U, "Loved by fans of CeraVe and La Roche-Posay.", ("brand",)),
    # certifications
    Case("desk_lamp", "certification", U, "UL listed for peace of mind.", ("certification",)),
    Case("desk_lamp", "certification", F, "CE marked and RoHS compliant.", ()),
    Case(
        "puzzle",
        "certification",
        C,
        "Tested to EN 62115 for children's safety.",
        ("certification",),
    ),
    Case("puzzle", "certification", F, "Cut from FSC-certified birch plywood.", ()),
    Case(
        "olive_oil",
        "certification",
        U,
        "USDA Organic and Non-GMO Project Verified.",
        ("certification",),
    ),
    Case(
        "face_cream",
        "certification",
        U,
        "Dermatologist tested and hypoallergenic.",
        ("certification",),
    ),
    # materials
    Case("dining_chair", "material", C, "A chair of solid walnut.", ("material",)),
    Case("dining_chair", "material", U, "Finished with a velvet seat.", ("material",)),
    Case("dining_chair", "material", F, "Solid oak with a wool seat.", ()),
    Case(
        "olive_oil", "material", C, "Packed plastic-free, of course: no glass here.", ("material",)
    ),
    Case("face_cream", "material", U, "Paraben-free and alcohol-free.", ("material",)),
    Case("face_cream", "material", F, "Fragrance-free, so sensitive skin stays calm.", ()),
    # colours
    Case("speaker", "colour", C, "Available in teal, black and red.", ("colour",)),
    Case("speaker", "colour", F, "Choose teal or black.", ()),
    Case("hiking_boot", "colour", C, "A tan boot with grey laces.", ("colour",)),
    Case("sleeping_bag", "colour", F, "An olive green shell that blends into the woods.", ()),
    Case("desk_lamp", "colour", U, "A white shade over a matte black base.", ("colour",)),
    # sizes
    Case("hiking_boot", "size", C, "Available in EU 36 to EU 46.", ("size",)),
    Case("hiking_boot", "size", F, "Sizes EU 38 to EU 46.", ()),
    Case("dining_chair", "size", U, "Pairs with our king size bed.", ("size",)),
    Case("sleeping_bag", "size", U, "Available in size L and XL.", ("size",)),
    Case("face_cream", "size", U, "Travel size and full size available.", ("size",)),
    # product type
    Case("sleeping_bag", "product_type", C, "This tent pitches in minutes.", ("product_type",)),
    Case("sleeping_bag", "product_type", F, "This sleeping bag keeps you warm down to 2 °C.", ()),
    Case(
        "chef_knife",
        "product_type",
        C,
        "A versatile cleaver for the busy kitchen.",
        ("product_type",),
    ),
    Case("chef_knife", "product_type", F, "A chef's knife with an 8 in blade.", ()),
    Case(
        "olive_oil",
        "product_type",
        C,
        "This balsamic vinegar brightens any salad.",
        ("product_type",),
    ),
    Case(
        "puzzle",
        "product_type",
        C,
        "This board game gets the family round the table.",
        ("product_type",),
    ),
    # origin
    Case("chef_knife", "origin", C, "Forged in Germany from stainless steel.", ("origin",)),
    Case("chef_knife", "origin", F, "Made in Japan from VG-10 stainless steel.", ()),
    Case("olive_oil", "origin", C, "Spanish olives, pressed cold.", ("origin",)),
    Case("olive_oil", "origin", F, "Italian olives, cold-pressed.", ()),
    Case("speaker", "origin", U, "Designed in California.", ("origin",)),
    Case("dining_chair", "origin", U, "Handcrafted by local artisans.", ("origin",)),
    # warranty
    Case("drill", "warranty", C, "Backed by a 5-year warranty.", ("warranty",)),
    Case("drill", "warranty", F, "Backed by a 3-year limited warranty.", ()),
    Case("desk_lamp", "warranty", F, "Comes with a 2 year warranty.", ()),
    Case("desk_lamp", "warranty", C, "Covered by a lifetime warranty.", ("warranty",)),
    Case(
        "face_cream", "warranty", U, "Love it or get a full refund within 60 days.", ("warranty",)
    ),
    Case("sleeping_bag", "warranty", U, "Satisfaction guaranteed.", ("warranty",)),
    # compatibility
    Case("speaker", "compatibility", F, "Works with Android and iOS phones.", ()),
    Case("speaker", "compatibility", U, "Works with Alexa and Google Home.", ("compatibility",)),
    Case(
        "drill", "compatibility", U, "Compatible with all Makita 18V batteries.", ("compatibility",)
    ),
    Case("drill", "compatibility", F, "Takes bits up to 13 mm in its chuck.", ()),
    Case("desk_lamp", "compatibility", U, "Fits any standard E27 socket.", ("compatibility",)),
    # awards
    Case("chef_knife", "award", U, "An award-winning knife.", ("award",)),
    Case("olive_oil", "award", U, "Gold medal winner at the 2023 NYIOOC.", ("award", "brand")),
    Case("puzzle", "award", U, "Our best-selling puzzle.", ("award",)),
    Case("speaker", "award", U, "Top-rated by reviewers everywhere.", ("award",)),
    Case("desk_lamp", "award", F, "A dimmable desk lamp for the office.", ()),
    Case(
        "face_cream", "award", U, "Winner of the Allure Best of Beauty award.", ("award", "brand")
    ),
]

PRODUCTS.update(
    {
        "yoga_mat": {
            "title": "Balance Pro Yoga Mat 6 mm",
            "brand": "Asana Loop",
            "category": "Sports > Yoga > Mats",
            "attributes": {
                "thickness": "6 mm",
                "dimensions": "183 x 61 cm",
                "material": "natural rubber, jute",
                "colour": "terracotta",
                "weight": "2.5 kg",
                "strap": "cotton carry strap included",
            },
            "tags": ["yoga", "fitness"],
        },
        "kettle": {
            "title": "Brewline 1.7 L Electric Kettle",
            "brand": "Brewline",
            "category": "Kitchen > Small Appliances > Kettles",
            "attributes": {
                "capacity": "1.7 l",
                "power": "2200 W",
                "material": "brushed stainless steel",
                "features": "variable temperature, keep warm 30 minutes",
                "certifications": "UL listed",
                "warranty": "2 years",
            },
            "tags": ["tea"],
        },
        "wool_sweater": {
            "title": "Highland Crew Neck Sweater",
            "brand": "Fenwick & Co",
            "category": "Apparel > Women > Knitwear",
            "attributes": {
                "material": "100% lambswool",
                "origin": "Made in Scotland",
                "sizes": "XS, S, M, L",
                "colours": "oatmeal, forest green, navy",
                "care": "hand wash",
            },
            "tags": ["knitwear"],
        },
        "toy_truck": {
            "title": "Dig & Dump Toy Truck",
            "brand": "Tumbletot",
            "category": "Toys > Vehicles",
            "attributes": {
                "age": "3+ years",
                "material": "recycled plastic",
                "length": "32 cm",
                "batteries": "not required",
                "colour": "yellow, blue",
            },
            "tags": ["outdoor play"],
        },
    }
)

LATE_CASES: list[Case] = [
    Case("yoga_mat", "number", C, "A thick 8 mm mat for sore knees.", ("number",)),
    Case("yoga_mat", "number", F, "183 x 61 cm of grippy natural rubber.", ()),
    Case("yoga_mat", "number", C, "Measures 180 x 60 cm.", ("number",)),
    Case("yoga_mat", "material", C, "A PVC mat that wipes clean.", ("material",)),
    Case("yoga_mat", "material", C, "Latex-free and rubber-free.", ("material",)),
    Case("yoga_mat", "material", F, "Natural rubber with a jute top layer.", ()),
    Case("yoga_mat", "colour", C, "In terracotta or lavender.", ("colour",)),
    Case("yoga_mat", "brand", U, "As used in Peloton studios.", ("brand",)),
    Case("yoga_mat", "product_type", C, "This foam roller eases tight muscles.", ("product_type",)),
    Case(
        "yoga_mat",
        "mixed",
        F,
        "Roll out the Balance Pro: 6 mm of natural rubber and jute, with a cotton strap to "
        "carry it to class.",
        (),
    ),
    Case("kettle", "number", C, "Boils a full 2 litres in minutes.", ("number",)),
    Case("kettle", "number", F, "A 1.7 litre kettle with 2200 W of power.", ()),
    Case("kettle", "certification", C, "ETL listed for safety.", ("certification",)),
    Case("kettle", "certification", F, "UL listed for peace of mind.", ()),
    Case("kettle", "warranty", C, "Covered for 3 years by our warranty.", ("warranty",)),
    Case("kettle", "warranty", F, "A 2-year warranty comes as standard.", ()),
    Case("kettle", "material", U, "A glass window shows the water level.", ("material",)),
    Case("kettle", "brand", C, "Smeg style without the Smeg price.", ("brand",)),
    Case(
        "kettle",
        "mixed",
        F,
        "Brewline's electric kettle holds 1.7 l, keeps water warm for 30 minutes and is "
        "made of brushed stainless steel.",
        (),
    ),
    Case("wool_sweater", "origin", C, "Knitted in Ireland from lambswool.", ("origin",)),
    Case("wool_sweater", "origin", F, "Knitted in Scotland.", ()),
    Case("wool_sweater", "material", C, "Pure cashmere softness.", ("material",)),
    Case("wool_sweater", "material", F, "Soft lambswool, hand wash only.", ()),
    Case("wool_sweater", "size", C, "Sizes XS to XL.", ("size",)),
    Case("wool_sweater", "size", F, "Available in XS, S, M and L.", ()),
    Case("wool_sweater", "colour", C, "Choose oatmeal, navy or burgundy.", ("colour",)),
    Case("wool_sweater", "colour", F, "In oatmeal, forest green or navy.", ()),
    Case("wool_sweater", "award", U, "Our bestselling knit, back by popular demand.", ("award",)),
    Case(
        "wool_sweater", "product_type", C, "This cardigan buttons up the front.", ("product_type",)
    ),
    Case(
        "wool_sweater",
        "mixed",
        F,
        "Fenwick & Co's Highland sweater is knitted from 100% lambswool and made in Scotland.",
        (),
    ),
    Case("toy_truck", "number", U, "Comes with 2 AA batteries.", ("number",)),
    Case("toy_truck", "number", C, "For ages 5 and up.", ("number",)),
    Case("toy_truck", "material", C, "A sturdy wooden truck.", ("material",)),
    Case("toy_truck", "material", F, "Made from recycled plastic.", ()),
    Case(
        "toy_truck", "certification", U, "Meets ASTM F963 toy safety standards.", ("certification",)
    ),
    Case("toy_truck", "colour", F, "A yellow and blue truck for the sandpit.", ()),
    Case("toy_truck", "colour", C, "A red dump truck.", ("colour",)),
    Case(
        "toy_truck",
        "compatibility",
        U,
        "Compatible with Brio wooden railway sets.",
        ("compatibility",),
    ),
    Case("toy_truck", "warranty", U, "Built to last, or we will replace it free.", ("warranty",)),
    Case("toy_truck", "brand", U, "Just like the trucks in Paw Patrol.", ("brand",)),
    Case(
        "toy_truck",
        "mixed",
        F,
        "Tumbletot's Dig & Dump truck is 32 cm long, needs no batteries and suits ages 3 and up.",
        (),
    ),
]
