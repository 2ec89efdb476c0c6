"""The benchmark shop of bench/training_encoder.py: product types, features and the ways
shoppers ask for them (bench only; written for this benchmark, no copied public data).

Near-duplicate titles on purpose: every title is "<brand> <model> <noun>" and the nouns are
shared across themes and categories (a coffee scale, a baking scale, a bathroom scale and a
luggage scale are all "... Scale"), so only what a product is for tells them apart.

Shoppers' phrasings never repeat the title's words: a need ("something to weigh my pour-over")
and a feature ("that I can recharge from my laptop") in their words, against the catalog's
("weighs coffee beans and water to a tenth of a gram", "charges over USB-C"). Each need, feature
and attribute question has three phrasings: questions about training products use the first
two, questions about held-out products only the third, so the held-out questions are worded in
ways no training question is.
"""

from __future__ import annotations

# theme -> product types: (noun, category, what it does in the catalog's words, three needs)
THEMES = {
    "coffee": [
        (
            "Scale",
            "Kitchen > Scales",
            "weighs coffee beans and water to a tenth of a gram",
            (
                "something to measure my beans precisely before brewing",
                "a way to get the exact dose for espresso shots",
                "a gadget so my pour-over ratio comes out right every morning",
            ),
        ),
        (
            "Kettle",
            "Kitchen > Kettles",
            "pours a slow, steady stream for hand-brewed coffee",
            (
                "something with a thin spout for pouring over coffee grounds",
                "a water boiler that gives me control when I make filter coffee",
                "a pot with a swan neck for drip brewing at home",
            ),
        ),
        (
            "Mat",
            "Kitchen > Coffee Accessories",
            "protects the counter while tamping espresso",
            (
                "a rubber pad to press my espresso grounds on",
                "a thing to stop my worktop getting marked when I pack the portafilter",
                "a grippy base for compressing coffee in the basket",
            ),
        ),
        (
            "Brush",
            "Kitchen > Cleaning",
            "sweeps old grounds out of grinder burrs",
            (
                "something to clean the coffee dust out of my grinder",
                "a little tool to get stale grounds off the burrs",
                "a way to tidy the mill after grinding beans",
            ),
        ),
    ],
    "baking": [
        (
            "Scale",
            "Kitchen > Scales",
            "weighs flour and sugar to the gram for bread and cakes",
            (
                "something to measure out ingredients for a sponge",
                "a way to get my sourdough recipe quantities exact",
                "a gadget for portioning dough and butter when I bake",
            ),
        ),
        (
            "Mat",
            "Kitchen > Bakeware",
            "lines baking trays so cookies never stick",
            (
                "a reusable sheet so biscuits don't glue themselves to the pan",
                "a liner to replace parchment paper in the oven",
                "a non-stick surface to bake cookies on without greasing",
            ),
        ),
        (
            "Brush",
            "Kitchen > Bakeware",
            "spreads egg wash and melted butter over pastry",
            (
                "a tool for glazing pies before they go in the oven",
                "something to dab beaten egg onto croissants",
                "a way to coat the top of a loaf with butter evenly",
            ),
        ),
        (
            "Tray",
            "Kitchen > Bakeware",
            "bakes sheet cakes and traybakes evenly",
            (
                "a flat tin for brownies and flapjacks",
                "a pan for a big batch of cake that browns evenly",
                "a shallow oven dish for slab cakes",
            ),
        ),
    ],
    "bathroom": [
        (
            "Scale",
            "Health > Scales",
            "measures body weight and body fat every morning",
            (
                "a way to track my weight loss at home",
                "a device to step on and see how many kilos I am",
                "something that tells me my body fat percentage",
            ),
        ),
        (
            "Mat",
            "Home > Bathroom",
            "soaks up water when you step out of the shower",
            (
                "something soft to stand on after a bath so the floor stays dry",
                "a rug for beside the tub that absorbs drips",
                "a thing to put by the shower so I don't slip on wet tiles",
            ),
        ),
        (
            "Brush",
            "Health > Body Care",
            "scrubs your back and exfoliates skin in the shower",
            (
                "something with a long handle to wash between my shoulder blades",
                "a scrubber for dry skin on my back",
                "a tool to exfoliate while I shower",
            ),
        ),
        (
            "Cushion",
            "Home > Bathroom",
            "supports your neck while you soak in the tub",
            (
                "a soft rest for my head when I lie in a hot bath",
                "something to lean on so my neck doesn't ache in the tub",
                "a headrest for long relaxing soaks",
            ),
        ),
    ],
    "travel": [
        (
            "Scale",
            "Travel > Accessories",
            "checks the weight of a suitcase before the airport",
            (
                "a way to avoid excess baggage fees",
                "something to hook my luggage on and see if it's over the limit",
                "a gadget to know if my case is too heavy for the flight",
            ),
        ),
        (
            "Kettle",
            "Travel > Accessories",
            "boils water for tea in a hotel room",
            (
                "something to make a cuppa when I stay in motels",
                "a small water heater I can take on trips",
                "a way to brew tea on holiday when the room has none",
            ),
        ),
        (
            "Bag",
            "Travel > Organisers",
            "keeps shampoo, razor and toothbrush together in a suitcase",
            (
                "a pouch for my toiletries when I fly",
                "somewhere to put my wash things so they don't leak over my clothes",
                "a little case for shower gel and a toothbrush on trips",
            ),
        ),
        (
            "Cushion",
            "Travel > Comfort",
            "holds your head upright when you sleep on a plane",
            (
                "something to nap on during long flights",
                "a U-shaped support for dozing in a train seat",
                "a way to stop my head falling sideways when I sleep sitting up",
            ),
        ),
    ],
    "camping": [
        (
            "Kettle",
            "Outdoor > Cooking",
            "boils water over a camp stove or an open fire",
            (
                "something to heat water at the campsite",
                "a pot for making coffee over the campfire",
                "a way to get hot water for noodles in the woods",
            ),
        ),
        (
            "Lamp",
            "Outdoor > Lighting",
            "lights the inside of a tent after dark",
            (
                "a lantern to hang from the roof of my tent",
                "something to see by at the campsite at night",
                "a way to brighten up the inside of my shelter in the evening",
            ),
        ),
        (
            "Mat",
            "Outdoor > Sleep",
            "insulates you from the cold ground under a sleeping bag",
            (
                "a pad so I don't freeze lying on the floor of my tent",
                "something to sleep on comfortably outdoors",
                "a roll-up bed for wild camping",
            ),
        ),
        (
            "Bottle",
            "Outdoor > Water",
            "filters stream water so it is safe to drink",
            (
                "a way to drink from rivers on a hike without getting ill",
                "something that cleans lake water while I sip",
                "a flask that purifies water from streams",
            ),
        ),
    ],
    "fitness": [
        (
            "Mat",
            "Sport > Yoga",
            "grips the floor during poses and cushions your knees",
            (
                "something to practise sun salutations on",
                "a non-slip surface for my pilates class",
                "a padded rug for stretching and downward dog",
            ),
        ),
        (
            "Strap",
            "Sport > Yoga",
            "helps you reach your feet in deep stretches",
            (
                "something to pull on when I can't touch my toes",
                "a band that extends my reach in hamstring stretches",
                "a belt for getting deeper into flexibility poses",
            ),
        ),
        (
            "Bottle",
            "Sport > Nutrition",
            "mixes protein powder into a smooth shake",
            (
                "something to blend my whey after the gym",
                "a shaker for post-workout drinks without lumps",
                "a cup with a whisk ball for supplement powders",
            ),
        ),
        (
            "Bag",
            "Sport > Bags",
            "carries gym kit with a separate pocket for shoes",
            (
                "a holdall for my trainers and workout clothes",
                "something to take my kit to the gym with a place for sweaty sneakers",
                "a sports holdall with room for a towel and shoes",
            ),
        ),
    ],
    "baby": [
        (
            "Bottle",
            "Baby > Feeding",
            "feeds milk through an anti-colic valve",
            (
                "something to feed my newborn formula without wind",
                "a way to give expressed milk so the little one doesn't get tummy ache",
                "a feeder for infants that reduces colic",
            ),
        ),
        (
            "Mat",
            "Baby > Changing",
            "wipes clean in seconds after nappy changes",
            (
                "a padded surface for changing diapers",
                "somewhere to lay the baby while I swap nappies",
                "a wipeable pad for the changing table",
            ),
        ),
        (
            "Lamp",
            "Baby > Nursery",
            "glows softly in the nursery for night feeds",
            (
                "a dim light so I can see the cot at 3am without waking the baby",
                "something gentle for the nursery during night-time feeds",
                "a soft glow for the little one's room at night",
            ),
        ),
        (
            "Blanket",
            "Baby > Sleep",
            "wraps a newborn snugly for sleep",
            (
                "something to swaddle my infant in",
                "a cloth to wrap the baby so it sleeps longer",
                "a snug wrap that stops the startle reflex waking my newborn",
            ),
        ),
    ],
    "pets": [
        (
            "Brush",
            "Pets > Grooming",
            "removes loose fur from shedding dogs and cats",
            (
                "something to stop dog hair getting all over the sofa",
                "a groomer for my moulting cat",
                "a way to deal with my husky's shedding coat",
            ),
        ),
        (
            "Cushion",
            "Pets > Beds",
            "supports old joints while your dog sleeps",
            (
                "a comfy bed for my elderly labrador",
                "somewhere soft for an arthritic dog to rest",
                "an orthopaedic spot for my senior pup to nap",
            ),
        ),
        (
            "Bottle",
            "Pets > Walking",
            "gives your dog a drink on long walks",
            (
                "a way to water my puppy when we're out hiking",
                "something my dog can drink from in the park",
                "a portable drinker for dogs on trips",
            ),
        ),
        (
            "Bag",
            "Pets > Training",
            "holds treats on your belt during training",
            (
                "a pouch for rewards when I teach my puppy to sit",
                "somewhere to keep dog biscuits handy at obedience class",
                "a clip-on holder for snacks while I train the dog",
            ),
        ),
    ],
    "office": [
        (
            "Lamp",
            "Office > Lighting",
            "lights paperwork on your desk without glare",
            (
                "something to see my documents clearly when I work late",
                "an adjustable light for reading at my workstation",
                "a way to brighten my home office without dazzling the screen",
            ),
        ),
        (
            "Stand",
            "Office > Ergonomics",
            "raises your monitor to eye level",
            (
                "something to lift my screen so I stop hunching",
                "a riser for my display to fix my neck pain",
                "a way to get the computer screen higher on my desk",
            ),
        ),
        (
            "Cushion",
            "Office > Ergonomics",
            "eases your lower back on long days at the desk",
            (
                "something to sit on so my spine doesn't hurt by 5pm",
                "a seat pad for an office chair that helps posture",
                "a way to make my work chair comfier for my lumbar",
            ),
        ),
        (
            "Tray",
            "Office > Organisers",
            "holds pens, notes and paper clips in one place",
            (
                "a desk tidy for my stationery",
                "somewhere to keep biros and sticky notes organised",
                "a holder to stop my workspace being cluttered with clips",
            ),
        ),
    ],
    "photo": [
        (
            "Bag",
            "Photo > Bags",
            "protects a camera body and two lenses",
            (
                "something padded to carry my DSLR in",
                "a case for my mirrorless kit when I travel",
                "a way to keep my camera gear safe from bumps",
            ),
        ),
        (
            "Stand",
            "Photo > Support",
            "holds the camera steady for long exposures",
            (
                "a tripod-style support for night photography",
                "something to stop blur when I shoot star trails",
                "a three-legged mount for my camera",
            ),
        ),
        (
            "Lamp",
            "Photo > Lighting",
            "lights faces evenly for video calls and filming",
            (
                "something to make me look better on webcam",
                "a light for recording vlogs",
                "a way to brighten my face when I stream",
            ),
        ),
        (
            "Strap",
            "Photo > Accessories",
            "spreads the weight of a camera across your shoulder",
            (
                "something so my heavy camera doesn't hurt my neck",
                "a sling to carry my camera comfortably all day",
                "a way to wear my camera across my body",
            ),
        ),
    ],
}

# (the catalog's words, three shopper phrasings)
FEATURES = [
    (
        "charges over USB-C",
        (
            "that I can recharge from my laptop",
            "with a rechargeable battery, no AAs",
            "that tops up from a phone charger",
        ),
    ),
    (
        "folds flat for storage",
        (
            "that packs down small",
            "that collapses to save space",
            "that squashes away into a drawer",
        ),
    ),
    (
        "is made without any plastic",
        ("that's plastic-free", "with no plastic parts at all", "that avoids plastics completely"),
    ),
    (
        "carries a lifetime guarantee",
        (
            "that's guaranteed forever",
            "that you will replace for free if it ever breaks",
            "covered for as long as I own it",
        ),
    ),
    (
        "comes in a gift box",
        (
            "that would make a nice present",
            "already wrapped up for gifting",
            "I could give someone for their birthday",
        ),
    ),
    (
        "survives a drop onto stone floors",
        (
            "that won't break if I knock it off the counter",
            "tough enough to be dropped",
            "that can take a few knocks",
        ),
    ),
    (
        "has a non-slip base",
        (
            "that won't slide around",
            "that stays put on a smooth surface",
            "that grips and doesn't skid",
        ),
    ),
    (
        "is certified carbon neutral",
        (
            "from a climate-friendly maker",
            "with a zero carbon footprint",
            "that's kind to the planet",
        ),
    ),
]

ASKING = [
    "Do you sell {need} {feature}?",
    "I'm looking for {need} {feature}.",
    "Have you got {need} {feature}?",
    "Any recommendations for {need} {feature}?",
]

# attribute key -> (values, three shopper phrasings of the question)
ATTRIBUTES = {
    "material": (
        ["bamboo", "stainless steel", "recycled plastic", "cotton", "aluminium", "silicone"],
        (
            "What's it actually made out of?",
            "Which stuff is it built from?",
            "What is the thing constructed of?",
        ),
    ),
    "weight": (
        None,
        (
            "Is it heavy to carry around?",
            "How many grams is it?",
            "Will it be a pain to lug around?",
        ),
    ),
    "colour": (
        ["charcoal", "sage green", "sand", "navy", "white", "terracotta"],
        ("What shade does it come in?", "Which hue is it?", "Is it in a dark or pale tone?"),
    ),
    "warranty": (
        ["1 year", "2 years", "3 years"],
        (
            "How long are you covered if it fails?",
            "Is there a guarantee if it breaks?",
            "What if it stops working after a few months?",
        ),
    ),
    "care": (
        [
            "hand wash only",
            "wipe clean with a damp cloth",
            "dishwasher safe",
            "machine washable at 30 degrees",
        ],
        ("How do I clean it?", "Can it go in with the dishes?", "What's the best way to wash it?"),
    ),
    "dimensions": (
        None,
        ("How big is it?", "What are the measurements?", "Will it fit in a small cupboard?"),
    ),
}

BRANDS = ["Northfield", "Lumo", "Kestrel", "Bramble", "Solace", "Vantage", "Oakum", "Pebble"]
MODELS = ["Classic", "Pro", "Compact", "Everyday", "Nova", "Deluxe"]
