"""GENERIC_WORDS: what copy may say of any product without stating a fact (checks/details.py).

Grouped by what they are. A word belongs here only if saying it of a product that lacks the
property would not mislead a shopper: praise and the plain words of selling, yes; properties a
product may or may not have ("waterproof", "soft", "quiet", "organic", "wireless"), no: those
must come from the facts. Add words with care: each one is a hole in the check.
"""

from __future__ import annotations


def _words(text: str) -> set[str]:
    return set(text.split())


FUNCTION_WORDS = _words(
    """
    a an the this that these those it its it's they them their theirs he she his her him we us our
    ours you your yours i me my mine who whom whose which what whatever whichever where when while
    why how there here than then so such as if or and but nor yet for of to in on at by with without
    within from into onto upon about above below over under between among through throughout during
    before after since until till up down out off around across along against beyond behind beside
    besides toward towards via per like unlike near inside outside is are was were be been being am
    do does did doing done have has had having will would shall should can could may might must
    ought not no yes all any both each either neither every few many much more most less least other
    others another some several same own only just also too very quite rather really truly simply
    even ever never always often still already again once twice whether though although because
    unless whereas however therefore thus hence indeed perhaps maybe almost nearly enough well else
    etc let's you're you'll you've we're we've we'll it'll that's there's here's what's isn't aren't
    don't doesn't won't can't couldn't wouldn't shouldn't didn't wasn't weren't one ones something
    anything everything nothing someone anyone everyone everybody nobody somewhere anywhere
    everywhere whenever wherever
    """
)

PRAISE = _words(
    """
    perfect perfectly ideal ideally great greater greatest good better best excellent exceptional
    outstanding superb superior premium quality high-quality top finest fine wonderful fantastic
    amazing awesome incredible impressive remarkable brilliant beautiful beautifully lovely gorgeous
    stunning elegant elegance stylish style stylishly sleek chic classic timeless modern
    contemporary refined sophisticated sophistication luxurious luxury luxe indulgent exquisite
    iconic unique distinctive special favourite favorite beloved popular trusted reliable
    reliability dependable durable durability sturdy robust solid well-made well-built long-lasting
    lasting versatile versatility practical functional useful handy convenient convenience easy
    easily effortless effortlessly simple simplicity smart clever thoughtful thoughtfully careful
    carefully meticulous meticulously precise precision expert expertly professional innovative
    innovation essential must-have everyday daily ultimate unparalleled unmatched unbeatable new
    latest original genuine authentic real true welcoming inviting charming delightful pleasant
    enjoyable fun friendly comfortable comfortably comfort comforting cosy cozy relaxing relaxed
    effective efficient efficiently seamless seamlessly consistent consistently impeccable flawless
    flawlessly sublime attractive appealing eye-catching striking bold vibrant understated
    minimalist minimal crisp tidy neat polished generous affordable value valuable worthwhile worth
    rewarding satisfying confident confidence peace mind proudly engaging entertaining adorable cute
    ample personal hassle-free no-fuss fuss worry worrying game-changer game-changing free
    worry-free stress-free fuss-free
    """
)

VERBS = _words(
    """
    make makes made making give gives gave given giving get gets got getting keep keeps kept keeping
    help helps helped helping let lets offer offers offered offering provide provides provided
    providing feature features featured featuring include includes included including come comes
    came coming go goes went going use uses used using need needs needed want wants wanted enjoy
    enjoys enjoyed enjoying love loves loved likes liked look looks looked looking feel feels felt
    feeling bring brings brought bringing add adds added adding take takes took taken taking work
    works worked working stay stays stayed find finds found finding choose chooses chose chosen
    choosing meet meets met create creates created creating design designs designed designing craft
    crafts crafted crafting build built builds building ensure ensures ensured ensuring deliver
    delivers delivered delivering combine combines combined combining allow allows allowed allowing
    enable enables enabled last lasts stand stands discover discovers explore experience experiences
    elevate elevates elevated enhance enhances enhanced transform transforms complement complements
    suit suits suited pair pairs paired match matches complete completes completed treat treats
    upgrade upgrades shop know knows see sees seen say says said think thinks try tries tried put
    puts set sets setting turn turns show shows shown serve serves served fit fits fitted fitting
    care cares caring rely relies count counts reach reaches wear wears worn wearing live lives
    living spend spends spent save saves saved saving start starts started starting finish finishes
    finished begin begins welcome welcomes invite invites impress impresses inspire inspires
    inspired celebrate celebrates appreciate appreciates deserve deserves matter matters stand-out
    stands-out order buy bought picked pick picks select selected selecting prefer prefers hold
    holds holding measure measures measuring rated tested backed covered tackle tackles conquer
    conquers reveal reveals unlock unlocks embrace embraces
    """
)

NOUNS = _words(
    """
    product products item items piece pieces styles touch detail details choice choices option
    options addition additions range collection selection solution solutions companion companions
    essentials staple staples favourites favorites day days time times moment moments life lifestyle
    way ways purpose purposes performance function functionality result results home house space
    spaces place places room rooms world people person user users customer customers family friends
    gift gifts occasion occasions routine routines year years hours construction craftsmanship ease
    practicality beauty charm character personality attention joy pleasure satisfaction delight
    heart part parts kind kinds type types level levels lot lots bit plenty variety combination
    balance blend mix size sizes shape shapes colour colours color colors tone tones material
    materials spec specs specification specifications information info question questions answer
    answers reason reasons thing things taste tastes standard standards brand brands store stores
    ranges line lines series model models version versions investment centrepiece centerpiece
    statement
    """
)

DESCRIPTIVE = _words(
    """
    whole entire full fully completely total totally overall main key core central extra additional
    plus further ready right left first second next final single double various different similar
    old particular specific general usual regular normal available possible able sure certain clear
    certainly surely definitely absolutely entirely quickly instantly immediately finally nicely
    genuinely especially particularly specially exactly today now soon anytime forever together
    apart away back forward
    """
)

GENERIC_WORDS = FUNCTION_WORDS | PRAISE | VERBS | NOUNS | DESCRIPTIVE
