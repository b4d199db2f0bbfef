"""What an import did: per file, rows read, inserted, updated, unchanged and rejected; and that,
as lines for people (`ImportReport.lines`)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from store.pricing import DEFAULT_CURRENCY, unconverted_notes

#: Rejections kept (in the report and the import log) per file; the count is always exact.
KEPT_REJECTIONS = 1000
#: Rejections shown per file in the report's lines for people; the rest are in the import log.
SHOWN_REJECTIONS = 20


class Rejection(BaseModel):
    file: str
    line: int
    reason: str


class FileReport(BaseModel):
    kind: str
    path: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejections: list[Rejection] = Field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < KEPT_REJECTIONS:
            self.rejections.append(Rejection(file=self.path, line=line, reason=reason))

    def reject_read(self, line: int, reason: str) -> None:
        """A line that makes no row (`CsvSource.records`): a row read, and rejected."""
        self.rows += 1
        self.reject(line, reason)

    @property
    def loaded(self) -> int:
        return self.rows - self.rejected


class ImportReport(BaseModel):
    files: list[FileReport] = Field(default_factory=list)
    run_id: int | None = None
    seconds: float = 0.0
    #: The store's currency, and its purchases whose currency had no rate into it, by currency.
    currency: str = DEFAULT_CURRENCY
    unconverted: dict[str, int] = Field(default_factory=dict)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def exit_status(self) -> int:
        """0: every row loaded; 1: some rows rejected; 2: rows given, none loaded."""
        if self.rejected == 0:
            return 0
        return 2 if all(f.loaded == 0 for f in self.files) else 1

    def lines(self) -> list[str]:
        """The report as lines for people: a table of counts, then the rejected rows."""
        lines = [f"{'file':<16} {'rows':>11} {'new':>11} {'updated':>9} {'unchanged':>11} {'rejected':>9}"]
        for f in self.files:
            name = f.path.rsplit("/", 1)[-1]
            counts = f"{f.rows:>11,} {f.inserted:>11,} {f.updated:>9,} {f.unchanged:>11,} {f.rejected:>9,}"
            lines.append(f"{name:<16} {counts}")
        for f in self.files:
            for r in f.rejections[:SHOWN_REJECTIONS]:
                lines.append(f"rejected {r.file}:{r.line}: {r.reason}")
            hidden = f.rejected - min(len(f.rejections), SHOWN_REJECTIONS)
            if hidden:
                lines.append(
                    f"... and {hidden:,} more rejected rows of {f.path} (import log, run {self.run_id})"
                )
        loaded = sum(f.loaded for f in self.files)
        rows = "row" if loaded == 1 else "rows"
        lines.append(f"loaded {loaded:,} {rows}, rejected {self.rejected:,}, in {self.seconds:.1f} s")
        return lines + [f"note: {note}" for note in unconverted_notes(self.unconverted, self.currency)]


class ImportFailed(Exception):
    """An import that loaded nothing: a missing column, a file that is not UTF-8 CSV, ..."""
