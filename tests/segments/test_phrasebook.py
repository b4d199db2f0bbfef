"""The phrasebook (phrasebook.py) through the parser, member for member against its reference SQL.

Each phrase is parsed over the lexicon of the test store, compiled and run on it (SQLite, and
PostgreSQL when configured), and its members compared with those of the phrase's accepted
readings: the phrasebook's SQL run by SQLite over the same CSV files (`reference_sql.py`), as
`../shared/eval/parse_eval.py` does. A phrase that fails to parse fails here too: every phrase of
the phrasebook is one Tailor must read.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from segments.lexicon import load_lexicon
from segments.parser import Parsed, ParseError, Parser
from tests.segments.dataset import DATA_AS_OF
from tests.segments.oracle import Oracle
from tests.segments.phrasebook import entries
from tests.segments.reference_sql import load_reference

AS_OF = DATA_AS_OF.isoformat().replace("+00:00", "Z")
ENTRIES = entries(AS_OF)


@pytest.fixture(scope="module")
def reference(segment_files: dict[str, Path]) -> sqlite3.Connection:
    return load_reference(segment_files["contacts"].parent, AS_OF)


#: Phrases read once, by the first store's parser: both stores hold the same data (test_parser
#: reads phrases on each), and parsing is most of this test's time.
PARSED: dict[str, Parsed] = {}


@pytest.fixture(scope="module")
def parser(oracle: Oracle) -> Parser:
    with oracle.engine.connect() as conn:
        return Parser(load_lexicon(conn))


def parsed(parser: Parser, text: str) -> Parsed:
    if text not in PARSED:
        PARSED[text] = parser.parse(text)
    return PARSED[text]


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e['id']} {e['text']}" for e in ENTRIES])
def test_the_phrase_selects_the_members_of_an_accepted_reading(
    entry: dict, parser: Parser, oracle: Oracle, reference: sqlite3.Connection
) -> None:
    try:
        reading = parsed(parser, entry["text"])
    except ParseError as error:
        pytest.fail(f"not read: {error.message} (suggestions: {error.suggestions})")
    members, _ = oracle.compiled(reading.definition, DATA_AS_OF)
    readings = [{row[0] for row in reference.execute(sql)} for sql in entry["accept"]]
    closest = min(readings, key=lambda wanted: len(wanted ^ members))
    assert members in readings, (
        f"{len(members)} members, want {len(closest)}: {len(members - closest)} extra "
        f"{sorted(members - closest)[:5]}, {len(closest - members)} missing {sorted(closest - members)[:5]}; "
        f"read as {reading.definition.as_json()}"
    )
