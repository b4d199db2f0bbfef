"""CSV import of contacts, events and campaigns, as `../shared/spec/data-contract.md` defines it.

`run_import` is the one entry point; it picks the bulk path of the database (`sqlite`,
`postgres`), validates every row with the rules of `values` and `files`, and returns an
`ImportReport`.
"""

from store.importer.report import FileReport, ImportFailed, ImportReport, Rejection
from store.importer.service import ImportSources, run_import

__all__ = ["FileReport", "ImportFailed", "ImportReport", "ImportSources", "Rejection", "run_import"]
