"""How the noun phrases of a phrase group: "or" and "not" between them, and parentheses.

The assembler reads each run of parts ("lapsed customers in Germany") into one condition. Between
runs stand the phrase's structure words, and this module joins the runs by them:

    phrase := term ("or" term)*          "golfers or lapsed customers": either whole phrase
    term   := factor factor*             side by side (or with "and", "but"): all of them
    factor := "not" factor | "(" phrase ")" | run

An "or" or a "not" is a structure word when a noun phrase follows it (a head, a preset, values,
a ranking, a parenthesis), or, for "or", when it follows a ")". Otherwise it is read inside the
run, with the part it stands beside ("opened or clicked", "bought golf but not in Germany").
So "golfers or lapsed customers" is (golfers) or (lapsed customers), and the purchase that
"customers" implies stays with the customers; "not not VIP" is VIP.
"""

from __future__ import annotations

from dataclasses import dataclass

from segments.definition import AnyOf, Condition, Not, conjoin

#: Parts that begin a noun phrase (grammar.lark's rule names).
NOUN_PHRASE_STARTS = {"head", "email_head", "values", "preset", "rank", "open"}
#: Parts that only join or fill: skipped when looking for what an "or" or a "not" stands before.
FILLERS = {"join", "filler"}


class GroupingError(ValueError):
    pass


@dataclass(frozen=True)
class Run:
    """A run of parts read into one condition; None when it names everyone ("contacts")."""

    condition: Condition | None
    text: str
    #: How many conditions the run holds: a "not" or an "or" over more than one is noted.
    size: int


Piece = str | Run


def structure(kinds: list[str]) -> list[str | None]:
    """For each part (by its rule name, fillers that only join as "join"): the structure word it
    is ("(", ")", "or", "not"), or None when the run reads it."""
    marks: list[str | None] = []
    for index, kind in enumerate(kinds):
        if kind == "open":
            marks.append("(")
        elif kind == "close":
            marks.append(")")
        elif kind == "or_" and (_before(kinds, index) == "close" or _noun_phrase_next(kinds, index)):
            marks.append("or")
        elif kind == "negation" and _noun_phrase_next(kinds, index):
            marks.append("not")
        else:
            marks.append(None)
    return marks


def _noun_phrase_next(kinds: list[str], index: int) -> bool:
    """A noun phrase follows, past fillers and further negations ("not not VIP")."""
    for kind in kinds[index + 1 :]:
        if kind in FILLERS or kind == "negation":
            continue
        return kind in NOUN_PHRASE_STARTS
    return False


def _before(kinds: list[str], index: int) -> str | None:
    return next((kind for kind in reversed(kinds[:index]) if kind not in FILLERS), None)


def combine(tokens: list[Piece], notes: list[str]) -> Condition | None:
    """The condition the runs and structure words mean; None for everyone."""
    grouping = _Grouping(tokens, notes)
    found = grouping.phrase()
    if grouping.peek() is not None:  # only a ")" stops a phrase early
        raise GroupingError("a ')' closes nothing: each ')' needs its '(' before it")
    return found


class _Grouping:
    def __init__(self, tokens: list[Piece], notes: list[str]) -> None:
        self.tokens, self.at, self.notes = tokens, 0, notes

    def peek(self) -> Piece | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Piece | None:
        token = self.peek()
        self.at += 1
        return token

    def phrase(self) -> Condition | None:
        terms = [self.term("before 'or'" if self.peek() == "or" else "")]
        while self.peek() == "or":
            self.take()
            terms.append(self.term("after 'or'"))
        if len(terms) == 1:
            return terms[0][1]
        if any(size > 1 for size, _ in terms):
            self.notes.append(
                "read 'or' as joining the whole phrases on either side of it; to join less, put "
                "parentheses around it, e.g. '(lapsed customers or VIPs) in Germany'"
            )
        if any(condition is None for _, condition in terms):
            return None  # one side names everyone
        return either(*(condition for _, condition in terms))  # type: ignore[arg-type]

    def term(self, where: str) -> tuple[int, Condition | None]:
        """Factors side by side, all of them; with the number of conditions they hold."""
        factors = []
        while self.peek() not in (None, "or", ")"):
            factors.append(self.factor())
        if not factors:
            said = f" {where}" if where else ""
            raise GroupingError(f"nothing to read{said}: say whom, e.g. 'golfers or lapsed customers'")
        return sum(size for size, _ in factors), conjoin(*(condition for _, condition in factors))

    def factor(self) -> tuple[int, Condition | None]:
        token = self.take()
        if token == "not":
            if self.peek() in (None, "or", ")"):
                raise GroupingError("'not' what? Say whom to leave out, e.g. 'golfers but not VIPs'")
            size, inner = self.factor()
            if inner is None:
                raise GroupingError("'not' everyone is no one: say whom to leave out")
            if size > 1:
                self.notes.append("read 'not' as leaving out all of what follows it up to the next 'and'")
            return size, inner.of if isinstance(inner, Not) else Not(of=inner)
        if token == "(":
            inner = self.phrase()
            if self.take() != ")":
                raise GroupingError("a '(' is not closed: add its ')'")
            return 1, inner
        assert isinstance(token, Run)
        return token.size, token.condition


def either(*conditions: Condition) -> Condition:
    """Any of the conditions, flattening nested unlabelled alternatives."""
    parts: list[Condition] = []
    for condition in conditions:
        if isinstance(condition, AnyOf) and condition.label is None:
            parts.extend(condition.of)
        else:
            parts.append(condition)
    return parts[0] if len(parts) == 1 else AnyOf(of=parts)
