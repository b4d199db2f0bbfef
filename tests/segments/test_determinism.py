"""The same phrase gives the same answer in every process: the phrasebook run twice, by two
processes with different `PYTHONHASHSEED`s, on data that spells values in several cases.

A set's order changes with the hash seed; anything Tailor chooses from one must be chosen in a
defined order, or "contacts in Berlin" would count one spelling in one process and another in
the next.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.segments.dataset import DATA_AS_OF, write_dataset
from tests.segments.phrasebook import entries

AS_OF = DATA_AS_OF.isoformat().replace("+00:00", "Z")
#: The stored spellings of one city and one job title (segment-semantics.md: values match
#: whatever their case).
BERLIN = ("Berlin", "berlin", "BERLIN")
CONSULTANT = ("Consultant", "consultant")


def respell(path: Path) -> dict[str, int]:
    """Spreads Berlin and Consultant over several spellings; how many contacts hold each value."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    held = {"Berlin": 0, "Consultant": 0}
    for row in rows:
        if row["city"] == "Berlin":
            row["city"] = BERLIN[held["Berlin"] % len(BERLIN)]
            held["Berlin"] += 1
        if row["job_title"] == "Consultant":
            row["job_title"] = CONSULTANT[held["Consultant"] % len(CONSULTANT)]
            held["Consultant"] += 1
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return held


@pytest.fixture
def respelled(run_app, database_url: str, tmp_path: Path) -> dict[str, int]:
    files = write_dataset(tmp_path)
    held = respell(files["contacts"])
    sources = [arg for kind, path in files.items() for arg in (f"--{kind}", path)]
    loaded = run_app("import", *sources, "--db", database_url)
    assert loaded.returncode == 0, loaded.stderr
    return held


def answers(run_app, database_url: str, batch: Path, seed: str) -> list[dict]:
    result = run_app(
        "segment", "--batch", batch, "--json", "--members", "--as-of", AS_OF, "--db", database_url,
        env={"PYTHONHASHSEED": seed},
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr  # 1: some phrase was refused
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_every_answer_is_the_same_under_any_hash_seed(
    run_app, database_url: str, respelled: dict[str, int], tmp_path: Path
) -> None:
    phrases = ["contacts in Berlin", "consultants", *(entry["text"] for entry in entries(AS_OF))]
    batch = tmp_path / "phrases.txt"
    batch.write_text("\n".join(phrases) + "\n", encoding="utf-8")
    first = answers(run_app, database_url, batch, "1")
    second = answers(run_app, database_url, batch, "2")
    assert [answer["text"] for answer in first] == phrases
    differing = [a["text"] for a, b in zip(first, second, strict=True) if a != b]
    assert not differing, differing
    berlin, consultants = first[0], first[1]
    assert berlin["count"] == respelled["Berlin"]  # every spelling counts
    assert consultants["count"] == respelled["Consultant"]
    assert "Contacts in Berlin" in berlin["explanation"]
