"""What the words can name: the values the store holds, plus countries, languages and event verbs.

The lexicon is read from the store (`load_lexicon`), so Tailor knows a workspace's own cities,
categories, campaigns and event types without configuration. Countries and languages come from
CLDR through Babel, so "the US", "USA" and "United States" all name the stored "United States".
Every phrase is kept under the keys of its words (normalize.phrase_keys), so that matching
ignores case, accents and plurals.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from babel import Locale
from babel.core import get_global
from sqlalchemy import Connection, select

from segments.normalize import fold, phrase_keys
from segments.vocabulary import CONSENT, DEMONYMS
from store.models import Campaign, Contact, CustomProperty
from store.models import Event as EventRow

#: Contact columns whose distinct values name something ("in Berlin", "TikTok leads").
VALUE_COLUMNS = (
    "city", "country", "industry", "signup_source", "device", "loyalty_tier", "gender",
    "email_consent", "job_title",
)  # fmt: skip
EVENT_VALUE_COLUMNS = ("category", "product", "topic")
#: Common names CLDR does not list for a country code.
COUNTRY_ALIASES = {
    "US": ["usa", "the us", "u s", "u s a", "america", "the states", "united states of america"],
    "GB": ["uk", "u k", "britain", "great britain"],
    "AE": ["uae"],
}
#: Words too common to name a campaign on their own ("the 2025 newsletter" is fine, "the" is not).
CAMPAIGN_STOP = {"the", "a", "an", "of", "and", "for", "to", "in", "on", "new", "your", "our", "we", "is"}
MAX_CUSTOM_VALUES = 200
#: A product's pack size and model number, which marketers leave out: "(12)", " 2", " 40L".
PACK_SIZE = re.compile(r"\s*\([^)]*\)\s*$")
MODEL_NUMBER = re.compile(r"\s+\d+[a-zA-Z]{0,2}$")
#: Attributes by the words that name them ("without an industry", "with a city").
FIELD_NAMES = {
    "city": "city", "country": "country", "industry": "industry", "company": "company name",
    "company_size": "company size", "job_title": "job title", "signup_source": "signup source",
    "device": "device", "loyalty_tier": "loyalty tier", "interests": "interest", "language": "language",
    "birth_date": "birth date", "timezone": "time zone", "first_name": "first name", "last_name": "last name",
    "gender": "gender",
}  # fmt: skip
#: Other names marketers give the same attributes ("whose tier is gold", "in the retail sector").
FIELD_ALIASES = {
    "tier": "loyalty_tier", "loyalty level": "loyalty_tier", "loyalty status": "loyalty_tier",
    "membership tier": "loyalty_tier", "membership level": "loyalty_tier", "sector": "industry",
    "vertical": "industry", "title": "job_title", "role": "job_title", "job": "job_title",
    "position": "job_title", "job role": "job_title", "lead source": "signup_source",
    "acquisition source": "signup_source",
    "acquisition channel": "signup_source", "source": "signup_source", "signup channel": "signup_source",
    "headcount": "company_size", "employee count": "company_size", "company headcount": "company_size",
    "device type": "device", "email consent": "email_consent", "consent": "email_consent",
    "consent status": "email_consent", "subscription status": "email_consent", "signup date": "signed_up_at",
    "sign up date": "signed_up_at", "join date": "signed_up_at", "registration date": "signed_up_at",
    "birthday": "birth_date", "date of birth": "birth_date", "preferred language": "language",
    "company name": "company", "employer": "company", "home city": "city", "home country": "country",
    "country of residence": "country", "city of residence": "city",
}  # fmt: skip
#: Codes that are also English words: "in" is a preposition before it is India, "nor" a
#: connective before it is Norway.
CODE_WORDS = {
    "nor",
    "and",
    "in",
    "us",
    "it",
    "be",
    "at",
    "to",
    "no",
    "is",
    "or",
    "as",
    "me",
    "my",
    "an",
    "am",
    "do",
    "go",
    "he",
    "hi",
    "if",
    "of",
    "on",
    "so",
    "up",
    "we",
    "by",
    "id",
    "la",
    "ma",
    "mo",
    "pa",
    "ok",
}


@dataclass(frozen=True, order=True)
class Sense:
    """One thing a phrase can name: a field and its stored value (`event` fields name event types).

    Senses are ordered (by field, then value) so that every choice among them is the same in
    every process: a set's order changes with `PYTHONHASHSEED`."""

    field: str
    value: str


@dataclass(frozen=True)
class CountryCode:
    """A country by its code: its name (CLDR's English) and the senses of its stored spellings."""

    name: str
    senses: tuple[Sense, ...]


@dataclass
class Lexicon:
    entries: dict[tuple[str, ...], set[Sense]] = field(default_factory=lambda: defaultdict(set))
    #: The phrase as the data spells it, for suggestions and readings.
    spelling: dict[tuple[str, ...], str] = field(default_factory=dict)
    custom_types: dict[str, str] = field(default_factory=dict)
    longest: int = 1
    #: Every two-letter country code, folded ("at"), and the country it names: also the codes
    #: that are words (CODE_WORDS), which the tagger reads as countries only where typed in
    #: capitals in a list of places ("in AT", "from DE or IT").
    codes: dict[str, CountryCode] = field(default_factory=dict)

    def add(self, text: str, sense: Sense) -> None:
        keys = phrase_keys(text)
        if not keys:
            return
        self.entries[keys].add(sense)
        self.spelling.setdefault(keys, text)
        self.longest = max(self.longest, len(keys))

    def match(
        self, keys: list[str], start: int, ours: Callable[[tuple[str, ...]], bool] = lambda run: False
    ) -> tuple[int, tuple[Sense, ...]] | None:
        """The longest phrase at `start`: its length in words and its senses, in order.

        A run of words that `ours` (the language) claims is no campaign's, though a campaign's name
        has it: "Win-back: lapsed custs in DE" must leave "lapsed custs in DE" a segment."""
        for length in range(min(self.longest, len(keys) - start), 0, -1):
            run = tuple(keys[start : start + length])
            senses = self.entries.get(run, set())
            if senses and any(sense.field == "campaign" for sense in senses) and ours(run):
                senses = {sense for sense in senses if sense.field != "campaign"}
            if senses:
                return length, tuple(sorted(senses))
        return None

    def reads_alone(self, word: str) -> bool:
        """Whether the word alone names something other than a campaign, or is too common to."""
        if word in CAMPAIGN_STOP or word in self.codes or word.replace(".", "").isdigit():
            return True
        return any(sense.field != "campaign" for sense in self.entries.get((word,), ()))

    def phrases(self) -> list[str]:
        return [" ".join(keys) for keys in self.entries]


def load_lexicon(conn: Connection, saved_names: Iterable[str] = ()) -> Lexicon:
    lexicon = Lexicon()
    contacts = Contact.__table__
    for column in VALUE_COLUMNS:
        for value in distinct(conn, contacts.c[column]):
            lexicon.add(value, Sense(column, value))
            if column == "job_title":
                _add_title_words(lexicon, value)
    for value in distinct(conn, contacts.c.language):
        lexicon.add(value, Sense("language", value))
    for tags in distinct(conn, contacts.c.interests):
        for tag in filter(None, tags.split(";")):
            lexicon.add(tag, Sense("interest", tag))
            for noun in sorted(agent_nouns(tag)):
                lexicon.add(noun, Sense("fan", tag))
    for column in FIELD_NAMES:
        lexicon.add(FIELD_NAMES[column], Sense("field", column))
    for name, column in FIELD_ALIASES.items():
        lexicon.add(name, Sense("field", column))
    for word, value in CONSENT.items():
        lexicon.add(word, Sense("email_consent", value))
    _add_events(lexicon, conn)
    _add_campaigns(lexicon, conn)
    _add_custom(lexicon, conn)
    countries = _spellings(distinct(conn, contacts.c.country))
    _add_demonyms(lexicon, _add_countries(lexicon, countries))
    _add_languages(lexicon)
    for name in saved_names:
        lexicon.add(name, Sense("saved", name))
    return lexicon


def distinct(conn: Connection, column) -> list[str]:
    """The column's distinct non-empty values, sorted: the lexicon is built in the same order on
    every database and in every process, so the spelling it keeps for a phrase is always the same."""
    query = select(column).distinct().where(column.is_not(None), column != "")
    return sorted(value for (value,) in conn.execute(query))


def agent_nouns(tag: str) -> set[str]:
    """People who do a thing: golf -> golfer, running -> runner, cycling -> cyclist, yoga -> yogi."""
    nouns = {tag + "er", tag + "ers"}
    if tag.endswith("ing"):
        stem = tag[:-3]
        stems = {stem, stem[:-1]} if len(stem) > 2 and stem[-1] == stem[-2] else {stem, stem + "e"}
        nouns |= {s + suffix for s in stems for suffix in ("er", "ist")}
    if tag.endswith("a"):
        nouns.add(tag[:-1] + "i")
    if tag.endswith("e"):
        nouns.add(tag + "r")
    if tag.endswith("l"):
        nouns |= {tag + "ler", tag + "er"}
    return nouns


def _add_title_words(lexicon: Lexicon, title: str) -> None:
    """ "Marketing Manager" also answers to "managers" and "marketing managers"."""
    parts = title.split()
    for length in range(1, len(parts)):
        for start in range(len(parts) - length + 1):
            run = " ".join(parts[start : start + length])
            lexicon.add(run, Sense("job_title", run))


def _add_events(lexicon: Lexicon, conn: Connection) -> None:
    events = EventRow.__table__
    for kind in distinct(conn, events.c.type):
        lexicon.add(kind.replace("_", " "), Sense("event", kind))
    for column in EVENT_VALUE_COLUMNS:
        for value in distinct(conn, events.c[column]):
            lexicon.add(value, Sense(column, value))
            if column == "product":
                for short in sorted(product_short_names(value)):
                    lexicon.add(short, Sense(column, value))


def product_short_names(name: str) -> set[str]:
    """What a product is called without its pack size or model number: "Golf Balls (12)" is "golf
    balls", "Trail Runner 2" a "Trail Runner"."""
    short = PACK_SIZE.sub("", name).strip()
    shorter = MODEL_NUMBER.sub("", short).strip()
    return {n for n in (short, shorter) if n and n != name}


def _add_campaigns(lexicon: Lexicon, conn: Connection) -> None:
    for (name,) in conn.execute(select(Campaign.name).order_by(Campaign.id)):
        add_campaign(lexicon, name)


def add_campaign(lexicon: Lexicon, name: str) -> None:
    """A campaign answers to its name and to any run of its words ("the Black Friday email")."""
    parts = name.split()
    for length in range(len(parts), 0, -1):
        for start in range(len(parts) - length + 1):
            run = parts[start : start + length]
            if length == 1 and (fold(run[0]) in CAMPAIGN_STOP or run[0].isdigit()):
                continue
            lexicon.add(" ".join(run), Sense("campaign", " ".join(run)))


def _add_custom(lexicon: Lexicon, conn: Connection) -> None:
    query = select(CustomProperty.name, CustomProperty.type).where(CustomProperty.entity == "contact")
    for name, kind in conn.execute(query.order_by(CustomProperty.name)):
        lexicon.custom_types[name] = kind
        lexicon.add(name.replace("_", " "), Sense("property", name))
        if kind != "text":
            continue
        value = Contact.__table__.c.properties[name].as_string()
        labels = select(value).distinct().where(value.is_not(None)).limit(MAX_CUSTOM_VALUES + 1)
        values = sorted(v for (v,) in conn.execute(labels) if v)
        if len(values) <= MAX_CUSTOM_VALUES:  # a few labels ("pro", "free"), not free text
            for text in values:
                lexicon.add(text, Sense(f"custom:{name}", text))


def _spellings(stored: list[str]) -> dict[str, list[str]]:
    """The stored values by their folded text: "Germany" and "GERMANY" are both the one country."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for value in stored:
        by_name[fold(value)].append(value)
    return by_name


def _stored(by_name: dict[str, list[str]], names: Iterable[str]) -> list[str]:
    """Every stored spelling of a country, by any of its `names` (its name first, its codes and
    aliases): contacts stored as "DE" and as "Germany" are in the one country whichever is typed.
    CLDR's name when the data stores none."""
    names = list(names)
    found = [value for name in names for value in by_name.get(fold(name), [])]
    return list(dict.fromkeys(found)) or names[:1]


def _add_countries(lexicon: Lexicon, by_name: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every country's names and codes, naming the stored spellings where the data has them; the
    stored spellings of each country code, for the demonyms."""
    english = Locale("en")
    aliases = defaultdict(list)
    for alias, codes in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and len(codes) == 1:
            aliases[codes[0]].append(alias)
    spellings: dict[str, list[str]] = {}
    for code, name in english.territories.items():
        if not (len(code) == 2 and code.isalpha()):
            continue
        names = (name, code, *aliases[code], *COUNTRY_ALIASES.get(code, []))
        spellings[code] = _stored(by_name, names)
        senses = tuple(sorted({Sense("country", value) for value in spellings[code]}))
        lexicon.codes[fold(code)] = CountryCode(name, senses)
        for text in names:
            if fold(text) not in CODE_WORDS:
                for value in spellings[code]:
                    lexicon.add(text, Sense("country", value))
    return spellings


def _add_demonyms(lexicon: Lexicon, spellings: dict[str, list[str]]) -> None:
    """ "German contacts" are in Germany; "German speakers" speak German (the language sense stays)."""
    for word, code in DEMONYMS.items():
        for value in spellings.get(code, [code]):
            lexicon.add(word, Sense("country", value))


def _add_languages(lexicon: Lexicon) -> None:
    for code, name in Locale("en").languages.items():
        if len(code) == 2 and fold(name) not in CODE_WORDS:
            lexicon.add(name, Sense("language", code))
