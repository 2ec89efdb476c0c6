"""Words the claim check knows, with canonical names: materials, colours, certifications,
countries, sizes, warranty and award phrases. Product types and common words live in
`words.py`. A word missing here is simply not checked for its kind (the proper-noun check still
sees capitalised names), so the lists favour words that state a checkable fact."""

from __future__ import annotations

import re
from collections.abc import Iterable


def alternation(words: Iterable[str]) -> str:
    """A regex alternation, longest first, with spaces and hyphens interchangeable."""
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(
        re.escape(word).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?") for word in ordered
    )


def _phrases(text: str) -> list[str]:
    """'a|b c|d' over several lines -> ['a', 'b c', 'd']."""
    return [" ".join(part.split()) for part in text.split("|") if part.strip()]


def key_of(phrase: str) -> str:
    """'Stainless-Steel' -> 'stainless steel': the form used for lookups."""
    return " ".join(re.split(r"[\s\-_/]+", phrase.lower().replace("’", "'"))).strip()


# material -> canonical name
MATERIALS: dict[str, str] = {
    **{
        m: m
        for m in _phrases(
            """
            stainless steel|carbon steel|steel|aluminium|titanium|copper|brass|bronze|iron|cast iron
            |zinc|chrome|nickel|tungsten|sterling silver|gold plated|solid gold|pewter|metal|enamel
            |enamelled cast iron|cotton|organic cotton|wool|merino|merino wool|cashmere|alpaca
            |mohair
            |linen|silk|satin|velvet|leather|full grain leather|top grain leather|genuine leather
            |suede
            |nubuck|faux leather|vegan leather|pu leather|faux fur|fur|shearling|sheepskin|polyester
            |recycled polyester|nylon|ripstop nylon|spandex|elastane|lycra|fleece|denim|canvas
            |waxed canvas|corduroy|tweed|flannel|twill|jersey|mesh|neoprene|microfiber|modal|rayon
            |viscose|lyocell|tencel|acetate|acrylic|hemp|jute|rattan|wicker|seagrass|plastic
            |recycled plastic|polycarbonate|polypropylene|polyethylene|polyurethane|pvc|vinyl|abs
            |tpu
            |eva|silicone|rubber|natural rubber|latex|foam|memory foam|gel memory foam|glass
            |tempered glass|borosilicate glass|borosilicate|crystal|ceramic|porcelain|stoneware
            |earthenware|terracotta|wood|solid wood|engineered wood|bamboo|oak|walnut|acacia|teak
            |pine
            |birch|maple|beech|mango wood|cedar|mahogany|ash wood|plywood|mdf|particleboard|cork
            |marble
            |granite|quartz|slate|concrete|stone|resin|paper|recycled paper|cardboard|beeswax
            |carbon fibre|goose down|duck down|feather|feathers|down alternative|gore tex|kevlar
            |fibreglass|boucle|chenille|sherpa|tulle|chiffon|lace|poplin|seersucker|gabardine
    |crepe|terry|terrycloth|muslin|gauze|organza|tritan|bamboo viscose|lambswool|angora
    |polyamide|paraben|parabens|sulfate|sulfates|sulphate|sulphates|fragrance
            |alcohol
            |gluten|dairy|lactose|soy|nuts|peanuts|sugar|palm oil|phthalates|pfas|pfoa|bpa|lead
            |formaldehyde|toxin|toxins|chemicals|latex
            """
        )
    },
    "aluminum": "aluminium",
    "carbon fiber": "carbon fibre",
    "fiberglass": "fibreglass",
    "wooden": "wood",
    "microfibre": "microfiber",
    "gore-tex": "gore tex",
    "goretex": "gore tex",
    "faux-leather": "faux leather",
    "leatherette": "faux leather",
    "sulphate": "sulfate",
    "sulphates": "sulfate",
    "sulfates": "sulfate",
    "parabens": "paraben",
    "feathers": "feather",
    "toxins": "toxin",
}
MATERIALS = {key_of(k): key_of(v) for k, v in MATERIALS.items()}
# Ingredients and substances that copy only names to say the product is free of them.
FREE_ONLY = {
    "paraben",
    "sulfate",
    "fragrance",
    "alcohol",
    "gluten",
    "dairy",
    "lactose",
    "soy",
    "nuts",
    "peanuts",
    "sugar",
    "palm oil",
    "phthalates",
    "pfas",
    "pfoa",
    "bpa",
    "lead",
    "formaldehyde",
    "toxin",
    "chemicals",
}
# A material vouches for its generic parents: "oak" is wood, "stainless steel" is steel and metal.
_WOODS = "oak|walnut|acacia|teak|pine|birch|maple|beech|mango wood|cedar|mahogany|ash wood"
MATERIAL_PARENTS: dict[str, set[str]] = {
    **{wood: {"wood", "solid wood"} for wood in _WOODS.split("|")},
    "solid wood": {"wood"},
    "engineered wood": {"wood"},
    "plywood": {"wood", "engineered wood"},
    "mdf": {"engineered wood"},
    "particleboard": {"engineered wood"},
    "stainless steel": {"steel", "metal"},
    "carbon steel": {"steel", "metal"},
    "steel": {"metal"},
    "aluminium": {"metal"},
    "titanium": {"metal"},
    "copper": {"metal"},
    "brass": {"metal"},
    "bronze": {"metal"},
    "iron": {"metal"},
    "cast iron": {"iron", "metal"},
    "enamelled cast iron": {"cast iron", "iron", "metal", "enamel"},
    "zinc": {"metal"},
    "chrome": {"metal"},
    "sterling silver": {"metal"},
    "organic cotton": {"cotton"},
    "merino wool": {"wool", "merino"},
    "merino": {"wool"},
    "full grain leather": {"leather", "genuine leather"},
    "top grain leather": {"leather", "genuine leather"},
    "genuine leather": {"leather"},
    "recycled polyester": {"polyester"},
    "ripstop nylon": {"nylon"},
    "waxed canvas": {"canvas"},
    "memory foam": {"foam"},
    "gel memory foam": {"memory foam", "foam"},
    "tempered glass": {"glass"},
    "borosilicate glass": {"glass", "borosilicate"},
    "borosilicate": {"glass"},
    "recycled plastic": {"plastic"},
    "polycarbonate": {"plastic"},
    "polypropylene": {"plastic"},
    "polyethylene": {"plastic"},
    "abs": {"plastic"},
    "pvc": {"plastic"},
    "acrylic": {"plastic"},
    "natural rubber": {"rubber"},
    "goose down": {"down"},
    "duck down": {"down"},
    "recycled paper": {"paper"},
    "spandex": {"elastane"},
    "elastane": {"spandex"},
    "lycra": {"elastane", "spandex"},
    "lyocell": {"tencel"},
    "tencel": {"lyocell"},
    "porcelain": {"ceramic"},
    "stoneware": {"ceramic"},
    "earthenware": {"ceramic"},
}

COLOURS: dict[str, str] = {
    **{
        c: c
        for c in _phrases(
            """
            black|white|grey|silver|gold|rose gold|red|blue|navy|navy blue|sky blue|light blue
            |dark blue
            |royal blue|cobalt|green|dark green|forest green|olive|sage|mint|lime|emerald|yellow
            |mustard
            |orange|purple|violet|lavender|lilac|plum|pink|hot pink|blush|magenta|fuchsia|brown
            |chocolate|espresso|mocha|camel|beige|tan|taupe|sand|khaki|teal|turquoise|aqua|cyan
            |burgundy
            |maroon|wine|crimson|scarlet|coral|peach|salmon|rust|terracotta|copper|bronze|charcoal
            |graphite|slate|cream|ivory|off white|ecru|natural|clear|transparent|multicolour|rainbow
            |indigo|denim blue|stone|oatmeal|heather grey|dark grey|light grey|matte black|jet black
            |champagne|nude|gunmetal
            """
        )
    },
    "gray": "grey",
    "dark gray": "dark grey",
    "light gray": "light grey",
    "heather gray": "heather grey",
    "multicolor": "multicolour",
    "multicoloured": "multicolour",
    "multicolored": "multicolour",
    "off-white": "off white",
}
COLOURS = {key_of(k): key_of(v) for k, v in COLOURS.items()}
# Colours that are also everyday words ("olive oil", "face cream", "clear instructions"): they
# count as a colour only next to a colour word, a material, a product type, or "in"/"colour".
AMBIGUOUS_COLOURS = {
    "olive",
    "sage",
    "mint",
    "lime",
    "orange",
    "plum",
    "chocolate",
    "espresso",
    "mocha",
    "camel",
    "sand",
    "wine",
    "coral",
    "peach",
    "salmon",
    "rust",
    "terracotta",
    "copper",
    "bronze",
    "charcoal",
    "graphite",
    "slate",
    "cream",
    "natural",
    "clear",
    "transparent",
    "stone",
    "oatmeal",
    "champagne",
    "nude",
    "gold",
    "silver",
    "rose gold",
    "emerald",
    "cobalt",
    "tan",
    "blush",
    "indigo",
    "rainbow",
    "denim blue",
}
# Nouns after which a colour word names something else: "white noise", "red wine".
NOT_COLOUR_AFTER = {
    "noise",
    "wine",
    "light",
    "lights",
    "oil",
    "tea",
    "wash",
    "paper",
    "list",
    "house",
    "collar",
    "belt",
    "board",
    "boards",
    "sauce",
    "pepper",
    "peppers",
    "onion",
    "onions",
    "bean",
    "beans",
    "chocolate",
    "rice",
    "flour",
    "sugar",
    "vinegar",
    "meat",
    "water",
    "glove",
    "label",
    "flag",
    "carpet",
    "friday",
    "monday",
    "extract",
    "leaf",
    "leaves",
    "scent",
    "flavour",
    "flavor",
    "fragrance",
    "standard",
    "medal",
    "award",
}
COLOUR_CONTEXT = {
    "colour",
    "color",
    "colours",
    "colors",
    "colourway",
    "shade",
    "shades",
    "finish",
    "tone",
    "hue",
    "coloured",
    "colored",
    "dyed",
    "tint",
    "tinted",
}

# certification key -> pattern (case-sensitive where the letters are also words: "CE", "UL").
CERTIFICATIONS: dict[str, str] = {
    "ul": r"\bUL(?:[\s-]*(?:listed|certified|approved|94\s?V-?0))?\b|\bUnderwriters Laboratories\b",
    "etl": r"\bETL(?:[\s-]*(?:listed|certified))?\b",
    "csa": r"\bCSA(?:[\s-]*(?:certified|approved))?\b",
    "nsf": r"\bNSF(?:/ANSI)?(?:[\s-]*(?:certified|listed|\d+))?\b",
    "ansi": r"\bANSI(?:/ISEA)?(?:[\s-]+Z?\d+(?:\.\d+)*\+?)?",
    "astm": r"\bASTM(?:[\s-]+[A-Z]?\d+(?:-\d+)?)?",
    "en": r"\bEN[\s-]?\d{2,5}(?:[-:]\d+)*\b",
    "iso": r"\bISO[\s-]?\d{3,5}(?:[-:]\d+)*\b",
    "ce": r"\bCE(?:[\s-]*(?:marked|mark|certified|approved))?\b",
    "fcc": r"\bFCC(?:[\s-]*(?:certified|approved|compliant|part\s?\d+))?\b",
    "rohs": r"\bRoHS(?:[\s-]*compliant)?\b",
    "reach": r"\bREACH(?:[\s-]*compliant)?\b",
    "energy star": r"(?i:\benergy[\s-]?star(?:[\s-]*(?:certified|rated))?\b)",
    "fsc": r"\bFSC(?:[\s-]*(?:certified|100%|mix))?\b",
    "pefc": r"\bPEFC\b",
    "oeko tex": r"(?i:\boeko[\s-]?tex(?:®)?(?:[\s-]*(?:standard\s*100|certified))?)",
    "gots": r"\bGOTS(?:[\s-]*certified)?\b|(?i:\bglobal organic textile standard\b)",
    "grs": r"(?i:\bglobal recycled standard\b)|\bGRS\b",
    "bluesign": r"(?i:\bbluesign\b)",
    "usda organic": r"(?i:\bUSDA[\s-]+(?:certified[\s-]+)?organic\b)",
    "organic": r"(?i:\b(?:certified[\s-]+)?organic(?:[\s-]+certified)?\b)",
    "fair trade": r"(?i:\bfair[\s-]?trade(?:[\s-]*certified)?\b)",
    "rainforest alliance": r"(?i:\brainforest alliance(?:[\s-]*certified)?\b)",
    "b corp": r"(?i:\bB[\s-]?Corp(?:oration)?(?:[\s-]*certified)?\b)",
    "leaping bunny": r"(?i:\bleaping bunny\b)",
    "cruelty free": r"(?i:\bcruelty[\s-]?free\b)",
    "vegan certified": r"(?i:\b(?:certified vegan|vegan[\s-]certified|vegan society)\b)",
    "non gmo": r"(?i:\bnon[\s-]?GMO(?:[\s-]*project(?:[\s-]*verified)?)?\b)",
    "kosher": r"(?i:\bkosher\b)",
    "halal": r"(?i:\bhalal\b)",
    "fda": r"\bFDA(?:[\s-]*(?:approved|cleared|registered|compliant|grade))?\b",
    "lfgb": r"\bLFGB\b",
    "cpsc": r"\bCPSC(?:[\s-]*(?:certified|compliant))?\b|\bCPSIA\b",
    "greenguard": r"(?i:\bgreenguard(?:[\s-]*gold)?(?:[\s-]*certified)?\b)",
    "carb": r"\bCARB(?:[\s-]*(?:P2|phase\s?2|compliant))?\b",
    "tuv": r"\bT[ÜU]V(?:[\s-]*(?:certified|approved|rheinland|süd|sud))?\b",
    "gs": r"\bGS(?:[\s-]*(?:mark|certified))\b",
    "mfi": r"\bMFi(?:[\s-]*certified)?\b|(?i:\bmade for (?:iphone|ipad|apple)\b)",
    "qi": r"\bQi2?(?:[\s-]*certified)?\b",
    "niosh": r"\bNIOSH(?:[\s-]*approved)?\b",
    "n95": r"\b[NK][N]?95\b",
    "ip rating": r"\bIP[X0-9][0-9]\b",
    "dermatologist tested": r"(?i:\bdermatologists?[\s-]+(?:tested|approved|recommended)\b)",
    "clinically proven": r"(?i:\bclinically[\s-]+(?:proven|tested)\b)",
    "lab tested": r"(?i:\b(?:lab|laboratory)[\s-]+(?:tested|certified)\b)",
    "hypoallergenic": r"(?i:\bhypo[\s-]?allergenic\b)",
    "non toxic": r"(?i:\bnon[\s-]?toxic\b)",
    "certified": r"(?i:\b(?:certified|certification|accredited|approved by)\b)",
}

COUNTRIES: dict[str, str] = {
    **{
        key_of(c): key_of(c)
        for c in _phrases(
            """
            italy|france|germany|spain|portugal|japan|china|india|vietnam|thailand|indonesia|korea
            |south korea|taiwan|usa|canada|mexico|brazil|peru|colombia|chile|argentina|uk|england
            |scotland|wales|ireland|sweden|norway|denmark|finland|iceland|netherlands|belgium
            |switzerland|austria|poland|czech republic|turkey|greece|morocco|egypt|kenya|ethiopia
            |south africa|australia|new zealand|bangladesh|pakistan|sri lanka|philippines|malaysia
            |cambodia|hungary|romania|estonia|lithuania|latvia|ukraine|israel
            """
        )
        if c.strip()
    },
    "united states": "usa",
    "the united states": "usa",
    "united states of america": "usa",
    "the usa": "usa",
    "u.s.a.": "usa",
    "u.s.": "usa",
    "us": "usa",
    "america": "usa",
    "united kingdom": "uk",
    "the uk": "uk",
    "great britain": "uk",
    "britain": "uk",
    "holland": "netherlands",
    "the netherlands": "netherlands",
    "the philippines": "philippines",
}
NATIONALITIES: dict[str, str] = {
    "italian": "italy",
    "french": "france",
    "german": "germany",
    "spanish": "spain",
    "portuguese": "portugal",
    "japanese": "japan",
    "chinese": "china",
    "indian": "india",
    "vietnamese": "vietnam",
    "thai": "thailand",
    "korean": "korea",
    "taiwanese": "taiwan",
    "american": "usa",
    "canadian": "canada",
    "mexican": "mexico",
    "brazilian": "brazil",
    "peruvian": "peru",
    "colombian": "colombia",
    "british": "uk",
    "scottish": "scotland",
    "welsh": "wales",
    "irish": "ireland",
    "swedish": "sweden",
    "norwegian": "norway",
    "danish": "denmark",
    "finnish": "finland",
    "dutch": "netherlands",
    "belgian": "belgium",
    "swiss": "switzerland",
    "austrian": "austria",
    "polish": "poland",
    "turkish": "turkey",
    "greek": "greece",
    "moroccan": "morocco",
    "egyptian": "egypt",
    "kenyan": "kenya",
    "ethiopian": "ethiopia",
    "australian": "australia",
    "scandinavian": "scandinavia",
    "nordic": "scandinavia",
    "icelandic": "iceland",
    "belgian-made": "belgium",
}
# Scandinavian design covers its countries.
REGIONS = {"scandinavia": {"sweden", "norway", "denmark", "finland", "iceland"}}

BED_SIZES: dict[str, str] = {
    "california king": "california king",
    "cal king": "california king",
    "super king": "super king",
    "twin xl": "twin xl",
    "king": "king",
    "queen": "queen",
    "full": "full",
    "double": "full",
    "twin": "twin",
    "single": "twin",
    "super single": "twin",
}
# Ambiguous bed-size words need bed context ("full support", "twin pack", "single serve").
BED_CONTEXT = {
    "size",
    "sized",
    "bed",
    "beds",
    "mattress",
    "mattresses",
    "frame",
    "sheet",
    "sheets",
    "duvet",
    "comforter",
    "quilt",
    "headboard",
    "bedspread",
    "bedding",
    "topper",
    "coverlet",
    "bedframe",
    "platform",
    "set",
    "cover",
    "fitted",
    "flat",
}
ALPHA_SIZES = {
    "xxs": "xxs",
    "xs": "xs",
    "s": "s",
    "m": "m",
    "l": "l",
    "xl": "xl",
    "xxl": "xxl",
    "xxxl": "xxxl",
    "2xl": "xxl",
    "3xl": "xxxl",
    "4xl": "4xl",
    "5xl": "5xl",
    "small": "s",
    "medium": "m",
    "large": "l",
    "extra small": "xs",
    "extra large": "xl",
    "one size": "one size",
    "petite": "petite",
    "plus size": "plus size",
    "tall": "tall",
}
