"""`python app.py segment` and `saved` as the data contract writes them, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store.db import create_store_engine
from tests.store.helpers import load

AS_OF = "2026-06-30T12:00:00Z"
KEYS = ["text", "definition", "explanation", "count", "reachable", "warnings"]


@pytest.fixture
def store_url(database_url: str, segment_files: dict[str, Path]) -> str:
    engine = create_store_engine(database_url)
    load(engine, **segment_files)
    engine.dispose()
    return database_url


def test_batch_json_gives_one_line_per_phrase_in_order(run_app, store_url: str, tmp_path: Path) -> None:
    phrases = ["contacts in Berlin", "contacts in Berl", "lapsed customers"]
    batch = tmp_path / "phrases.txt"
    batch.write_text("\n".join(phrases) + "\n", encoding="utf-8")
    result = run_app("segment", "--batch", batch, "--db", store_url, "--as-of", AS_OF, "--json", "--members")
    assert result.returncode == 1, result.stderr  # one phrase failed
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["text"] for line in lines] == phrases
    first, failed, last = lines
    assert list(first) == [*KEYS, "members"]
    assert first["count"] == len(first["members"]) and first["reachable"] <= first["count"]
    assert first["definition"]["where"]["field"] == "city"
    assert set(failed) == {"text", "error", "suggestions"}
    assert "contacts in Berlin" in failed["suggestions"]
    assert list(last) == [*KEYS, "members"]


def test_one_phrase_reads_as_a_short_table(run_app, store_url: str) -> None:
    result = run_app("segment", "new subscribers", "--db", store_url, "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "> new subscribers"
    assert "who signed up in the last 30 days (since 31 May 2026 12:00)" in lines[1]
    assert lines[2].split()[0] == "members"


def test_saved_segments_from_the_command_line(run_app, store_url: str) -> None:
    saved = run_app("saved", "save", "Fairway winners", "lapsed customers who bought golf", "--db", store_url)
    assert saved.returncode == 0, saved.stderr
    listed = run_app("saved", "list", "--db", store_url)
    assert "Fairway winners" in listed.stdout and "lapsed customers who bought golf" in listed.stdout
    used = run_app("segment", "Fairway winners in Germany", "--db", store_url, "--as-of", AS_OF, "--json")
    assert (
        used.returncode == 0 and "saved segment 'Fairway winners'" in json.loads(used.stdout)["explanation"]
    )
    assert run_app("saved", "delete", "Fairway winners", "--db", store_url).returncode == 0
    gone = run_app("segment", "Fairway winners in Germany", "--db", store_url, "--as-of", AS_OF, "--json")
    assert gone.returncode == 1 and "error" in json.loads(gone.stdout)


def test_a_batch_goes_on_past_phrases_it_refuses(run_app, store_url: str, tmp_path: Path) -> None:
    phrases = [
        "customers who bought in the last 999999 days",
        "contacts aged 999999",
        "contacts who opened at least 2147483648 emails",
        "who bought %",
        ";",
        "contacts in Berlin",
    ]
    batch = tmp_path / "phrases.txt"
    batch.write_text("\n".join(phrases) + "\n", encoding="utf-8")
    result = run_app("segment", "--batch", batch, "--db", store_url, "--as-of", AS_OF, "--json")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["text"] for line in lines] == phrases
    assert all(line["error"] for line in lines[:-1])
    assert lines[-1]["count"] > 0
