"""`python app.py segment` and `saved` as the data contract writes them, on both databases."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from segments.cli import SavedCommand, Streams, run_saved
from segments.service import SegmentService
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
    assert run_app("saved", "delete", "Fairway winners", "--yes", "--db", store_url).returncode == 0
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


def test_saved_show_prints_the_reading_and_json_on_asking(run_app, store_url: str) -> None:
    phrase = "lapsed customers who bought golf"
    assert run_app("saved", "save", "golf comeback", phrase, "--db", store_url).returncode == 0
    shown = run_app("saved", "show", "golf comeback", "--db", store_url)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == f"> golf comeback: {phrase}"
    assert lines[1].startswith("  Contacts who are lapsed customers [with at least one purchase and with no")
    assert lines[1].endswith("and with at least one purchase in category golf")
    assert "{" not in shown.stdout  # a reading, not the definition's JSON
    as_json = run_app("saved", "show", "golf comeback", "--json", "--db", store_url)
    data = json.loads(as_json.stdout)
    assert list(data) == ["name", "text", "definition", "explanation", "created_by", "created_at"]
    assert data["explanation"] == lines[1].strip() and data["definition"]["version"] == 1
    missing = run_app("saved", "show", "golf nobody", "--db", store_url)
    assert missing.returncode == 1 and missing.stderr == "no saved segment named 'golf nobody'\n"


def test_without_a_terminal_a_taken_name_and_a_delete_need_their_option(run_app, store_url: str) -> None:
    assert run_app("saved", "save", "golf comeback", "golfers", "--db", store_url).returncode == 0
    taken = run_app("saved", "save", "golf comeback", "runners", "--db", store_url)
    assert taken.returncode == 2 and taken.stdout == ""
    assert taken.stderr == (
        "saved save: a segment is already saved as 'golf comeback' (“golfers”): add --replace to "
        "overwrite it, or choose another name\n"
    )
    assert "golfers" in run_app("saved", "list", "--db", store_url).stdout
    replaced = run_app("saved", "save", "golf comeback", "runners", "--replace", "--db", store_url)
    assert replaced.returncode == 0 and "interested in running" in replaced.stdout
    refused = run_app("saved", "delete", "golf comeback", "--db", store_url)
    assert refused.returncode == 2
    assert refused.stderr == "saved delete: add --yes to delete 'golf comeback' (no terminal to ask on)\n"
    assert "golf comeback" in run_app("saved", "list", "--db", store_url).stdout
    deleted = run_app("saved", "delete", "golf comeback", "--yes", "--db", store_url)
    assert deleted.returncode == 0 and deleted.stdout == "deleted 'golf comeback'\n"
    assert "golf comeback" not in run_app("saved", "list", "--db", store_url).stdout


class Typed(io.StringIO):
    """What a person types at a terminal."""

    def isatty(self) -> bool:
        return True


def saved(service: SegmentService, typed: str, *words: str, **options: bool) -> tuple[int, str, str]:
    """`saved WORDS...` run on `service` with `typed` at a terminal: its status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    code = run_saved(service, SavedCommand(*words, **options), Streams(Typed(typed), out, err))
    return code, out.getvalue(), err.getvalue()


def test_on_a_terminal_a_taken_name_and_a_delete_are_asked_about(store_url: str) -> None:
    engine = create_store_engine(store_url)
    service = SegmentService(engine)
    try:
        assert saved(service, "", "save", "golf comeback", "golfers")[0] == 0
        code, _, err = saved(service, "n\n", "save", "golf comeback", "runners")
        assert code == 1
        asked = "'golf comeback' is already saved as “golfers”. Replace it with “runners”? [y/N] "
        assert err.startswith(asked)
        assert err.endswith("kept 'golf comeback' as it was\n")
        assert _text(service, "golf comeback") == "golfers"
        code, out, _ = saved(service, "y\n", "save", "golf comeback", "runners")
        assert code == 0 and out.startswith("saved 'golf comeback': ")
        assert _text(service, "golf comeback") == "runners"
        code, _, err = saved(service, "\n", "delete", "golf comeback")  # Enter is no
        assert code == 1 and "Delete the saved segment 'golf comeback' (“runners”)? " in err
        assert _text(service, "golf comeback") == "runners"
        assert saved(service, "yes\n", "delete", "golf comeback")[:2] == (0, "deleted 'golf comeback'\n")
        assert service.saved.info("golf comeback") is None
    finally:
        engine.dispose()


def _text(service: SegmentService, name: str) -> str | None:
    info = service.saved.info(name)
    return info.text if info else None


def test_a_contradiction_is_refused_with_exit_status_1(run_app, store_url: str) -> None:
    result = run_app("segment", "customers who never purchased", "--db", store_url, "--as-of", AS_OF)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "? customers who never purchased",
        "  not understood: this contradicts itself: 'customers' means contacts with at least one purchase, "
        "and the phrase also asks for contacts with no purchase; no contact is both. For the contacts with "
        "no purchase, say 'contacts' where it says 'customers'.",
        "  did you mean: contacts who never purchased",
    ]
