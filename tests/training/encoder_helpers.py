"""A tiny shop for the encoder tests: three kinds of customers buying across categories, FAQ
entries and published answers with cited facts. Built fast with bulk_create."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from answers.models import FaqEntry, ShopperQuestion
from catalog.models import Customer, Interaction, Product

THEMES = {
    "camping": [
        ("Dome Tent", "Outdoor > Tents", "A two-person tent that pitches in five minutes."),
        ("Camp Stove", "Outdoor > Cooking", "A gas stove that boils a litre in four minutes."),
        ("Head Torch", "Outdoor > Lights", "A 300 lumen torch with a red night mode."),
        ("Sleeping Bag", "Outdoor > Sleep", "A down bag rated to minus five degrees."),
        ("Trail Mug", "Kitchen > Drinkware", "A titanium mug that nests over a gas canister."),
        ("Dry Bag", "Outdoor > Bags", "A roll-top bag that keeps clothes dry in the rain."),
    ],
    "coffee": [
        ("Burr Grinder", "Kitchen > Coffee", "Forty grind settings from espresso to French press."),
        ("Pour-over Kettle", "Kitchen > Kettles", "A gooseneck kettle for a slow, steady pour."),
        ("Espresso Cups", "Kitchen > Drinkware", "Four porcelain cups that keep espresso warm."),
        ("Milk Frother", "Kitchen > Appliances", "Froths milk for a latte in ninety seconds."),
        ("Coffee Scale", "Kitchen > Scales", "Weighs beans to a tenth of a gram with a timer."),
        ("Bean Canister", "Kitchen > Storage", "An airtight canister that keeps beans fresh."),
    ],
    "yoga": [
        ("Yoga Mat", "Sport > Yoga", "A six millimetre mat with a grippy natural rubber top."),
        ("Cork Block", "Sport > Yoga", "A firm cork block for support in standing poses."),
        ("Meditation Cushion", "Home > Cushions", "A buckwheat cushion for seated meditation."),
        ("Water Bottle", "Kitchen > Drinkware", "A glass bottle with a soft silicone sleeve."),
        ("Stretch Strap", "Sport > Yoga", "A cotton strap with a metal D-ring buckle."),
        ("Linen Towel", "Home > Towels", "A quick-drying towel that folds into a pocket."),
    ],
}
FAQS = [
    ("Is the tent waterproof?", "Yes, the fly sheet has a 3000 mm hydrostatic head.", "Dome Tent"),
    ("Which gas does the stove use?", "It takes standard screw-on butane canisters.", "Camp Stove"),
    (
        "Can the grinder do espresso?",
        "Yes, the finest settings are made for espresso.",
        "Burr Grinder",
    ),
    ("Is the mat latex free?", "No, the top layer is natural rubber with latex.", "Yoga Mat"),
    ("Do you ship abroad?", "We ship to every EU country within five days.", ""),
    ("How do I return an item?", "Send it back within 30 days for a full refund.", ""),
]
QUESTIONS = [
    (
        "How long does the tent take to put up?",
        "Dome Tent",
        "A two-person tent that pitches in five minutes.",
    ),
    (
        "How fast does the stove boil water?",
        "Camp Stove",
        "A gas stove that boils a litre in four minutes.",
    ),
    ("How bright is the torch?", "Head Torch", "A 300 lumen torch with a red night mode."),
    ("How warm is the sleeping bag?", "Sleeping Bag", "A down bag rated to minus five degrees."),
    (
        "How many grind settings are there?",
        "Burr Grinder",
        "Forty grind settings from espresso to French press.",
    ),
    (
        "How precise is the scale?",
        "Coffee Scale",
        "Weighs beans to a tenth of a gram with a timer.",
    ),
    (
        "How thick is the yoga mat?",
        "Yoga Mat",
        "A six millimetre mat with a grippy natural rubber top.",
    ),
    (
        "What is the cushion filled with?",
        "Meditation Cushion",
        "A buckwheat cushion for seated meditation.",
    ),
]


def build_tiny_shop(shop, *, customers_per_theme: int = 6) -> dict[str, Product]:
    products = Product.objects.bulk_create(
        [
            Product(
                shop=shop,
                sku=f"{theme[:3].upper()}-{index}",
                title=title,
                category=category,
                description=description + f" Part of our {theme} range.",
                bullet_points=[f"Made for {theme} lovers."],
            )
            for theme, items in THEMES.items()
            for index, (title, category, description) in enumerate(items)
        ]
    )
    by_title = {product.title: product for product in products}
    themes = {theme: [by_title[title] for title, _, _ in items] for theme, items in THEMES.items()}
    customers = Customer.objects.bulk_create(
        [
            Customer(shop=shop, external_id=f"{theme}-{n}")
            for theme in THEMES
            for n in range(customers_per_theme)
        ]
    )
    start = timezone.now() - timedelta(days=60)
    events = []
    for number, customer in enumerate(customers):
        theme = customer.external_id.split("-")[0]
        own = themes[theme]
        for step in range(5):
            product = own[(number + step * 2) % len(own)]
            events.append(
                Interaction(
                    shop=shop,
                    customer=customer,
                    product=product,
                    kind="purchase" if step % 2 else "view",
                    occurred_at=start + timedelta(hours=number + step * 200),
                )
            )
    Interaction.objects.bulk_create(events)
    FaqEntry.objects.bulk_create(
        [
            FaqEntry(shop=shop, question=q, answer=a, product=by_title.get(title))
            for q, a, title in FAQS
        ]
    )
    ShopperQuestion.objects.bulk_create(
        [
            ShopperQuestion(
                shop=shop,
                product=by_title[title],
                question=question,
                answer=fact,
                status="published",
                answer_kind="extractive",
                evidence=[
                    {
                        "chunk_id": 0,
                        "source": "description",
                        "label": "Description, sentence 1",
                        "text": fact,
                        "product_id": by_title[title].pk,
                        "score": 0.6,
                        "cited": True,
                    }
                ],
            )
            for question, title, fact in QUESTIONS
        ]
    )
    return by_title
