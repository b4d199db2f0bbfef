"""The `templates` and `preview` commands' output: JSON lines for programs, lines for people."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel
from sqlalchemy import Engine

from personalization.library import Imported, LibraryError, import_directory, list_templates
from personalization.preview import SAMPLES, Preview, Previewer, PreviewError
from personalization.screenshot import WINDOW, browser, screenshot
from personalization.templates import Sandbox, TemplateError
from store.migrate import upgrade


def run_import(
    engine: Engine,
    directory: Path,
    sandbox: Sandbox,
    as_json: bool,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """1 when any template was refused (the others are imported all the same), 2 for no folder."""
    try:
        results = import_directory(engine, directory, sandbox)
    except LibraryError as error:
        print(f"templates import: {error}", file=err)
        return 2
    for result in results:
        print(_json_line(result) if as_json else _text_line(result), file=out)
    return 1 if any(isinstance(result, TemplateError) for result in results) else 0


def _json_line(result: Imported | TemplateError) -> str:
    if isinstance(result, TemplateError):
        data = {"error": result.message, "template": result.template, "line": result.line}
        return json.dumps(data, ensure_ascii=False)
    return json.dumps({"template": result.template, "version": result.version}, ensure_ascii=False)


def _text_line(result: Imported | TemplateError) -> str:
    if isinstance(result, TemplateError):
        return str(result)
    return f"{result.template}: version {result.version} ({'new' if result.changed else 'unchanged'})"


def run_list(engine: Engine, as_json: bool, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    upgrade(engine)
    with engine.connect() as conn:
        templates = list_templates(conn)
    if as_json:
        for info in templates:
            data = {"template": info.name, **info.model_dump(mode="json", exclude={"name"})}
            print(json.dumps(data, ensure_ascii=False), file=out)
        return 0
    if not templates:
        print("no templates yet: python app.py templates import DIR", file=err)
        return 0
    width = max(len("template"), *(len(info.name) for info in templates))
    print(f"{'template':<{width}}  version  versions  imported          subject", file=out)
    for info in templates:
        numbers = f"{info.version:>7}  {info.versions:>8}"
        subject = (
            info.subject if len(info.subject) <= SUBJECT_SHOWN else info.subject[: SUBJECT_SHOWN - 1] + "…"
        )
        print(f"{info.name:<{width}}  {numbers}  {info.imported_at:%Y-%m-%d %H:%M}  {subject}", file=out)
    return 0


class Asked(BaseModel):
    """The `preview` command's question."""

    template: str
    phrase: str
    as_of: datetime
    samples: int = SAMPLES
    contact: str | None = None
    out: Path | None = None
    as_json: bool = False


def run_preview(previews: Previewer, asked: Asked, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """The preview printed (or one JSON line per sample), its files written under `--out`; 1 when
    it cannot be made, or when no member's email could be rendered."""
    try:
        if asked.out is not None:
            ready(asked.out)  # before the segment is rendered, not after
        found = previews.preview(asked.template, asked.phrase, asked.as_of, asked.samples, asked.contact)
    except (PreviewError, TemplateError) as error:
        return refused(str(error), getattr(error, "suggestions", []), asked.as_json, out, err)
    if found.check.failures and not found.samples:
        return refused(f"no email could be rendered: {found.check.lines()[-1]}", [], asked.as_json, out, err)
    written = write_samples(found, asked.out) if asked.out else []
    if asked.as_json:
        for sample in found.samples:
            print(json.dumps(sample.as_json(), ensure_ascii=False), file=out)
        # what a script should know too, where a person reads it: the check and the notes
        for line in [*found.check.lines(), *found.notes, *written]:
            print(line, file=err)
    else:
        print("\n".join(preview_lines(found, asked.contact)), *written, sep="\n", file=out)
    return 0


def refused(message: str, suggestions: list[str], as_json: bool, out: TextIO, err: TextIO) -> int:
    if as_json:
        print(json.dumps({"error": message, "suggestions": suggestions}, ensure_ascii=False), file=out)
    else:
        print(f"preview: {message}", *(f"  did you mean: {s}" for s in suggestions), sep="\n", file=err)
    return 1


def ready(directory: Path) -> Path:
    """`--out`'s folder, made if need be; PreviewError when it is a file or cannot be made."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        reason = "it is a file" if directory.exists() else (error.strerror or str(error))
        raise PreviewError(f"--out {directory}: cannot write there ({reason})") from None
    return directory


#: Characters of a template's subject source that `templates list` shows.
SUBJECT_SHOWN = 60
#: Lines of each sample's text part a terminal shows.
TEXT_LINES = 6


def preview_lines(found: Preview, contact: str | None = None) -> list[str]:
    who = f"{contact}'s email" if contact else f"every reachable member's email ({found.check.recipients:,})"
    lines = [
        f"> {found.template} (version {found.version}) for {found.phrase!r}",
        f"  {found.reading}",
        f"  members {found.members:>9,}   reachable {found.reachable:>9,}",
        *(f"  ! {warning}" for warning in [*found.warnings, *found.notes]),
        "",
        "check:" if found.check.lines() else f"check: {who} renders with no fallback",
        *(f"  - {line}" for line in found.check.lines()),
    ]
    for number, sample in enumerate(found.samples, 1):
        email = sample.email
        text = [line for line in email.text.splitlines() if line.strip()]
        text = text[:TEXT_LINES] + (["..."] if len(text) > TEXT_LINES else [])
        lines += [
            "",
            f"sample {number}: {sample.contact} - {', '.join(sample.why)}",
            f"  subject:   {email.subject}",
            f"  preheader: {email.preheader}",
            *(f"  | {line}" for line in text),
        ]
    return lines


def write_samples(found: Preview, directory: Path) -> list[str]:
    """Each sample as ID.eml, ID.html and, where Chromium is installed, ID.png; what was written."""
    chromium = browser()
    said = []
    for sample in found.samples:
        eml, page = directory / f"{sample.contact}.eml", directory / f"{sample.contact}.html"
        eml.write_bytes(sample.email.as_bytes())
        page.write_text(sample.email.html, encoding="utf-8")
        files = [eml.name, page.name]
        if chromium:
            try:
                if not screenshot(page, directory / f"{sample.contact}.png", chromium):
                    said.append(f"{sample.contact}.png: the email is longer than {WINDOW[1]:,} px, cut there")
                files.append(f"{sample.contact}.png")
            except (OSError, subprocess.SubprocessError) as error:
                said.append(f"no screenshot of {sample.contact}: {error}")
        said.append(f"wrote {', '.join(str(directory / name) for name in files)}")
    if not chromium and found.samples:
        said.append("no screenshots: Chromium is not installed (Debian: apt install chromium)")
    return said
