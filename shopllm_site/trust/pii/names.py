"""People's names in free text, found by context rather than a trained model.

No named-entity model can be installed offline here (spaCy's models are not published on PyPI,
only unofficial re-uploads), so names are found the way a careful reader spots them in a shopper's
question: after a title ("Dr.", "Frau", "Mme"), after words that introduce a person ("my name is",
"I'm", "this is", "regards", "my wife", "ich heiße", "je m'appelle", "me llamo", "mi chiamo"),
before "here"/"speaking", and any capitalised common given name (a short list written here, not a
name database: the only offline one on PyPI, names-dataset, needs 3 GB of memory) followed by a
capitalised surname. Words that introduce a person weakly ("I'm", "this is", "from") need a known
given name or two capitalised words, so "I'm looking for" and "from Amazon" stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Common given names across the shops' languages (English, German, French, Spanish, Italian,
# Dutch, Polish, Turkish, Indian, Arabic, Chinese in pinyin). Lower case. Names that are also
# product words or brands ("jack", "max", "rose", "jordan", "alexa", "mercedes") are left out:
# those are still found after a cue ("my name is Max").
GIVEN_NAMES = _words(
    """
    aaron abdul adam adrian agnieszka ahmed aisha alan albert alberto alejandro alessandra
    alessandro alex alexander alexandra alexandre alfonso ali alice alicia alina alison amanda
    amelia amit ana anastasia andrea andreas andrew andrzej angela angelika anita anja anke ann
    anna anne annette antoine anthony antonio anushka arjun arnaud astrid aurelie barbara bastian
    beatrice ben benjamin benedikt bernd bettina bianca birgit bob brian bruno camille carla
    carlos carmen carolina caroline catherine cecile charles charlotte chen chiara chloe chris
    christian christina christine christoph christopher claire clara claudia colin connor
    cristina daniel daniela david deborah deepak denise dennis diana diego dieter dimitri dirk
    dominik donna dorothea edward elena elif elisa elisabeth elizabeth ella emily emma emmanuel
    enrico eric erik esther eva fabian fabio fatima federica federico felix fernando florian
    francesca francesco francisco franck francois françoise frederic gabriel gabriele gabriella
    george gerhard giacomo gianluca gianni giorgia giovanni giulia giuseppe gloria greta gregor
    guillaume gunter günter hamza hannah hans harry heike heinz helen helena helga henrik henry
    hugo ibrahim ines ingrid isabel isabella isabelle ivan jakob james jan jana jane janet jason
    javier jean jennifer jens jeremy jessica joanna joachim johanna john jonas jonathan jorge
    jose josé joseph juan julia julian julie julien jürgen jurgen kai karen karin karl kasia
    katarzyna kate katharina katrin kevin klaus krishna kumar lara laura laurent lea lena leon
    leonie liam lina linda lisa lorenzo lucas lucia luca luis luisa lukas magdalena maja manuel
    manuela marc marcel marco margaret maria marie marina mario marion markus marta martin
    martina mary matteo matthew matthias maurice mehmet melanie michael michaela michel michele
    miguel mohammed monika nadia natalia nathalie nicolas nicole niklas nina noah nora olga
    oliver olivia pablo paolo pascal patricia patrick paul paula pedro peter petra philipp
    philippe pierre pietro pilar pooja priya rafael rahul raj rajesh ravi rebecca renate ricardo
    richard robert roberto rosa ruth ryan sabine sandra sara sarah sebastian sergio silvia simon
    simone sofia sophia sophie stefan stefania stefano stephanie steven susanne sven swati tanja
    thomas tim tobias tom thierry ulrich ursula valentina valeria vanessa vera veronica vincent
    vincenzo wang wei werner william wolfgang xavier yasmin yusuf zoe
    """
)

# Words that end a name (and that a name never is): function words and common verbs of the
# shops' languages, plus words that start place names.
STOP_WORDS = _words(
    """
    a about above after again ago all also am an and any are as ask asked asking at back be
    because been before being below best between both bought but buy by can cannot could dear
    did do does doing done down each even ever every few for from get gets getting gift give go
    going good got had has have having he her here hers him his how however i if in into is it
    its just keep kind know like likes looking love loves made make many may me mine more most
    much must my need needs new no nor not now of off often on once one only or other our out
    over own please question quick same says see she should since so some still such sure
    thank thanks than that the their them then there these they thing think this those though
    through to too under until up us use used uses very want wants was wasted we well were what
    when where which while who whom whose why will wish with would wrote yes yet you your
    hello hi hey dear team shop store seller customer support sir madam everyone all
    north south east west san santa los las saint st new old great little
    ich bin ist und oder der die das den dem des ein eine einen mit für von zu auf aus bei
    nicht noch schon auch wie was wer wo hallo danke bitte gerne frage kann möchte habe hat
    je suis est et ou le la les un une des du de pour avec dans sur merci bonjour est-ce
    yo soy es y o el los las un una por con para en del gracias hola pregunta
    io sono è e o il lo gli una uno per con di da in su grazie ciao domanda
    here speaking writing
    """
)

NAME_WORD = r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ'’-]*"
PARTICLES = _words("van von der den de del della di da du la le bin al ibn dos das")

TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Herr|Frau|Hr|Fr|Mme|Mlle|Monsieur|Madame|Sr|Sra|Srta|"
    r"Señor|Señora|Sig|Sig\.ra|Signor|Signora|Dott|Dott\.ssa|Ing)\b\.?\s+",
    re.IGNORECASE,
)
# A cue says that a person's name follows; "strong" cues accept any word that is not a common
# one (even in lower case), "weak" ones need a known given name or two capitalised words.
STRONG_CUES = re.compile(
    r"(?:\bmy name is|\bmy name's|\bname\s*:|\bcall me|\bsigned|\bsincerely,?|\bregards,?|"
    r"\bkind regards,?|\bbest wishes,?|\bich heiße|\bich heisse|\bmein name ist|\bname ist|"
    r"\bmit freundlichen grüßen,?|\bmfg,?|\bviele grüße,?|\bgrüße,?|\bgruß,?|"
    r"\bje m'appelle|\bje m’appelle|\bmon nom est|\bcordialement,?|\bbien à vous,?|"
    r"\bme llamo|\bmi nombre es|\bsaludos,?|\bun saludo,?|\batentamente,?|"
    r"\bmi chiamo|\bil mio nome è|\bsaluti,?|\bcordiali saluti,?|"
    r"\bmy (?:wife|husband|son|daughter|mother|father|mum|mom|dad|friend|partner|brother|"
    r"sister|boss|colleague|neighbou?r|girlfriend|boyfriend|grandson|granddaughter|"
    r"grandmother|grandfather|grandma|grandpa|aunt|uncle|niece|nephew|fiancée?)\b,?|"
    r"\bmeine (?:frau|tochter|mutter|schwester|freundin|kollegin|oma)\b|"
    r"\bmein (?:mann|sohn|vater|bruder|freund|kollege|opa)\b|"
    r"\b(?:ma femme|mon mari|mon fils|ma fille|ma mère|mon père|mon ami|mon amie)\b|"
    r"\bmi (?:esposa|marido|hijo|hija|madre|padre|amigo|amiga)\b|"
    r"\b(?:mia moglie|mio marito|mio figlio|mia figlia|mia madre|mio padre)\b)\s+",
    re.IGNORECASE,
)
WEAK_CUES = re.compile(
    r"(?:\bi am|\bi'm|\bi’m|\bim|\bthis is|\bthanks,?|\bthank you,?|\bcheers,?|\bbest,?|"
    r"\bdanke,?|\bmerci,?|\bgracias,?|\bgrazie,?|\bich bin|\bhier ist|\bje suis|\bc'est|"
    r"\bsoy|\bsono|(?:^|\s)[-–—]{1,2})\s*",
    re.IGNORECASE,
)
# "from Philips Hue", "for Bosch Serie 4": after these only a known given name is a name.
GIVEN_CUES = re.compile(r"\b(?:from|for|für|von|pour|de|para|per|to|an)\s+", re.IGNORECASE)
BEFORE_HERE = re.compile(rf"\b({NAME_WORD}(?:\s+{NAME_WORD})?)\s+(?:here|speaking)\b", re.I)
WORD = re.compile(NAME_WORD)

Span = tuple[int, int]


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and not word.isupper() or (len(word) > 1 and word.istitle())


def _plain(word: str) -> str:
    return word.lower().strip("'’-")


def _take_name(text: str, start: int, strong: bool) -> Span | None:
    """The name that starts at `start` (after a cue or title), or None."""
    words = []
    position = start
    for _ in range(4):
        match = WORD.match(text, position)
        if not match:
            break
        word = match.group()
        plain = _plain(word)
        if not words:
            given = plain in GIVEN_NAMES
            capitalised = _is_capitalised(word)
            if plain in STOP_WORDS or plain in PARTICLES:
                return None
            if not (given or capitalised or strong):
                return None
        elif plain in PARTICLES and len(words) < 3:
            pass  # "van der Berg", "de la Cruz": kept only if a surname follows
        elif (
            plain in STOP_WORDS
            or not _is_capitalised(word)
            and (len(words) >= 2 or not (strong or _plain(words[0][2]) in GIVEN_NAMES))
        ):
            # A lower-case surname only right after a known given name or a strong cue.
            break
        words.append((match.start(), match.end(), word))
        gap = re.match(r"[ \t]+", text[match.end() :])
        if not gap:
            break
        position = match.end() + gap.end()
    while words and _plain(words[-1][2]) in PARTICLES:
        words.pop()
    if not words:
        return None
    end = words[-1][1]
    if text[end - 2 : end] in ("'s", "’s"):  # "Emma Thompson's kitchen": keep the possessive
        end -= 2
    return words[0][0], end


def _weak_ok(text: str, span: Span) -> bool:
    """After a weak cue: a known given name, or at least two capitalised words."""
    words = WORD.findall(text[span[0] : span[1]])
    if _plain(words[0]) in GIVEN_NAMES:
        return True
    capitalised = [word for word in words if _is_capitalised(word)]
    return len(capitalised) >= 2 and _is_capitalised(words[0])


def find_names(text: str, known: Iterable[str] = ()) -> Iterator[Span]:
    """Character spans of people's names in `text`; `known` are names to find wherever they
    appear (the asking customer's), whole or in parts."""
    for name in known:
        parts = [part for part in re.split(r"\s+", (name or "").strip()) if len(part) >= 2]
        for part in ([" ".join(parts)] if len(parts) > 1 else []) + parts:
            for match in re.finditer(rf"(?<!\w){re.escape(part)}(?!\w)", text, re.IGNORECASE):
                yield match.span()
    for match in TITLE.finditer(text):
        span = _take_name(text, match.end(), strong=True)
        if span:
            yield span
    for match in STRONG_CUES.finditer(text):
        span = _take_name(text, match.end(), strong=True)
        if span:
            yield span
    for match in WEAK_CUES.finditer(text):
        span = _take_name(text, match.end(), strong=False)
        if span and _weak_ok(text, span):
            yield span
    for match in GIVEN_CUES.finditer(text):
        word = WORD.match(text, match.end())
        if word and _plain(word.group()) in GIVEN_NAMES:
            span = _take_name(text, match.end(), strong=False)
            if span:
                yield span
    for match in BEFORE_HERE.finditer(text):
        words = match.group(1).split()
        if _plain(words[-1]) in GIVEN_NAMES:
            yield match.start(1) + match.group(1).rfind(words[-1]), match.end(1)
        elif (_plain(words[0]) in GIVEN_NAMES and _plain(words[-1]) not in STOP_WORDS) or (
            len(words) == 2 and all(_is_capitalised(word) for word in words)
        ):
            yield match.span(1)
    # Without a cue, a known given name and a capitalised surname ("Can Anna Kowalski pick it
    # up?"); a given name alone is as often a product line ("the Emma mattress").
    for match in WORD.finditer(text):
        if _is_capitalised(match.group()) and _plain(match.group()) in GIVEN_NAMES:
            span = _take_name(text, match.start(), strong=False)
            words = WORD.findall(text[span[0] : span[1]]) if span else []
            if len(words) >= 2 and _is_capitalised(words[1]):
                yield span
