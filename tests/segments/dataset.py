"""The segment tests' data set: a small fixed data set, plus custom columns.

The base files `data/contacts.csv`, `data/events.csv` and `data/campaigns.csv` beside this module
are the output of the shared evaluation generator (`shared/eval/gen_dataset.py`, a sibling of the
project) for 300 contacts, seed 7, as of 2026-06-30T12:00:00Z. They are committed so that the tests
need nothing outside the repository; to regenerate them, from the project root with `../shared`
present:

    python3 ../shared/eval/gen_dataset.py tests/segments/data --contacts 300 --seed 7 \
        --as-of 2026-06-30T12:00:00Z

The generator writes only known columns, and every purchase has an amount. So that every kind of
attribute and the missing-amount paths are exercised too, `write_dataset` adds a few custom
columns (one of each inferred type) to the contacts, a custom `channel` to the events, and
blanks the amount of some purchases. Everything is deterministic: the same files every run.
"""

from __future__ import annotations

import csv
import random
import shutil
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

#: The generated files, before `write_dataset` adds its columns (see above).
BASE = Path(__file__).with_name("data")
#: The generator's "now": the data's latest events are just before it.
DATA_AS_OF = datetime(2026, 6, 30, 12, tzinfo=UTC)
#: The generator's arguments for the base files (`SEED` also drives the added columns).
CONTACTS = 300
SEED = 7

#: The custom contact columns added, by the type that import infers from their values.
CUSTOM_CONTACT_TYPES = {
    "score": "integer",
    "ltv": "decimal",
    "newsletter": "boolean",
    "plan": "text",
    "last_login": "datetime",
    "renewal": "date",
}
#: The custom event column added (purchases only).
CUSTOM_EVENT_TYPES = {"channel": "text"}
FILES = ("contacts", "events", "campaigns")


def write_dataset(directory: Path) -> dict[str, Path]:
    """Writes contacts.csv, events.csv and campaigns.csv into `directory`; their paths by kind."""
    paths = {kind: directory / f"{kind}.csv" for kind in FILES}
    for kind, path in paths.items():
        shutil.copyfile(BASE / f"{kind}.csv", path)
    rng = random.Random(SEED)
    _extend(paths["contacts"], list(CUSTOM_CONTACT_TYPES), lambda row: _custom_contact(rng))
    _extend(paths["events"], list(CUSTOM_EVENT_TYPES), lambda row: _custom_event(rng, row))
    return paths


def _extend(path: Path, columns: list[str], values) -> None:
    """Adds `columns` to a CSV file; `values(row)` gives their values and may change the row."""
    with path.open(encoding="utf-8", newline="") as file:
        header, *rows = list(csv.reader(file))
    records = [dict(zip(header, row, strict=True)) for row in rows]
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, [*header, *columns], lineterminator="\n")
        writer.writeheader()
        for record in records:
            added = values(record)  # first: it may change the record
            writer.writerow({**record, **added})


def _maybe(rng: random.Random, value: str, empty: float = 0.15) -> str:
    return "" if rng.random() < empty else value


def _custom_contact(rng: random.Random) -> dict[str, str]:
    login = DATA_AS_OF - timedelta(seconds=rng.randrange(400 * 86400))
    # Half the log-ins carry an offset, which import turns into UTC.
    stamp = login.isoformat().replace("+00:00", "Z")
    if rng.random() < 0.5:
        stamp = login.astimezone(_offset(rng)).isoformat()
    return {
        "score": _maybe(rng, str(rng.randint(0, 100))),
        "ltv": _maybe(rng, f"{rng.uniform(0, 900):.2f}"),
        "newsletter": _maybe(rng, rng.choice(["yes", "no"])),
        "plan": _maybe(rng, rng.choice(["free", "pro", "team", "Pro Plus"])),
        "last_login": _maybe(rng, stamp),
        "renewal": _maybe(rng, (date(2026, 1, 1) + timedelta(days=rng.randrange(730))).isoformat()),
    }


def _custom_event(rng: random.Random, row: dict[str, str]) -> dict[str, str]:
    if row["type"] != "purchase":
        return {"channel": ""}
    if rng.random() < 0.04:
        row["amount"] = ""  # an order whose amount the shop did not export
    return {"channel": rng.choice(["web", "app", "store"])}


def _offset(rng: random.Random) -> timezone:
    return timezone(timedelta(minutes=rng.choice([-300, 60, 120, 330])))
