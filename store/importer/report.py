"""What an import did: per file, rows read, inserted, updated, unchanged and rejected."""

from __future__ import annotations

from pydantic import BaseModel, Field

#: Rejections kept (in the report and the import log) per file; the count is always exact.
KEPT_REJECTIONS = 1000


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

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def exit_status(self) -> int:
        """0: every row loaded; 1: some rows rejected; 2: rows given, none loaded."""
        if self.rejected == 0:
            return 0
        return 2 if all(f.loaded == 0 for f in self.files) else 1


class ImportFailed(Exception):
    """An import that loaded nothing: a missing column, a file that is not UTF-8 CSV, ..."""
