"""The three import files: their columns, their header, and reading them as a stream."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from store.importer.report import ImportFailed

CHUNK_BYTES = 1 << 20
PROGRESS_ROWS = 16384

#: Called with the number of bytes read since the last call.
Advance = Callable[[int], None]


@dataclass(frozen=True)
class FileSpec:
    kind: str
    required: tuple[str, ...]
    known: tuple[str, ...]


CONTACTS = FileSpec(
    "contacts",
    required=("email",),
    known=(
        "id", "email", "first_name", "last_name", "gender", "birth_date", "city", "country",
        "timezone", "language", "industry", "company", "company_size", "job_title", "signup_source",
        "signed_up_at", "device", "loyalty_tier", "interests", "email_consent",
    ),
)  # fmt: skip
#: The known event columns beyond the required three, in the order the loaders use.
EVENT_OPTIONAL = ("campaign_id", "amount", "currency", "category", "product", "topic")
EVENTS = FileSpec(
    "events",
    required=("contact_id", "type", "occurred_at"),
    known=("contact_id", "type", "occurred_at", *EVENT_OPTIONAL),
)
CAMPAIGNS = FileSpec("campaigns", required=("id", "name"), known=("id", "name", "subject", "sent_at"))


def column_name(header: str) -> str:
    """'First Name', 'first-name' and ' first_name ' all name the column first_name."""
    return re.sub(r"[\s\-]+", "_", header.strip()).lower()


class CsvSource:
    """One CSV file: its header checked at once, its rows read later as a stream."""

    def __init__(self, path: str | os.PathLike[str], spec: FileSpec) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.spec = spec
        try:
            self.size = self.path.stat().st_size
            with self.path.open("rb") as f:
                first = f.readline()
                self.data_offset = f.tell()
        except OSError as exc:
            raise ImportFailed(f"{path}: cannot read: {exc.strerror}") from None
        self.columns = self._header(first)
        self.custom = [c for c in self.columns if c not in spec.known]

    def _header(self, first: bytes) -> list[str]:
        if not first.strip():
            raise ImportFailed(f"{self.name}: the file is empty; the first line must name the columns")
        try:
            text = first.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed(f"{self.name}: not a UTF-8 text file (line 1); save it as UTF-8 CSV") from None
        if "\x00" in text:
            raise ImportFailed(f"{self.name}: not a text CSV file (NUL byte on line 1)")
        columns = [column_name(c) for c in next(csv.reader([text]))]
        if "" in columns:
            raise ImportFailed(f"{self.name}: column {columns.index('') + 1} of the header has no name")
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        if repeated:
            raise ImportFailed(f"{self.name}: column {repeated[0]!r} appears more than once in the header")
        missing = [c for c in self.spec.required if c not in columns]
        if missing:
            names = ", ".join(repr(c) for c in missing)
            hint = " Is it comma-separated?" if len(columns) == 1 and re.search("[;\t|]", text) else ""
            raise ImportFailed(
                f"{self.name}: missing required column {names} (found: {', '.join(columns)}).{hint}"
            )
        return columns

    def index(self, column: str) -> int | None:
        return self.columns.index(column) if column in self.columns else None

    def records(self, advance: Advance | None = None) -> Iterator[tuple[int, list[str]]]:
        """(line, fields) of every data row; `line` is the file line where the row starts."""
        with self.path.open("r", encoding="utf-8", newline="") as text:
            end, reported = 1, self.data_offset
            try:
                text.readline()
                reader = csv.reader(text)
                for fields in reader:
                    start, end = end + 1, reader.line_num + 1
                    if advance and start % PROGRESS_ROWS == 0:
                        position = text.buffer.tell()
                        advance(position - reported)
                        reported = position
                    yield start, fields
            except UnicodeDecodeError:
                raise ImportFailed(
                    f"{self.name}: not UTF-8 (bad bytes near line {end + 1}); save it as UTF-8 CSV"
                ) from None
            except csv.Error as exc:
                raise ImportFailed(f"{self.name}: not a readable CSV file (line {end + 1}: {exc})") from None
        if advance:
            advance(self.size - reported)

    def chunks(self, advance: Advance | None = None) -> Iterator[bytes]:
        """The data rows as raw bytes, for COPY."""
        with self.path.open("rb") as raw:
            raw.seek(self.data_offset)
            while chunk := raw.read(CHUNK_BYTES):
                if advance:
                    advance(len(chunk))
                yield chunk
