"""What is said about campaigns, read into requests: pure functions, text in, a request out.

    draft a win-back for lapsed custs in DE with template winback
    draft "Spring sale" for custs w/ 3+ orders w/ template newsletter subject "Spring is here"
    change campaign 12: segment lapsed custs in FR
    campaign 12 subject "We miss you"          campaign 12 use template winback version 2
    history of campaign 12                     campaign 12 history

Anything else is not a campaign's (`parse` gives None) and goes on to the segments and reports.
A text that starts like a draft or a change but does not follow the grammar is a `Misread`,
answered with the grammar rather than read as a segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: A quoted text: straight or curly quotes, as Slack's clients type them.
_QUOTED = r"[\"“”]([^\"“”]*)[\"“”]"
_SUBJECT = re.compile(rf"\s*\bsubject\s*:?\s*{_QUOTED}", re.IGNORECASE)
_DRAFT = re.compile(
    rf"^draft\s+(?:{_QUOTED}\s*)?(?:(?:an?|the)\s+)?(?P<kind>.*?)\s*\bfor\s+(?P<phrase>.+?)"
    r"\s+(?:with|w/)\s*(?:the\s+)?template\s+(?P<template>[\w.-]+)\s*$",
    re.IGNORECASE,
)
_CAMPAIGN = re.compile(r"^(?:change\s+)?campaign\s+#?(?P<id>\d+)\s*[:,]?\s*(?P<rest>.*)$", re.IGNORECASE)
_HISTORY = re.compile(
    r"^(?:show\s+)?(?:me\s+)?(?:the\s+)?(?:history|audit(?:\s+trail)?)\s+(?:of|for)\s+campaign\s+#?(?P<id>\d+)$",
    re.IGNORECASE,
)
_SEGMENT = re.compile(r"^(?:use\s+)?(?:the\s+)?segment\s*:?\s+(?P<phrase>.+)$", re.IGNORECASE)
_TEMPLATE = re.compile(
    r"^(?:use\s+)?(?:the\s+)?template\s+(?P<template>[\w.-]+)(?:\s+(?:version|v)\s*(?P<version>\d+))?$",
    re.IGNORECASE,
)
_VERSION = re.compile(r"^(?:use\s+)?(?:template\s+)?(?:version|v)\s*(?P<version>\d+)$", re.IGNORECASE)

DRAFT_GRAMMAR = (
    "draft [“NAME”] [a win-back] for PHRASE with template TEMPLATE [subject “SUBJECT”], e.g. "
    "`draft a win-back for lapsed custs in DE with template winback`"
)
CHANGE_GRAMMAR = (
    "`change campaign 12: segment PHRASE`, `campaign 12 subject “SUBJECT”` (`subject “”` for the "
    "template's own), `campaign 12 use template NAME [version N]`, `campaign 12 version N`, "
    "or `history of campaign 12`"
)


@dataclass(frozen=True)
class DraftRequest:
    name: str
    phrase: str
    template: str
    subject: str | None = None


@dataclass(frozen=True)
class ChangeRequest:
    campaign_id: int
    phrase: str | None = None
    template: str | None = None
    version: int | None = None
    #: "" for the template's own subject; None: unchanged
    subject: str | None = None


@dataclass(frozen=True)
class HistoryRequest:
    campaign_id: int


@dataclass(frozen=True)
class Misread:
    """It was about a campaign, but not said in a way Tailor reads: the grammar to say it in."""

    text: str
    grammar: str


CampaignRequest = DraftRequest | ChangeRequest | HistoryRequest | Misread


def parse(text: str) -> CampaignRequest | None:
    said = " ".join(text.split())
    if re.match(r"^draft\b", said, re.IGNORECASE):
        return parse_draft(said)
    history = _HISTORY.match(said)
    if history:
        return HistoryRequest(int(history["id"]))
    campaign = _CAMPAIGN.match(said)
    if campaign:
        return _campaign(int(campaign["id"]), campaign["rest"].strip(), said)
    return None


def parse_draft(text: str) -> DraftRequest | Misread:
    said = " ".join(text.split())
    subject, rest = _subject(said)
    found = _DRAFT.match(rest)
    if not found:
        return Misread(said, DRAFT_GRAMMAR)
    named, kind, phrase, template = found.group(1), found["kind"], found["phrase"], found["template"]
    name = " ".join((named or "").split()) or default_name(kind or template, phrase)
    return DraftRequest(name=name, phrase=phrase.strip(), template=template.lower(), subject=subject)


def default_name(kind: str, phrase: str) -> str:
    """'win-back' for 'lapsed custs in DE' -> 'Win-back: lapsed custs in DE'."""
    kind = kind.strip()
    return f"{kind[:1].upper()}{kind[1:]}: {phrase.strip()}"


def _subject(text: str) -> tuple[str | None, str]:
    """The quoted subject said anywhere in `text`, and the text without it."""
    found = _SUBJECT.search(text)
    if not found:
        return None, text
    return found.group(1).strip(), (text[: found.start()] + text[found.end() :]).strip()


def _campaign(campaign_id: int, rest: str, said: str) -> CampaignRequest:
    if re.fullmatch(r"(?:history|audit(?:\s+trail)?)", rest, re.IGNORECASE):
        return HistoryRequest(campaign_id)
    subject, rest = _subject(rest)
    rest = re.sub(r"^(?:and\s+)|(?:\s+and)$", "", rest.strip(" ,;"), flags=re.IGNORECASE).strip()
    change = ChangeRequest(campaign_id, subject=subject)
    if not rest:
        return change if subject is not None else Misread(said, CHANGE_GRAMMAR)
    segment, template, version = _SEGMENT.match(rest), _TEMPLATE.match(rest), _VERSION.match(rest)
    if segment:
        return ChangeRequest(campaign_id, phrase=segment["phrase"].strip(), subject=subject)
    if template:
        number = int(template["version"]) if template["version"] else None
        return ChangeRequest(
            campaign_id, template=template["template"].lower(), version=number, subject=subject
        )
    if version:
        return ChangeRequest(campaign_id, version=int(version["version"]), subject=subject)
    return Misread(said, CHANGE_GRAMMAR)
