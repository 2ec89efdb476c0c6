"""Built-in example copy, one made-up product per broad category, for shops without approved copy.

Each example's copy states only its own facts (the model imitates what it sees, so the examples
model faithfulness too). The products are deliberately unlike each other and unlike the demo
catalogue: words copied from an example show up as a "leak" flag (generation/checks/leak.py).
`broad_category` maps a product's category (and title) to one of these by keywords.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExampleProduct:
    """Quacks like a catalog Product for build_prompt and the checks (no database row)."""

    title: str
    brand: str
    category: str
    attributes: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    # No published copy: the example's copy is what it demonstrates.
    description: str = ""
    bullet_points: list = field(default_factory=list)
    seo_title: str = ""
    meta_description: str = ""


@dataclass(frozen=True)
class BuiltinExample:
    product: ExampleProduct
    copy: dict[str, str]  # field name -> copy


# Keywords are matched as whole words against "category title" (lower case); the category's top
# level is tried first, so "Kitchen > Knives" stays kitchen whatever the title says.
KEYWORDS = {
    "kitchen": "kitchen dining drinkware cookware bakeware tableware cutlery bottle bottles mug "
    "mugs cup pan pans pot pots knife knives kettle coffee tea blender mixer",
    "clothing": "clothing apparel fashion clothes shirt shirts t-shirt jacket jackets coat dress "
    "trousers jeans sweater hoodie socks shoes footwear boots sneakers hat scarf",
    "outdoor": "outdoor outdoors sport sports camping hiking climbing fitness cycling bike running "
    "yoga tent backpack rucksack trekking fishing",
    "electronics": "electronics electronic audio headphones earbuds speaker speakers phone "
    "computer computers laptop charger cable camera gaming keyboard mouse monitor tv",
    "home": "home furniture bedding bed beds bath decor lighting lamp lamps rug sofa chair table "
    "storage mattress pillow towel towels curtains",
    "beauty": "beauty skincare skin cosmetics makeup hair haircare fragrance perfume shaving "
    "lotion health wellness soap",
    "toys": "toys toy games game baby kids children puzzle puzzles plush dolls lego",
    "garden": "garden gardening tools tool hardware diy drill saw plants planter lawn patio",
    "pets": "pet pets dog dogs cat cats aquarium leash collar",
    "office": "office stationery books book notebook pen pens paper desk school art crafts",
}
KEYWORD_SETS = {name: set(words.split()) for name, words in KEYWORDS.items()}
FALLBACK_CATEGORY = "home"

EXAMPLES: dict[str, BuiltinExample] = {
    "kitchen": BuiltinExample(
        ExampleProduct(
            "Cast Iron Skillet 26 cm",
            "Ferrova",
            "Kitchen > Cookware > Pans",
            {"diameter": "26 cm", "material": "cast iron", "weight": "2.4 kg"},
            ["cookware"],
        ),
        {
            "description": (
                "The Ferrova Cast Iron Skillet is a 26 cm pan made of cast iron. At 2.4 kg, "
                "this sturdy cast iron cookware is built to last and made for everyday use."
            ),
            "bullet_points": (
                "- 26 cm cast iron skillet\n- Made of cast iron, built to last\n- Weighs 2.4 kg"
            ),
            "seo_title": "Ferrova Cast Iron Skillet 26 cm",
            "meta_description": (
                "The Ferrova Cast Iron Skillet: a 26 cm cast iron pan that weighs 2.4 kg, made "
                "for everyday use."
            ),
        },
    ),
    "clothing": BuiltinExample(
        ExampleProduct(
            "Merino Crew Sweater",
            "Hollin",
            "Clothing > Knitwear",
            {"material": "merino wool", "fit": "regular", "sizes": "S, M, L"},
            ["knitwear"],
        ),
        {
            "description": (
                "The Hollin Merino Crew Sweater is made of merino wool in a regular fit. "
                "A classic crew design for everyday wear, available in sizes S, M and L."
            ),
            "bullet_points": (
                "- Made of merino wool\n- Regular fit crew design\n- Sizes S, M and L"
            ),
            "seo_title": "Hollin Merino Crew Sweater – Merino Wool",
            "meta_description": (
                "The Hollin Merino Crew Sweater in merino wool: a regular fit in sizes S, M and L."
            ),
        },
    ),
    "outdoor": BuiltinExample(
        ExampleProduct(
            "Ridge Trekking Tent",
            "Altura",
            "Outdoor > Camping > Tents",
            {"sleeps": "2 people", "weight": "1.9 kg", "material": "ripstop nylon"},
            ["camping"],
        ),
        {
            "description": (
                "The Altura Ridge Trekking Tent sleeps 2 people. Made of ripstop nylon, it "
                "weighs 1.9 kg: a practical choice for trekking and camping."
            ),
            "bullet_points": ("- Sleeps 2 people\n- Made of ripstop nylon\n- Weighs 1.9 kg"),
            "seo_title": "Altura Ridge Trekking Tent – 1.9 kg, Sleeps 2",
            "meta_description": (
                "The Altura Ridge Trekking Tent: a ripstop nylon tent for 2 people that weighs "
                "1.9 kg."
            ),
        },
    ),
    "electronics": BuiltinExample(
        ExampleProduct(
            "Pulse Desk Speaker",
            "Sonary",
            "Electronics > Audio > Speakers",
            {"output": "20 W", "connectivity": "Bluetooth 5.3", "battery life": "12 hours"},
            ["audio"],
        ),
        {
            "description": (
                "The Sonary Pulse Desk Speaker delivers 20 W of output. Pair it over "
                "Bluetooth 5.3 and enjoy up to 12 hours of battery life."
            ),
            "bullet_points": (
                "- 20 W output\n- Bluetooth 5.3 pairing\n- Up to 12 hours of battery life"
            ),
            "seo_title": "Sonary Pulse Desk Speaker – 20 W Bluetooth",
            "meta_description": (
                "The Sonary Pulse Desk Speaker: 20 W output, Bluetooth 5.3 and 12 hours of "
                "battery life."
            ),
        },
    ),
    "home": BuiltinExample(
        ExampleProduct(
            "Linen Duvet Cover",
            "Mirela",
            "Home > Bedding",
            {"material": "linen", "size": "200 x 200 cm", "closure": "buttons"},
            ["bedroom"],
        ),
        {
            "description": (
                "The Mirela Linen Duvet Cover is made of linen and measures 200 x 200 cm. "
                "A button closure keeps the duvet in place."
            ),
            "bullet_points": ("- Made of linen\n- Measures 200 x 200 cm\n- Button closure"),
            "seo_title": "Mirela Linen Duvet Cover 200 x 200 cm",
            "meta_description": (
                "The Mirela Linen Duvet Cover: linen, 200 x 200 cm, with a button closure."
            ),
        },
    ),
    "beauty": BuiltinExample(
        ExampleProduct(
            "Oat Hand Cream",
            "Velia",
            "Beauty > Skincare > Hands",
            {"volume": "75 ml", "key ingredient": "oat extract"},
            ["skincare"],
        ),
        {
            "description": (
                "Velia Oat Hand Cream comes in a 75 ml size. Its key ingredient is oat "
                "extract, for hands that deserve everyday care."
            ),
            "bullet_points": ("- 75 ml\n- Made with oat extract\n- Hand cream for everyday care"),
            "seo_title": "Velia Oat Hand Cream 75 ml",
            "meta_description": "Velia Oat Hand Cream, 75 ml, made with oat extract.",
        },
    ),
    "toys": BuiltinExample(
        ExampleProduct(
            "Harbour Wooden Puzzle",
            "Tamble",
            "Toys > Puzzles",
            {"pieces": "24", "material": "beech wood", "age": "3+ years"},
            ["puzzle"],
        ),
        {
            "description": (
                "The Tamble Harbour Wooden Puzzle has 24 pieces made of beech wood. It is "
                "designed for ages 3+ years."
            ),
            "bullet_points": ("- 24 pieces\n- Made of beech wood\n- For ages 3+ years"),
            "seo_title": "Tamble Harbour Wooden Puzzle – 24 Pieces",
            "meta_description": (
                "The Tamble Harbour Wooden Puzzle: 24 beech wood pieces for ages 3+ years."
            ),
        },
    ),
    "garden": BuiltinExample(
        ExampleProduct(
            "Bypass Pruning Shears",
            "Verdell",
            "Garden > Hand Tools",
            {"blade": "carbon steel", "cutting capacity": "20 mm", "length": "21 cm"},
            ["pruning"],
        ),
        {
            "description": (
                "The Verdell Bypass Pruning Shears have a carbon steel blade with a cutting "
                "capacity of 20 mm. At 21 cm long, they are made for everyday pruning."
            ),
            "bullet_points": ("- Carbon steel blade\n- Cutting capacity 20 mm\n- 21 cm long"),
            "seo_title": "Verdell Bypass Pruning Shears – Carbon Steel",
            "meta_description": (
                "The Verdell Bypass Pruning Shears: a carbon steel blade with a 20 mm cutting "
                "capacity."
            ),
        },
    ),
    "pets": BuiltinExample(
        ExampleProduct(
            "Reflective Dog Leash",
            "Pawlow",
            "Pets > Dogs > Leashes",
            {"length": "1.5 m", "material": "polyester webbing", "feature": "reflective stitching"},
            ["dog"],
        ),
        {
            "description": (
                "The Pawlow Reflective Dog Leash is 1.5 m of polyester webbing with reflective "
                "stitching, so you and your dog are easier to see."
            ),
            "bullet_points": ("- 1.5 m long\n- Polyester webbing\n- Reflective stitching"),
            "seo_title": "Pawlow Reflective Dog Leash 1.5 m",
            "meta_description": (
                "The Pawlow Reflective Dog Leash: 1.5 m of polyester webbing with reflective "
                "stitching."
            ),
        },
    ),
    "office": BuiltinExample(
        ExampleProduct(
            "Dot Grid Notebook A5",
            "Quillon",
            "Office > Stationery > Notebooks",
            {"size": "A5", "pages": "192", "paper": "100 gsm"},
            ["stationery"],
        ),
        {
            "description": (
                "The Quillon Dot Grid Notebook is A5 with 192 pages of 100 gsm paper. A "
                "practical dot grid notebook for everyday use."
            ),
            "bullet_points": ("- A5 size\n- 192 pages\n- 100 gsm dot grid paper"),
            "seo_title": "Quillon Dot Grid Notebook A5 – 192 Pages",
            "meta_description": (
                "The Quillon Dot Grid Notebook: A5, 192 pages of 100 gsm dot grid paper."
            ),
        },
    ),
}

WORD_RE = re.compile(r"[a-z][a-z-]*")


def broad_category(product) -> str:
    """The broad category of `product` (a key of EXAMPLES): the category's top level first,
    then the whole category path, then the title; "home" when nothing matches."""
    category = (getattr(product, "category", "") or "").lower()
    top = category.split(">")[0]
    title = (getattr(product, "title", "") or "").lower()
    for text in (top, category, title):
        words = set(WORD_RE.findall(text))
        for name, keywords in KEYWORD_SETS.items():
            if words & keywords:
                return name
    return FALLBACK_CATEGORY
