"""Reading the grammar's tree: the tags a subtree holds, its words, its numbers, its negation.

`TreeReader` is the part of `Assembly` that only looks: nothing here changes the assembly's state.
The other parts read their subtrees through it, so what counts as a word, a whole number or a
"not" is decided in one place.
"""

from __future__ import annotations

from collections.abc import Iterator

from lark import Token, Tree

from segments.assembly.items import AssemblyError
from segments.assembly.state import State
from segments.normalize import key, number_text
from segments.tagger import Tag

#: The tagger's classes of words (grammar.lark's %declare) that carry a value of their own. (SIGNUP,
#: ORIGIN and SPEND are verbs of one meaning each, which their rule reads.)
CLASSES = {
    "VALUE", "FIELD", "VERB", "VN", "NOUN", "HEAD", "PRESET", "NUMBER", "MONTH", "UNIT", "DATE", "QUARTER",
    "MONEY",
}  # fmt: skip


class TreeReader(State):
    """The readers of `Assembly` (core.py) that only look at a subtree, through its `tags`."""

    def tag(self, token: Token) -> Tag:
        """The token's tag, which counts as read (core.Assembly.unread: no word is passed over)."""
        self.consumed.add(position(token))
        return self.tags[position(token)]

    def consume(self, tree: Tree[Token], keywords_only: bool = False) -> None:
        """Every word of a part whose words are its structure ("not", "or", "and", the fillers), or
        (`keywords_only`) the grammar's own words of a part: its rule gave them their meaning.
        What remains to read are the words of a class: values, numbers, verbs, heads, months..."""
        for token in leaves(tree):
            if not keywords_only or self.tags[position(token)].type not in CLASSES:
                self.consumed.add(position(token))

    def words(self, tree: Tree[Token] | Token) -> list[str]:
        """The keywords and classes of a subtree, in order (values as VALUE, numbers as NUMBER)."""
        if isinstance(tree, Token):
            tag = self.tag(tree)
            return [tag.meaning if tag.meaning is not None and tag.type not in ("VERB", "VN") else tag.type]
        return [word for child in tree.children for word in self.words(child)]

    def said(self, tree: Tree[Token]) -> list[str]:
        """The words of a subtree as the user wrote them (folded), numbers too."""
        return [self.tag(t).text for t in leaves(tree)]

    def texts(self, tree: Tree[Token]) -> list[str]:
        """The words of a subtree as typed, without plural endings ("orders" -> order)."""
        return [key(self.tag(t).text) for t in leaves(tree)]

    def tokens(self, tree: Tree[Token], kind: str) -> list[Tag]:
        """The tags of a kind in the subtree (only those count as read)."""
        return [self.tag(t) for t in leaves(tree) if self.tags[position(t)].type == kind]

    def numbers(self, tree: Tree[Token]) -> list[float]:
        # (the tagger gives every NUMBER its number: none is left out)
        return [t.number for t in self.tokens(tree, "NUMBER") if t.number is not None]

    def whole(self, tree: Tree[Token]) -> list[int]:
        """The numbers of a count, a span, an age or a size: whole ones, or the phrase is refused
        ("at least 1.5 emails" is no count to round)."""
        numbers = self.numbers(tree)
        for n in numbers:
            if n != int(n):
                raise AssemblyError(
                    f"{number_text(n)} is not a whole number: say a whole number of times, days, years "
                    "or employees"
                )
        return [int(n) for n in numbers]

    def negated(self, tree: Tree[Token]) -> bool:
        return any(isinstance(c, Tree) and c.data == "neg" for c in tree.children)

    def verb_type(self, tree: Tree[Token]) -> str | None:
        for kind in ("VERB", "VN"):
            for tag in self.tokens(tree, kind):
                meaning = (tag.meaning or "").split("|")[0]
                return meaning or None
        return None

    def noun_type(self, tree: Tree[Token]) -> str | None:
        """The event nouns name: "purchases" is purchase, "email opens" email_opened, "product views"
        product_viewed; a bare "email" is one received."""
        generic = None
        for tag in [*self.tokens(tree, "NOUN"), *self.tokens(tree, "VN")]:
            noun = (tag.meaning or "").split("|")[-1]
            if noun == "email":
                generic = "email_sent"
            elif noun and noun != "product":
                return noun
        for tag in self.tokens(tree, "VALUE"):
            for sense in tag.senses:
                if sense.field == "event":
                    return sense.value
        return generic

    def object_event(self, obj: Tree[Token] | None) -> str | None:
        if obj is None:
            return None
        for tag in self.tokens(obj, "VALUE"):
            events = [s.value for s in tag.senses if s.field == "event"]
            if events:
                return events[0]
        return None


def _child(tree: Tree[Token], name: str) -> Tree[Token] | None:
    return next((c for c in tree.children if isinstance(c, Tree) and c.data == name), None)


def subtree(tree: Tree[Token], index: int) -> Tree[Token]:
    """The child at `index`, which the grammar makes a rule's subtree (not a word)."""
    child = tree.children[index]
    if not isinstance(child, Tree):
        raise TypeError(f"{tree.data}: child {index} is the word {child!r}, not a part")
    return child


def leaves(tree: Tree[Token]) -> Iterator[Token]:
    """The words of a subtree, in order."""
    return tree.scan_values(lambda v: isinstance(v, Token))


def position(token: Token) -> int:
    """The token's index among the phrase's tags (parser._TagStream gives each token its tag's)."""
    if token.start_pos is None:
        raise TypeError(f"the word {token!r} has no place among the tags")
    return token.start_pos
