"""Phrases to definitions: tag the words, parse them with the grammar, assemble the conditions.

    parser = Parser(lexicon)
    parsed = parser.parse("lapsed customers in Germany who bought golf gear", as_of)
    parsed.definition, parsed.notes

A phrase with a word Tailor cannot place raises `ParseError` with "did you mean" suggestions
(rapidfuzz over the lexicon and the vocabulary), never a wider segment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput
from lark.lexer import Lexer
from rapidfuzz import fuzz, process

from segments.assembly import AssemblyError, assemble
from segments.definition import MAX_NUMBER, Definition
from segments.grouping import between_noun_phrases
from segments.lexicon import Lexicon
from segments.normalize import ODD_NUMBER, fold, is_sign, negative_at
from segments.tagger import Tag, Tagger
from segments.vocabulary import EVENT_NOUNS, HEADS, MONTHS, PRESETS, UNITS, VERBS

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

    def __init__(self, _conf) -> None:
        pass

    def lex(self, tags):  # type: ignore[override]
        for index, tag in enumerate(tags):
            yield Token(tag.type, tag.text, start_pos=index)


@cache
def _grammar() -> Lark:
    return Lark(
        GRAMMAR.read_text(), parser="earley", lexer=_TagStream, ambiguity="resolve", keep_all_tokens=True
    )


def keywords() -> dict[str, str]:
    """The grammar's own words and the names Lark gave their terminals."""
    names = {}
    for terminal in _grammar().terminals:
        pattern = terminal.pattern
        if pattern.type == "str":
            names[pattern.value] = terminal.name
    return names


class Parser:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.terminals = keywords()
        self.tagger = Tagger(lexicon, set(self.terminals))

    def parse(self, text: str) -> Parsed:
        clean = "".join(ch if ch.isprintable() else " " for ch in text).strip()
        if len(fold(clean)) != len(clean):  # "½" folds to "1⁄2": the tags' places are the folded text's
            clean = fold(clean)
        if not clean:
            raise ParseError("the phrase is empty", ["contacts in Berlin", "lapsed customers"])
        if len(clean) > MAX_LENGTH:
            raise ParseError(f"the phrase is {len(clean)} characters long; keep it under {MAX_LENGTH}")
        tags = between_noun_phrases([self._terminal(tag) for tag in self.tagger.tag(clean)])
        unknown = [tag for tag in tags if tag.type == "UNKNOWN"]
        if unknown:
            raise self._unknown(clean, unknown[0])
        if not tags:
            raise ParseError(f"nothing to read in {clean!r}", ["contacts in Berlin", "lapsed customers"])
        huge = next((tag for tag in tags if (tag.number or 0) > MAX_NUMBER), None)
        if huge is not None:
            raise ParseError(f"{clean[huge.start : huge.end]!r} is too large a number to mean anything here")
        try:
            tree = _grammar().parse(tags)
        except UnexpectedInput as error:
            raise self._unexpected(clean, tags, error) from None
        try:
            definition, notes = assemble(tree, tags)
        except AssemblyError as error:
            raise ParseError(str(error), error.suggestions) from None
        return Parsed(definition, notes)

    def _terminal(self, tag: Tag) -> Tag:
        """Keywords carry Lark's name for their terminal ("in" -> IN)."""
        if tag.meaning is not None and tag.type == tag.meaning.upper() and tag.meaning in self.terminals:
            return Tag(self.terminals[tag.meaning], tag.text, tag.start, tag.end, tag.senses, tag.meaning)
        return tag

    def _unknown(self, text: str, tag: Tag) -> ParseError:
        word = text[tag.start : tag.end]
        if negative := _negative(text, tag):
            return negative
        if ODD_NUMBER.fullmatch(word):
            return ParseError(
                f"{word!r} is not a number Tailor reads: write 1.5 for a decimal, 1,500 for thousands"
            )
        if fold(word) in ("nor", "neither"):
            return ParseError("for neither of two groups, say 'not (golfers or runners)'")
        if is_sign(word):
            return ParseError(f"I can't read the sign {word!r} here: {_marked(text, tag)}")
        return ParseError(f"I don't know the word {word!r}", self.suggest(text, tag))

    def _unexpected(self, text: str, tags: list[Tag], error: UnexpectedInput) -> ParseError:
        token = getattr(error, "token", None)
        index = token.start_pos if isinstance(token, Token) and token.start_pos is not None else None
        if index is None or index >= len(tags):
            return ParseError(f"{text!r} ends before it says what it means", [])
        tag = tags[index]
        word = text[tag.start : tag.end]
        if negative := _negative(text, tag):
            return negative
        return ParseError(f"I can't read {word!r} here: {_marked(text, tag)}", self.suggest(text, tag))

    def suggest(self, text: str, tag: Tag, limit: int = 3) -> list[str]:
        """Phrases with the word replaced by the closest known words."""
        word = fold(text[tag.start : tag.end])
        known = set(vocabulary_words()) | set(self.lexicon.phrases()) | set(self.tagger.verbs)
        choices = sorted(choice for choice in known if len(choice) > 2)  # ties in a defined order
        found = process.extract(word, choices, scorer=fuzz.ratio, limit=limit * 3, score_cutoff=60)
        suggestions = []
        for choice, _score, _ in found:
            spelled = self.lexicon.spelling.get(tuple(choice.split()), choice)
            phrase = f"{text[: tag.start]}{spelled}{text[tag.end :]}"
            if phrase not in suggestions and fold(spelled) != word:
                suggestions.append(phrase)
        return suggestions[:limit]


def _negative(text: str, tag: Tag) -> ParseError | None:
    """A minus sign where the tag stands ("-5", "$-5"): the number it makes means nothing here."""
    negative = negative_at(text, tag.start)
    if negative is None:
        return None
    return ParseError(f"a negative number ({negative!r}) means nothing here: say how many, or how much")


def _marked(text: str, tag: Tag) -> str:
    """The phrase with the word in brackets, up to it: "who bought [%]"."""
    return f"{text[: tag.start]}[{text[tag.start : tag.end]}]"


@cache
def vocabulary_words() -> tuple[str, ...]:
    tables = (HEADS, VERBS, EVENT_NOUNS, PRESETS, UNITS, MONTHS, keywords())
    return tuple(sorted({word for table in tables for word in table if len(word) > 2}))


__all__ = ["ParseError", "Parsed", "Parser", "Tree"]
