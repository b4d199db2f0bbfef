"""Event rows made in a second process while this one writes them.

Typing an event in Python costs about as much as SQLite's insert of it. With a core to spare, a
child process reads and types the rows of a large file and sends them in batches while this
process inserts the batch before. The child's rejections and progress come back with the rows;
a file it cannot read stops the import here, as it would have in this process.

Messages are `marshal`-encoded, the quickest encoding of tuples of numbers and text.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import tzinfo
from itertools import chain, islice
from multiprocessing.connection import Connection

from store.importer.files import Advance, CsvSource
from store.importer.report import FileReport, ImportFailed
from store.importer.rows import event_rows

#: Rows per message: a message costs little next to its rows, and both processes stay busy.
BATCH_ROWS = 4096


def spare_core() -> bool:
    """Whether this process may run on more than one core."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) > 1
    return (os.cpu_count() or 1) > 1


@contextmanager
def event_rows_from_worker(
    source: CsvSource,
    contact_ids: dict[str, int],
    zone: tzinfo,
    custom_types: dict[str, str],
    report: FileReport,
    advance: Advance | None = None,
) -> Iterator[Iterator[tuple]]:
    """`rows.event_rows`, made by a child process that lives as long as this context.

    The contact ids go to the child once it runs; this process keeps no copy of them.
    """
    context = multiprocessing.get_context("spawn")
    connection, child_end = context.Pipe()
    child = context.Process(target=_make_rows, args=(child_end, source, zone, custom_types), daemon=True)
    child.start()
    child_end.close()
    try:
        connection.send_bytes(marshal.dumps(contact_ids))
        del contact_ids
        yield chain.from_iterable(_received(connection, report, advance))
    finally:
        connection.close()
        child.terminate()
        child.join()


def _received(connection: Connection, report: FileReport, advance: Advance | None) -> Iterator[list[tuple]]:
    """The batches of rows that the child sends, until its report, or the failure that stopped it."""
    while True:
        try:
            kind, *message = marshal.loads(connection.recv_bytes())
        except EOFError:
            raise RuntimeError("the process that read the events ended without a word") from None
        if kind == "rows":
            batch, read = message
            if advance:
                advance(read)
            yield batch
        elif kind == "done":
            *counts, read = message
            _add_report(report, *counts)
            if advance:
                advance(read)
            return
        elif kind == "failed":
            raise ImportFailed(message[0])
        else:
            raise RuntimeError(f"the process that read the events failed:\n{message[0]}")


def _add_report(report: FileReport, rows: int, rejected: int, rejections: list[tuple[int, str]]) -> None:
    report.rows += rows
    for line, reason in rejections:
        report.reject(line, reason)
    report.rejected += rejected - len(rejections)


def _make_rows(connection: Connection, source: CsvSource, zone: tzinfo, custom_types: dict[str, str]) -> None:
    """The child: the rows of `source`, in batches, then its report."""
    read = 0

    def advance(done_bytes: int) -> None:
        nonlocal read
        read += done_bytes

    report = FileReport(kind=source.spec.kind, path=str(source.path))
    try:
        contact_ids = marshal.loads(connection.recv_bytes())
        rows = event_rows(source, contact_ids, zone, custom_types, report, advance)
        while batch := list(islice(rows, BATCH_ROWS)):
            connection.send_bytes(marshal.dumps(("rows", batch, read)))
            read = 0
        rejections = [(r.line, r.reason) for r in report.rejections]
        connection.send_bytes(marshal.dumps(("done", report.rows, report.rejected, rejections, read)))
    except ImportFailed as exc:
        connection.send_bytes(marshal.dumps(("failed", str(exc))))
    except Exception:
        connection.send_bytes(marshal.dumps(("error", traceback.format_exc())))
