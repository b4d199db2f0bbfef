"""How the noun phrases of a phrase group: "or", "and" and "not" between them, and parentheses.

The assembler reads each run of parts ("lapsed customers in Germany") into one condition. Between
runs stand the phrase's structure words, and this module joins the runs by them:

    whole  := phrase ("but" ["not"] phrase)*   "golfers or runners but not VIPs": all, less what
                                              follows "but not" (a list: its "and" adds to it)
    phrase := term ("or" term)*                "golfers or lapsed customers": either whole phrase
    term   := factor factor*                   side by side (or with "and"): all of them
    factor := "not" factor | "(" whole ")" | run

Which words are structure words is decided on the tags, before the grammar reads them
(`between_noun_phrases`): an "or", "and" or "not" before a noun phrase with a head of its own
becomes a terminal that no list of values and no clause can hold. So "mobile users in France or
gold tier members" is two noun phrases, not a list "France or gold"; "golfers or lapsed customers"
keeps the purchase that "customers" implies with the customers; "not desktop users in France"
leaves out the desktop users in France. A "not" reaches to the next "and", "or", "but" or ",",
so "not runners and golfers" are the golfers who do not run; "not not VIP" is VIP. "excluding"
and "except" are a "but not"; a "but" is a structure word beside an "or" between noun phrases
or before a "not" one, and so is an "or" after a ")". Any other "or" is read inside its run
("opened or clicked", "in Berlin or Munich").
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from segments.definition import AnyOf, Condition, Not, conjoin
from segments.tagger import Tag

#: Words that may stand between noun phrases, and the terminal each becomes there.
NOUN_PHRASE_WORDS = {"OR": "NP_OR", "AND": "NP_AND", "NOT": "NP_NOT"}
#: The words between the values of a list.
LISTING = ("OR", "AND", "COMMA")
#: Parts that begin a noun phrase (grammar.lark's rule names).
NOUN_PHRASE_STARTS = {"head", "email_head", "values", "preset", "rank", "open"}
#: Parts that only join or fill: skipped when looking for what an "or" or a "not" stands before.
FILLERS = {"join", "but", "filler"}


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


def between_noun_phrases(tags: list[Tag]) -> list[Tag]:
    """The tags, with each "or", "and" and "not" that stands before a noun phrase made a terminal
    of its own, which no list of values and no clause can hold: in "mobile users in France or gold
    tier members", "gold" is no second country, and "not desktop users in France" leaves out the
    desktop users in France, not everyone outside France.

    A noun phrase here has a head of its own: a head ("women"), a parenthesis, a person named by
    an interest ("runners"), or values before a head or a preset ("instagram leads", "lapsed
    customers"). Values before a head are adjectives sharing it, not a noun phrase, when only
    adjectives stand before the "or": "German or French customers" are the customers of either.
    """
    out = list(tags)
    for index, tag in enumerate(tags):
        if tag.type in NOUN_PHRASE_WORDS and _heads_noun_phrase(tags, index, out):
            out[index] = replace(tag, type=NOUN_PHRASE_WORDS[tag.type])
    return _commas_as_their_list(out)


def _commas_as_their_list(tags: list[Tag]) -> list[Tag]:
    """The commas of a list mean its last word: "VIP, lapsed or inactive" and "in Germany, in
    France or in Spain" are alternatives. A comma is read so when what follows it is like what
    follows that word: a noun phrase of its own, or the same kind of word ("in", a value)."""
    out = list(tags)
    for index, tag in enumerate(tags):
        if tag.type != "COMMA" or index + 1 == len(tags):
            continue
        last = _list_word(tags, index)
        if last is None or last + 1 == len(tags):
            continue
        word = tags[last]
        if word.type in ("NP_OR", "NP_AND"):
            alike = _heads_noun_phrase(tags, index, out)
        else:
            alike = tags[index + 1].type == tags[last + 1].type
        if alike:
            out[index] = replace(tag, type=word.type, text=word.text)
    return out


def _list_word(tags: list[Tag], comma: int) -> int | None:
    """Where the list a comma stands in ends with "or" or "and": past its further commas, within
    its parentheses."""
    for at in range(comma + 1, len(tags)):
        if tags[at].type in ("LPAR", "RPAR"):
            return None
        if tags[at].type in ("OR", "AND", "NP_OR", "NP_AND"):
            return at
    return None


def _heads_noun_phrase(tags: list[Tag], index: int, marked: list[Tag]) -> bool:
    at = index + 1
    while at < len(tags) and tags[at].type == "NOT":
        at += 1
    if at == len(tags):
        return False
    first = tags[at]
    if tags[index].type != "NOT" and _after_who_are(marked[:index]) and _bare(tags, at):
        return False  # "golfers who are VIP or lapsed": one clause, of either
    if first.type in ("HEAD", "NON", "LPAR") or _names_people(first):
        return True
    if first.type not in ("VALUE", "PRESET"):
        return False
    # "not German or French customers" leaves out the Germans: a "not" takes no list
    after = _past_values(tags, at, listing=tags[index].type != "NOT")
    headed = first.type == "PRESET" or (
        after < len(tags) and (tags[after].type in ("HEAD", "PRESET") or _names_people(tags[after]))
    )
    # adjectives sharing a head take no "not": "VIP or not gold tier members" are two noun phrases
    negated = tags[index].type == "NOT" or at > index + 1
    return headed and (negated or not _only_adjectives(marked[:index]))


def _after_who_are(before: list[Tag]) -> bool:
    """Whether only values or presets stand between "who are" ("that are") and here."""
    for at in range(len(before) - 1, 0, -1):
        if before[at].type in ("ARE", "IS") and before[at - 1].type in ("WHO", "THAT"):
            return True
        if before[at].type not in ("VALUE", "PRESET", *LISTING):
            return False
    return False


def _bare(tags: list[Tag], at: int) -> bool:
    """A value or a preset with no head of its own after it: "lapsed", "runners"."""
    after = at + 1
    return tags[at].type in ("VALUE", "PRESET") and (
        after == len(tags) or tags[after].type not in ("HEAD", "VALUE", "FIELD")
    )


def _past_values(tags: list[Tag], at: int, listing: bool) -> int:
    """Where the values from `at` end: side by side ("gold tier"), or with `listing`, in a list of
    one kind ("German or French", not "Munich and desktop")."""
    kinds = {sense.field for sense in tags[at].senses}
    while at < len(tags):
        if tags[at].type in ("VALUE", "FIELD") and not _names_people(tags[at]):
            at += 1
        elif listing and tags[at].type in LISTING and at + 1 < len(tags) and tags[at + 1].type == "VALUE":
            if not kinds & {sense.field for sense in tags[at + 1].senses}:
                break
            at += 1
        else:
            break
    return at


def _names_people(tag: Tag) -> bool:
    """A value that names people by itself: "golfers" (an interest's fans), a saved segment."""
    return tag.type == "VALUE" and any(sense.field in ("fan", "saved") for sense in tag.senses)


def _only_adjectives(before: list[Tag]) -> bool:
    """Whether the words since the last noun phrase began are values only ("German or French")."""
    run: list[Tag] = []
    for tag in reversed(before):
        if tag.type in (*NOUN_PHRASE_WORDS.values(), "LPAR"):
            break
        run.append(tag)
    listed = [tag for tag in reversed(run) if tag.type not in LISTING]
    # a preset before values modifies them too ("lapsed German or French customers"); alone it is
    # a noun phrase ("VIP or gold tier members")
    while listed and listed[0].type == "PRESET" and len(listed) > 1:
        listed = listed[1:]
    return bool(listed) and all(tag.type in ("VALUE", "FIELD") and not _names_people(tag) for tag in listed)


def structure(kinds: list[str]) -> list[str | None]:
    """For each part (by its rule name; fillers that only join as "join" or "but", "excluding" and
    the like as "exclusion"): the structure words it is ("(", ")", "or", "not", "but", "but not"),
    or None when the run reads it."""
    marks: list[str | None] = []
    for index, kind in enumerate(kinds):
        if kind == "open":
            marks.append("(")
        elif kind == "close":
            marks.append(")")
        elif kind == "np_or" or (kind == "or_" and _before(kinds, index) == "close"):
            marks.append("or")
        elif kind == "np_not" or (kind == "negation" and _noun_phrase_next(kinds, index)):
            marks.append("not")
        elif kind == "exclusion":  # "excluding", "except": all that stands before, less what follows
            marks.append("but not")
        else:
            marks.append(None)
    for index, kind in enumerate(kinds):
        after = _next(kinds, index)
        if kind == "but" and (
            _or_beside(kinds, marks, index) or (after is not None and kinds[after] == "np_not")
        ):
            marks[index] = "but"
            if after is not None and kinds[after] == "negation":  # "but not in Germany" leaves out all of it
                marks[after] = "not"
    return marks


def _next(kinds: list[str], index: int) -> int | None:
    return next((at for at in range(index + 1, len(kinds)) if kinds[at] not in FILLERS), None)


def _or_beside(kinds: list[str], marks: list[str | None], index: int) -> bool:
    """Whether an "or" joins noun phrases beside this "but", in its group and up to the next "but":
    then the "but" joins all that stands on either side ("golfers or runners but not VIPs")."""
    for step, opens, closes in ((-1, ")", "("), (1, "(", ")")):
        depth, at = 0, index + step
        while 0 <= at < len(kinds) and kinds[at] != "but":
            depth += marks[at] == opens
            if marks[at] == closes:
                if depth == 0:
                    break
                depth -= 1
            if depth == 0 and marks[at] == "or":
                return True
            at += step
    return False


def _noun_phrase_next(kinds: list[str], index: int) -> bool:
    """A noun phrase follows, past fillers and further negations ("not not VIP")."""
    for kind in kinds[index + 1 :]:
        if kind in FILLERS or kind in ("negation", "np_not", "exclusion"):
            continue
        return kind in NOUN_PHRASE_STARTS
    return False


def _before(kinds: list[str], index: int) -> str | None:
    return next((kind for kind in reversed(kinds[:index]) if kind not in FILLERS), None)


def combine(tokens: list[Piece], notes: list[str]) -> Condition | None:
    """The condition the runs and structure words mean; None for everyone."""
    grouping = _Grouping(tokens, notes)
    found = grouping.whole()
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

    def whole(self) -> Condition | None:
        """Phrases joined by "but", all of them; "but not" leaves out all of what follows it."""
        parts = [None if self.peek() == "but" else self.phrase()]  # "excluding VIPs": everyone else
        while self.peek() == "but":
            while self.peek() == "but":  # "but excluding VIPs": one "but"
                self.take()
            if self.peek() != "not":
                parts.append(self.phrase())
                continue
            self.take()
            left_out = self.left_out()
            parts.append(left_out.of if isinstance(left_out, Not) else Not(of=left_out))
        return conjoin(*parts)

    def left_out(self) -> Condition:
        """What "but not" or "excluding" leaves out: a list, whose "and" adds to it ("excluding
        VIPs and lapsed customers" leaves out both), up to the next "but"."""
        groups: list[Condition] = []
        while self.peek() not in (None, ")", "but"):
            if self.peek() == "or" or (groups and self.peek() == "not"):  # "but not X and not Y": Y too
                self.take()
            _, condition = self.factor()
            if condition is None:
                raise GroupingError("leaving out everyone leaves no one: say whom to leave out")
            groups.append(condition)
        if not groups:
            raise GroupingError("'but not' what? Say whom to leave out, e.g. 'golfers but not VIPs'")
        if len(groups) > 1:
            self.notes.append("read 'but not' or 'excluding' as leaving out each of the groups after it")
        return either(*groups)

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
        conditions = [condition for _, condition in terms if condition is not None]
        if len(conditions) < len(terms):
            return None  # one side names everyone
        return either(*conditions)

    def term(self, where: str) -> tuple[int, Condition | None]:
        """Factors side by side, all of them; with the number of conditions they hold."""
        factors = []
        while self.peek() not in (None, "or", ")", "but"):
            factors.append(self.factor())
        if not factors:
            said = f" {where}" if where else ""
            raise GroupingError(f"nothing to read{said}: say whom, e.g. 'golfers or lapsed customers'")
        return sum(size for size, _ in factors), conjoin(*(condition for _, condition in factors))

    def factor(self) -> tuple[int, Condition | None]:
        token = self.take()
        if token == "not":
            if self.peek() in (None, "or", ")", "but"):
                raise GroupingError("'not' what? Say whom to leave out, e.g. 'golfers but not VIPs'")
            size, inner = self.factor()
            if inner is None:
                raise GroupingError("'not' everyone is no one: say whom to leave out")
            if size > 1:
                self.notes.append("read 'not' as leaving out all of what follows it up to the next 'and'")
            if self.peek() == "or":  # "not golfers or runners": neither, or (not golfers) or runners?
                self.notes.append(
                    "read 'not' as leaving out only what stands before the 'or'; for neither, put "
                    "parentheses after it, e.g. 'not (golfers or runners)'"
                )
            return size, inner.of if isinstance(inner, Not) else Not(of=inner)
        if token == "(":
            inner = self.whole()
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
