"""The phrasebook (phrasebook.py) through the parser, member for member against its reference SQL.

Each phrase is parsed over the lexicon of the test store, compiled and run on it (SQLite, and
PostgreSQL when configured), and its members compared with those of the phrase's accepted
readings: the phrasebook's SQL run by SQLite over the same CSV files, as
`../shared/eval/parse_eval.py` does. A phrase that fails to parse fails here too: every phrase of
the phrasebook is one Tailor must read.
"""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest

from segments.lexicon import load_lexicon
from segments.parser import ParseError, Parser
from tests.conftest import PROJECT
from tests.segments.dataset import DATA_AS_OF
from tests.segments.oracle import Oracle

EVAL = PROJECT.parent / "shared" / "eval"
AS_OF = DATA_AS_OF.isoformat().replace("+00:00", "Z")


def _module(name: str, path: Path) -> ModuleType:
    if str(EVAL) not in sys.path:  # the phrasebook's SQL helpers (corpus_sql) live beside parse_eval
        sys.path.insert(0, str(EVAL))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ENTRIES = _module("phrasebook", Path(__file__).with_name("phrasebook.py")).entries(AS_OF)


@pytest.fixture(scope="module")
def reference(segment_files: dict[str, Path]) -> sqlite3.Connection:
    parse_eval = _module("parse_eval", EVAL / "parse_eval.py")
    return parse_eval.load_reference(str(segment_files["contacts"].parent), AS_OF)


@pytest.fixture(scope="module")
def parser(oracle: Oracle) -> Parser:
    with oracle.engine.connect() as conn:
        return Parser(load_lexicon(conn))


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e['id']} {e['text']}" for e in ENTRIES])
def test_the_phrase_selects_the_members_of_an_accepted_reading(
    entry: dict, parser: Parser, oracle: Oracle, reference: sqlite3.Connection
) -> None:
    try:
        parsed = parser.parse(entry["text"])
    except ParseError as error:
        pytest.fail(f"not read: {error.message} (suggestions: {error.suggestions})")
    members, _ = oracle.compiled(parsed.definition, DATA_AS_OF)
    readings = [{row[0] for row in reference.execute(sql)} for sql in entry["accept"]]
    closest = min(readings, key=lambda wanted: len(wanted ^ members))
    assert members in readings, (
        f"{len(members)} members, want {len(closest)}: {len(members - closest)} extra "
        f"{sorted(members - closest)[:5]}, {len(closest - members)} missing {sorted(closest - members)[:5]}; "
        f"read as {parsed.definition.as_json()}"
    )
