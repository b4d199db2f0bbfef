"""The `segment` and `saved` commands' output: JSON lines for programs, a short table for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TextIO

from segments.saved import SavedError
from segments.service import Answer, Failure, SegmentService

#: The order of the data contract's keys.
ANSWER_KEYS = ("text", "definition", "explanation", "count", "reachable", "warnings", "members")


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


def run_saved(service: SegmentService, action: str, name: str | None, text: str | None) -> int:
    if action == "list":
        saved = service.saved.list()
        for info in saved:
            print(f"{info.name:<24} {info.text}")
        if not saved:
            print("no saved segments yet: python app.py saved save NAME PHRASE", file=sys.stderr)
        return 0
    if not name:
        print(f"saved {action}: give the segment's name", file=sys.stderr)
        return 2
    if action == "show":
        definition = service.saved.get(name)
        if definition is None:
            print(f"no saved segment named {name!r}", file=sys.stderr)
            return 1
        print(json.dumps(definition.as_json(), indent=2, ensure_ascii=False))
        return 0
    if action == "delete":
        if not service.delete(name):
            print(f"no saved segment named {name!r}", file=sys.stderr)
            return 1
        print(f"deleted {name!r}")
        return 0
    return _save(service, name, text)


def _save(service: SegmentService, name: str, text: str | None) -> int:
    if not text:
        print("saved save: give the phrase to save", file=sys.stderr)
        return 2
    try:
        answer = service.save(name, text, datetime.now(UTC))
    except SavedError as error:
        print(error, file=sys.stderr)
        return 2
    if isinstance(answer, Failure):
        print("\n".join(text_lines(answer)), file=sys.stderr)
        return 1
    print(f"saved {name!r}: {answer.explanation} ({answer.count:,} members)")
    return 0
