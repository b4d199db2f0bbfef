"""Progress of an import: a bar on a terminal, nothing otherwise."""

from __future__ import annotations

import sys
from typing import Protocol

from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeRemainingColumn


class ImportProgress(Protocol):
    def start(self, label: str, total_bytes: int) -> None: ...
    def advance(self, done_bytes: int) -> None: ...
    def finish(self) -> None: ...


class Quiet:
    def start(self, label: str, total_bytes: int) -> None:
        pass

    def advance(self, done_bytes: int) -> None:
        pass

    def finish(self) -> None:
        pass


class Bar:
    """A rich progress bar per file, in bytes read, written to stderr."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
            transient=True,
        )  # fmt: skip
        #: The bar of the file being read, from `start` on.
        self.task: TaskID | None = None

    def start(self, label: str, total_bytes: int) -> None:
        self.progress.start()
        self.task = self.progress.add_task(label, total=total_bytes)

    def advance(self, done_bytes: int) -> None:
        assert self.task is not None, "advance before start"
        self.progress.advance(self.task, done_bytes)

    def finish(self) -> None:
        self.progress.stop()


def for_terminal() -> ImportProgress:
    """A bar when stderr is a terminal, else silence (logs and pipes stay clean)."""
    return Bar() if sys.stderr.isatty() else Quiet()
