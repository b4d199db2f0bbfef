"""Marketers' text as a list of comparable words.

Case and accents are folded (stdlib `unicodedata`), contractions opened ("didn't" -> "did not"),
numbers in words read ("two" -> 2), a dash between numbers read as "to" ("25-35"), money and
percentages split ("$500" -> 500 dollar, "10%" -> 10 percent), and every word carries a `key`
with its plural ending removed, so that "Golfers", "golfer" and "GOLFERS" meet the same entry of
the lexicon.

No character is dropped unread: spaces, sentence punctuation and quotes carry no meaning, a hyphen
inside a word joins it ("non-buyers"), parentheses group; any other sign ("%" alone, "-5", "#")
becomes a word of its own that the lexicon may know (a stored "A+B") and the parser otherwise
refuses, so that a sign is never silently lost.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from segments import shorthand

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
MULTIPLIERS = {"hundred": 100, "thousand": 1000, "k": 1000, "million": 1_000_000, "m": 1_000_000}
CONTRACTIONS = {
    "won't": "will not", "can't": "can not", "cannot": "can not", "didn't": "did not",
    "doesn't": "does not", "don't": "do not", "haven't": "have not", "hasn't": "has not",
    "hadn't": "had not", "isn't": "is not", "aren't": "are not", "wasn't": "was not",
    "weren't": "were not", "never've": "never have", "what's": "what is", "who's": "who is",
    "let's": "let us", "there's": "there is", "we've": "we have", "i'd": "i would", "we'd": "we would",
    "they've": "they have", "i'm": "i am", "who've": "who have",
}  # fmt: skip
#: Comparison signs as the words the grammar reads: "< 2 orders" is "less than 2 orders".
COMPARISON_SIGNS = {
    "<=": "at most", "=<": "at most", "≤": "at most", ">=": "at least", "=>": "at least", "≥": "at least",
    "<": "less than", ">": "more than",
}  # fmt: skip
CURRENCY_SIGNS = {"$": "dollar", "€": "euro", "£": "pound", "¥": "yen", "₹": "rupee"}
#: Words whose final "s" is not a plural ending.
NOT_PLURAL = {
    "us",
    "gas",
    "this",
    "yes",
    "series",
    "news",
    "plus",
    "less",
    "always",
    "was",
    "has",
    "is",
    "its",
}

#: A number as written: "1,500,000.50"; a comma groups thousands, so "1,5" is no number.
#: Digits with commas or points that make no numeral ("1,5", "1.5.3"): no number to guess at.
ODD_NUMBER = re.compile(r"\d[\d,.]*\d")
NUMERAL = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d.]|,\d)"
TOKEN = re.compile(
    rf"(?P<money>[$€£¥₹])\s?(?P<amount>{NUMERAL})(?P<mult>k|m)?\b(?P<plus>\+)?"
    r"|(?P<date>\d{4}-\d{2}-\d{2})"
    rf"|(?P<short>{shorthand.sign_pattern()})"
    r"|(?P<compare><=|>=|=<|=>|≤|≥|<|>)"
    r"|(?P<dash>(?<=\d)\s*[-–]\s*(?=\d))"
    rf"|(?P<number>{NUMERAL})(?P<suffix>%|\+|[km](?:\b|(?=\+))|st\b|nd\b|rd\b|th\b|s\b|(?P<unit>{shorthand.unit_pattern()})\b)?"
    r"(?P<over>(?<=[km])\+)?"
    rf"|(?P<odd_number>{ODD_NUMBER.pattern})"
    r"|(?P<word>[^\W\d_][^\W_]*(?:['’][^\W\d_]+)*)"
    r"|(?P<comma>[,;])"
    r"|(?P<amp>&)|(?P<slash>/)"
    r"|(?P<paren>[()])"
    r"|(?P<quiet>[\s.?!:'\"“”‘’`]+|(?<=\w)[-–](?=\w))"
    r"|(?P<sign>.)",
    re.DOTALL,
)
#: A minus sign: a dash before a digit that does not join two words ("-5", "$-5", but not "covid-19").
MINUS = re.compile(r"(?<![^\W_])[-–−]\s?(?=\d)")


@dataclass(frozen=True)
class Word:
    """One word of the input: its folded text, its lexicon key, and where it stood."""

    text: str
    start: int
    end: int
    number: float | None = None
    #: What was typed and what it was read as, where they differ: ("custs", "customers").
    rewrite: tuple[str, str] | None = None

    @property
    def key(self) -> str:
        return key(self.text)


def fold(text: str) -> str:
    """Lower case without accents: "São Paulo" -> "sao paulo"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def key(word: str) -> str:
    """The word without a plural ending: "companies" -> "company", "coats" -> "coat"."""
    if len(word) <= 3 or word in NOT_PLURAL or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


def words(text: str, expand: bool = True) -> list[Word]:
    """The words of `text`, folded, with contractions opened and numbers read; `expand`: chat
    shorthand spelled out too (a marketer's words, not the data's: "CX" the country stays CX)."""
    folded = fold(text).replace("’", "'")
    out: list[Word] = []
    for match in TOKEN.finditer(folded):
        out.extend(_read(match))
    joined = _join_numbers(out)
    return _expand_shorthand(_expand_phrases(joined)) if expand else joined


@lru_cache(maxsize=65536)
def phrase_keys(text: str) -> tuple[str, ...]:
    """The keys of a lexicon entry, for matching against the keys of the input's words (cached:
    the vocabulary's phrases are keyed on every phrase read)."""
    return tuple(w.key if w.number is None else number_text(w.number) for w in words(text, expand=False))


def _read(match: re.Match) -> list[Word]:
    start, end = match.span()
    groups = match.groupdict()
    if groups["money"]:
        amount = _number(groups["amount"]) * MULTIPLIERS.get(groups["mult"] or "", 1)
        plus = [Word("plus", start, end)] if groups["plus"] else []  # "$500+"
        return [
            Word(number_text(amount), start, end, amount),
            Word(CURRENCY_SIGNS[groups["money"]], start, end),
            *plus,
        ]
    if groups["date"]:
        return [Word(groups["date"], start, end)]
    if groups["short"]:
        said = groups["short"]
        read = shorthand.signs()[said]
        return [Word(part, start, end, rewrite=(said, read)) for part in read.split()]
    if groups["compare"]:
        return [Word(part, start, end) for part in COMPARISON_SIGNS[groups["compare"]].split()]
    if groups["unit"]:  # "90d": the number, then the unit it is glued to
        number, unit = groups["number"], groups["unit"]
        value = _number(number)
        read = shorthand.expand(unit, shorthand.after_number()) or unit
        rewrite = (number + unit, f"{number} {read}")
        return [Word(number_text(value), start, end, value), Word(read, start, end, rewrite=rewrite)]
    if groups["number"]:
        value, suffix = _number(groups["number"]), groups["suffix"]
        if suffix in ("k", "m"):
            value *= MULTIPLIERS[suffix]
        number = Word(number_text(value), start, end, value)
        if groups["over"]:  # "1.5k+"
            return [number, Word("plus", start, end)]
        extra = {"%": "percent", "+": "plus", "s": "s"}.get(suffix or "")
        if suffix == "s" and value >= 10:  # "in their 30s"
            return [number, Word("s", start, end)]
        return [number, Word(extra, start, end)] if extra and extra != "s" else [number]
    if groups["comma"]:
        return [Word(",", start, end)]
    if groups["amp"] or groups["slash"]:  # "golfers & runners", "Berlin/Munich"
        return [Word("and" if groups["amp"] else "or", start, end)]
    if groups["odd_number"]:  # "1,5": 1.5 or 15? A word no lexicon knows, refused by name
        return [Word(groups["odd_number"], start, end)]
    if groups["paren"]:
        return [Word(groups["paren"], start, end)]
    if groups["quiet"]:
        return []
    if groups["sign"]:
        return [Word(groups["sign"], start, end)]
    if groups["dash"]:  # "aged 25-35", "50–200 employees": a range
        return [Word("to", start, end)]
    word = groups["word"]
    if word in CONTRACTIONS:
        return [Word(part, start, end) for part in CONTRACTIONS[word].split()]
    if word.endswith("n't"):
        return [Word(word[:-3], start, end), Word("not", start, end)]
    if "'" in word:  # "customer's", "o'brien": the possessive goes, a name keeps its letters
        stem, _, tail = word.partition("'")
        word = stem if tail == "s" else stem + tail
    if word in NUMBER_WORDS:
        return [Word(word, start, end, float(NUMBER_WORDS[word]))]
    return [Word(word, start, end)]


def _join_numbers(items: list[Word]) -> list[Word]:
    """ "twenty five" -> 25, "two hundred" -> 200, "3 thousand" -> 3000."""
    out: list[Word] = []
    for item in items:
        previous = out[-1] if out else None
        if previous is not None and previous.number is not None:
            if item.text in MULTIPLIERS and item.text not in ("k", "m"):
                value = previous.number * MULTIPLIERS[item.text]
                out[-1] = Word(number_text(value), previous.start, item.end, value)
                continue
            tens = previous.number >= 20 and previous.number % 10 == 0
            units = item.number or 10  # no number (or zero): no units to add to the tens
            if tens and units < 10 and item.text in NUMBER_WORDS and previous.text in NUMBER_WORDS:
                value = previous.number + units
                out[-1] = Word(number_text(value), previous.start, item.end, value)
                continue
        out.append(item)
    return out


def _expand_phrases(items: list[Word]) -> list[Word]:
    """Phrases that say one thing: "marked us as spam" -> complained."""
    out: list[Word] = []
    at = 0
    while at < len(items):
        texts = tuple(w.text for w in items[at : at + 6])
        found = next(((p, read) for p, read in shorthand.phrases() if texts[: len(p)] == p), None)
        if found is None:
            out.append(items[at])
            at += 1
            continue
        phrase, read = found
        start, end = items[at].start, items[at + len(phrase) - 1].end
        out.extend(Word(part, start, end, rewrite=(" ".join(phrase), read)) for part in read.split())
        at += len(phrase)
    return out


def _expand_shorthand(items: list[Word]) -> list[Word]:
    """Chat shorthand read as the words it stands for: "custs" -> customers, "2 wks" -> 2 weeks."""
    out: list[Word] = []
    for item in items:
        after_number = bool(out) and out[-1].number is not None
        tables = (shorthand.after_number(), shorthand.words()) if after_number else (shorthand.words(),)
        read = None if item.number is not None or item.rewrite else _first(item.text, tables)
        if read is None:
            out.append(item)
            continue
        rewrite = (item.text, read)
        out.extend(Word(part, item.start, item.end, rewrite=rewrite) for part in read.split())
    return out


def _first(word: str, tables: tuple[dict[str, str], ...]) -> str | None:
    for table in tables:
        if (read := shorthand.expand(word, table)) is not None:
            return read
    return None


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def is_sign(text: str) -> bool:
    """Whether the word is a sign rather than letters or digits ("%", "#", "-")."""
    return not any(ch.isalnum() for ch in text)


def negative_at(text: str, start: int) -> str | None:
    """The negative number at `start`, alone or after a currency ("-5", "$-5"), if one stands there."""
    at = start
    if text[at : at + 1] in CURRENCY_SIGNS:
        at = len(text) - len(text[at + 1 :].lstrip())
    minus = MINUS.match(text, at)
    if minus is None:
        return None
    digits = re.match(r"[\d,.]*\d", text[minus.end() :])
    return text[start : minus.end() + (digits.end() if digits else 0)]
