"""The three import files: their columns, their header, and reading them as a stream.

A file is read by physical lines, each ended by CRLF, LF or CR alone, so that a bad line costs
only its own row (see `CsvSource.records` for the rules). Every problem of a data line is
reported through `Reject` with the line's true number; only a header that cannot be read stops
the import (`ImportFailed`).
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import BinaryIO

from store.importer.report import ImportFailed

CHUNK_BYTES = 1 << 20
#: The longest value a field may hold, in characters; a longer one is a bad row. Far above any
#: real name or note, far below what would strain memory or an index.
MAX_VALUE_CHARS = 65536
#: The most lines one row may span: a quoted value may hold line breaks (RFC 4180), but a quote
#: that is still open after this many lines is a stray one, not a note.
MAX_RECORD_LINES = 100
QUOTE_OPEN = 'a quote mark (") on this line has no closing quote'
QUOTE_INSIDE = 'a value has text after its closing quote mark ("); quote a value whole, as in "Smith, Jr"'
LINE_BREAKS = re.compile(rb"\r\n|\r|\n")

#: Called with the number of bytes read since the last call.
Advance = Callable[[int], None]
#: Called with the line number and the reason of a line that is no row.
Reject = Callable[[int, str], None]


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
                #: The header's line (blank lines before it are skipped), and where the data starts.
                self.header_line, first, self.data_offset = _first_line(f)
        except OSError as exc:
            raise ImportFailed(f"{path}: cannot read: {exc.strerror}") from None
        self.columns = self._header(first)
        self.custom = [c for c in self.columns if c not in spec.known]

    def _header(self, first: bytes | None) -> list[str]:
        if first is None:
            raise ImportFailed(f"{self.name}: the file is empty; the first line must name the columns")
        where = f"line {self.header_line}"
        try:
            text = first.decode("utf-8").removeprefix("\ufeff")  # a byte order mark after blank lines
        except UnicodeDecodeError:
            raise ImportFailed(
                f"{self.name}: not a UTF-8 text file (the header, {where}); save it as UTF-8 CSV"
            ) from None
        if "\x00" in text:
            raise ImportFailed(f"{self.name}: not a text CSV file (NUL byte in the header, {where})")
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
        """Where `column` is among the fields; None when the file lacks it."""
        return self.columns.index(column) if column in self.columns else None

    def position(self, column: str) -> int:
        """Where a column that the file has is: a required one (the header was checked for them),
        or one of `columns`."""
        return self.columns.index(column)

    def records(self, reject: Reject, advance: Advance | None = None) -> Iterator[tuple[int, list[str]]]:
        """(line, fields) of every data row, `line` being where the row starts.

        Every row has one field per column. A line that is no row goes to `reject` instead: one
        that is not UTF-8, holds a NUL character, has too few or too many fields or a value over
        MAX_VALUE_CHARS, or opens a quote that does not close. A quoted value may span lines;
        when the row it starts is bad (the quote still open after MAX_RECORD_LINES lines or at the
        end of the file, or the fields do not match the header), only its first line is
        rejected and reading goes on at the next line, so a stray quote costs one row. Blank
        lines are skipped.
        """
        lines = _Lines(self._lines(reject, advance))
        quoted = _QuotedRows(lines)
        width = len(self.columns)
        for line, text in lines:
            if '"' in text:
                fields = quoted.row(text, width)
                if isinstance(fields, str):
                    reject(line, fields)
                    continue
                size = quoted.chars
            else:
                fields, size = text.split(","), len(text)
            # Cheap tests first: most rows pass them, and only the others are looked at closely.
            if len(fields) != width or width == 1 or size > MAX_VALUE_CHARS:
                problem = self._problem(fields, width)
                if problem == "":  # a blank line
                    continue
                if problem:
                    reject(line, problem)
                    continue
            yield line, fields

    def _problem(self, fields: list[str], width: int) -> str | None:
        """Why these fields are no row; '' for a blank line, None for a good row."""
        if len(fields) == 1 and not fields[0].strip():
            return ""
        if len(fields) != width:
            return f"expected {width} fields, found {len(fields)}"
        for column, value in zip(self.columns, fields, strict=True):
            if len(value) > MAX_VALUE_CHARS:
                return _too_long(f"{column}: a value of {len(value):,} characters")
        return None

    def _lines(self, reject: Reject, advance: Advance | None) -> Iterator[tuple[int, str]]:
        """(number, text) of each physical data line, its line break removed."""
        number = self.header_line + 1
        for piece in self.chunks(advance):
            if b"\r" in piece:  # CRLF, and old Mac files' CR alone, become LF
                piece = piece.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if not piece.endswith(b"\n"):  # the last line of a file without a final line break
                piece += b"\n"
            try:
                text = piece.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None and "\x00" not in text:
                texts = text.split("\n")
            else:
                texts = _checked_lines(piece, number, reject)
            texts.pop()  # what follows the last line break
            yield from zip(count(number), texts)
            number += len(texts)

    def chunks(self, advance: Advance | None = None) -> Iterator[bytes]:
        """The data lines as raw bytes, in pieces of whole lines (the last may lack its line break)."""
        try:
            raw = self.path.open("rb")
        except OSError as exc:  # gone since its header was read
            raise ImportFailed(f"{self.name}: cannot read: {exc.strerror}") from None
        with raw:
            raw.seek(self.data_offset)
            rest = bytearray()  # no line break in it, but for a CR at its end
            while chunk := raw.read(CHUNK_BYTES):
                if advance:
                    advance(len(chunk))
                # Only the new bytes are searched: a line of many chunks costs no more than others.
                start = max(len(rest) - 1, 0)
                rest += chunk
                # A CR at the end may be the first half of a CRLF: the next piece starts with it.
                cut = max(rest.rfind(b"\n", start), rest.rfind(b"\r", start, len(rest) - 1)) + 1
                if cut:
                    yield bytes(rest[:cut])
                    del rest[:cut]
            if rest:
                yield bytes(rest)


def _too_long(what: str) -> str:
    return f"{what}, over the {MAX_VALUE_CHARS:,} that a value may have"


def _first_line(raw: BinaryIO) -> tuple[int, bytes | None, int]:
    """The number and bytes of the first line that is not blank, and the offset after its line break.

    None for a file of blank lines only. A UTF-8 byte order mark at the start is skipped.
    """
    buffer = bytearray(raw.read(CHUNK_BYTES))
    start = len(codecs.BOM_UTF8) if buffer.startswith(codecs.BOM_UTF8) else 0
    number = 1
    while True:
        end = LINE_BREAKS.search(buffer, start)
        if end is None or end.end() == len(buffer):  # the line, or its CRLF, may go on
            more = raw.read(CHUNK_BYTES)
            if more:
                buffer += more
                continue
        line = bytes(buffer[start : end.start() if end else len(buffer)])
        if line.strip():
            return number, line, end.end() if end else len(buffer)
        if end is None:
            return number, None, len(buffer)
        start, number = end.end(), number + 1


def _checked_lines(piece: bytes, number: int, reject: Reject) -> list[str]:
    """The lines of `piece` decoded one by one; one that is not UTF-8 text is rejected (and read as
    blank, so that the lines after it keep their numbers)."""
    texts = []
    for at, line in enumerate(piece.split(b"\n"), start=number):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            reject(
                at,
                f"not UTF-8 text (byte 0x{line[exc.start]:02X} at position {exc.start + 1:,} of the line);"
                " save the file as UTF-8",
            )
            text = ""
        if "\x00" in text:
            reject(at, "holds a NUL character (a zero byte): not text")
            text = ""
        texts.append(text)
    return texts


class _Lines:
    """Numbered lines, read in order, with lines put back to be read again first."""

    def __init__(self, source: Iterator[tuple[int, str]]) -> None:
        self.source = source
        self.back: deque[tuple[int, str]] = deque()

    def __iter__(self) -> Iterator[tuple[int, str]]:
        back = self.back
        for item in self.source:
            if back:
                back.append(item)
                while back:
                    yield back.popleft()
            else:
                yield item
        while back:  # put back after the last line was read
            yield back.popleft()

    def take(self) -> tuple[int, str] | None:
        """The next line, for a row that goes on; None at the end of the file."""
        return self.back.popleft() if self.back else next(self.source, None)

    def put_back(self, items: list[tuple[int, str]]) -> None:
        self.back.extendleft(reversed(items))


class _QuotedRows:
    """Rows with quote marks, read by one `csv.reader` that is fed line by line.

    The reader asks for another line only while a quoted value is open, so the lines it took
    tell where the row ends.
    """

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.first: str | None = None
        #: The lines after the first that the current row took, and the characters of all its lines.
        self.taken: list[tuple[int, str]] = []
        self.chars = 0
        self.open = False
        # Strict: a quoted value must end at a comma or the end of its line (`QUOTE_INSIDE`).
        self.reader = csv.reader(self, strict=True)

    def __iter__(self) -> _QuotedRows:
        return self

    def __next__(self) -> str:
        if self.first is not None:
            first, self.first = self.first, None
            return first
        item = self.lines.take() if len(self.taken) < MAX_RECORD_LINES - 1 else None
        if item is None:
            self.open = True  # the end of the file, or of a row's lines, inside quotes
            raise StopIteration
        self.taken.append(item)
        self.chars += len(item[1])
        return item[1] + "\n"

    def row(self, text: str, width: int) -> list[str] | str:
        """The fields of the row that starts with `text`, or why it is no row."""
        self.first, self.taken, self.chars, self.open = text + "\n", [], len(text), False
        problem: str | None
        try:
            fields = next(self.reader, [])
        except csv.Error as exc:
            fields, problem = [], self._problem(exc)
        else:
            problem = None if len(fields) == width or not self.taken else QUOTE_OPEN
        if problem and self.taken:
            # Lines that do not make one row together: the first is bad, the others are read again.
            self.lines.put_back(self.taken)
            return QUOTE_OPEN
        return problem or fields

    def _problem(self, error: csv.Error) -> str:
        if self.open:
            return QUOTE_OPEN
        if "field limit" in str(error):  # csv.field_size_limit(), itself over MAX_VALUE_CHARS
            return _too_long(f"a value of more than {csv.field_size_limit():,} characters")
        return QUOTE_INSIDE
