"""The `templates` command's output: JSON lines for programs, one line per template for people."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy import Engine

from personalization.library import Imported, LibraryError, import_directory, list_templates
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
        print(f"{info.name:<{width}}  {numbers}  {info.imported_at:%Y-%m-%d %H:%M}  {info.subject}", file=out)
    return 0
