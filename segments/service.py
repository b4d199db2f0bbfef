"""One service for every way in (Slack, the console, the command line): a phrase in, an answer out.

    service = SegmentService(engine)
    service.answer("lapsed customers in Germany", as_of)  # -> Answer | Failure
    service.recipients(definition, as_of)                 # -> batches of reachable members

The lexicon is read from the store once and kept until `refresh()` (after an import, or a
segment saved under a new name).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING

from pydantic import BaseModel
from sqlalchemy import Connection, Engine, Select, func, select, text

from segments.compiler import CompileError, Compiler, count_query, members_query
from segments.currencies import PhraseMoney, uses_money
from segments.definition import Definition
from segments.lexicon import Lexicon, load_lexicon
from segments.members import BATCH, Recipient, member_ids, recipients
from segments.names import name_problem
from segments.parser import ParseError, Parser
from segments.reading import Reader, counted
from segments.saved import NameTaken, SavedError, SavedReading, SavedSegments, valid_name
from store.db import is_postgres
from store.migrate import upgrade
from store.models import Contact, Event
from store.pricing import Pricing, unconverted, unconverted_notes
from store.repricing import settle

if TYPE_CHECKING:  # settings need not be loaded to read a segment
    from settings import Settings

log = logging.getLogger(__name__)

#: What a phrase that met a defect of Tailor's is told (the defect goes to the log).
UNANSWERED = "Tailor could not answer this phrase: the error is in the log for whoever runs Tailor"
#: Reachable members below this are too few for an A/B test (the setting's default).
MIN_TEST_SIZE = 1000
#: A phrase asked of a store with no contacts: 0 is no answer, so say why and what to do.
EMPTY_STORE = (
    "The store holds no contacts yet: import yours (python app.py import --contacts FILE --events FILE "
    "--campaigns FILE), or run python app.py to start on the demo data."
)
#: Below this share of reachable members the answer says so: most of them cannot be mailed.
LOW_REACHABLE_SHARE = 0.5


class Answer(BaseModel):
    text: str
    definition: dict
    explanation: str
    count: int
    reachable: int
    warnings: list[str]
    members: list[str] | None = None


class Failure(BaseModel):
    text: str
    error: str
    suggestions: list[str]

    @classmethod
    def of(cls, text: str, error: Exception) -> Failure:
        """What a phrase's parse or compile error says, with its "did you mean" words if any."""
        return cls(text=text, error=str(error), suggestions=getattr(error, "suggestions", []))


class SegmentService:
    @classmethod
    def of(cls, engine: Engine, settings: Settings) -> SegmentService:
        """The workspace's: its time zone, the size worth testing on, its money."""
        return cls(
            engine, zone=settings.zone, min_test_size=settings.min_test_size, pricing=settings.pricing()
        )

    def __init__(
        self,
        engine: Engine,
        zone: tzinfo = UTC,
        min_test_size: int = MIN_TEST_SIZE,
        pricing: Pricing | None = None,
    ) -> None:
        """`pricing`: the workspace's currency (USD by default), which a store converted into
        another is converted into first."""
        self.engine, self.zone, self.min_test_size = engine, zone, min_test_size
        self.pricing = pricing or Pricing()
        self.saved = SavedSegments(engine)
        self._parser: Parser | None = None
        self._building = threading.Lock()  # the parser is built once, however many ask at once
        upgrade(engine)
        settle(engine, self.pricing)

    @property
    def parser(self) -> Parser:
        """The parser of the store's words. Reading a phrase changes nothing in it, so every
        thread uses the same one; a saved segment replaces it with a new one (`refresh`)."""
        parser = self._parser
        if parser is None:
            with self._building:
                if self._parser is None:
                    with self.engine.connect() as conn:
                        self._parser = Parser(
                            load_lexicon(conn, self.saved.names()), PhraseMoney(self.pricing)
                        )
                parser = self._parser
        return parser

    @property
    def lexicon(self) -> Lexicon:
        return self.parser.lexicon

    def refresh(self) -> None:
        self._parser = None

    def save(
        self, name: str, phrase: str, as_of: datetime, by: str | None = None, replace: bool = False
    ) -> Answer | Failure:
        """Saves the phrase's definition under `name` (usable in later phrases) and answers it;
        a name Tailor would misread, or one that changes what phrases mean, is a SavedError, and
        a name already saved is a NameTaken unless `replace` (once the phrase is known to read)."""
        problem = name_problem(valid_name(name), self.parser.tagger)
        if problem:
            raise SavedError(problem)
        answer = self.answer(phrase, as_of)
        if isinstance(answer, Answer):
            taken = None if replace else self.saved.info(name)
            if taken is not None:
                raise NameTaken(taken)
            self.saved.save(name, phrase, Definition.model_validate(answer.definition), by)
            self.refresh()
        return answer

    def show(self, name: str, as_of: datetime) -> SavedReading | None:
        """The saved segment `name`, read as an answer reads it (its dates against `as_of`)."""
        info = self.saved.info(name)
        definition = self.saved.get(info.name) if info is not None else None
        if info is None or definition is None:
            return None
        explanation = self.reader(as_of).read(definition)
        return SavedReading(**info.model_dump(), definition=definition.as_json(), explanation=explanation)

    def delete(self, name: str) -> bool:
        deleted = self.saved.delete(name)
        self.refresh()
        return deleted

    def read(self, phrase: str, as_of: datetime | None = None) -> tuple[Definition, list[str]]:
        """The phrase's definition and notes; an amount in another currency is converted at the
        rates of `as_of`'s day (default: today's, the newest)."""
        parsed = self.parser.parse(phrase, as_of.astimezone(UTC).date() if as_of else None)
        return parsed.definition, parsed.notes

    def reads(self, phrase: str) -> bool:
        """Whether the grammar reads the phrase (its words may still name nothing stored)."""
        try:
            self.read(phrase)
        except ParseError:
            return False
        return True

    def answer(self, phrase: str, as_of: datetime, members: bool = False) -> Answer | Failure:
        """The phrase's answer, or what was not understood; never an exception, so that a batch,
        the console and Slack go on to the next phrase."""
        try:
            definition, notes = self.read(phrase, as_of)
            return self.evaluate(phrase, definition, as_of, notes, members=members)
        except (ParseError, CompileError) as error:
            return Failure.of(phrase, error)
        except Exception:  # a defect of Tailor's, not of the phrase: logged for whoever runs it
            log.exception("answering %r failed", phrase)
            return Failure(text=phrase, error=UNANSWERED, suggestions=[])

    def evaluate(
        self,
        phrase: str,
        definition: Definition,
        as_of: datetime,
        notes: Sequence[str] = (),
        members: bool = False,
    ) -> Answer:
        with self.engine.connect() as conn:
            self._tune(conn)
            compiler = self.compiler(conn, as_of)
            count, reachable = conn.execute(count_query(compiler, definition)).one()
            listed = list(conn.execute(members_query(compiler, definition)).scalars()) if members else None
            empty = count == 0 and conn.execute(select(Contact.id).limit(1)).first() is None
            unpriced = unconverted(conn) if uses_money(definition) else {}
        return Answer(
            text=phrase,
            definition=definition.as_json(),
            explanation=self.reader(as_of).read(definition),
            count=count,
            reachable=reachable,
            warnings=[
                *notes,
                *([EMPTY_STORE] if empty else self.warnings(count, reachable)),
                *unconverted_notes(unpriced, self.pricing.currency),
            ],
            members=listed,
        )

    def reader(self, as_of: datetime) -> Reader:
        return Reader(as_of, self.zone, self.pricing.currency)

    def warnings(self, count: int, reachable: int) -> list[str]:
        if count == 0:
            return ["No contact matches: check the reading above, or widen the phrase."]
        found = []
        if reachable < self.min_test_size:
            found.append(
                f"Only {counted(reachable, 'reachable contact')}: too few to test on (a test needs at least "
                f"{self.min_test_size:,}, setting TAILOR_MIN_TEST_SIZE)."
            )
        if reachable < LOW_REACHABLE_SHARE * count:
            found.append(
                f"Only {reachable / count:.0%} of the members can be emailed (the rest have not "
                "subscribed, or complained, or bounced twice)."
            )
        return found

    def compiler(self, conn: Connection, as_of: datetime) -> Compiler:
        """The compiler of definitions into SQL on this store, for `as_of`."""
        return Compiler(as_of, self.zone, self.lexicon.custom_types, self.saved.get, latest_purchase(conn))

    def member_ids(
        self, conn: Connection, definition: Definition, as_of: datetime, reachable_only: bool = True
    ) -> Select:
        """The members' ids as SQL to join in a larger query (a report's), on `conn`'s store."""
        return member_ids(self.compiler(conn, as_of), definition, reachable_only)

    def recipients(
        self, definition: Definition, as_of: datetime, reachable_only: bool = True, batch: int = BATCH
    ) -> Iterator[list[Recipient]]:
        """The members (reachable ones by default), `batch` at a time; a connection stays open
        until the last batch is taken or the iterator is closed."""
        with self.engine.connect() as conn:
            self._tune(conn)
            yield from recipients(conn, self.member_ids(conn, definition, as_of, reachable_only), batch)

    def _tune(self, conn: Connection) -> None:
        """Room for the hash tables of grouped subqueries, so PostgreSQL does not re-run them per row."""
        if is_postgres(self.engine):
            conn.execute(text("SET work_mem = '64MB'"))
            # Compiling a query to machine code costs more than these queries save by it.
            conn.execute(text("SET jit = off"))


def latest_purchase(conn: Connection) -> datetime | None:
    """The store's latest purchase: one step down the (type, occurred_at) index."""
    events = Event.__table__
    return conn.execute(select(func.max(events.c.occurred_at)).where(events.c.type == "purchase")).scalar()
