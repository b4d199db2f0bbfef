"""The whole segment rendered once, before anyone looks at a sample: what a marketer must know.

    312 of 4,210 have no first name: they read 'there'
    18 of 4,210 subjects run past 60 characters (the longest: 74)
    2 of 4,210 could not be rendered (line 9: division by zero): c0000123, c0000456

Rendering here is the template alone (subject, preheader, body), not the finished email: the
counts depend on what each recipient's variables give, not on the CSS or the text part.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from pydantic import BaseModel, ConfigDict, Field

#: Subjects longer than this are cut in most inboxes' lists.
SUBJECT_LIMIT = 60
#: Contacts named for each way a render failed, and the ways listed; the rest are counted.
CONTACTS_SHOWN = 3
ERRORS_SHOWN = 5


class Observed(BaseModel):
    """What one recipient's render showed: the edges a sample can cover, the fallbacks a check counts."""

    model_config = ConfigDict(frozen=True)

    contact: str
    language: str | None = None
    purchases: bool = False
    #: variable -> what the recipient read instead, where `default()` stood in for it
    fallbacks: dict[str, str] = Field(default_factory=dict)
    #: variables that were empty and shown with no default: the recipient read nothing there
    missing: frozenset[str] = frozenset()
    #: ids of the template's branches this render took
    branches: frozenset[str] = frozenset()
    #: the longest product name the email shows (last purchase or recommendations)
    product_length: int = 0
    subject: str = ""


class Fallback(BaseModel):
    variable: str
    recipients: int
    #: what they read instead ('' for a variable shown with no default)
    reads: str


class FailedRenders(BaseModel):
    """Recipients whose render failed the same way."""

    error: str
    recipients: int
    #: the first of them, by the store's order
    contacts: list[str]


class Check(BaseModel):
    recipients: int
    fallbacks: list[Fallback]
    long_subjects: int
    longest_subject: int
    failures: int
    failed: list[FailedRenders]
    #: the preview gave up: the first members' renders all failed
    stopped: bool = False

    def lines(self) -> list[str]:
        """The check in a marketer's words, most common problem first."""
        if not self.recipients:
            return ["the segment has no reachable member: there is no email to render"]
        total = f"{self.recipients:,}"
        said = [
            f"{f.recipients:,} of {total} have no {human(f.variable)}: "
            + (f"they read {f.reads!r}" if f.reads else "that part of their email is empty")
            for f in self.fallbacks
        ]
        if self.long_subjects:
            said.append(
                f"{self.long_subjects:,} of {total} subjects run past {SUBJECT_LIMIT} characters "
                f"(the longest: {self.longest_subject})"
            )
        for group in self.failed:
            unnamed = group.recipients - len(group.contacts)
            named = ", ".join(group.contacts) + (f" and {unnamed:,} more" if unnamed else "")
            said.append(f"{group.recipients:,} of {total} could not be rendered ({group.error}): {named}")
        if self.stopped:
            said.append(f"stopped after the first {self.recipients:,} members: every render failed")
        return said


class Tally:
    """Counts what the check reports, one recipient at a time: memory stays flat."""

    def __init__(self) -> None:
        self.recipients = 0
        self.fallbacks: Counter[str] = Counter()
        self.reads: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.long_subjects = 0
        self.longest_subject = 0
        self.failures = 0
        self.failed: dict[str, FailedRenders] = {}
        self.stopped = False

    def add(self, seen: Observed) -> None:
        self.recipients += 1
        for variable, instead in seen.fallbacks.items():
            self.fallbacks[variable] += 1
            self.reads[variable][instead] += 1
        for variable in seen.missing:
            self.fallbacks[variable] += 1
            self.reads[variable][""] += 1
        length = len(seen.subject)
        self.long_subjects += length > SUBJECT_LIMIT
        self.longest_subject = max(self.longest_subject, length)

    def fail(self, contact: str, error: str) -> None:
        self.recipients += 1
        self.failures += 1
        group = self.failed.setdefault(error, FailedRenders(error=error, recipients=0, contacts=[]))
        group.recipients += 1
        if len(group.contacts) < CONTACTS_SHOWN:
            group.contacts.append(contact)

    def check(self) -> Check:
        fallbacks = [
            Fallback(variable=variable, recipients=count, reads=self.reads[variable].most_common(1)[0][0])
            for variable, count in sorted(self.fallbacks.items(), key=lambda item: (-item[1], item[0]))
        ]
        failed = sorted(self.failed.values(), key=lambda group: -group.recipients)[:ERRORS_SHOWN]
        return Check(
            recipients=self.recipients,
            fallbacks=fallbacks,
            long_subjects=self.long_subjects,
            longest_subject=self.longest_subject,
            failures=self.failures,
            failed=failed,
            stopped=self.stopped,
        )


def human(variable: str) -> str:
    """`first_name` -> 'first name', `last_purchase.category` -> 'last purchase category'."""
    return variable.replace(".", " ").replace("_", " ")
