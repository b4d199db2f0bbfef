"""Classifies the words of a phrase for the grammar: keywords, values of the lexicon, verbs, numbers.

The grammar (grammar.lark) reads classes, not words: "Berlin" and "golf" are both VALUE, told
apart later by the role the grammar gives them. The longest phrase wins ("New York" over "new"),
and a word that nothing knows becomes UNKNOWN, which the grammar refuses, so that Tailor asks
instead of silently reading a wider segment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from segments import shorthand
from segments.definition import FIRST_YEAR, LAST_YEAR
from segments.lexicon import CountryCode, Lexicon, Sense
from segments.normalize import MULTIPLIERS, NUMBER_WORDS, Word, fold, key, number_text, phrase_keys, words
from segments.shorthand import plural
from segments.spelling import Speller
from segments.vocabulary import (
    CONSENT,
    EVENT_NOUNS,
    HEADS,
    LEADS,
    MONEY,
    MONTHS,
    ORIGIN_VERBS,
    PRESETS,
    SIGNUP_VERBS,
    SPEND_VERBS,
    TRAILS,
    UNITS,
    VERBS,
)

#: Words after which a word that is both a value and an event's verb is the verb.
VERB_CONTEXT = {"who", "that", "which", "have", "has", "had", "never", "not", "did", "recently", "already"}
#: Words after which "one" stands for a thing already named ("opened one", "one of our emails").
PRONOUN_ONE_NEXT = {"of", "in", "since", "but", "and", "or", ",", "during", "within", "over", "yet", "after",
                    "ever"}  # fmt: skip
#: Words after which a bare "since" ends its clause: "haven't bought since (then)".
SINCE_THEN_NEXT = {"and", "but", ",", "or", "who", "that", "which", "whose", "with", "excluding", "except"}
#: Nouns of the email event that a workspace also uses in campaign names ("the June Newsletter"):
#: "opened the newsletter" names those campaigns (segment-semantics.md: a campaign by any part of its name).
CAMPAIGN_NOUNS = {"newsletter"}
#: Words between an email's verb and its name ("opened the win-back").
ARTICLES = {"the", "a", "an", "our", "last", "latest"}
#: Words after which a country's code names a place, and the words of a list of places.
PLACE_WORDS = {"in", "from", "outside", "of", "within", "at", "based", "living", "located", "residing", "to"}
LIST_WORDS = {"and", "or", ",", "&", "/", "nor", "the"}
#: A code that is also a word ("AT", "IN", "IT", "NO": lexicon.CODE_WORDS) names its country only
#: where typed in capitals in a list of places: after these words ("in DE or AT", "not in NO",
#: "outside of AT", "based out of IT"), or at the phrase's start before the people ("AT custs").
CODE_PLACE_WORDS = {"in", "from", "outside"}
CODE_PLACE_OF = {"outside", "out"}
#: "in DE but not AT", "in DE, not AT": a place left out of the places before.
CODE_BUT_NOT = {"but", ",", "and"}
#: The words between the places of such a list ("DE, AT or CH", "DE/AT": "/" is read "or").
CODE_LIST_WORDS = {",", "and", "or"}
#: What may follow a typed code that ends the list: the phrase goes on with another part ("in AT
#: who opened...", "in IT w/ 2+ orders"). After anything else the code may be the word it spells
#: ("in DE or IN the last 30 days"), and Tailor asks which (ASK_CODE).
CODE_FOLLOWERS = {",", "and", "or", "who", "that", "which", "whose", "with", "without", "having", "but",
                  "excluding", "except", "not", ")", "only", "in", "from"}  # fmt: skip
#: A time after the list ("in AT last month"), but not after "IN": "in DE or IN last month" may
#: be "or in the last month".
CODE_WINDOW_FOLLOWERS = {"last", "this", "since", "before", "after", "during", "past", "today", "yesterday",
                         "ever", "until"}  # fmt: skip
CODE_WINDOW_TYPES = {"MONTH", "DATE", "QUARTER"}
#: Before the people, the list may follow these ("lapsed AT custs", "all AT customers").
CODE_HEAD_OPENERS = {"all", "our"}
#: The meaning of a typed code that is asked about: the country, or the word it spells?
ASK_CODE = "country or word"
#: "LA" is Los Angeles as often as Laos: never read as the country, but asked about.
AMBIGUOUS_CODES = {"la"}
#: Words that stand before the people as themselves ("MY customers", "NO customers"), not as countries.
CODE_DETERMINERS = {"my", "no"}
#: "Q1" to "Q4": a calendar quarter.
QUARTER = re.compile(r"q[1-4]")
#: Words after a number that make it a count, not a day of the month ("in May 5 times").
COUNT_WORDS = {"time", "times", "x", "plus", "percent", "more"}
#: Field senses: a phrase with only these names an attribute ("city", "job title"), not a value.
FIELD_SENSES = {"field", "property"}


@dataclass(frozen=True)
class Tag:
    """One classified word or phrase of the input."""

    type: str
    text: str
    start: int
    end: int
    #: What a value can name, in a defined order (lexicon.Sense sorts).
    senses: tuple[Sense, ...] = ()
    #: What a keyword class means: the event type of a verb, the unit, the month, the preset...
    meaning: str | None = None
    number: float | None = None
    #: Shorthand expanded and typos corrected on the way: (typed, read) pairs, for the reading.
    rewrites: tuple[tuple[str, str], ...] = ()


@dataclass
class Tagger:
    lexicon: Lexicon
    #: The grammar's own words ("in", "who", "least"...).
    keywords: set[str]
    #: Verbs that the store's event types add ("attended" for webinar_attended).
    verbs: dict[str, str] = field(default_factory=dict)
    presets: dict[tuple[str, ...], str] = field(default_factory=dict)
    #: People named by an event's verb ("attendees" for webinar_attended), as heads "event:<type>".
    agents: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.presets = {phrase_keys(text): name for text, name in PRESETS.items()}
        self.longest_preset = max(len(keys) for keys in self.presets)
        senses = (s for found in self.lexicon.entries.values() for s in found)
        for kind in sorted(s.value for s in senses if s.field == "event"):
            self._learn_event(kind)
        # vocabulary words that may stand where a value does: "in decmber", "bought prdoucts"
        named = {**{key(noun): "noun" for noun in EVENT_NOUNS}, **{key(month): "month" for month in MONTHS}}
        vocabulary = self._vocabulary()
        self.language = frozenset(vocabulary)
        whole = {key(w) for table in self._word_tables() for w in table}
        self.speller = Speller.of(vocabulary, self.lexicon, self._meanings(), named, vocabulary - whole)

    def _meanings(self) -> dict[str, str]:
        """Words that spell one reading: a verb's forms, a head's synonyms."""
        verbs = {key(w): f"verb:{e}" for table in (VERBS, self.verbs) for w, e in table.items() if e}
        meanings = {**{key(w): f"head:{head}" for w, head in HEADS.items()}, **verbs}
        for short, read in shorthand.words().items():  # "purch" and "purchase" are one reading
            meanings[short] = meanings.get(key(read), key(read))
        return meanings

    def _corrected(self, item: Word, read: str | None) -> list[Word]:
        """The typo read as `read`, a plural kept plural ("custmers" -> customers), shorthand
        spelled out ("haevnt" -> havent -> have not); the reading shows a value as the data spells
        it ("germny" as 'Germany')."""
        if read is None or item.rewrite is not None:
            return [item]
        spelled = self.lexicon.spelling.get((read,))
        base, read = read, plural(read) if item.text != item.key else read
        read = shorthand.expand(read, shorthand.words()) or read
        shown = spelled if spelled and read == base and fold(spelled) == base else read
        return [replace(item, text=part, rewrite=(item.text, shown)) for part in read.split()]

    def _vocabulary(self) -> set[str]:
        """Every word of the language itself, as keys: what a typo is corrected into first. Of the
        verbs the store's event types teach, only their past forms: the stems guessed for them
        ("complaine" of "complained") are no words to correct into."""
        phrases = (*PRESETS, *LEADS, *TRAILS, *CONSENT)
        whole = {key(w) for table in self._word_tables() for w in table}
        return whole | {w for p in phrases for w in phrase_keys(p)}

    def _word_tables(self) -> tuple:
        """The tables of the language's words that stand alone."""
        past = {form for form in self.verbs if form.endswith("ed")}
        return (HEADS, VERBS, EVENT_NOUNS, UNITS, MONTHS, MONEY, SIGNUP_VERBS, ORIGIN_VERBS, SPEND_VERBS,
                NUMBER_WORDS, MULTIPLIERS, self.keywords, past, self.agents, shorthand.words())  # fmt: skip

    def tag(self, text: str, corrections: Mapping[int, str] = MappingProxyType({})) -> list[Tag]:
        """The tags of `text`; `corrections`: the words read in place of typos, by where they start."""
        items = _trim([c for w in words(text) for c in self._corrected(w, corrections.get(w.start))])
        # Number words key as digits, as the lexicon's phrases do ("one time" -> "1 time").
        keys = [w.key if w.number is None else number_text(w.number) for w in items]
        tags: list[Tag] = []
        position = 0
        while position < len(items):
            tag, length = self._classify(items, keys, position)
            tags.append(tag)
            position += length
        return self._close_since(_day_dates(_codes_in_place(self._typed_codes(text, tags))))

    def _typed_codes(self, text: str, tags: list[Tag]) -> list[Tag]:
        """Each country code typed in capitals that is also a word ("AT", "IN", "IT", "NO", "US")
        read as its country where it stands in a list of places (CODE_PLACE_WORDS); anywhere else
        the word it spells. The case is the typed text's: the words are folded."""
        folded = fold(text)
        units: list[list[Tag]] = []  # the tags, the words of one typed code together
        codes: dict[int, CountryCode] = {}  # the typed codes, by unit
        for tag in tags:
            last = len(units) - 1
            if last in codes and (units[last][0].start, units[last][0].end) == (tag.start, tag.end):
                units[last].append(tag)  # "CX" expanded as shorthand: one word typed
                continue
            if (code := self._typed_code(text, folded, tag)) is not None:
                codes[len(units)] = code
            units.append([tag])
        if not codes:
            return tags
        heads = [unit[0] for unit in units]
        read: dict[int, bool] = {}  # the typed codes read as countries (True) or asked about
        at = 0
        while at < len(units):
            members = _code_list(heads, at, codes)
            if not members:
                at += 1
                continue
            for member, country in _code_list_read(heads, members, codes).items():
                read[member] = country
            at = members[-1] + 1
        out: list[Tag] = []
        for index, unit in enumerate(units):
            first = unit[0]
            typed = text[first.start : first.end]
            if index not in read:
                out.extend(unit)
            elif read[index]:
                code = codes[index]
                out.append(Tag("VALUE", typed, first.start, first.end, senses=code.senses,
                               rewrites=((typed, code.name),)))  # fmt: skip
            else:  # "in DE or IN the last 30 days": India, or "in"?
                out.append(Tag("UNKNOWN", typed, first.start, first.end, meaning=ASK_CODE))
        return out

    def _typed_code(self, text: str, folded: str, tag: Tag) -> CountryCode | None:
        """The country of a code typed in capitals that the tag does not already read as one."""
        typed = text[tag.start : tag.end]
        if not (len(typed) == 2 and typed.isascii() and typed.isalpha() and typed.isupper()):
            return None
        if folded[tag.start : tag.end] != typed.lower() or typed.lower() in AMBIGUOUS_CODES:
            return None  # (the tags' places are the folded text's: no code where they differ)
        if tag.type == "VALUE" and any(sense.field == "country" for sense in tag.senses):
            return None  # "DE": a country already
        return self.lexicon.codes.get(typed.lower())

    def _classify(self, items: list[Word], keys: list[str], at: int) -> tuple[Tag, int]:
        word = items[at]
        preset = self._preset(keys, at)
        if preset and preset[0] > 1 and word.number is not None:  # "one-time buyers"
            return self._tag("PRESET", items, at, preset[0], meaning=preset[1]), preset[0]
        if word.number is not None:
            if self._pronoun_one(items, at):
                return self._tag("ONE", items, at, 1, meaning="one"), 1
            return self._tag("NUMBER", items, at, 1, number=word.number), 1
        if len(word.text) == 10 and word.text[4] == "-":
            return self._tag("DATE", items, at, 1, meaning=word.text), 1
        if QUARTER.fullmatch(word.text):  # "Q3"
            return self._tag("QUARTER", items, at, 1, meaning=word.text[1]), 1
        if preset and preset[0] == 1 and self._verb(word)[0] and self._after_verb_context(items, at):
            preset = None  # "who haven't engaged": the verb, not the preset
        found = self.lexicon.match(keys, at, lambda run: self._language_run(items, at, run))
        if found and found[0] == 1 and self._acts_as_verb(items, at):
            found = None
        if found and found[0] == 1 and word.key in CAMPAIGN_NOUNS and not self._before_head(items, at):
            campaigns = tuple(s for s in found[1] if s.field == "campaign")
            if campaigns:
                return self._tag("VALUE", items, at, 1, senses=campaigns), 1
        if found and (found[0] > 1 or not self._is_vocabulary(word)) and found[0] >= (preset or (0,))[0]:
            length, senses = found
            kind = "FIELD" if all(s.field in FIELD_SENSES for s in senses) else "VALUE"
            return self._tag(kind, items, at, length, senses=senses), length
        if preset:
            return self._tag("PRESET", items, at, preset[0], meaning=preset[1]), preset[0]
        return self._single(word, items, at), 1

    def _single(self, word: Word, items: list[Word], at: int) -> Tag:
        text, stem = word.text, word.key
        for candidate in (text, stem):
            if candidate in self.keywords:
                return self._tag(candidate.upper(), items, at, 1, meaning=candidate)
        is_verb, verb = self._verb(word)
        noun = EVENT_NOUNS.get(stem, "") if stem in EVENT_NOUNS else None
        if is_verb and noun is not None:
            return self._tag("VN", items, at, 1, meaning=f"{verb or ''}|{noun or ''}")
        if is_verb:
            return self._tag("VERB", items, at, 1, meaning=verb)
        classes = (
            ("NOUN", EVENT_NOUNS, stem), ("HEAD", HEADS, text), ("HEAD", HEADS, stem),
            ("HEAD", self.agents, stem), ("UNIT", UNITS, stem),
            ("MONTH", MONTHS, text), ("MONEY", {m: m for m in MONEY}, stem),
            ("SIGNUP", {v: v for v in SIGNUP_VERBS}, text), ("SIGNUP", {v: v for v in SIGNUP_VERBS}, stem),
            ("ORIGIN", {v: v for v in ORIGIN_VERBS}, text),
            ("SPEND", {v: v for v in SPEND_VERBS}, text),
        )  # fmt: skip
        for kind, table, candidate in classes:
            if candidate in table:
                meaning = table[candidate]
                return self._tag(kind, items, at, 1, meaning=None if meaning is None else str(meaning))
        return self._tag("UNKNOWN", items, at, 1)

    def _verb(self, word: Word) -> tuple[bool, str | None]:
        """Whether the word is a verb, and the event type it names (None for "made", "placed"...)."""
        for candidate in (word.text, word.key):
            for table in (VERBS, self.verbs):
                if candidate in table:
                    return True, table[candidate]
        return False, None

    def _language_run(self, items: list[Word], at: int, run: tuple[str, ...]) -> bool:
        """Whether a run of a campaign's words is the segment language's own ("lapsed custs in DE"):
        every word reads alone, and nothing around it asks for an email ("the win-back email",
        "opened win-back")."""
        end = at + len(run)
        if end < len(items) and EVENT_NOUNS.get(items[end].key) == "email":
            return False
        before = at - 1 if at and items[at - 1].key in ARTICLES else at
        if before and (self._verb(items[before - 1])[1] or "").startswith("email_"):
            return False
        return all(word in self.language or self.lexicon.reads_alone(word) for word in run)

    def _is_vocabulary(self, word: Word) -> bool:
        """Grammar words beat a one-word value of the same spelling ("newsletter" the noun)."""
        return any(
            candidate in table
            for candidate in (word.text, word.key)
            for table in (self.keywords, VERBS, EVENT_NOUNS, HEADS, UNITS, MONTHS)
        )

    def _acts_as_verb(self, items: list[Word], at: int) -> bool:
        """ "unsubscribed contacts" is a consent value; "who unsubscribed" is the event."""
        word = items[at]
        return (word.text in self.verbs or word.key in self.verbs) and self._after_verb_context(items, at)

    @staticmethod
    def _before_head(items: list[Word], at: int) -> bool:
        """ "newsletter subscribers": the kind of contact, not the campaigns named "... Newsletter"."""
        return at + 1 < len(items) and items[at + 1].key in HEADS

    @staticmethod
    def _after_verb_context(items: list[Word], at: int) -> bool:
        return bool(at) and items[at - 1].text in VERB_CONTEXT

    def _pronoun_one(self, items: list[Word], at: int) -> bool:
        """ "received an email but never opened one": the thing named before, not the number 1."""
        if items[at].text != "one" or "one" not in self.keywords:
            return False
        return at + 1 == len(items) or items[at + 1].text in PRONOUN_ONE_NEXT

    def _close_since(self, tags: list[Tag]) -> list[Tag]:
        """A "since" that ends its clause means "since then": after the latest event named before."""
        out: list[Tag] = []
        for index, tag in enumerate(tags):
            out.append(tag)
            following = tags[index + 1] if index + 1 < len(tags) else None
            if tag.meaning == "since" and (following is None or following.text in SINCE_THEN_NEXT):
                out.append(Tag("THEN", "then", tag.end, tag.end, meaning="then"))
        return out

    def _preset(self, keys: list[str], at: int) -> tuple[int, str] | None:
        for length in range(self.longest_preset, 0, -1):
            name = self.presets.get(tuple(keys[at : at + length]))
            if name and at + length <= len(keys):
                return length, name
        return None

    def _learn_event(self, kind: str) -> None:
        """ "webinar_attended": the verb "attended" (and "attend", "attends"...) and the noun "webinar";
        "support_ticket": also "ticket" alone ("submitted a ticket")."""
        *nouns, last = kind.split("_")
        if nouns and not last.endswith("ed") and last not in VERBS and last not in EVENT_NOUNS:
            self.lexicon.add(last, Sense("event", kind))
        if not nouns or not last.endswith("ed"):
            return
        for form in _verb_forms(last):
            self.verbs.setdefault(form, kind)
        for noun in _agent_nouns(last):
            self.agents.setdefault(noun, f"event:{kind}")
        self.lexicon.add(" ".join(nouns), Sense("event", kind))

    def _tag(self, kind: str, items: list[Word], at: int, length: int, **extra) -> Tag:
        first, last = items[at], items[at + length - 1]
        text = " ".join(w.text for w in items[at : at + length])
        rewrites = tuple(dict.fromkeys(w.rewrite for w in items[at : at + length] if w.rewrite))
        return Tag(kind, text, first.start, last.end, rewrites=rewrites, **extra)


def _verb_forms(past: str) -> set[str]:
    """ "attended" -> attend, attends, attending, attended; "shipped" -> ship..."""
    stems = {past[:-2], past[:-1]}
    if len(past) > 4 and past[-3] == past[-4]:
        stems.add(past[:-3])
    forms = {past}
    for stem in stems:
        forms.update({stem, stem + "s", stem + "ing"})
    return forms


def _agent_nouns(past: str) -> set[str]:
    """ "attended" -> attendee, attender: the people who did it ("webinar attendees")."""
    stem = past[:-2]
    return {stem + "ee", stem + "er"}


def _codes_in_place(tags: list[Tag]) -> list[Tag]:
    """A country's code is a country only where a place is said: after "in", "from", "outside"
    (through a list: "in DE, FR or IT") or before the people ("DE customers"). Elsewhere two
    letters are more likely shorthand Tailor does not know: "opened the BF email" is no email
    about Burkina Faso, so the word is unknown, and the phrase asks."""
    out = list(tags)
    for index, tag in enumerate(tags):
        if _is_code(tag) and not _in_place(tags, index):
            out[index] = Tag("UNKNOWN", tag.text, tag.start, tag.end, rewrites=tag.rewrites)
    return out


def _code_list(tags: list[Tag], at: int, codes: dict[int, CountryCode]) -> list[int]:
    """The places of the list that starts at `at` ("DE, AT or CH"), by index: none if no place
    stands there. A typed code counts as a place."""
    members: list[int] = []
    index = at
    while index < len(tags) and (index in codes or _is_place(tags[index])):
        members.append(index)
        joined = tags[index + 1].text if index + 1 < len(tags) else None
        if joined not in CODE_LIST_WORDS:
            break
        index += 2
        if joined == "," and index < len(tags) and tags[index].text in ("and", "or"):
            index += 1  # "DE, AT, and CH"
    return members


def _code_list_read(tags: list[Tag], members: list[int], codes: dict[int, CountryCode]) -> dict[int, bool]:
    """The list's typed codes that are countries (True) and those to ask about (False): after
    "in", "from", "outside", or opening the phrase before the people, they are countries; the
    last of them is asked about when the words after it would make it the word it spells ("in DE
    or IN the last 30 days"). Elsewhere none is read (they are the words they spell)."""
    first, last = members[0], members[-1]
    typed = [member for member in members if member in codes]
    before = tags[first - 1].text if first else None
    following = tags[last + 1] if last + 1 < len(tags) else None
    if following is not None and following.type == "HEAD":
        opens = before is None or tags[first - 1].type == "PRESET" or before in CODE_HEAD_OPENERS
        if opens and not {tags[member].text for member in typed} & CODE_DETERMINERS:  # "AT custs"
            return dict.fromkeys(typed, True)
    listed = before in CODE_PLACE_WORDS or (
        before == "of" and first > 1 and tags[first - 2].text in CODE_PLACE_OF
    )
    if before == "not" and first > 2 and tags[first - 2].text in CODE_BUT_NOT:  # "in DE but not AT"
        listed = (first - 3) in codes or _is_place(tags[first - 3])
    if not listed:
        return {}
    read = dict.fromkeys(typed, True)
    if last in codes and not _code_may_end_list(tags[last], following):
        read[last] = False
    return read


def _code_may_end_list(code: Tag, following: Tag | None) -> bool:
    """Whether what follows a typed code ends a list of places with it ("in AT who...", "in AT
    last month"), rather than making it the word it spells ("in IN the last 30 days")."""
    if following is None or following.type == "HEAD" or following.text in CODE_FOLLOWERS:
        return True
    window = following.text in CODE_WINDOW_FOLLOWERS or following.type in CODE_WINDOW_TYPES
    return window and code.text != "in"


def _is_code(tag: Tag) -> bool:
    return (
        tag.type == "VALUE"
        and len(tag.text) <= 3
        and " " not in tag.text
        and all(sense.field == "country" for sense in tag.senses)
    )


def _in_place(tags: list[Tag], index: int) -> bool:
    after = index + 1  # through a list of places: "AT and DE customers"
    while after + 1 < len(tags) and tags[after].text in LIST_WORDS and _is_place(tags[after + 1]):
        after += 2
    following = tags[after] if after < len(tags) else None
    if following is not None and following.type in ("HEAD", "PRESET"):  # "DE customers"
        return True
    before = index - 1
    while before >= 0 and (tags[before].text in LIST_WORDS or _is_place(tags[before])):
        before -= 1
    if before >= 2 and tags[before].text == "not" and tags[before - 1].text in CODE_BUT_NOT:
        return _is_place(tags[before - 2])  # "in DE but not CH"
    return before >= 0 and tags[before].text in PLACE_WORDS


def _is_place(tag: Tag) -> bool:
    return tag.type == "VALUE" and any(sense.field in ("country", "city") for sense in tag.senses)


def _day_dates(tags: list[Tag]) -> list[Tag]:
    """A month and a day of it as one DATE: "nov 1st", "3 March", "the 3rd of March", "feb 28, 2025".

    The date's meaning is ISO 8601's: "2025-02-28" with a year, "--02-28" without (the most recent
    such day, segment-semantics.md). A number followed by "times", a unit or a sign of a count is
    not a day ("in May 5 times")."""
    out: list[Tag] = []
    at = 0
    while at < len(tags):
        found = _day_date(tags, at)
        if found is None:
            out.append(tags[at])
            at += 1
            continue
        (month, day, year), length = found
        if out and out[-1].text == "the":  # "since the 3rd of March": the article is the date's
            at, length = at - 1, length + 1
            out.pop()
        meaning = f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"
        first, last = tags[at], tags[at + length - 1]
        text = " ".join(tag.text for tag in tags[at : at + length])
        rewrites = tuple(pair for tag in tags[at : at + length] for pair in tag.rewrites)
        out.append(Tag("DATE", text, first.start, last.end, meaning=meaning, rewrites=rewrites))
        at += length
    return out


def _day_date(tags: list[Tag], at: int) -> tuple[tuple[int, int, int | None], int] | None:
    """(month, day, year or None) and the number of tags, if a month's day starts at `at`."""
    kinds = [tag.type for tag in tags[at : at + 3]]
    if kinds[:2] == ["MONTH", "NUMBER"] and _is_day(tags, at + 1):  # "nov 1st"
        month, day, length = int(tags[at].meaning or 0), int(tags[at + 1].number or 0), 2
    elif kinds[:2] == ["NUMBER", "MONTH"] and _is_day(tags, at):  # "3 March"
        month, day, length = int(tags[at + 1].meaning or 0), int(tags[at].number or 0), 2
    elif kinds == ["NUMBER", "OF", "MONTH"] and _is_day(tags, at):  # "3rd of March"
        month, day, length = int(tags[at + 2].meaning or 0), int(tags[at].number or 0), 3
    else:
        return None
    after = at + length + (at + length < len(tags) and tags[at + length].text == ",")
    year = tags[after].number if after < len(tags) and tags[after].type == "NUMBER" else None
    if year is not None and FIRST_YEAR <= year <= LAST_YEAR and year == int(year):
        return (month, day, int(year)), after + 1 - at
    return (month, day, None), length


def _is_day(tags: list[Tag], at: int) -> bool:
    number = tags[at].number or 0
    following = tags[at + 1] if at + 1 < len(tags) else None
    counted = following is not None and (following.type == "UNIT" or following.text in COUNT_WORDS)
    return number == int(number) and 1 <= number <= 31 and not counted


def _trim(items: list[Word]) -> list[Word]:
    """Without the openings and closings that only ask ("how many ...", "... are there"); openings
    may follow one another ("I need" "a list of")."""
    keys = [w.key for w in items]
    openings = sorted((phrase_keys(p) for p in LEADS), key=len, reverse=True)
    trimmed = True
    while trimmed:
        trimmed = False
        for opening in openings:
            if tuple(keys[: len(opening)]) == opening and len(keys) > len(opening):
                items, keys = items[len(opening) :], keys[len(opening) :]
                trimmed = True
                break
    for closing in sorted((phrase_keys(p) for p in TRAILS), key=len, reverse=True):
        if len(keys) > len(closing) and tuple(keys[-len(closing) :]) == closing:
            items = items[: -len(closing)]
            break
    return items


__all__ = ["Tag", "Tagger", "key"]
