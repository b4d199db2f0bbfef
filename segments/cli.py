"""The `segment` and `saved` commands' output: JSON lines for programs, a short table for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from segments.saved import NameTaken, SavedError
from segments.service import Answer, Failure, SegmentService

#: The order of the data contract's keys.
ANSWER_KEYS = ("text", "definition", "explanation", "count", "reachable", "warnings", "members")
#: `saved show --json`: the saved segment's keys, in the answers' order.
SAVED_KEYS = ("name", "text", "definition", "explanation", "created_by", "created_at")


def print_answers(answers: Iterable[Answer | Failure], as_json: bool, out: TextIO = sys.stdout) -> int:
    """Prints each answer as it comes; 1 when any phrase could not be read."""
    failed = False
    for answer in answers:
        failed = failed or isinstance(answer, Failure)
        print(json_line(answer) if as_json else "\n".join(text_lines(answer)), file=out, flush=True)
    return 1 if failed else 0


def json_line(answer: Answer | Failure) -> str:
    if isinstance(answer, Failure):
        return json.dumps(answer.model_dump(), ensure_ascii=False)
    data = answer.model_dump()
    ordered = {k: data[k] for k in ANSWER_KEYS if k != "members" or answer.members is not None}
    return json.dumps(ordered, ensure_ascii=False)


def text_lines(answer: Answer | Failure) -> list[str]:
    if isinstance(answer, Failure):
        lines = [f"? {answer.text}", f"  not understood: {answer.error}"]
        return lines + [f"  did you mean: {s}" for s in answer.suggestions]
    lines = [
        f"> {answer.text}",
        f"  {answer.explanation}",
        f"  members {answer.count:>10,}   reachable {answer.reachable:>10,}",
    ]
    lines += [f"  ! {warning}" for warning in answer.warnings]
    if answer.members is not None:
        lines += [f"  {', '.join(answer.members[i : i + 8])}" for i in range(0, len(answer.members), 8)]
    return lines


@dataclass(frozen=True)
class SavedCommand:
    """`saved ACTION [NAME] [PHRASE]` and its options."""

    action: str
    name: str | None = None
    text: str | None = None
    as_json: bool = False  #: show: the definition and its reading as one JSON object
    replace: bool = False  #: save: overwrite a segment saved under the name
    yes: bool = False  #: delete: without asking


@dataclass(frozen=True)
class Streams:
    """Where a command writes, and where it asks (only on a terminal: a pipe or CI is never asked)."""

    stdin: TextIO | None
    out: TextIO
    err: TextIO

    def confirm(self, question: str) -> bool | None:
        """y or n typed on the terminal (Enter, or the end of input, is no); None without a terminal."""
        if self.stdin is None or not self.stdin.isatty():
            return None
        print(f"{question} [y/N] ", end="", file=self.err, flush=True)
        return self.stdin.readline().strip().lower() in ("y", "yes")


def run_saved(service: SegmentService, command: SavedCommand, streams: Streams | None = None) -> int:
    io = streams or Streams(sys.stdin, sys.stdout, sys.stderr)
    if command.action == "list":
        return _list(service, io)
    if not command.name:
        print(f"saved {command.action}: give the segment's name", file=io.err)
        return 2
    if command.action == "show":
        return _show(service, command.name, command.as_json, io)
    if command.action == "delete":
        return _delete(service, command.name, command.yes, io)
    return _save(service, command, io)


def _list(service: SegmentService, io: Streams) -> int:
    saved = service.saved.list()
    for info in saved:
        print(f"{info.name:<24} {info.text}", file=io.out)
    if not saved:
        print("no saved segments yet: python app.py saved save NAME PHRASE", file=io.err)
    return 0


def _show(service: SegmentService, name: str, as_json: bool, io: Streams) -> int:
    found = service.show(name, datetime.now(UTC))
    if found is None:
        print(f"no saved segment named {name!r}", file=io.err)
        return 1
    if as_json:
        data = found.model_dump(mode="json")
        print(json.dumps({k: data[k] for k in SAVED_KEYS}, ensure_ascii=False), file=io.out)
        return 0
    by = f" by {found.created_by}" if found.created_by else ""
    print(f"> {found.name}: {found.text}", file=io.out)
    print(f"  {found.explanation}", file=io.out)
    print(f"  saved on {_day(found.created_at)}{by}; read afresh each time the name is used", file=io.out)
    return 0


def _delete(service: SegmentService, name: str, yes: bool, io: Streams) -> int:
    info = service.saved.info(name)
    if info is None:
        print(f"no saved segment named {name!r}", file=io.err)
        return 1
    if not yes:
        confirmed = io.confirm(
            f"Delete the saved segment {info.name!r} (“{info.text}”)? Phrases with its name stop reading."
        )
        if confirmed is None:
            print(f"saved delete: add --yes to delete {info.name!r} (no terminal to ask on)", file=io.err)
            return 2
        if not confirmed:
            print(f"kept {info.name!r}", file=io.err)
            return 1
    service.delete(info.name)
    print(f"deleted {info.name!r}", file=io.out)
    return 0


def _save(service: SegmentService, command: SavedCommand, io: Streams) -> int:
    name, text = command.name or "", command.text
    if not text:
        print("saved save: give the phrase to save", file=io.err)
        return 2
    try:
        answer = _saved(service, name, text, command.replace, io)
    except SavedError as error:
        print(error, file=io.err)
        return 2
    if answer is None:
        print(f"kept {name!r} as it was", file=io.err)
        return 1
    if isinstance(answer, Failure):
        print("\n".join(text_lines(answer)), file=io.err)
        return 1
    print(f"saved {name!r}: {answer.explanation} ({answer.count:,} members)", file=io.out)
    return 0


def _saved(
    service: SegmentService, name: str, text: str, replace: bool, io: Streams
) -> Answer | Failure | None:
    """The saved phrase's answer; None when the person kept the segment already under the name. A
    name taken is asked about on a terminal, and refused without one (unless `replace`)."""
    try:
        return service.save(name, text, datetime.now(UTC), replace=replace)
    except NameTaken as error:
        taken = error.taken
        question = f"{taken.name!r} is already saved as “{taken.text}”. Replace it with “{text}”?"
        confirmed = io.confirm(question)
        if confirmed is None:
            refusal = f"saved save: {error}: add --replace to overwrite it, or choose another name"
            raise SavedError(refusal) from None
        return service.save(name, text, datetime.now(UTC), replace=True) if confirmed else None


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"
