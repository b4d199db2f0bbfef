"""An import report as lines for people: a table of counts, then the rejected rows."""

from __future__ import annotations

from store.importer.report import ImportReport

SHOWN_REJECTIONS = 20


def summary_lines(report: ImportReport) -> list[str]:
    lines = [f"{'file':<16} {'rows':>11} {'new':>11} {'updated':>9} {'unchanged':>11} {'rejected':>9}"]
    for f in report.files:
        name = f.path.rsplit("/", 1)[-1]
        lines.append(
            f"{name:<16} {f.rows:>11,} {f.inserted:>11,} {f.updated:>9,} {f.unchanged:>11,} {f.rejected:>9,}"
        )
    for f in report.files:
        for r in f.rejections[:SHOWN_REJECTIONS]:
            lines.append(f"rejected {r.file}:{r.line}: {r.reason}")
        hidden = f.rejected - min(len(f.rejections), SHOWN_REJECTIONS)
        if hidden:
            lines.append(
                f"... and {hidden:,} more rejected rows of {f.path} (import log, run {report.run_id})"
            )
    loaded = sum(f.loaded for f in report.files)
    lines.append(f"loaded {loaded:,} rows, rejected {report.rejected:,}, in {report.seconds:.1f} s")
    return lines
