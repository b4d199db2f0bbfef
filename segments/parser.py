"""Phrases to definitions: tag the words, parse them with the grammar, assemble the conditions.

    parser = Parser(lexicon)
    parsed = parser.parse("lapsed customers in Germany who bought golf gear", as_of)
    parsed.definition, parsed.notes

A phrase with a word Tailor cannot place raises `ParseError` with "did you mean" suggestions
(rapidfuzz over the lexicon and the vocabulary), never a wider segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import cast

from lark import Lark, Token, Tree
from lark.common import LexerConf
from lark.exceptions import UnexpectedInput
from lark.lexer import Lexer, LexerState

from segments import suggestions
from segments.assembly import AssemblyError, assemble
from segments.contradictions import Clash, clash, refusal
from segments.currencies import PhraseMoney
from segments.definition import MAX_NUMBER, Definition
from segments.grouping import between_noun_phrases
from segments.lexicon import CountryCode, Lexicon
from segments.normalize import ODD_NUMBER, fold, is_sign, key, negative_at
from segments.spelling import MIN_LENGTH
from segments.tagger import AMBIGUOUS_CODES, ASK_CODE, Tag, Tagger
from segments.vocabulary import EVENT_NOUNS, HEADS, MONTHS, PRESETS, UNITS, UNREADABLE, VERBS

GRAMMAR = Path(__file__).with_name("grammar.lark")
#: Inputs longer than this are refused before parsing: no marketer's segment is a page long.
MAX_LENGTH = 500


class ParseError(ValueError):
    """What was not understood, and phrases that would be."""

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestions = suggestions or []


@dataclass(frozen=True)
class Parsed:
    definition: Definition
    #: Readings chosen where the words allowed more than one ("golfers: read as interest golf").
    notes: list[str]


class _TagStream(Lexer):
    """Hands the tagger's classes to Lark; `start_pos` indexes the tag, for the assembler."""

    #: Lark's own interface: `lex` is given the lexer's state, whose text is what `parse` was given.
    __future_interface__ = 2

    def __init__(self, _conf: LexerConf) -> None:
        pass

    def lex(self, lexer_state: LexerState, parser_state: object) -> Iterator[Token]:
        # `_tree` parses a list of tags, which Lark keeps as the text (LexerThread.from_custom_input)
        tags = cast(list[Tag], lexer_state.text)
        for index, tag in enumerate(tags):
            yield Token(tag.type, tag.text, start_pos=index)


@cache
def _grammar() -> Lark:
    return Lark(
        GRAMMAR.read_text(), parser="earley", lexer=_TagStream, ambiguity="resolve", keep_all_tokens=True
    )


@lru_cache(maxsize=4096)
def _tree(types: tuple[str, ...]) -> Tree[Token] | int | None:
    """The grammar's tree for a sequence of tag types, or the index of the first tag it cannot place.

    The grammar reads only the tags' types, and the assembler reads each token's tag by its index,
    so phrases that differ only in their values ("contacts in Berlin", "contacts in Munich") share
    one tree: it is parsed once, which keeps the checks of "did you mean" phrases cheap.
    """
    try:
        return _grammar().parse([Tag(kind, kind, 0, 0) for kind in types])
    except UnexpectedInput as error:
        token = getattr(error, "token", None)
        return token.start_pos if isinstance(token, Token) else None


def keywords() -> dict[str, str]:
    """The grammar's own words and the names Lark gave their terminals."""
    names = {}
    for terminal in _grammar().terminals:
        pattern = terminal.pattern
        if pattern.type == "str":
            names[pattern.value] = terminal.name
    return names


class Parser:
    def __init__(self, lexicon: Lexicon, money: PhraseMoney | None = None) -> None:
        """`money`: the store's currency, which a phrase's amounts are converted into."""
        self.lexicon, self.money = lexicon, money or PhraseMoney()
        self.terminals = keywords()
        self.tagger = Tagger(lexicon, set(self.terminals))

    def parse(self, text: str, on: date | None = None) -> Parsed:
        """`on`: the day whose rates convert an amount said in another currency (default: today)."""
        return self._parse(text, advise=True, money=self.money.on(on))

    def _parse(self, text: str, advise: bool, money: PhraseMoney | None = None) -> Parsed:
        """`advise`: errors carry suggestions (each one a phrase checked by parsing it, unadvised)."""
        clean = "".join(ch if ch.isprintable() else " " for ch in text).strip()
        if len(fold(clean)) != len(clean):  # "½" folds to "1⁄2": the tags' places are the folded text's
            clean = fold(clean)
        if not clean:
            raise ParseError("the phrase is empty", ["contacts in Berlin", "lapsed customers"])
        if len(clean) > MAX_LENGTH:
            raise ParseError(f"the phrase is {len(clean)} characters long; keep it under {MAX_LENGTH}")
        tags = self._tags(clean)
        unknown = [tag for tag in tags if tag.type == "UNKNOWN"]
        if unknown:
            raise self._unknown(clean, unknown[0], tags) if advise else ParseError("unknown word")
        if not tags:
            raise ParseError(f"nothing to read in {clean!r}", ["contacts in Berlin", "lapsed customers"])
        huge = next((tag for tag in tags if (tag.number or 0) > MAX_NUMBER), None)
        if huge is not None:
            raise ParseError(f"{clean[huge.start : huge.end]!r} is too large a number to mean anything here")
        tree = _tree(tuple(tag.type for tag in tags))
        if not isinstance(tree, Tree):
            raise self._unexpected(clean, tags, tree) if advise else ParseError("unexpected")
        try:
            definition, notes = assemble(tree, tags, money or self.money)
        except AssemblyError as error:
            raise ParseError(str(error), error.suggestions) from None
        found = clash(definition.where)
        if found is not None:
            raise self._contradiction(clean, tags, found) if advise else ParseError("contradiction")
        return Parsed(definition, [*rewritten(tags), *notes])

    def tags(self, text: str) -> list[Tag]:
        """The classified words of a phrase, as the grammar reads them (typos corrected)."""
        return self._tags(text)

    def _tags(self, text: str) -> list[Tag]:
        """The phrase's tags, each typo read as the one word it nearly spells (spelling.Speller),
        the words before it deciding what kind of word that may be."""
        corrections: dict[int, str] = {}
        while True:
            tags = between_noun_phrases([self._terminal(tag) for tag in self.tagger.tag(text, corrections)])
            # the first typo that can be read ("high engagemeent": "high" waits for its word)
            unknown = (
                i for i, tag in enumerate(tags) if tag.type == "UNKNOWN" and tag.start not in corrections
            )
            found = next(
                ((tags[i].start, read) for i in unknown if (read := self._correction(text, tags, i))), None
            )
            if found is None:
                return tags
            corrections[found[0]] = found[1]

    def _correction(self, text: str, tags: list[Tag], index: int) -> str | None:
        if self._typed_code(text[tags[index].start : tags[index].end]) is not None:
            return None  # "AT" typed in capitals is no typo: a country, or a word, asked about
        typed = fold(text[tags[index].start : tags[index].end])
        if key(typed) in UNREADABLE:
            return None
        tries = suggestions.kinds_to_try(tags, index)
        return next(filter(None, (self.tagger.speller.correction(typed, kinds) for kinds in tries)), None)

    def _terminal(self, tag: Tag) -> Tag:
        """Keywords carry Lark's name for their terminal ("in" -> IN)."""
        if tag.meaning is not None and tag.type == tag.meaning.upper() and tag.meaning in self.terminals:
            return replace(tag, type=self.terminals[tag.meaning])
        return tag

    def _unknown(self, text: str, tag: Tag, tags: list[Tag]) -> ParseError:
        word = text[tag.start : tag.end]
        if negative := _negative(text, tag):
            return negative
        if ODD_NUMBER.fullmatch(word):
            return ParseError(
                f"{word!r} is not a number Tailor reads: write 1.5 for a decimal, 1,500 for thousands"
            )
        if re.fullmatch(r"q\d+", fold(word)):
            return ParseError(f"{word!r} is no quarter: a year has four, Q1 to Q4")
        if fold(word) in ("nor", "neither"):
            return ParseError("for neither of two groups, say 'not (golfers or runners)'")
        if is_sign(word):
            return ParseError(f"I can't read the sign {word!r} here: {_marked(text, tag)}")
        if key(fold(word)) in UNREADABLE:
            return ParseError(f"{word!r}: {UNREADABLE[key(fold(word))]}")
        if (country := self._typed_code(word)) is not None and tag.meaning == ASK_CODE:
            named = [
                f"{text[: tag.start]}{spelled}{text[tag.end :]}" for spelled in (country.name, word.lower())
            ]
            message = (
                f"is {word!r} {country.name} here, or the word {word.lower()!r}? Say the country by its name"
            )
            return ParseError(message, [phrase for phrase in named if self._reads(phrase)])
        if country is not None and fold(word) in AMBIGUOUS_CODES:
            named = [f"{text[: tag.start]}{name}{text[tag.end :]}" for name in (country.name, "Los Angeles")]
            message = f"is {word!r} {country.name} or a city (Los Angeles)? Say which by its name"
            return ParseError(message, [phrase for phrase in named if self._reads(phrase)])
        tries = suggestions.kinds_to_try(tags, tags.index(tag))
        kinds = next(filter(None, tries), None)
        for tried in tries if len(word) >= MIN_LENGTH else []:
            nearest = self.tagger.speller.nearest(fold(word), tried)
            if len(nearest) > 1:  # two readings as close as each other: ask, offering each
                spelled = [self.lexicon.spelling.get((near,), near) for near in nearest]
                phrases = [f"{text[: tag.start]}{near}{text[tag.end :]}" for near in spelled]
                return ParseError(f"is {word!r} {_either(spelled)}?", [p for p in phrases if self._reads(p)])
        values = suggestions.values_of(self.lexicon, kinds) if kinds else {}
        if kinds and (near := suggestions.nearest(fold(word), values, limit=5, min_score=0)):
            listed = ", ".join(spelled for spelled, _ in near)
            message = f"I don't know {word!r} as {suggestions.kind_names(kinds)}; the nearest: {listed}"
            return ParseError(message, self.suggest(text, tag, tags=tags))
        return ParseError(f"I don't know the word {word!r}", self.suggest(text, tag, tags=tags))

    def _contradiction(self, text: str, tags: list[Tag], found: Clash) -> ParseError:
        """A phrase no contact could meet, in words; the phrase with "contacts" for the head that
        requires a purchase ("customers who never purchased") when that reads."""
        head = next((tag for i, tag in enumerate(tags) if _buyers(tags, i)), None)
        if head is None or not found.of_head:
            return ParseError(refusal(found))
        said = text[head.start : head.end]
        plain = text[: head.start] + ("contacts" if said.endswith("s") else "contact") + text[head.end :]
        return ParseError(refusal(found, said), [plain] if self._reads(plain) else [])

    def _unexpected(self, text: str, tags: list[Tag], index: int | None) -> ParseError:
        if index is None or index >= len(tags):
            return ParseError(
                f"{text!r} ends before it says what it means", self._codes_as_countries(text, tags)
            )
        tag = tags[index]
        word = text[tag.start : tag.end]
        if negative := _negative(text, tag):
            return negative
        message = f"I can't read {word!r} here: {_marked(text, tag)}"
        return ParseError(message, self.suggest(text, tag, tags=tags))

    def suggest(self, text: str, tag: Tag, limit: int = 3, tags: Sequence[Tag] = ()) -> list[str]:
        """Phrases Tailor reads, with the word replaced by close words of the kind its place wants:
        a product after "bought", a campaign after "opened the", a place after "in"."""
        word = fold(text[tag.start : tag.end])
        index = tags.index(tag) if tag in tags else -1
        tries = suggestions.kinds_to_try(tags, index) if index >= 0 else [None]
        kinds = next(filter(None, tries), None)
        start = tag.start
        replacements = [(start, spelled) for spelled in self._candidates(word, kinds)]
        country = self._typed_code(text[tag.start : tag.end])
        if country is not None and (tag.meaning == ASK_CODE or "country" in (kinds or ())):
            replacements.insert(0, (start, country.name))  # "in AT": Austria first, not "the BF email"
        if index > 0 and tags[index - 1].type == "VALUE":  # "yoga matt": the value of two words
            before = tags[index - 1].start
            longer = suggestions.longer_values(self.lexicon, fold(text[before : tag.end]))
            replacements = [(before, spelled) for spelled in longer] + replacements
        suggested: list[str] = []
        for at, spelled in replacements:
            phrase = f"{text[:at]}{spelled}{text[tag.end :]}"
            if phrase not in suggested and self._reads(phrase):
                suggested.append(phrase)
            if len(suggested) == limit:
                break
        return suggested

    def _candidates(self, word: str, kinds: frozenset[str] | None) -> list[str]:
        """Known words and values near `word`, nearest first, in a defined order on ties."""
        if kinds:
            values = suggestions.values_of(self.lexicon, kinds)
            return [spelled for spelled, _ in suggestions.nearest(word, values)]
        known = set(vocabulary_words()) | set(self.lexicon.phrases()) | set(self.tagger.verbs)
        choices = {choice: self.lexicon.spelling.get(tuple(choice.split()), choice) for choice in known}
        return [choices[c] for c, _ in suggestions.nearest(word, {c: c for c in choices if len(c) > 2})]

    def _codes_as_countries(self, text: str, tags: list[Tag]) -> list[str]:
        """The phrase with each code typed in capitals that was read as a word ("except AT") spelled
        as its country, if that reads: the reading it may have meant."""
        phrase = text
        for tag in reversed(tags):  # from the end: the places before stay where they are
            country = self._typed_code(text[tag.start : tag.end])
            if country is not None and tag.type != "VALUE":
                phrase = f"{phrase[: tag.start]}{country.name}{phrase[tag.end :]}"
        return [phrase] if phrase != text and self._reads(phrase) else []

    def _typed_code(self, word: str) -> CountryCode | None:
        """The country of a code typed in capitals ("AT"), which is offered where it was not read."""
        if len(word) == 2 and word.isascii() and word.isalpha() and word.isupper():
            return self.lexicon.codes.get(word.lower())
        return None

    def _reads(self, phrase: str) -> bool:
        try:
            self._parse(phrase, advise=False)
        except ParseError:
            return False
        return True


def rewritten(tags: list[Tag]) -> list[str]:
    """What the reading changed before reading: "read 'custs' as 'customers', 'w/' as 'with'"."""
    pairs = dict.fromkeys(pair for tag in tags for pair in tag.rewrites)
    if not pairs:
        return []
    return ["read " + ", ".join(f"{typed!r} as {read!r}" for typed, read in pairs)]


def _buyers(tags: list[Tag], index: int) -> bool:
    """Whether the tag at `index` is a head that means buyers ("customers"; not "non-buyers")."""
    tag = tags[index]
    return tag.type == "HEAD" and tag.meaning == "customer" and (index == 0 or tags[index - 1].type != "NON")


def _negative(text: str, tag: Tag) -> ParseError | None:
    """A minus sign where the tag stands ("-5", "$-5"): the number it makes means nothing here."""
    negative = negative_at(text, tag.start)
    if negative is None:
        return None
    return ParseError(f"a negative number ({negative!r}) means nothing here: say how many, or how much")


def _either(words: list[str]) -> str:
    quoted = [repr(w) for w in words[:4]]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _marked(text: str, tag: Tag) -> str:
    """The phrase with the word in brackets, up to it: "who bought [%]"."""
    return f"{text[: tag.start]}[{text[tag.start : tag.end]}]"


@cache
def vocabulary_words() -> tuple[str, ...]:
    tables = (HEADS, VERBS, EVENT_NOUNS, PRESETS, UNITS, MONTHS, keywords())
    return tuple(sorted({word for table in tables for word in table if len(word) > 2}))


__all__ = ["ParseError", "Parsed", "Parser", "Tree"]
