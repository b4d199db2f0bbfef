"""Template versions in the store: import a directory of `NAME.html` files, list, load.

A version is written once and never changed, so that a campaign approved with a version sends that
version. Importing the same content again changes nothing; new content under a known name is the
next version. Each file is compiled against the store's variables before it is written: a template
that would fail for every recipient (a syntax error, a misspelt variable) is refused at import,
with its line, and the other files of the directory still import.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel
from rapidfuzz import fuzz, process
from sqlalchemy import Connection, Engine, func, select

from personalization import front_matter
from personalization.templates import Sandbox, TemplateError
from personalization.variables import known_variables
from store.migrate import upgrade
from store.models import EmailTemplate

SUFFIX = ".html"


class Imported(BaseModel):
    template: str
    version: int
    #: False when the file's content was already the latest version
    changed: bool


class TemplateInfo(BaseModel):
    name: str
    version: int  #: the latest
    versions: int
    imported_at: datetime  #: of the latest version
    subject: str  #: the latest version's subject, as written (Jinja2)


class StoredTemplate(BaseModel):
    name: str
    version: int
    content: str


class LibraryError(ValueError):
    """A directory that cannot be imported at all (missing, or without templates)."""


class TemplateNotFound(LookupError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def template_files(directory: Path) -> list[Path]:
    """The `NAME.html` files of `directory`, by name."""
    if not directory.is_dir():
        what = "is a file, not a folder" if directory.exists() else "does not exist"
        raise LibraryError(f"{directory} {what}: give the folder of the templates (NAME.html files)")
    found = (path for path in directory.iterdir() if path.suffix == SUFFIX and path.is_file())
    files = sorted(found, key=lambda path: path.stem)
    if not files:
        raise LibraryError(f"{directory} has no templates: each template is a file NAME.html")
    return files


def import_directory(
    engine: Engine, directory: Path, sandbox: Sandbox, now: datetime | None = None
) -> list[Imported | TemplateError]:
    """Every `DIR/NAME.html` as template NAME, each in its own transaction: one that is refused
    leaves the others imported."""
    files = template_files(directory)
    upgrade(engine)
    at = now or datetime.now(UTC)
    results: list[Imported | TemplateError] = []
    for path in files:
        with engine.begin() as conn:
            results.append(_import_file(conn, path, sandbox, at))
    return results


def _import_file(conn: Connection, path: Path, sandbox: Sandbox, at: datetime) -> Imported | TemplateError:
    name = path.stem
    try:
        content = _read(path)
    except TemplateError as error:
        return error
    latest = conn.execute(
        select(EmailTemplate.version, EmailTemplate.digest)
        .where(EmailTemplate.name == name)
        .order_by(EmailTemplate.version.desc())
        .limit(1)
    ).first()
    digest = hashlib.sha256(content.encode()).hexdigest()
    if latest is not None and latest.digest == digest:
        return Imported(template=name, version=latest.version, changed=False)
    version = latest.version + 1 if latest else 1
    try:
        sandbox.compile(name, content, version=version, known=known_variables(conn))
    except TemplateError as error:
        return error
    row = {"name": name, "version": version, "content": content, "digest": digest, "imported_at": at}
    conn.execute(EmailTemplate.__table__.insert(), row)
    return Imported(template=name, version=version, changed=True)


def _read(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TemplateError(path.stem, None, f"cannot read {path.name}: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")  # a byte order mark from a Windows editor is not content
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise TemplateError(path.stem, line, f"{path.name} is not UTF-8 text") from None


def list_templates(conn: Connection) -> list[TemplateInfo]:
    """Each template's latest version, by name."""
    counts = (
        select(
            EmailTemplate.name,
            func.max(EmailTemplate.version).label("latest"),
            func.count().label("versions"),
        )
        .group_by(EmailTemplate.name)
        .subquery()
    )
    t = EmailTemplate
    rows = conn.execute(
        select(t.name, t.version, counts.c.versions, t.imported_at, t.content)
        .join(counts, (counts.c.name == t.name) & (counts.c.latest == t.version))
        .order_by(t.name)
    )
    return [
        TemplateInfo(
            name=row.name,
            version=row.version,
            versions=row.versions,
            imported_at=row.imported_at,
            subject=_subject(row.content),
        )
        for row in rows
    ]


def _subject(content: str) -> str:
    try:
        return front_matter.parse(content).subject or ""
    except front_matter.FrontMatterError:  # stored versions compiled; an older rule may differ
        return ""


def load(conn: Connection, name: str, version: int | None = None) -> StoredTemplate:
    """A version of a template (the latest by default); TemplateNotFound says what there is."""
    versions = conn.scalars(
        select(EmailTemplate.version).where(EmailTemplate.name == name).order_by(EmailTemplate.version)
    ).all()
    if not versions:
        names = conn.scalars(select(EmailTemplate.name).distinct()).all()
        close = process.extractOne(name, names, scorer=fuzz.ratio, score_cutoff=70)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise TemplateNotFound(f"no template {name!r}{hint}")
    chosen = versions[-1] if version is None else version
    if chosen not in versions:
        has = f"{versions[0]}" if len(versions) == 1 else f"{versions[0]}-{versions[-1]}"
        raise TemplateNotFound(f"template {name!r} has no version {chosen} (it has {has})")
    content = conn.scalar(
        select(EmailTemplate.content).where(EmailTemplate.name == name, EmailTemplate.version == chosen)
    )
    return StoredTemplate(name=name, version=chosen, content=content or "")
