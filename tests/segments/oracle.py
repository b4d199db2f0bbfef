"""Compiled answers beside the reference evaluator's, for one store loaded with the test data set."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from sqlalchemy import Engine

from segments.compiler import Compiler, count_query, members_query
from segments.definition import Definition
from segments.service import latest_purchase
from tests.segments.dataset import CUSTOM_CONTACT_TYPES
from tests.segments.reference import Dataset, Reference
from tests.segments.strategies import SAVED, Pools

#: Members, and (count, reachable).
Answer = tuple[set[str], tuple[int, int]]


class Oracle:
    def __init__(self, engine: Engine, ids: dict[str, int], data: Dataset, pools: Pools) -> None:
        self.engine = engine
        #: contacts.id by external id: the rankings' tie-breaker.
        self.ids = ids
        self.data = data
        self.pools = pools

    def __repr__(self) -> str:  # hypothesis prints a failing test's arguments
        return f"Oracle({self.engine.dialect.name})"

    def compiled(self, definition: Definition, as_of: datetime, zone: tzinfo = UTC) -> Answer:
        """The answer of the compiler set up as the segment service sets it up."""
        with self.engine.connect() as conn:
            compiler = Compiler(as_of, zone, CUSTOM_CONTACT_TYPES, SAVED.get, latest_purchase(conn))
            members = set(conn.execute(members_query(compiler, definition)).scalars())
            count, reachable = conn.execute(count_query(compiler, definition)).one()
        return members, (count, reachable)

    def expected(self, definition: Definition, as_of: datetime, zone: tzinfo = UTC) -> Answer:
        reference = Reference(self.data, self.ids, as_of, zone, CUSTOM_CONTACT_TYPES, SAVED)
        return reference.members(definition), reference.counts(definition)

    def check(self, definition: Definition, as_of: datetime, zone: tzinfo = UTC) -> set[str]:
        """Asserts that the database's members and counts are the reference's; the members."""
        members, counts = self.compiled(definition, as_of, zone)
        want_members, want_counts = self.expected(definition, as_of, zone)
        missing, extra = sorted(want_members - members), sorted(members - want_members)
        assert not missing and not extra, (
            f"{len(missing)} missing {missing[:5]}, {len(extra)} extra {extra[:5]}"
        )
        assert counts == want_counts
        return members
