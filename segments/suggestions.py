"""What to offer for a word Tailor cannot read: close words of the kind its place in the phrase wants.

After "bought" a word names a category or a product, after "opened the" a campaign, after "in" a
place or an industry: an unknown word there is offered the nearest values of that kind which the
store holds ("hockey" -> the nearest products), never a connective or a language name that merely
looks alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rapidfuzz import fuzz, process

from segments.lexicon import Lexicon
from segments.tagger import Tag

#: Words between a verb or a preposition and its value: "opened the ...", "bought a ...".
DETERMINERS = {"the", "a", "an", "our", "any", "some", "their", "this", "that", "these", "those", "all"}
#: The kinds of word after a purchase verb, an email verb, a place word; "noun" and "month" are the
#: language's own words that may stand there ("bought prdoucts", "in decmber"), "event" an event
#: type of the store ("opened a supoprt ticket").
PURCHASES = frozenset({"category", "product", "noun", "event"})
EMAILS = frozenset({"campaign", "topic", "noun", "event"})
PLACES = frozenset({"city", "country", "industry", "month"})
SOURCES = frozenset({"signup_source"})
#: Any value of the store, and none of the language's own words.
ANY_VALUE = frozenset({"*"})
#: Event types whose object is an email, and those whose object is a product.
EMAIL_EVENTS = {"email_opened", "email_clicked", "email_sent", "email_bounced", "email_complained",
                "email_unsubscribed"}  # fmt: skip
PRODUCT_EVENTS = {"purchase", "product_viewed", "cart_abandoned"}
PLACE_WORDS = {"in", "from", "at", "outside", "within", "near"}
SOURCE_WORDS = {"from", "via", "through", "thru", "using"}
#: Kinds that are the language's own words, not values to list.
OWN_WORDS = {"noun", "event", "month"}
KIND_NAMES = {
    "category": "a category", "product": "a product", "campaign": "a campaign", "topic": "a topic",
    "city": "a city", "country": "a country", "industry": "an industry", "interest": "an interest",
    "signup_source": "a signup source",
}  # fmt: skip
#: How like a value a word must be to be offered (rapidfuzz ratio, 0-100).
MIN_SCORE = 50


def expected_kinds(tags: Sequence[Tag], index: int) -> frozenset[str] | None:
    """The kinds of value the word at `index` stands in the place of, or None if not a value's place."""
    before = index - 1
    while before >= 0 and tags[before].text in DETERMINERS:
        before -= 1
    previous = tags[before] if before >= 0 else None
    following = tags[index + 1] if index + 1 < len(tags) else None
    if following is not None and following.type == "HEAD" and following.meaning == "fan":
        return frozenset({"interest"})
    if previous is None:
        return None
    event = (previous.meaning or "").split("|")[0] if previous.type in ("VERB", "VN") else None
    if event in PRODUCT_EVENTS or previous.type == "SPEND":
        return PURCHASES
    if event in EMAIL_EVENTS:
        return EMAILS
    if following is not None and following.type == "UNIT":  # "in teh last 3 days" is no place
        return None
    kinds = (PLACES if previous.text in PLACE_WORDS else frozenset()) | (
        SOURCES if previous.text in SOURCE_WORDS else frozenset()
    )
    if kinds:
        return kinds
    return None


def values_of(lexicon: Lexicon, kinds: frozenset[str]) -> dict[str, str]:
    """The store's values of these kinds (codes aside): their lexicon text and their spelling."""
    return {
        " ".join(keys): lexicon.spelling[keys]
        for keys, senses in lexicon.entries.items()
        if any(sense.field in kinds for sense in senses) and len(" ".join(keys)) > 3
    }


def kinds_to_try(tags: Sequence[Tag], index: int) -> list[frozenset[str] | None]:
    """The kinds of word a typo at `index` may be corrected into, in the order to try them
    (None: any word). After a value, the rest of a longer value first ("cyber mondy"), then any
    word ("black friday emial")."""
    kinds = expected_kinds(tags, index)
    if kinds is None and index > 0 and tags[index - 1].type == "VALUE":
        return [frozenset(sense.field for sense in tags[index - 1].senses), None]
    if kinds is not None and kinds <= PLACES | SOURCES:  # "interested in cycliing": a value of any kind
        return [kinds, ANY_VALUE]
    return [kinds]


def nearest(
    word: str, choices: Mapping[str, str], limit: int = 9, min_score: float = MIN_SCORE
) -> list[tuple[str, float]]:
    """The spellings of the choices nearest to `word`, best first; ties in alphabetical order."""
    if len(word) > 3:  # codes ("DEU", "en") are typed as codes, not misspelled into
        choices = {choice: spelled for choice, spelled in choices.items() if len(choice) > 3}
    found = process.extract(word, sorted(choices), scorer=fuzz.ratio, limit=None, score_cutoff=min_score)
    ranked = sorted(found, key=lambda hit: (-hit[1], hit[0]))[:limit]
    return [(choices[choice], score) for choice, score, _ in ranked]


def longer_values(lexicon: Lexicon, typed: str, limit: int = 3) -> list[str]:
    """Values of two words or more near what was typed over two words ("yoga matt": Yoga Mat)."""
    choices = {" ".join(keys): lexicon.spelling[keys] for keys in lexicon.entries if len(keys) > 1}
    return [spelled for spelled, score in nearest(typed, choices, limit=limit) if score >= 80]


def kind_names(kinds: frozenset[str]) -> str:
    """ "a city, a country or an industry" (a month is a kind a typo may be, not a value to offer)."""
    names = [KIND_NAMES.get(kind, kind) for kind in sorted(kinds - OWN_WORDS)]
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
