"""Which names a saved segment may take: none that changes what a phrase already means.

A saved name becomes a value of the lexicon, read wherever its words stand together. Were every
word of it already known ("Germany", "golfers", "lapsed customers", "vip de"), a phrase that reads
today could read differently tomorrow, for the whole workspace. So a name needs a word of its own,
one Tailor does not read: a phrase holding that word could not be read before the name existed,
and no reading changes. The name must also read back as itself: "1a" would be read as a number.
"""

from __future__ import annotations

from collections import defaultdict

from segments.lexicon import Lexicon, Sense
from segments.normalize import phrase_keys
from segments.tagger import Tagger


def name_problem(name: str, tagger: Tagger) -> str | None:
    """Why `name` cannot name a saved segment, in the user's words; None when it can."""
    keys = phrase_keys(name)
    mine = Sense("saved", name)
    known = tagger.lexicon.entries.get(keys, set())
    if known == {mine}:  # saved again under its own name
        return None
    others = sorted(known - {mine})
    if any(s.field == "saved" for s in others):
        return f"{name!r} is already the name of the saved segment {others[0].value!r}"
    if not _reads_as(name, tagger):
        return f"{name!r} would not be read back as a name (it starts like a number or a keyword): reword it"
    if _all_known(name, tagger):
        example = f"{name} q3"
        hint = f", e.g. {example!r}" if not _all_known(example, tagger) and _reads_as(example, tagger) else ""
        return (
            f"Tailor already reads every word of {name!r}, so the name would change what phrases "
            f"with those words mean: add a word of your own{hint}"
        )
    return None


def _all_known(name: str, tagger: Tagger) -> bool:
    return all(tag.type != "UNKNOWN" for tag in tagger.tag(name))


def _reads_as(name: str, tagger: Tagger) -> bool:
    """Whether the name, once saved, is read as one value standing for it."""
    lexicon = _with(tagger.lexicon, name)
    tags = Tagger(lexicon, tagger.keywords).tag(name)
    return len(tags) == 1 and tags[0].type == "VALUE" and Sense("saved", name) in tags[0].senses


def _with(lexicon: Lexicon, name: str) -> Lexicon:
    entries = defaultdict(set, {keys: set(senses) for keys, senses in lexicon.entries.items()})
    copy = Lexicon(entries, dict(lexicon.spelling), lexicon.custom_types, lexicon.longest, lexicon.codes)
    copy.add(name, Sense("saved", name))
    return copy
