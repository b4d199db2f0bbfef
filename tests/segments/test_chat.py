"""Segments as marketers type them in Slack, on both databases: shorthand, typos, signs, calendar
words and the words for consent and lifecycle, each chat phrasing read exactly as its tidy twin,
with every expansion and correction said in the reading; and no word of a phrase passed over.

The property tests generate their phrases from seeded tables of wordings (so that a failure names
a phrase that fails again) and check the reading's structure, not its text.
"""

from __future__ import annotations

import json
import random
from datetime import date

import pytest

from segments.currencies import CURRENCY_WORDS
from segments.definition import (
    Aggregate,
    Attribute,
    Calendar,
    Count,
    DayRef,
    Days,
    Event,
    Last,
    Not,
    Quarter,
    Reachability,
    Span,
)
from segments.lexicon import add_campaign, load_lexicon
from segments.normalize import fold, key
from segments.parser import ParseError, Parser
from segments.tagger import Tag
from store.importer import ImportSources, run_import
from tests.reference_money import dollars_now
from tests.segments.dataset import DATA_AS_OF
from tests.segments.test_grouping import PARTS

SEED = 17


@pytest.fixture(scope="module")
def parser(oracle) -> Parser:
    with oracle.engine.connect() as conn:
        return Parser(load_lexicon(conn))


def where(parser: Parser, text: str):
    return parser.parse(text).definition.where


def misread(parser: Parser, phrase: str, wanted, reading=lambda found: found) -> str | None:
    """What is wrong with the phrase's reading (`reading` of its condition), or None if it is `wanted`."""
    try:
        found = reading(where(parser, phrase))
    except ParseError as error:
        return f"{phrase!r}: refused ({error.message})"
    return None if found == wanted else f"{phrase!r}: read as {found}, meant {wanted}"


def notes(parser: Parser, text: str) -> str:
    return " | ".join(parser.parse(text).notes)


# -- shorthand and typos -------------------------------------------------------------------------

#: (as typed in chat, the same ask written out, the words the reading must say it rewrote)
SHORTHAND = [
    ("custs in DE w/ 3+ orders", "customers in Germany with at least 3 orders", ["custs", "w/"]),
    ("ppl who didnt buy in 90d", "people who did not buy in the last 90 days", ["ppl", "didnt", "90d"]),
    ("subs w/o a purchase in 2 wks", "subscribers without a purchase in the last 2 weeks",
     ["subs", "w/o", "wks"]),
    ("contacts who havent opened in 30d", "contacts who haven't opened in the last 30 days", ["havent"]),
    ("golfers in DE who dont open emails", "golfers in Germany who don't open emails", ["dont"]),
    ("users who bought smth in the last 6 mos", "users who bought something in the last 6 months", ["smth"]),
    ("custs who ordered 3x", "customers who ordered 3 times", ["3x"]),
    ("ppl who marked us as spam", "people who complained", ["marked us as spam"]),
    ("cx in berlin n munich", "customers in Berlin and Munich", ["cx", "n"]),
    ("ppl who unsubbed in the last 90 days", "people who unsubscribed in the last 90 days", ["unsubbed"]),
]  # fmt: skip
TYPOS = [
    ("custmers in germny", "customers in Germany", ["custmers", "germny"]),
    ("ppl who opend the black friday emial", "people who opened the Black Friday email", ["opend", "emial"]),
    ("contacts who clikced in the last 30 days", "contacts who clicked in the last 30 days", ["clikced"]),
    ("customers who bougth golf", "customers who bought golf", ["bougth"]),
    ("lapsed custmers in berln", "lapsed customers in Berlin", ["custmers", "berln"]),
    ("custs who purchsed in decmber", "customers who purchased in December", ["purchsed", "decmber"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("chat", "tidy", "rewritten"), SHORTHAND + TYPOS, ids=[c for c, _, _ in SHORTHAND + TYPOS]
)
def test_a_chat_phrasing_reads_as_its_tidy_twin_and_says_what_it_rewrote(
    parser: Parser, chat: str, tidy: str, rewritten: list[str]
) -> None:
    assert_twins(parser, chat, tidy, rewritten)


def assert_twins(parser: Parser, chat: str, tidy: str, rewritten: list[str]) -> None:
    """The chat phrasing reads as its tidy twin, and its reading says each word it rewrote."""
    assert where(parser, chat) == where(parser, tidy)
    said = notes(parser, chat)
    for word in rewritten:
        assert f"{word!r} as " in said, said


@pytest.mark.parametrize(
    ("chat", "tidy"),
    [("custs who spent 1.5k+", "customers who spent at least 1500"),
     ("custs who spent $2k+", "customers who spent at least $2000"),
     ("ppl who spent 1m+", "people who spent at least 1000000")],
)  # fmt: skip
def test_a_thousand_or_a_million_and_more_reads_as_at_least(parser: Parser, chat: str, tidy: str) -> None:
    assert where(parser, chat) == where(parser, tidy)


def test_shorthand_is_data_and_every_entry_reads() -> None:
    """Each word of shorthand.toml expands into words, and the table keeps to its three kinds."""
    from segments import shorthand

    for table in (shorthand.words(), shorthand.signs(), shorthand.after_number()):
        assert table and all(isinstance(k, str) and v.strip() for k, v in table.items())
    assert shorthand.expand("custs", shorthand.words()) == "customers"
    assert shorthand.expand("wks", shorthand.after_number()) == "weeks"


def test_a_value_is_corrected_only_when_it_is_the_one_close_value(parser: Parser) -> None:
    # "Bern" is two edits from Berlin: a city of its own, perhaps; ask, and name the nearest
    with pytest.raises(ParseError) as caught:
        parser.parse("contacts in Bern")
    assert "Berlin" in caught.value.message and "a city" in caught.value.message
    assert "contacts in Berlin" in caught.value.suggestions


def test_a_place_the_data_lacks_is_not_read_as_the_plural_of_a_language(engine, write_csv) -> None:
    # "Paris" is one edit from "palis", which a plural of the language Pali would be: a name has none
    contacts = write_csv("contacts.csv", [["email", "city"], ["a@shop.example", "Berlin"]])
    run_import(engine, ImportSources(contacts=contacts))
    with engine.connect() as conn:
        own = Parser(load_lexicon(conn))
    with pytest.raises(ParseError) as caught:
        own.parse("contacts in Paris")
    assert "I don't know 'Paris' as a city" in caught.value.message
    assert own.parse("contacts in Berln").definition.where == own.parse("contacts in Berlin").definition.where


def test_a_country_is_every_spelling_the_data_stores_whichever_is_typed(engine, write_csv) -> None:
    rows = [
        ["email", "country"],
        ["a@shop.example", "Germany"],
        ["b@shop.example", "DE"],
        ["c@shop.example", "FR"],
    ]
    run_import(engine, ImportSources(contacts=write_csv("contacts.csv", rows)))
    with engine.connect() as conn:
        own = Parser(load_lexicon(conn))
    germany = {"Germany", "DE"}
    for phrase in ("contacts in Germany", "contacts in DE", "German contacts", "contacts in germany"):
        assert set(own.parse(phrase).definition.where.values) == germany, phrase


def test_a_kind_of_product_is_a_value_of_the_data_or_refused_never_any_product(engine, write_csv) -> None:
    contacts = write_csv("contacts.csv", [["id", "email"], ["c1", "a@shop.example"]])
    events = write_csv("events.csv", [["contact_id", "type", "occurred_at", "category"],
                                      ["c1", "purchase", "2026-05-01T10:00:00Z", "Shoes"]])  # fmt: skip
    run_import(engine, ImportSources(contacts=contacts, events=events))
    with engine.connect() as conn:
        own = Parser(load_lexicon(conn))
    assert '"Shoes"' in json.dumps(own.parse("custs who bought shoes").definition.as_json())
    for phrase in ("ppl who bought apparel", "custs who bought clothes in the last 90d", "bought sneakers"):
        with pytest.raises(ParseError, match="your data has no category or product of that name"):
            own.parse(phrase)


def test_two_equally_close_words_are_asked_about_not_guessed(parser: Parser) -> None:
    # "bougt": bought and bough... "ope": too short to correct at all; "clickd" one edit from clicked
    with pytest.raises(ParseError) as caught:
        parser.parse("contacts who opened the cyber mondy or tuesdy email")
    assert "tuesdy" in caught.value.message


def test_an_unknown_product_is_offered_products_not_connectives(parser: Parser) -> None:
    with pytest.raises(ParseError) as caught:
        parser.parse("customers who bought hockey sticks")
    message = caught.value.message
    assert "a category or a product" in message
    offered = [s.split("bought ", 1)[1] for s in caught.value.suggestions]
    lexicon_values = {v.lower() for v in parser.lexicon.spelling.values()}
    assert all(o.split(" sticks")[0].lower() in lexicon_values for o in offered), offered


def test_an_unknown_campaign_is_offered_campaigns(parser: Parser) -> None:
    with pytest.raises(ParseError) as caught:
        parser.parse("contacts who opened the Cyber Tuesday email")
    assert "a campaign" in caught.value.message


def test_a_campaign_named_in_segment_words_leaves_those_words_a_segment(oracle, parser: Parser) -> None:
    """Tailor's own drafts are named by marketers in their segment's words: the segment still reads
    as before, and the campaign answers where an email is asked for."""
    with oracle.engine.connect() as conn:
        lexicon = load_lexicon(conn)
    for name in ("Win-back: lapsed custs in DE", "VIP gold members", "DE 3+ orders"):
        add_campaign(lexicon, name)
    named = Parser(lexicon)
    for phrase in ("lapsed custs in DE", "custs in DE w/ 3+ orders", "gold members", "VIPs in DE"):
        assert named.parse(phrase).definition == parser.parse(phrase).definition, phrase
    for phrase, campaign in (("opened the win-back email", "win-back"), ("clicked win-back", "win-back"),
                             ("got the VIP gold members newsletter", "VIP gold members")):  # fmt: skip
        assert campaign.lower() in json.dumps(named.parse(phrase).definition.as_json()).lower(), phrase


# -- signs and amounts: a property test ---------------------------------------------------------

#: Each comparison by the wordings marketers use for it; "{n}" where the number goes.
WORDINGS = {
    "gt": ["more than {n}", "over {n}", "above {n}", "> {n}", ">{n}", "greater than {n}"],
    "ge": ["at least {n}", ">= {n}", "no less than {n}", "not less than {n}", "{n}+", "{n} or more", "≥ {n}"],
    "lt": ["less than {n}", "under {n}", "below {n}", "< {n}", "fewer than {n}"],
    "le": ["at most {n}", "<= {n}", "no more than {n}", "up to {n}", "≤ {n}"],
    "eq": ["exactly {n}"],
}
#: Subjects of a comparison: the phrase, and where its comparison lands in the definition.
SUBJECTS = [
    ("customers with {cmp} orders", "count"),
    ("contacts who opened {cmp} emails", "count"),
    ("customers who spent {money}", "aggregate"),
    ("contacts aged {cmp}", "attribute"),
    ("companies with {cmp} employees", "attribute"),
]
GENERATED = 300


def comparisons(node) -> list[tuple[str, float]]:
    """Every (comparison, number) the definition holds, wherever it stands."""
    found = []
    match node:
        case Event(count=count) if count != Count():
            found.append((count.op, float(count.n)))
        case Aggregate(op=op, value=value):
            found.append((op, float(value)))
        case Attribute(op=op, value=value) if (isinstance(value, int | float) and op != "eq") or op == "eq":
            if isinstance(value, int | float):
                found.append((op, float(value)))
    for child in getattr(node, "of", []) if isinstance(getattr(node, "of", None), list) else []:
        found.extend(comparisons(child))
    inner = getattr(node, "of", None)
    if inner is not None and not isinstance(inner, list):
        found.extend(comparisons(inner))
    return found


def comparison_phrases(rng: random.Random):
    for _ in range(GENERATED):
        op = rng.choice(sorted(WORDINGS))
        subject, lands = rng.choice(SUBJECTS)
        if op == "eq" and lands == "attribute":
            continue  # "aged exactly 40" is age 40: an equality, not a comparison
        n = rng.choice([2, 3, 5, 12, 40, 65] if "aged" in subject else [2, 3, 5, 12, 40, 65, 500, 2000])
        wording = rng.choice(WORDINGS[op])
        money = wording.format(n=f"${n}") if wording != "{n}+" else f"${n}+"
        yield subject.format(cmp=wording.format(n=n), money=money), op, float(n)


def test_every_generated_comparison_reads_as_that_comparison(parser: Parser) -> None:
    found = (
        misread(parser, phrase, [(op, n)], comparisons)
        for phrase, op, n in comparison_phrases(random.Random(SEED))
    )
    wrong = [problem for problem in found if problem]
    assert not wrong, "\n".join(wrong[:20])


def test_not_less_than_is_at_least_and_a_negated_count_reads_as_its_opposite(parser: Parser) -> None:
    # "not less than" was read as "less than": the opposite comparison, without a word
    assert comparisons(where(parser, "contacts who opened not less than 40 emails")) == [("ge", 40.0)]
    negated = parser.parse("contacts who did not open more than 3 emails")
    assert negated.definition.where == Not(of=Event(type="email_opened", count=Count(op="gt", n=3)))


def test_a_single_order_is_exactly_one_and_a_single_order_over_an_amount_is_asked(parser: Parser) -> None:
    assert comparisons(where(parser, "customers with a single order")) == [("eq", 1.0)]
    assert comparisons(where(parser, "customers with only one order")) == [("eq", 1.0)]
    assert comparisons(where(parser, "customers who ordered only once")) == [("eq", 1.0)]
    with pytest.raises(ParseError):
        parser.parse("customers with a single order over $300")


def test_only_ever_bought_means_nothing_else(parser: Parser) -> None:
    only = where(parser, "customers who only ever bought golf")
    text = json.dumps(only.model_dump(mode="json"))
    assert '"negated": true' in text and "golf" in text
    assert where(parser, "custs who only bought golf") == only
    with pytest.raises(ParseError):
        parser.parse("people who only opened emails")  # only... what?


# -- calendar words -----------------------------------------------------------------------------

MONTH_NAMES = ["jan", "feb", "march", "apr", "may", "june", "jul", "aug", "sept", "oct", "nov", "dec"]


def ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def test_generated_month_and_day_dates_read_as_that_day(parser: Parser) -> None:
    rng = random.Random(SEED)
    wrong = []
    for _ in range(120):
        day = date.fromordinal(date(2024, 1, 1).toordinal() + rng.randrange(366))  # a leap year: 29 Feb too
        month = MONTH_NAMES[day.month - 1]
        th = ordinal(day.day)
        said = rng.choice(
            [f"{month} {th}", f"{day.day} {month}", f"the {th} of {month}", f"{month} {day.day}"]
        )
        ref = DayRef(month=day.month, day=day.day)
        for lead, window in (("since", Days(first=ref)), ("on", Days(first=ref, last=ref)),
                             ("before", Days(before=ref))):  # fmt: skip
            problem = misread(
                parser, f"customers who bought {lead} {said}", Event(type="purchase", window=window)
            )
            wrong += [problem] if problem else []
    assert not wrong, "\n".join(wrong[:20])


def test_quarters_read_as_calendar_quarters(parser: Parser) -> None:
    bought = lambda window: Event(type="purchase", window=window)  # noqa: E731
    assert where(parser, "custs who bought this quarter") == bought(Calendar(period="this_quarter"))
    assert where(parser, "custs who bought last quarter") == bought(Calendar(period="last_quarter"))
    for q in range(1, 5):
        assert where(parser, f"customers who bought in Q{q}") == bought(Quarter(quarter=q))
        assert where(parser, f"customers who bought in q{q} 2025") == bought(Quarter(quarter=q, year=2025))


def test_an_impossible_day_is_refused(parser: Parser) -> None:
    with pytest.raises(ParseError, match="not a date"):
        parser.parse("customers who bought since feb 30")


# -- negations: a property test -----------------------------------------------------------------

NEGATIONS = [
    "didn't",
    "didnt",
    "did not",
    "haven't",
    "havent",
    "have not",
    "never",
    "don't",
    "dont",
    "do not",
]
VERBS = {"buy": "purchase", "open": "email_opened", "click": "email_clicked"}
PAST = {"buy": "bought", "open": "opened", "click": "clicked"}


def test_generated_negations_read_as_no_such_event(parser: Parser) -> None:
    rng = random.Random(SEED)
    wrong = []
    for _ in range(100):
        negation, verb = rng.choice(NEGATIONS), rng.choice(sorted(VERBS))
        head = rng.choice(["contacts", "ppl", "people", "subs"])
        form = PAST[verb] if negation.startswith(("have", "haven", "never")) else verb
        problem = misread(parser, f"{head} who {negation} {form}", Not(of=Event(type=VERBS[verb])))
        wrong += [problem] if problem else []
    assert not wrong, "\n".join(wrong[:20])


# -- consent and lifecycle words ----------------------------------------------------------------


def test_consent_and_deliverability_words(parser: Parser) -> None:
    assert where(parser, "mailable contacts") == Reachability()
    assert where(parser, "reachable contacts") == Reachability()
    assert where(parser, "suppressed contacts") == Reachability(state="suppressed")
    assert "reachable" in notes(parser, "mailable contacts")
    with pytest.raises(ParseError, match="hard bounces"):
        parser.parse("hard bounced contacts")


def test_lifecycle_words_are_echoed_with_the_preset_they_stand_for(parser: Parser) -> None:
    assert where(parser, "win-back candidates") == where(parser, "lapsed customers")
    assert "lapsed customers" in notes(parser, "win-back candidates")
    assert where(parser, "churned custs") == where(parser, "lapsed customers")
    assert where(parser, "loyal customers") == where(parser, "repeat buyers")
    assert "repeat buyers" in notes(parser, "loyal customers")
    assert comparisons(where(parser, "one-time buyers")) == [("eq", 1.0)]
    first = where(parser, "first-time buyers in the last 30 days")
    assert "older_than" in json.dumps(first.model_dump(mode="json"))


# -- no word passed over -------------------------------------------------------------------------


def leaves(value) -> list:
    """Every scalar of a dumped definition."""
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


def numbers_in(found: list) -> set[float]:
    numbers = set()
    for leaf in found:
        try:
            numbers.add(float(leaf))
        except (TypeError, ValueError):
            continue
    return numbers


def in_dollars_now(number: float, after: Tag | None) -> float:
    """An amount in euros, pounds... ("300 euros") as the definition holds it: in dollars, at the
    ECB's newest rate, to the cent."""
    code = CURRENCY_WORDS.get(key(after.text)) if after is not None and after.type == "MONEY" else None
    return number if code is None else dollars_now(number, code)


def passed_over(parser: Parser, phrase: str) -> list[str]:
    """The numbers and values of the phrase that its definition does not hold (an independent
    check of the parser's own: every value it tagged must land somewhere)."""
    try:
        definition = parser.parse(phrase).definition
    except ParseError:
        return []
    found = leaves(definition.model_dump(mode="json"))
    text = " | ".join(fold(str(leaf)) for leaf in found)
    numbers = numbers_in(found)
    missed = []
    tags = parser.tags(phrase)
    for index, tag in enumerate(tags):
        after = tags[index + 1] if index + 1 < len(tags) else None
        if tag.type == "NUMBER":
            n = in_dollars_now(tag.number or 0, after)
            # a span of quarters is months; "before 2025" ends with 2024
            if not ({n, n * 3, n - 1} & numbers) and not (after is not None and after.type == "PRESET"):
                missed.append(tag.text)
        elif tag.type == "VALUE" and not any(fold(s.value) in text for s in tag.senses):
            missed.append(tag.text)
    return missed


def generated_phrases(rng: random.Random, count: int) -> list[str]:
    pieces = [*PARTS, *(chat for chat, _, _ in SHORTHAND + TYPOS)]
    joins = [" and ", " or ", " but not ", ", "]
    return [
        "".join(piece + rng.choice(joins) for piece in rng.sample(pieces, rng.randint(1, 3)))
        .rstrip(" ,")
        .removesuffix(" and")
        .removesuffix(" or")
        .removesuffix(" but not")
        for _ in range(count)
    ]


def test_no_phrase_passes_over_a_value_or_a_number(parser: Parser) -> None:
    from tests.segments.dataset import DATA_AS_OF
    from tests.segments.phrasebook import entries

    corpus = [entry["text"] for entry in entries(DATA_AS_OF.isoformat())]
    phrases = [*corpus, *generated_phrases(random.Random(SEED), 1000)]
    missed = {phrase: found for phrase in phrases if (found := passed_over(parser, phrase))}
    assert not missed, "\n".join(f"{p!r}: {m}" for p, m in list(missed.items())[:20])


# -- what a new user met first ------------------------------------------------------------------


def test_a_country_code_out_of_a_place_is_asked_about_not_read_as_a_country(parser: Parser) -> None:
    with pytest.raises(ParseError) as caught:
        parser.parse("ppl who opened the bf email")  # Black Friday, not Burkina Faso
    assert "a campaign" in caught.value.message
    assert where(parser, "custs in DE") == where(parser, "customers in Germany")
    assert where(parser, "DE customers") == where(parser, "customers in Germany")


#: (as typed in chat, the same ask written out, the codes the reading must say it read): codes
#: that are also words ("at", "in", "it", "no", "us") typed in capitals in a list of places.
CODES_AS_WORDS = [
    ("custs in AT", "customers in Austria", ["AT"]),
    ("lapsed custs in DE or AT", "lapsed customers in Germany or Austria", ["AT"]),
    ("custs in DE or in AT", "customers in Germany or in Austria", ["AT"]),
    ("custs in DE, AT or CH", "customers in Germany, Austria or Switzerland", ["AT"]),
    ("custs in DE/AT/CH", "customers in Germany, Austria or Switzerland", ["AT"]),
    ("custs in DE, AT, and IT", "customers in Germany, Austria, and Italy", ["AT", "IT"]),
    ("ppl in IT w/ 2+ orders", "people in Italy with at least 2 orders", ["IT"]),
    ("custs not in NO", "customers not in Norway", ["NO"]),
    ("custs in DE but not AT", "customers in Germany but not Austria", ["AT"]),
    ("custs in DE, not IT", "customers in Germany, not Italy", ["IT"]),
    ("custs in DE but not CH", "customers in Germany but not Switzerland", []),  # a code, not a word
    ("custs in IN", "customers in India", ["IN"]),
    ("ppl living in IN or DE", "people living in India or Germany", ["IN"]),
    ("custs from IS", "customers from Iceland", ["IS"]),
    ("custs outside of AT", "customers outside Austria", ["AT"]),
    ("custs based out of BE", "customers based out of Belgium", ["BE"]),
    ("custs in AT who opened at least 3 emails", "customers in Austria who opened at least 3 emails", ["AT"]),
    ("custs in AT last month", "customers in Austria last month", ["AT"]),
    ("AT custs", "customers in Austria", ["AT"]),
    ("DE and AT custs", "customers in Germany or Austria", ["AT"]),
    ("lapsed IT custs", "lapsed customers in Italy", ["IT"]),
    ("US customers", "customers in the United States", ["US"]),
    ("contacts in ME or TO", "contacts in Montenegro or Tonga", ["ME", "TO"]),
]  # fmt: skip


@pytest.mark.parametrize(("chat", "tidy", "codes"), CODES_AS_WORDS, ids=[c for c, _, _ in CODES_AS_WORDS])
def test_a_code_that_is_a_word_typed_in_capitals_names_its_country_in_a_list_of_places(
    parser: Parser, chat: str, tidy: str, codes: list[str]
) -> None:
    assert_twins(parser, chat, tidy, codes)


@pytest.mark.parametrize(
    ("phrase", "as_before"),
    [("custs who opened at least 3 emails", "customers who opened at least 3 emails"),
     ("ppl who opened AT least 3 emails", "people who opened at least 3 emails"),
     ("custs who bought in the last 30 days", "customers who bought in the last 30 days"),
     ("custs in DE who bought IN the last 30 days", "customers in Germany who bought in the last 30 days"),
     ("contacts w/ no orders", "contacts with no orders"),
     ("contacts w/ NO orders", "contacts with no orders"),
     ("custs IN DE", "customers in Germany"),
     ("MY custs in DE", "my customers in Germany")],
)  # fmt: skip
def test_the_words_of_the_codes_stay_words_out_of_a_list_of_places(
    parser: Parser, phrase: str, as_before: str
) -> None:
    assert where(parser, phrase) == where(parser, as_before)
    assert "as 'Austria'" not in notes(parser, phrase) and "as 'India'" not in notes(parser, phrase)


def test_the_words_of_the_codes_keep_their_meaning(parser: Parser) -> None:
    opened = where(parser, "custs who opened at least 3 emails")
    assert Event(type="email_opened", count=Count(op="ge", n=3)) in opened.of
    bought = where(parser, "custs who bought in the last 30 days")
    assert bought == Event(type="purchase", window=Last(span=Span(n=30, unit="day")))
    assert where(parser, "contacts w/ no orders") == Not(of=Event(type="purchase"))
    with pytest.raises(ParseError, match="contradicts itself"):  # customers are buyers, as before
        parser.parse("custs w/ no orders")
    with pytest.raises(ParseError) as caught:  # "no" before the people is no Norway
        parser.parse("NO custs")
    assert "Norway" not in caught.value.message


def test_a_code_typed_in_capitals_counts_the_countrys_contacts(parser: Parser, oracle) -> None:
    """Counted on the store, the same members as the country's name."""
    india = oracle.check(parser.parse("custs in IN").definition, DATA_AS_OF)
    assert india and india == oracle.check(parser.parse("customers in India").definition, DATA_AS_OF)
    listed = oracle.check(parser.parse("custs in DE or IN").definition, DATA_AS_OF)
    assert listed == oracle.check(parser.parse("customers in Germany or India").definition, DATA_AS_OF)
    assert india < listed
    outside = oracle.check(parser.parse("custs not in IN").definition, DATA_AS_OF)
    assert outside and not outside & india


def test_a_code_is_every_spelling_the_data_stores_and_its_word_stays_a_word(engine, write_csv) -> None:
    rows = [["email", "country"], ["a@shop.example", "Austria"], ["b@shop.example", "AT"],
            ["c@shop.example", "IT"], ["d@shop.example", "Germany"]]  # fmt: skip
    run_import(engine, ImportSources(contacts=write_csv("contacts.csv", rows)))
    with engine.connect() as conn:
        own = Parser(load_lexicon(conn))
    austria = {"AT", "Austria"}
    readings = [("contacts in AT", austria), ("contacts in Austria", austria), ("AT contacts", austria),
                ("contacts in Germany or AT", {"Germany", *austria})]  # fmt: skip
    for phrase, stored in readings:
        assert set(own.parse(phrase).definition.where.values) == stored, phrase
    assert own.parse("contacts in IT").definition.where == Attribute(field="country", op="eq", value="IT")
    assert own.parse("contacts who opened at least 3 emails").definition.where == Event(
        type="email_opened", count=Count(op="ge", n=3)
    )


def test_a_code_that_names_a_city_too_is_asked_about_with_the_country_offered(parser: Parser) -> None:
    with pytest.raises(ParseError) as caught:
        parser.parse("custs in LA")  # Los Angeles, or Laos?
    assert "Laos" in caught.value.message and "custs in Laos" in caught.value.suggestions
    with pytest.raises(ParseError) as caught:
        parser.parse("custs in AT 2+ orders")  # no reading: the country is offered first
    assert caught.value.suggestions[0] == "custs in Austria 2+ orders"


def test_a_code_that_may_be_its_word_is_asked_about_with_both_readings_offered(parser: Parser) -> None:
    # "in DE or IN the last 30 days": India, or "in the last 30 days"? Either reads, so ask
    with pytest.raises(ParseError) as caught:
        parser.parse("custs in DE or IN the last 30 days")
    assert caught.value.message == "is 'IN' India here, or the word 'in'? Say the country by its name"
    assert caught.value.suggestions == [
        "custs in DE or India the last 30 days",
        "custs in DE or in the last 30 days",
    ]
    with pytest.raises(ParseError, match="'IT' Italy here, or the word 'it'"):
        parser.parse("custs in IT industry")
    with pytest.raises(ParseError) as caught:  # "except" asks for no place: the country is offered
        parser.parse("custs except AT")
    assert caught.value.suggestions == ["custs except Austria"]


def test_customers_with_a_count_that_admits_none_are_still_buyers(parser: Parser) -> None:
    bought = Event(type="purchase")
    at_most = where(parser, "customers w/ <= 2 orders")
    assert bought in at_most.of and Event(type="purchase", count=Count(op="le", n=2)) in at_most.of
    assert where(parser, "contacts w/ <= 2 orders") == Event(type="purchase", count=Count(op="le", n=2))


def test_subscribers_say_they_are_all_contacts(parser: Parser) -> None:
    assert "whatever their consent" in notes(parser, "subs in Berlin")


def test_a_known_word_is_no_typo_and_forms_of_one_word_are_no_choice(parser: Parser) -> None:
    assert "'high' as" not in notes(parser, "high valu customers")
    assert "'purchse' as 'purchase'" in notes(parser, "contcts with no purchse in 90 days")


def test_no_quarter_five_and_a_two_word_value_is_offered_whole(parser: Parser) -> None:
    with pytest.raises(ParseError, match="Q1 to Q4"):
        parser.parse("ppl who bought in Q5")
    with pytest.raises(ParseError) as caught:
        parser.parse("custs who bought a yoga matt")
    assert "custs who bought a Yoga Mat" in caught.value.suggestions


def test_ties_prefer_a_word_that_stands_alone_and_the_languages_own_words(parser: Parser) -> None:
    assert "'opeed' as 'opened'" in notes(parser, "ppl who opeed an email")  # not the "opted" of "opted in"
    with pytest.raises(ParseError) as caught:
        parser.parse("customers who spnt more than $500")
    assert caught.value.message == "is 'spnt' 'sent' or 'spent'?"
    assert "customers who spent more than $500" in caught.value.suggestions
