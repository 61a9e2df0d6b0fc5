"""The rules that find each kind of concern: regular expressions and word lists, nothing learnt.

Each rule yields the span of the words that raised it; `find` keeps the first span of each kind.
Some rules need context from the rest of the message: criticism is politics only when it is aimed
at ministers, government or policy; a name is personal data beside a case, an address or health
details; laughter is mocking when it is at a person; plans are news only when the message hints
they are not out yet or a personal account tells them; and the election limits apply to an
account that may be official, in a message that says it is an election period.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from bot.checking.verdict import Account, ConcernKind
from bot.matching.drafts import find_draft

I = re.I  # noqa: E741 - short, and read many times below
K = ConcernKind
Span = tuple[int, int]


def words(*alternatives: str) -> str:
    """One regular-expression group of the alternatives."""
    return "(?:" + "|".join(alternatives) + ")"


def _after(subjects: str, verbs: str, rest: str = "") -> str:
    return rf"\b{subjects}\s(?:[\w'-]+\s){{0,2}}?{verbs}\b{rest}"


# ----- who and what a draft may be about -----
_PARTY = words(r"Labour(?!\s+(?:market|force|costs?|shortages?|supply|statistics|[Dd]ay|intensive))",
               r"Conservatives?", "Tory", "Tories", r"Lib ?Dems?", r"Liberal Democrats?", r"Green Party",
               "Greens", "SNP", r"Plaid(?: Cymru)?", r"Reform UK", "UKIP", "DUP", r"Sinn F[eé]in", "SDLP",
               "UUP", r"Alba Party", r"Workers Party")
_PARTY_HANDLE = (r"(?i:@\w*(?:labour|tory|tories|conservative|libdem|greenparty|thesnp|reformparty|reformuk|"
                 r"ukip|plaid)\w*)")
_GOV_WORDS = words(
    r"ministers?", "ministerial", r"secretary of state",
    r"(?:home|foreign|health|education|transport|defence|business|culture|justice|"
    r"work and pensions) secretary",
    "chancellor", r"prime minister", "PM", "govt", "gov't", r"gov(?:er|e)?n?ment", "cabinet", r"no\.? ?10",
    r"number 10",
    r"downing street", "policy", "policies", "MPs", r"home office", "treasury", "DWP", "HMRC", "whitehall",
    "westminster", "starmer", "sunak", "truss", "badenoch", "farage", "corbyn", "brexit", "austerity", "HS2",
    "rwanda",
    r"the opposition",
    r"the [\w' -]{0,30}?(?:plan|bill|scheme|reforms?|cap|act|strategy|retreat|u-turn|rules|laws?|cuts|"
    r"changes|"
    r"tax|freeze|budget)")
GOV = re.compile(rf"\b{_GOV_WORDS}\b", I)
_PLAN_NOUN = words("strateg(?:y|ies)", "plans?", r"polic(?:y|ies)", "reports?", "reviews?", "figures",
"stats",
                   "statistics", "data", "budget", "framework", "proposals?", r"white paper", r"green paper",
                   "bill", "announcement", "results", "findings", "modelling", "forecasts?", "contracts?",
                   "programmes?", "schemes?", "restructure", "cuts", "memos?", "briefings?", "minutes",
                   "documents?", "docs", "papers?", "guidance", "consultation", "analysis", "projections",
                   "survey", "inflation", "numbers", "grades", "grading", "mergers?", "closures?",
                   "relocation",
                   r"job losses", "census", "appointments?", r"chief exec\w*", r"perm sec")
# What says that information is not out yet.
_HINT = re.compile(r"juicy|watch this space|let'?s just say|(?:can'?t|cannot) tell you|coming soon|"
                   r"more (?:details |info )?to follow|👀|🤐|🤫|can'?t say|"
                   r"between (?:us|ourselves)|spoiler|keep (?:it|this) quiet|\bword is\b|rumou?r|"
                   r"\bi(?:'ve)? heard\b|overheard|\bheard (?:that |the )|won'?t confirm|"
                   r"not (?:been )?confirmed|"
                   r"unconfirmed|haven'?t (?:told|announced|said)|not (?:told|announced to) (?:anyone|"
                   r"anybody|us|"
                   r"staff|people)|yet to be announced|hasn'?t been announced", I)
_ELECTION_PERIOD = re.compile(
    r"\b(?:purdah|pre-?election|election (?:period|campaign|time|day|season|week)|polling day|"
    r"(?:general|local|mayoral|by-?|snap) ?elections?|the elections?|campaign period|heightened sensitivity|"
    r"#GE\d{2,4})\b", I)
# What a factual, operational post is about: what is open, when, how to apply, what to watch out for.
_OPERATIONAL = re.compile(
    r"\b(?:open|opens|opening|closed|closes|closing|reopen\w*|hours|phone lines?|helplines?|online|apply|"
    r"applications?|deadline|register|polling stations?|postal votes?|proxy votes?|voter id|photo id|weather|"
    r"flood\w*|warnings?|roadworks|road closures?|travel|disruption|delays?|scams?|fraud|reminder|"
    r"as (?:normal|usual)|services?|available|book|booking|appointments?|bank holiday|maintenance|outages?|"
    r"vacanc\w+|safety|alert|forecast|gritting|renew\w*|check (?:your|if|whether))\b", I)
_PICTURE = re.compile(r"\b(?:photo|pic|picture|image|shot|video|footage|graphic|artwork|drawing|gif)s?\b|📸|"
                      r"📷", I)
_FIRST_NAMES = (
    "Aaron Adam Aisha Alan Alex Alexander Alice Alison Amanda Amelia Amy Andrew Andy Angela Ann Anna Anne "
    "Anthony Ava Barbara Barry Ben Beth Bev Beverley Bill Bob Brian Carl Carol Caroline Catherine Charles "
    "Charlie Charlotte Chloe Chris Christine Claire Colin Craig Dan Daniel Danny Darren Dave David Dawn "
    "Dean Debbie Deborah Derek Diane Dominic Donna Dorothy Ed Edward Eileen Elaine Eleanor Elizabeth "
    "Ella Ellie Emily Emma Eric Fatima Fiona Frank Gareth Gary Gavin Gemma George Georgia Gill Gordon "
    "Graham Grace Hannah Harry Hayley Heather Helen Ian Imran Isabella Jack Jackie Jacob Jake James Jamie "
    "Jane Janet Jason Jay Jean Jennifer Jenny Jessica Jim Jo Joan Joanne John Jon Jonathan Joseph Josh "
    "Joshua Joyce Julie Karen Kate Katie Keith Kelly Kevin Kieran Kim Laura Lauren Lee Leo Lewis Liam "
    "Linda Lisa Liz Lorraine Louise Lucy Luke Lynn Maggie Mandy Margaret Maria Marie Mark Martin Mary Matt "
    "Matthew Megan Michael Michelle Mike Mohammed Muhammad Natalie Neil Nick Nicola Nicole Nigel Noah "
    "Olivia Oliver Omar Pam Patricia Patrick Paul Paula Pauline Pete Peter Phil Philip Priya Rachel Raj "
    "Rebecca Richard Rob Robert Ruby Russell Ruth Ryan Sally Sam Samantha Sandra Sarah Scott Sean Sharon "
    "Shaun Sheila Simon Sophie Stacey Stephen Steve Steven Stuart Sue Susan Tariq Terry Theo Thomas Tim "
    "Tina Tom Tony Tracey Tracy Vicky Victoria Wayne William Yasmin Zara Zoe").split()
_FIRST_NAME = r"\b(?:" + "|".join(_FIRST_NAMES) + r")\b"
_FULL_NAME = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.? [A-Z][a-z'-]+(?: [A-Z][a-z'-]+)?|{_FIRST_NAME} "
                        r"[A-Z][a-z'-]{2,}\b")
# What makes a named person's mention a case: theirs, at the office's counter.
_CASE = re.compile(r"\b(?:claims?|claimed|claimant|case|ref|reference|complain\w*|application|appeal|visa|"
                   r"benefits?|universal credit|sanction\w*|arrears|debt|fraud|counter|came in|in today|rang|"
                   r"ringing|phoned|called in|customer|applicant|address|DOB|legit|dependant|fined|penalty|"
                   r"prosecut\w*|arrested|convicted|jobcentre|visa centre|sick|pregnan\w*|hospital|treatment|"
                   r"disciplinary|misconduct|lives|threaten\w*|banned|barred|shouted|kicked off)\b", I)
_PERSON = re.compile(rf"{_FIRST_NAME}|\b(?:he|she|he's|she's|his|her|him|hes|shes|who's|whos|colleague|"
                     rf"my manager|"
                     r"my boss|team ?mate|co-?worker)\b")
_GENERIC_HEALTH = re.compile(r"\b(?:awareness|(?:health|awareness|support) (?:week|month|day)|services?|"
                             r"support(?:ing)?|resources|helpline|charity|research|funding|campaign|"
                             r"sponsor)\b|#", I)
_LAUGH = r"(?:😂+|🤣+|😆|🙃|🤢|🤮|\blo+l\b|\blmf?ao+\b|\brofl\b|\bha(?:ha)+\b)"
_AT_PUBLIC = re.compile(r"\b(?:customers|claimants|callers|applicants|members of the public|the public|"
                        r"people who)\b", I)
_AT_PERSON = re.compile(r"\b(?:customers?|claimants?|callers?|applicants?|woman|women|man|men|guy|bloke|lady|"
                        r"pensioners?|residents?|tenants?|parents?|students?|visitors?|punters?|lads?|kids?|"
                        r"granny|grandad|couple|old boy|old dear|"
                        r"fella|person|people|member of the public|complain\w*|this one|he|she|he's|she's|"
                        r"someone|somebody|anyone who|folk|idiots?)\b", I)


@dataclass(frozen=True, kw_only=True)
class Context:
    text: str
    account: Account
    about_government: bool  # the message names ministers, government or a policy
    pictures: bool  # the message speaks of a photo, a video or a picture

    @classmethod
    def of(cls, text: str, account: Account) -> Context:
        return cls(text=text, account=account, about_government=bool(GOV.search(text)),
                   pictures=bool(_PICTURE.search(text)))


_SENTENCES = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


def _sentence(text: str, at: int, *, before: int = 0) -> Span:
    """The sentence (or line) of `text` around position `at`, with `before` sentences before it."""
    starts: list[int] = []
    for sentence in _SENTENCES.finditer(text):
        starts.append(sentence.start())
        if sentence.start() <= at < sentence.end():
            return starts[max(len(starts) - 1 - before, 0)], sentence.end()
    return 0, len(text)


Test = Callable[[Context, re.Match[str]], bool]


def _in_sentence(pattern: re.Pattern[str], *, before: int = 0) -> Test:
    """Whether `pattern` is in the match's sentence (or in it and the `before` sentences before it)."""
    def test(context: Context, match: re.Match[str]) -> bool:
        start, end = _sentence(context.text, match.start(), before=before)
        return bool(pattern.search(context.text, start, end))
    return test


def _not_in_sentence(pattern: re.Pattern[str]) -> Test:
    has = _in_sentence(pattern)
    return lambda context, match: not has(context, match)


@dataclass(frozen=True)
class Rule:
    kind: ConcernKind
    pattern: re.Pattern[str]
    when: Test | None = None

    def spans(self, context: Context) -> Iterator[Span]:
        for match in self.pattern.finditer(context.text):
            if self.when is None or self.when(context, match):
                yield match.span()


def _rule(kind: ConcernKind, *alternatives: str, when: Test | None = None, flags: int = I) -> Rule:
    """A rule of whole words (not the inside of a word or of an @handle; a #tag counts)."""
    return Rule(kind, re.compile(r"(?<![\w@])" + words(*alternatives) + r"(?!\w)", flags), when)


_WEAK_CRITICISM = words(
    "awful", "terrible", "dreadful", "rubbish", "hopeless", "useless", "appalling", "outrageous",
    "scandalous",
    r"a scandal", "ridiculous", "absurd", "cruel", "heartless", "chaotic", r"a mess", r"a disaster",
    "disastrous",
    "failing", "failed", "lying", "wrong", "unfair", "unjust", "insane", "evil", "stupid", "dangerous",
    "reckless", "a con", "an insult", "insulting", "liars", "crooks", "spineless", "gutless", "ideological",
    "callous")
# How people say they feel about a government, a minister or a policy.
_FEELING = words(
    r"embarrass\w*", "ashamed", r"disgust\w*", r"sick (?:of|to death of)", r"fed up (?:of|with)", "angry",
    "furious", "livid", "fuming", r"appall?ed", "horrified", r"had enough of", r"can'?t stand",
    "hate", "loathe", r"(?:don'?t|doesn'?t) have a clue", r"not a clue", r"haven'?t a clue",
    r"vote (?:them|him|her) out", r"get (?:them|him|her) out", r"\w+ must go",
    r"blood on (?:their|his|her) hands",
    r"thanks (?:a lot|for nothing)", r"cheers for (?:that|nothing)", r"yeah right", r"oh great",
    r"another u-?turn", "🙃", "🙄", "🤦", r"more cuts", r"this lot", r"this shower",
    r"couldn'?t (?:run|organise|manage) a", r"unbel\w+vable", "😡", "🤬", r"(?:lol|lmao|😂|🤣) at")
_GOV_NOUN = words("government", "govt", "minister", "ministers", "policy", "policies", "decision", "plan",
                  "bill", "chancellor", "PM", "reforms?", "cuts", "rules", "budget", "cabinet", "MPs")
_TIME = words(
    r"(?:the )?end of (?:the |this |next )?(?:day|week|month|year)", "tomorrow", "tonight", "today",
    r"next [a-z]+", r"this (?:week|month|year|[a-z]+day)", r"(?:the|a) (?:week|month|fortnight)",
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day", r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b",
    r"\d+\s*(?:hrs?|hours?|days?|weeks?|months?|working days)",
    r"(?:next )?(?:spring|summer|autumn|winter|christmas|easter)", r"20\d\d",
    r"\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*")
_DURATION = (r"in (?:the next )?(?:\d+|a|one|two|three|four|five|six) (?:hours?|days?|weeks?|months?|"
             r"working days)")
_WORK = words("photo", "pic", "picture", "image", "graphic", "map", "video", "chart", "logo", "artwork",
              "illustration", "infographic", "clip", "footage", "song", "track", "cartoon", "meme")

RULES: tuple[Rule, ...] = (
    # ----- politics: party politics, and criticism of ministers, government or policy -----
    Rule(K.POLITICS, re.compile(rf"\b(?:(?i:(?:I |we |just )?vot(?:e|ed|ing) (?:for )?(?:the )?)"
                                rf"(?:{_PARTY}|Green|Reform)|{_PARTY}\b)|{_PARTY_HANDLE}")),
    _rule(K.POLITICS,
          r"vote (?:for|against) (?:the future|change|us|them|a better|[A-Z]\w+)", r"canvass(?:ing|ed)?",
          r"leaflet(?:ing|ting)", r"door-?knocking", r"campaign(?:ing|ed)? for (?:the|my|our)",
          r"party (?:conference|member(?:ship)?|politics)", "manifesto", r"(?:our|their|the) opponents",
          r"opposition parties", r"the opposition(?:'s)?",
          r"unlike (?:the )?(?:previous|last|past|other) (?:governments?|lot|administrations?)",
          r"leaflets? for (?:my|the|our)", r"handing out leaflets",
          r"(?:for|support(?:ing)?|back(?:ing)?|endors\w*) (?:my|our|the) (?:local )?(?:[\w-]+ )?candidate",
          r"the (?:last|other) lot", r"picket line", r"solidarity with (?:the |our )?strik\w+",
          r"support(?:ing)? the strikes?", r"the (?:previous|last) government", r"our plan is working",
          r"we (?:actually )?deliver\b", r"promises ?kept", r"re-?elect(?:ed)?",
          r"if (?:we're |we are )?elected",
          r"get (?:brexit|it) done", r"vot(?:e|ing) (?:for )?(?:them|that lot|this lot)", "rosettes?",
          r"stop the boats", r"#(?:GE\d{2,4}|GeneralElection\w*)", r"when you vote", r"at the ballot box",
          r"(?:selected|standing|stand) (?:as|for) (?:the |a )?(?:[\w-]+ )?(?:candidate|councillor|MP)",
          r"candidate for", r"#vote\w+",
          r"#\w*(?:tories|tory|labour)\w*", r"#\w+out\b"),
    _rule(K.POLITICS,
          r"disgrace(?:ful)?", "shambles", "shambolic", "omnishambles",
          r"(?:a|such a|what a|total|complete|absolute) (?:joke|farce|mess|disaster|con)\b", r"is a joke",
          "laughable", "clueless",
          r"(?:absolute|total|utter|complete|a load of) (?:pants|rubbish|garbage|tosh|drivel|dross|rot|"
          r"bollocks)", r"incompeten(?:t|ce)", "nonsense", "unworkable", "shameful", r"shame on",
          "pathetic", "farce", "farcical", "idiotic", r"out of touch", r"u-?turn", r"betray(?:al|ed)",
          r"hypocri(?:sy|tes?)", r"corrupt(?:ion)?", "sleaze", "cronies", "madness", "bonkers", "doomed",
          r"imagine thinking", r"should resign", r"step down", r"#notinmyname", r"not in my name",
          r"rant over",
          r"a retreat", r"(?:a |moral )stain on", r"moral (?:failure|outrage)",
          r"(?:won'?t|doesn'?t|will never|never going to|ever going to) (?:work|change a thing)",
          r"(?:has|have) no (?:idea|clue)", r"(?:hasn'?t|haven'?t) (?:got )?a clue",
          r"(?:doesn'?t|don'?t) (?:care|listen|get it)", r"insult to", r"slap in the face",
          r"kick in the teeth", "lightweight", r"won'?t last", r"(?:see|seeing) the back of",
          r"(?:don'?t|doesn'?t) add up",
          r"(?:sign the|a) petition (?:to|against)", r"(?:sign|signed) the petition",
          r"protest(?:ing)? against",
          r"march(?:ing|ed)? against", r"#stopthe\w+",
          r"(?:can'?t|cannot) believe (?:the|this|our) (?:minister|government|policy|new)",
          when=lambda c, m: c.about_government),
    _rule(K.POLITICS,
          rf"(?:is|are|was|were|'s|'re|been|being|looks?|seems?) (?:\w+ )?(?:just |so |utterly |completely "
          rf"|totally |absolutely |frankly |truly )?{_WEAK_CRITICISM}\b",
          rf"{_WEAK_CRITICISM} {_GOV_NOUN}\b", rf"worst {_GOV_NOUN}", r"(?:tell(?:ing)?|pack of) lies",
          r"lying to", when=_in_sentence(GOV)),
    # A feeling about a government, minister or policy named in this sentence or the one before.
    _rule(K.POLITICS, _FEELING, when=_in_sentence(GOV, before=1)),
    # ----- official information: unpublished, leaked or internal; plans not yet announced -----
    _rule(K.OFFICIAL_INFORMATION,
          "unpublished", r"leak(?:ed|s)?\b",
          r"not (?:yet )?(?:been )?(?:published|announced|public|official)",
          r"embargo(?:ed)?", r"confidential(?! (?:helpline|advice|service|support|line|reporting))",
          r"in confidence", r"official[- ]sensitive", r"draft (?:of|version of) (?:the|our)",
          r"(?:ahead of|before) (?:it'?s |it is |the |its )(?:official )?(?:announce|publi|launch|releas)\w*",
          r"not supposed to (?:share|say|post|tell|know)", r"early (?:sight|look|peek|preview) (?:at|of)",
          rf"(?:next|upcoming|forthcoming|new) (?:[\w-]+ ){{0,2}}?{_PLAN_NOUN} (?:will|is going to|'ll) "
          r"(?:show|reveal|say|find|confirm)",
          rf"(?:seen|saw|spotted|read|got|had) (?:a look at |sight of )?(?:the |our |"
          rf"some )?(?:[\w-]+ ){{0,3}}?"
          rf"{_PLAN_NOUN} (?:at|in) (?:work|the office)",
          r"(?:launch|publish|announc|releas|unveil)\w* after",
          rf"sneak (?:peek|preview) (?:at|of) (?:[\w'-]+ ){{0,3}}?(?:{_PLAN_NOUN}|design)",
          r"(?:can'?t|cannot|not allowed to) (?:say|tell|reveal) (?:too much|much|more|anything|yet)",
          r"(?:can'?t|cannot) share (?:the|it|this|them|our)\b[\w' ]{0,30} yet",
          r"(?:can'?t|cannot) go into (?:details?|it|specifics)", r"you heard it here first",
          r"off the record",
          r"between (?:us|you and me|ourselves)", r"hush hush", "🤐", "🤫", r"exclusive:",
          r"keep (?:it|this) (?:quiet|under wraps|to yourselves)",
          r"(?:heard|told|said) (?:at|in) (?:today'?s |the |our |this morning'?s |yesterday'?s )?"
          r"(?:board|team|senior|leadership|management|directors'?|SCS|all-?staff|private|internal) meeting",
          rf"next (?:week|month|year)'?s (?:[\w-]+ ){{0,2}}?{_PLAN_NOUN}",
          r"(?:the )?budget (?:red book|documents|papers)", r"red book",
          r"(?:photo|pic|picture|image) (?:of|shows?|showing) (?:my |the |our |some )?"
          r"(?:pages|screen|notes|papers|laptop|monitor|documents)",
          r"ignored (?:[\w']+ ){0,4}?advice",
          r"(?:told|asked|instructed|ordered|made) to (?:water down|bury|delay|hold back|sit on|rewrite|"
          r"tone down|"
          r"hide|suppress)", r"water(?:ing|ed)? (?:it |them |this )?down",
          r"(?:job|staff|budget|funding) cuts", r"redundanc(?:y|ies)",
          r"(?:the|a|our|upcoming|planned|new) (?:restructure|reorgani[sz]ation)",
          r"(?:restructure|reorgani[sz]ation) (?:of|plans)",
          r"(?:\d+|hundreds of|thousands of) (?:jobs|posts|roles|staff) (?:are going|will go|to go|at risk|"
          r"being cut|will be cut)",
          r"won'?t be (?:renewed|extended|going ahead)",
          r"(?:being|to be|will be|is getting) (?:scrapped|axed|merged|sold off|privatised|abolished)",
          r"(?:clos(?:e|ing)|shut(?:ting)?|axe|axing|scrap(?:ping)?|merg(?:e|ing)|cut(?:ting)?) (?:down )?"
          r"(?:\d+|several|some|all|many|two|three|four|five|six|ten|twelve|regional|local|more) (?:[\w-]+ )?"
          r"(?:offices|sites|centres|branches|jobcentres|stations|teams|roles|posts|jobs|directorates|courts|"
          r"units|depots|labs)"),
    # Internal or draft material, unless the sentence says it is published.
    _rule(K.OFFICIAL_INFORMATION,
          rf"(?:internal|draft|unreleased|early|secret|private) (?:[\w-]+ ){{0,2}}?{_PLAN_NOUN}\b",
          when=_not_in_sentence(re.compile(
              r"\b(?:published|released|out now|now available|read (?:it|the)|gov\.uk)\b", I))),
    # An announcement to come, about plans or money.
    _rule(K.OFFICIAL_INFORMATION,
          r"(?:to be|will be|(?:they|it|we)'?ll be|being) (?:announced|published|unveiled|revealed|"
          r"confirmed) "
          r"(?:in|at|on|next|tomorrow|later|soon|(?:mon|tues|wednes|thurs|fri)day)\b[^.!?\n]{0,40}",
          when=_in_sentence(re.compile(rf"£|\b(?:{_PLAN_NOUN}|fund|funding|speech|statement|closures?|"
          r"quotas?|targets?|rates?|levels|allocations?|decision|deal)\b",
          I))),
    # Plans told from a personal account, or with a hint that they are not out yet.
    Rule(K.OFFICIAL_INFORMATION, re.compile(_after(
        r"(?:(?:my team|our team|we|we'?re|we are|the department|the dept|(?:the|our) (?:office|site|centre|"
        r"branch|unit|department|dept|building|lab)(?: is| are|'s)?)|(?P<they>they'?re|they are|(?:it|this) "
        r"(?:is|'s)|the minister(?:'s| is)?|ministers are|the government(?:'s| is)?))",
        r"(?:rolling out|roll out|launching|launch|introducing|introduce|bringing in|bring in|closing|close|"
        r"cutting|cut|scrapping|scrap|axing|axe|merging|merge|replacing|replace|dropping|drop|announce|"
        r"announcing|unveil|unveiling|shutting|shut|relocating)", r"[^.!?\n]{3,80}"), I),
         when=lambda c,
         m: bool(_HINT.search(c.text)) or (c.account is Account.PERSONAL and not m.group("they"))),
    _rule(K.OFFICIAL_INFORMATION, rf"(?:[\w'-]+ ){{0,3}}?{_PLAN_NOUN}\b",
          r"(?:a |new |\w+ )£\s?\d[\d.,]*\s?(?:m|bn|k|million|billion)? (?:[\w-]+ )?"
          r"(?:fund|package|investment|scheme|programme|grant|deal|budget)",
          when=lambda c, m: bool(_HINT.search(c.text))),
    _rule(K.OFFICIAL_INFORMATION,
          rf"{_PLAN_NOUN} (?:we'?re|we are|i'?m|i am) (?:sending|submitting|handing|giving|preparing|"
          rf"finalising|"
          r"working on)",
          rf"{_PLAN_NOUN} (?:[\w-]+ ){{0,3}}?(?:are|look|were|is) (?:\w+ )?(?:shocking|terrible|awful|bad|"
          rf"grim|"
          r"dire|worse|way (?:up|down)|horrendous|embarrassing|jaw-?dropping|eye-?watering|explosive|damning|"
          r"a bombshell|scary|worrying|alarming)",
          r"(?:goes|going|sent|submitted|heading) to (?:the )?(?:PM|prime minister|minister|ministers|"
          r"cabinet|"
          r"secretary of state|no\.? ?10) (?:next|this|on|tomorrow)",
          when=lambda c, m: not re.search(r"\b(?:published|released|out now|official figures)\b", c.text, I)),
    # ----- commitments on the department's behalf -----
    _rule(K.COMMITMENT,
          r"guarantee(?:d|s)?\b(?! credit| interview| minimum)", r"(?:i|we)(?:'re| are)? promis(?:e|ing)",
          r"our promise", r"promise you", r"promise!", r"(?<=, )promise\b",
          r"(?:wil{1,2}|'ll|we'll|i'll|gonna) (?:definitely|definately|definitly|defo|deffo|def|100%|"
          r"certainly|"
          r"absolutely)", r"definitely (?:will|be|going to|gonna)", r"rest assured", r"without fail",
          r"no matter what", r"you have (?:my|our) word", r"we(?: will|'ll) never",
          r"(?:won'?t|will never) happen again",
          r"(?:i|we) can (?:assure|confirm|promise)(?: you)?(?: that)? [^.!?\n]{0,60}?\b(?:will|won'?t|'ll|"
          r"is going to|are going to)\b",
          r"(?:no ?one|nobody) will (?:lose|be worse off|miss out|have to)",
          r"(?:i'?ll|we'?ll|i will|we will) (?:personally )?(?:make sure|ensure|see to it)",
          r"no questions asked",
          r"(?:i'?ll|we'?ll|i will|we will) (?:\w+ )?(?:compensate|reimburse|refund|make it up to) you",
          r"(?:compensate|refund|reimburse) you in full",
          r"(?:confirm|pledg|promis|commit)\w* (?:\w+ ){0,3}?£\s?\d[\d,.]*\s?(?:m|bn|k|million|billion)?"),
    _rule(K.COMMITMENT,
          r"(?:your|ur|the) (?:visa|application|claim|payment|refund|passport|licence|benefits?|appeal|case|"
          r"money|"
          r"parcel|decision|permit|grant|loan|rebate|repairs?|complaint|pension|certificate|card) "
          r"(?:wil{1,2}|'ll|is going to|are going to) (?:definitely |defo |def |100% )?"
          r"(?:be|arrive|come|go through|get|reach)\b[^.!?\n]{0,60}",
          r"(?:we'?ll|i'?ll) sort (?:it|this|that|ur|your)\b[^.!?\n]{0,40}", r"leave it with (?:me|us)"),
    _rule(K.COMMITMENT, _after(
        r"(?:we(?:'ll| will| are going to|'re going to| shall)|i(?:'ll| will)|(?:my|our|the) "
        r"(?:team|department|dept|office) will|(?:every|all) (?:[\w-]+ ){1,3}will|we(?:'re|"
        r" are) committed to)",
        r"[\w'-]+",
        rf"(?:\s[\w'-]+){{0,8}}?\s(?:(?:by|within|before|no later than|in the next) {_TIME}|{_DURATION})\b")),
    _rule(K.COMMITMENT,
          r"(?:by|within) (?:the end of (?:the |this |next )?(?:week|month|year)|next (?:week|month)|"
          r"tomorrow|"
          r"\d+ (?:hours|days|weeks)),? (?:we'?ll|we will|you'?ll|it'?ll|everything will|this will|it will)\b"
          r"[^.!?\n]{0,60}"),
    _rule(K.COMMITMENT,
          r"we(?:'ll| will| are going to|'re going to) (?:\w+ )?(?:freeze|cut|scrap|abolish|build|deliver|"
          r"end|"
          r"double|halve|raise|lower|reduce|fix|hire|recruit|waive|refund|write off|cancel|approve|pay|"
          r"extend|"
          r"increase|invest|create)\b[^.!?\n]{0,60}",
          r"(?:every|all) (?:[\w-]+ ){1,3}will (?:get|have|receive|be given)\b[^.!?\n]{0,60}"),
    # ----- personal data of members of the public or colleagues -----
    Rule(K.PERSONAL_DATA, re.compile(
        r"(?:\b(?i:NI|NINO|national insurance)(?i: number| no\.?)?[\s:(]*)?\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?"
        r"[A-D]\b|\b(?i:national insurance|NI) (?i:number|no)\b")),
    _rule(K.PERSONAL_DATA,
          r"(?:ref(?:erence)?|case|claim|account|application|customer|booking|tracking|ticket|ID|passport|"
          r"licence|"
          r"NHS|staff|employee|payroll|student|pupil|patient|membership|registration|reg)\s*"
          r"(?:no\.?|number|num|#|ref)?\s*(?:is\s+)?[:#]?\s*(?=[A-Z0-9/-]*\d)[A-Z0-9][A-Z0-9/-]{4,}\b",
          r"(?-i:[A-Z]{2,4})-?\d{6,}\b"),
    _rule(K.PERSONAL_DATA,
          r"(?:letter|email|message|form|complaint|note)s? (?:that )?(?:a|an|one|this|some) (?:[\w-]+ ){0,2}?"
          r"(?:sent|wrote|posted|left|filled in)",
          r"(?:claimant|customer|client|applicant|patient|pupil|tenant|caller|staff|colleague|user)s?'?s? "
          r"(?:names?|details|addresses|records|files?|data|phone numbers|emails?|case numbers|photos|"
          r"letters?|"
          r"forms?|documents|passports?|payslips?|medical)",
          r"names and (?:all|addresses|case numbers|details|job titles|(?:\w+ )?numbers)",
          r"(?:everyone'?s|their|all the) names", r"names? tagged",
          r"tagged (?:everyone|them all|all of them)",
          r"lives (?:on|at) (?-i:[A-Z])\w+",
          r"(?:was called|named|name is|name'?s) (?-i:[A-Z][a-z]+ [A-Z][a-z]+)", r"case numbers",
          r"(?:with|and) (?:their|his|her) (?:names?|address|details)",
          r"(?:list|spreadsheet|register) of (?:\w+ )?(?:names|attendees|claimants|customers|applicants|"
          r"emails)",
          r"(?:home )?address(?:es)? (?:and|of)\b",
          r"(?:DOB|d\.o\.b\.?|date of birth|born on)\b[\s:-]*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})?",
          r"tax code (?:is )?\w+", r"you owe £\s?\d[\d,.]*k?",
          r"(?:owes|owed|owing|in debt|arrears of) (?:over |about )?£\s?\d[\d,.]*k?",
          r"your (?:balance|debt|arrears|salary|income|earnings|overpayment|pension pot) (?:is|"
          r"of) £\s?\d[\d,.]*k?"),
    # A postcode; a child's name with an age ("Amy (7)").
    Rule(K.PERSONAL_DATA, re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) ?\d[ABD-HJLNP-UW-Z]{2}\b|"
                                     r"\b[A-Z][a-z]+ \(\d{1,2}\)")),
    # A street address, but not a government building's.
    Rule(K.PERSONAL_DATA, re.compile(
        r"\b\d{1,4}[A-Za-z]?,? (?!(?:Downing|Marsham|Tothill|Caxton|Victoria|Parliament|King Charles|"
        r"Horse Guards|Petty) )(?:[A-Z][a-z']+ ){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Close|Drive|Way|"
        r"Crescent|Court|Place|Grove|Gardens|Terrace|Hill|Square|Mews|Row|Walk|Rise)\b")),
    # A person's email (not an office's) or mobile number.
    _rule(K.PERSONAL_DATA,
          r"(?!(?:info|enquiries|contact|help|press|news|support|office|team|admin|foi|complaints|media|"
          r"hello|mail|"
          r"correspondence|feedback|digital)@)[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b",
          r"(?:\+44\s?7\d{3}|07\d{3})\s?\d{3}\s?\d{3}\b"),
    Rule(K.PERSONAL_DATA, _FULL_NAME, when=lambda c, m: bool(_CASE.search(c.text))),
    # Health, bereavement and discipline, told of a named or pointed-to person.
    _rule(K.PERSONAL_DATA,
          r"cancer", r"chemo(?:therapy)?", r"off sick", r"sick leave", r"signed off", r"stress(?:ed)?",
          r"depress(?:ion|ed)", "anxiety", r"mental health", "breakdown", r"diagnos(?:is|ed)",
          r"pregnan(?:t|cy)",
          "miscarriage", "IVF", "surgery", "operation", r"hospital(?:ised)?", "rehab", r"disabilit(?:y|ies)",
          "disabled", r"terminal(?:ly ill)?", "HIV", "dementia", r"bereave(?:d|ment)", r"divorc(?:e|ed|ing)",
          "sectioned", "treatment", "recovering", "illness", r"heart (?:op|attack)", r"off work with",
          "disciplinary", r"gross misconduct", r"(?:maternity|paternity|adoption) leave", "grievance",
          "suspended", r"passed away", "died", "funeral",
          r"lost (?:his|her|their) (?:wife|husband|partner|mum|dad|mother|father|son|daughter|baby|child|"
          r"job)",
          when=lambda c, m: _in_sentence(_PERSON)(c, m) and _not_in_sentence(_GENERIC_HEALTH)(c, m)),
    # ----- abuse: insults, mockery, replying in kind -----
    _rule(K.ABUSE,
          r"idiot(?:s|ic)?", r"moron(?:s|ic)?", r"clowns?", r"imbeciles?", r"cretins?", r"muppets?", "numpty",
          "numpties", r"plonkers?", r"losers?", r"scum(?:bags?)?", r"dimwits?", r"halfwits?", r"nitwits?",
          "dumbass", r"wankers?", r"tossers?", r"pillocks?", r"prats?", r"twats?", r"dickheads?",
          r"bellends?",
          r"knobheads?", r"nutters?", r"nutjobs?", r"lunatics?", r"scroungers?", r"parasites?", r"liars?",
          r"cranks?", "talentless", r"snowflakes?", r"gammons?", r"fuck\w*", r"f\*+k?\w*", r"shit\w*",
          "bollocks",
          r"piss off", r"get stuffed", r"shut up", r"shut it\b", r"get lost", r"get a life", r"get a grip",
          r"jog on", r"ok boomer", r"nobody cares", r"no ?one cares", r"who cares", r"no ?(?:one|body) asked",
          r"do better", r"nice try", r"stop (?:wasting|moaning|whining|whinging|crying)",
          r"wasting (?:our|my) time", r"moan\w*", r"whing\w*", r"whin(?:ing|y|ey|er|ers)",
          r"(?:must be|you'?re) fun at parties", r"nothing better to do", r"imagine having",
          r"(?:use|using) your (?:brain|head|eyes)",
          r"your (?:nonsense|drivel|garbage|whining|moaning|ranting|rants|stupidity|ignorance)",
          r"read a book", r"touch grass", r"get a (?:job|brain)",
          r"cry (?:more|about it)",
          r"try reading", r"learn to (?:read|spell|write|count)", r"can'?t (?:even )?read",
          r"can'?t (?:even )?(?:fill in|fill out|follow|understand) (?:a|the|simple)", r"that'?s on you",
          r"get over it", r"you again", r"under your bridge", r"go back to",
          r"should be (?:sacked|fired|shot|locked up)", r"you should be ashamed", r"imagine being",
          r"crooks?",
          "fraudsters", r"con artists", "cowboys", r"rip(?:ping)?[- ](?:\w+ )?off",
          r"(?:well done|nice one|good job),? (?:genius|einstein|sherlock)",
          r"(?:absolute|total|complete) (?:nightmares?|state|liability|weapon)", r"bye\s*👋", r"grow up[.!]",
          r"go away[.!]", r"keyboard warriors?", r"cry ?baby", r"do one\b",
          r"(?:is|are) (?:a |all |just )?(?:thie(?:f|ves)|criminals?|frauds?|racists?|bigots?)\b",
          r"impressions of", r"making fun of", r"taking the (?:mick|mickey|piss)",
          r"calm down,? (?:dear|love|mate|hun)",
          r"(?:smarter|brighter|more sense|more intelligent) [^.!?\n]{0,30}(?:toddler|goldfish|potato|child|"
          r"brick)",
          r"your (?:mum|mom|mam|mother)\b", r"not our (?:fault|problem)", r"your (?:own )?(?:fault|problem)",
          r"the state of (?:some of )?(?:the |these |those )?(?:people|customers|claimants|callers|punters|"
          r"folk)",
          r"(?:weirdest|craziest|maddest|dumbest|stupidest|thickest) (?:[\w-]+ )?(?:people|customers|callers|"
          r"claimants|complaints|members of the public|requests|questions|emails|letters)",
          r"you (?:absolute|total|utter|complete|massive|bloody|useless|pathetic|silly|little) [\w-]+",
          r"(?:spelling|handwriting|grammar|accent) (?:is|was) (?:hilarious|priceless|shocking|a joke)",
          r"funniest (?:complaints?|letters|emails|callers|customers)",
          r"(?:read(?:ing)? out|laugh(?:ing)? at|mock(?:ing)?) (?:the |their |some )?(?:\w+ )?"
          r"(?:complaints?|letters|emails|callers|customers|claimants)", r"blocked\.", "🤡", "🖕", "🧌"),
    _rule(K.ABUSE,
          r"(?:you(?:'re| are)?(?: \w+){0,2}|u r|ur|what an?|absolute|total|complete|utter|such an?|bunch of|"
          r"pure|"
          r"(?:is|are) (?:just |so |a )?)\s(?:little |bunch of |too )?(?:pathetic|stupid|dumb|ignorant|"
          r"disgusting|"
          r"vile|nasty|deluded|hacks?|garbage|trash|rubbish|embarrassment|waste of space|brainless|spineless|"
          r"gutless|clueless|joke)\b",
          when=lambda c, m: not c.about_government or bool(re.match(r"you|u |ur", m.group(0), I))),
    _rule(K.ABUSE, r"(?:are|is|so|just|too|bit|proper|really|how|you'?re|u r|ur) (?:\w+ )?(?:thick|dense)\b"
          r"(?! (?:fog|snow|layer|cloud|smoke|forest|coat|skin|ice))"),
    Rule(K.ABUSE, re.compile(r"😑|🙄|🤦", I), when=_in_sentence(_AT_PUBLIC)),
    Rule(K.ABUSE, re.compile(_LAUGH, I),
         when=lambda c, m: _in_sentence(_AT_PERSON)(c, m) and not c.about_government),
    # ----- copyright and data protection: other people's work, private messages -----
    _rule(K.COPYRIGHT,
          r"someone(?: else)?'?s (?:photo|pic|picture|image|video|art(?:work)?|drawing|graphic|map|footage|"
          r"clip|"
          r"design|words|post|tweet|shot|flickr|instagram|insta|facebook|site|website|page|blog)",
          r"(?:photo|pic|picture|image|shot|video|clip|graphic|gif|meme)s? (?:i |we )?(?:found|got|took|"
          r"grabbed|"
          r"saved|pinched|nicked|borrowed|lifted|saw|spotted) (?:on|off|from)",
          r"(?:off|from) google\b", r"google images",
          r"found (?:this |a |an |these |some )?(?:lovely |great |nice |cool |good |brilliant )?(?:pic|photo|"
          r"picture|image|shot|video|clip|graphic|gif|meme)s?(?: [\w'-]+){0,4}? (?:on|off|online|from)",
          r"(?:pic|photo|picture|image|video|clip)s? (?:that )?\w+ sent (?:me|us)",
          r"sent (?:me|us) (?:this|a|the) (?:pic|photo|picture|image|video|clip)",
          r"(?:from|off|on) (?:someone'?s|their|his|her|a random) (?:flickr|instagram|insta|facebook|fb|site|"
          r"website|page|blog|feed|account|story)", r"saved (?:it|this|them) (?:off|from)",
          r"screen ?(?:shot|grab)(?:s|ted)? of",
          r"(?:sharing|posting|using|share|post) (?:a |the |this )?screen ?(?:shot|grab)",
          r"(?:dms?|direct message|private message|pm|whatsapp|text message|texts?|email|e-mail)s? "
          r"(?:from|of|thanking|sent|he sent|she sent|they sent)",
          "©", r"all rights reserved", "getty", "shutterstock", "alamy", r"(?:full|whole|entire) text of",
          r"whole of (?:chapter|the book|the article)",
          r"(?:whole|entire|full) (?:chapter|book|article|episode|film|album|song)s? (?:from|of|by)",
          r"typed (?:it |them )?out", r"pasted (?:article|text)", r"copied (?:and pasted|from)",
          r"paywall(?:ed)?", r"backing track", "soundtrack", r"(?:song|track|music) by",
          r"(?:dancing|lip-?sync(?:ing)?|miming|singing along) to",
          r"(?:viral|trending|popular) (?:[\w-]+ ){0,3}?(?:sound|song|track|audio|clip|meme)s?",
          r"(?:audio|sound|soundbite|scene|music) from",
          r"(?:by|from) (?:a|an|this|some) (?:local |talented |amazing |brilliant )?(?:artist|photographer|"
          r"illustrator|designer|cartoonist)",
          r"(?:letter|email|message|note|memo)s? (?:that )?(?:my|our|the|a|his|her) (?:[\w-]+ ){0,2}?sent "
          r"(?:me|us)",
          r"(?:set|edited|cut|synced) to (?:the )?(?:song |track |tune |music )?['\"‘]?(?-i:[A-Z][\w']*)",
          r"(?:disney|marvel|pixar|nintendo|pok[eé]mon|premier league|netflix|bbc|itv|sky sports)\b"
          r"[^.!?\n]{0,20}\b(?:gif|clip|image|character|song|footage|logo|theme|still|meme)s?\b",
          r"theme (?:tune|song|music)",
          r"(?:pic|photo|image|picture|video|shot|clip|footage)s? (?:is |was )?(?:from|off) (?:a |an |the |"
          r"some )?"
          r"(?:[\w-]+ ){0,2}?(?:[\w-]+'s|photographer|artist|page|site|website|account|google|internet|"
          r"web)\b",
          r"(?:the |a )(?:new |latest )?(?-i:[A-Z]\w+)(?:'s)? (?:new |latest )?(?:track|song|single|album|"
          r"tune|hit)\b",
          r"screen ?shot(?:ting|ted)? (?:\w+ ){0,2}(?:email|message|dm|text|chat|post|tweet|letter|whatsapp|"
          r"conversation)",
          r"(?:song|single|track|tune|album|music)\b[^.!?\n]{0,30}\b(?:over|on|behind|under) (?:our|the|this|"
          r"a) "
          r"(?:[\w-]+ )?(?:video|reel|tiktok|clip|film|advert)",
          r"(?:stole|stolen|stealing|pinched|nicked|yoinked|borrowed) (?:this|it) (?:from|off)",
          r"without (?:their |his |her )?(?:permission|asking)", r"not (?:ours|mine|our own|my own)\b",
          r"found (?:it|this|them) (?:online|on (?:google|the internet|twitter|x|facebook|insta\w*|reddit|"
          r"pinterest|tiktok))", r"famous (?:photo|picture|image|meme|clip|song|painting)",
          r"(?:group|teams|whatsapp) chat",
          r"(?:whatsapp|dm|text|email|message|voice ?note)s? (?:that )?(?:my|our|the|a|this|his|her) "
          r"(?:[\w-]+ ){0,2}?sent", r"\[screen ?(?:shot|grab)",
          r"(?:full|whole|entire) (?:[\w'-]+ ){0,3}?(?:episode|film|documentary|programme|match|article|book|"
          r"album|chapter|song)s?\b",
          r"(?:using|use|used|play(?:ing)?) ['\"‘][^'\"’\n]{2,40}['\"’] (?:as|for|over)",
          rf"(?:borrowed|nicked|took|grabbed|lifted|copied) (?:the |a |an |their |his |her |someone'?s )?"
          rf"(?:[\w'’&-]+ ){{0,3}}?{_WORK}s?\b"),
    _rule(K.COPYRIGHT,
          rf"(?:us(?:e|es|ed|ing)|reposting|repost|sharing) (?:the |a |an |their |his |her |this |"
          rf"someone'?s )?"
          rf"(?:[\w'’&-]+ ){{0,3}}?{_WORK}s? (?:from|off|by|of)\b",
          rf"(?:using|use|used|reposting|repost|sharing|share) (?:the |a |an |their |his |her |this |"
          rf"someone'?s )?"
          rf"(?:(?-i:[A-Z][\w&]*)|@\w+)'s (?:[\w'’&-]+ ){{0,2}}?{_WORK}s?\b"),
    # Credits, and not asking, where the message is about a picture, a film or a song.
    _rule(K.COPYRIGHT,
          r"(?:(?:photo|pic|image|picture|video|footage):? ?)?credits?(?: to|:| @)\s?@?\w+",
          r"(?:taken|shot|filmed|drawn|painted|made) by @\w+",
          r"(?:didn'?t|did not|haven'?t|have not|never) (?:ask|asked)\b",
          r"(?:re-?)?upload(?:ed|ing)? (?:it|the|their|his|her)",
          when=lambda c, m: c.pictures or bool(
              re.search(r"\b(?:episode|film|programme|documentary|clip|song|track)\b", c.text, I))),
)

# What makes a post from an official account in an election period more than factual and
# operational: praise of the government or a minister, plans, pledges, a call to vote.
_ELECTION = re.compile(r"\b" + words(
    r"(?:this|the) government'?s? (?:plan|record|leadership|success|achievements?)",
    r"under (?:this|the) government",
    r"thanks to (?:this|the) (?:government|minister|chancellor|prime minister|PM|secretary of state|"
    r"home secretary)(?:'s [\w ]{0,20}?(?:leadership|plan|policy|work))?",
    r"(?:bold|strong|decisive|great) leadership", r"(?:let'?s )?keep going", r"next parliament",
    r"re-?elect(?:ed)?", r"if (?:we're )?elected", r"vote (?:for|against)", r"voting for",
    r"vote\b[^.!?\n]{0,30}\bfor (?:a|the|us|change)\b", r"brighter future",
    r"(?:our|the government'?s|their|his|her|the minister'?s) plans? to\b[^.!?\n]{0,40}",
    r"better future", r"fresh start", r"time for change", r"new hope", r"since 20\d\d",
    r"(?:years|record) of (?:delivery|success|progress|achievement)",
    r"we'?ve (?:\w+ )?(?:cut|delivered|built|created|reduced|increased|raised|halved|doubled|slashed|"
    r"invested|"
    r"recruited|hired)\b",
    r"back the plan[^.!?\n]{0,40}", r"launch(?:es|ing)? (?:in|on|next)\b",
    r"(?:her|his|their|the minister'?s|our) plans? for [^.!?\n]{3,40}",
    rf"sneak peek (?:at|of) (?:[\w'-]+ ){{0,3}}?{_PLAN_NOUN}",
    r"(?:new|upcoming|next) (?:[\w-]+ ){0,2}?(?:strategy|plan|policy|scheme|programme|bill)", "manifesto",
    r"pledge\w*",
    r"(?:million|thousand|record) (?:more )?[\w ]{0,20}?(?:have been|were|has been) (?:built|created|"
    r"delivered|cut)",
    r"record (?:investment|numbers|levels)", r"cutting your bills") + r"\b", I)


def in_election_period(text: str) -> bool:
    return bool(_ELECTION_PERIOD.search(text))


MOST_A_KIND = 3  # quotes of one kind in a verdict: beyond that, the reader has the point


def find(text: str, *, account: Account) -> list[tuple[ConcernKind, Span]]:
    """Each concern found in `text`: its kind and the span of the words that raised it, in the
    order of the text. Overlapping spans of one kind are joined; at most MOST_A_KIND a kind."""
    context = Context.of(text, account)
    found: dict[ConcernKind, list[Span]] = {}
    for rule in RULES:
        found.setdefault(rule.kind, []).extend(rule.spans(context))
    if account is not Account.PERSONAL and in_election_period(text):
        found[K.ELECTION] = _beyond_operational(text, found)
    concerns = [(kind, span) for kind, spans in found.items() for span in _joined(spans)[:MOST_A_KIND]]
    return sorted(concerns, key=lambda concern: concern[1])


def _beyond_operational(text: str, found: dict[ConcernKind, list[Span]]) -> list[Span]:
    """In an election period, what in a post from an account that may be official goes beyond
    factual, operational information: praise, plans or pledges; anything about ministers, the
    government or its policies; politics or a promise; or, in a post with nothing operational in
    it at all, the post itself."""
    spans = [m.span() for m in _ELECTION.finditer(text)] or [m.span() for m in GOV.finditer(text)]
    if spans:
        return spans
    if said := [span for kind in (K.POLITICS, K.COMMITMENT) for span in found.get(kind, [])[:1]]:
        return [min(said)]
    span = post_span(text)
    if span is None:
        post = text.strip()
        span = (text.index(post), text.index(post) + len(post))
    if _OPERATIONAL.search(text[span[0]:span[1]]):
        return []
    return [span]


def post_span(text: str) -> Span | None:
    """Where the quoted post sits in the message, when the message quotes one."""
    draft = find_draft(text, pasted=True)
    if draft is None or draft.post not in text:
        return None
    start = text.index(draft.post)
    return start, start + len(draft.post)


def _joined(spans: list[Span]) -> list[Span]:
    """The spans in order, overlapping ones joined into one."""
    joined: list[Span] = []
    for start, end in sorted(spans):
        if joined and start < joined[-1][1]:
            joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
        else:
            joined.append((start, end))
    return joined
