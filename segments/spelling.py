"""Typos read as the word they nearly spell: "custmers" -> customers, "germny" -> Germany.

Only a word that nothing knows is corrected, and only into the single nearest known word
(rapidfuzz's optimal string alignment distance, so that a swap of two letters is one edit): one
edit away for the language's words of up to five letters and for values of up to seven, two
beyond. Where a value stands ("in ...", "bought ...", "opened the ..."), the candidates are the
store's values of that kind; elsewhere, the language's own words and every value.

Ties are broken the way people mistype: forms of one word are one reading ("opend": open,
opened); a typo seldom changes a word's first letter ("opend" is not "spend"); a word that
stands alone beats one that means something only in a phrase ("opeed": opened, not the "opted"
of "opted in"); and the language's own word beats a value as near ("spnt": spent or sent, not
the "Sint" of Sint Maarten). A value of the data (a city, a product, a campaign) must moreover
start with the same letter and be typed with five letters or more, so that "Bern" (two edits
from "Berlin") or "Rom" never silently name another place. Every correction is shown in the
reading; a word with two equally near readings is not corrected, and the parser asks which was
meant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType

from rapidfuzz import process
from rapidfuzz.distance import OSA

from segments.lexicon import Lexicon
from segments.shorthand import plural

#: Words shorter than this are never corrected, nor corrected into: "in" and "on" are one edit apart.
MIN_LENGTH = 4
#: Fields whose values are names, and a name has no plural: "Paris" is no typo of "palis".
NAMES = frozenset({"city", "country", "language", "month"})


@dataclass(frozen=True)
class Speller:
    #: The language's own words (keys), sorted: heads, verbs, units, grammar keywords...
    vocabulary: tuple[str, ...]
    #: The words of the data's values (keys), sorted, and the fields they are values of.
    values: Mapping[str, frozenset[str]]
    #: What vocabulary words mean, where several spell one reading ("open", "opened": email_opened).
    meanings: Mapping[str, str]
    #: Vocabulary words that mean something only beside others ("opted" of "opted in", "high" of
    #: "high value"): a typo as near to a word that stands alone is read as that word.
    partial: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        vocabulary: Iterable[str],
        lexicon: Lexicon,
        meanings: Mapping[str, str],
        named: Mapping[str, str] = MappingProxyType({}),
        partial: Iterable[str] = (),
    ) -> Speller:
        """`named`: vocabulary words that are also values of a kind ("december": month)."""
        words = {w for w in vocabulary if w.isalpha() and len(w) >= MIN_LENGTH}
        fields: dict[str, set[str]] = defaultdict(set)
        for word, kind in named.items():
            fields[word].add(kind)
        for keys, senses in lexicon.entries.items():
            for word in keys:
                if word.isalpha() and len(word) >= MIN_LENGTH:
                    fields[word].update(sense.field for sense in senses)
        values = {word: frozenset(fields[word]) for word in sorted(fields)}
        # a value of one word reads as its senses: "runer" and "runner" are both the runners
        readings = {
            keys[0]: repr(sorted(senses)) for keys, senses in lexicon.entries.items() if len(keys) == 1
        }
        return cls(tuple(sorted(words)), values, {**readings, **meanings}, frozenset(partial))

    @cached_property
    def _vocabulary(self) -> frozenset[str]:
        return frozenset(self.vocabulary)

    def correction(self, word: str, kinds: frozenset[str] | None = None) -> str | None:
        """The one word `word` is a typo of, or None; `kinds`: only values of these fields ("*": of
        any field)."""
        if len(word) < MIN_LENGTH or not word.isalpha() or word in self._vocabulary or word in self.values:
            return None  # too short to tell, or no typo: a known word out of place ("high" alone)
        nearest = self.nearest(word, kinds)
        if len(nearest) != 1:
            return None
        (read,) = nearest
        is_value = read in self.values and read not in self._vocabulary
        if is_value and (read[0] != word[0] or len(word) <= MIN_LENGTH):
            return None
        return read

    def nearest(self, word: str, kinds: frozenset[str] | None = None) -> list[str]:
        """The readings nearest to `word`, one word each (several: ask which was meant)."""
        found = self._near(word, kinds)
        if not found:
            return []
        best = min(distance for _, distance in found)
        nearest = sorted({w for w, distance in found if distance == best})
        pool = [w for w in nearest if w[0] == word[0]] or nearest
        pool = [w for w in pool if w not in self.partial] or pool
        pool = [w for w in pool if w in self._vocabulary] or pool  # "spnt": spent or sent, not Sint
        readings: dict[str, list[str]] = {}
        for candidate in pool:
            readings.setdefault(self.meanings.get(candidate, candidate), []).append(candidate)
        return [max(forms, key=len) for forms in readings.values()]

    def _near(self, word: str, kinds: frozenset[str] | None) -> list[tuple[str, int]]:
        """Known words within reach of `word`, each compared in its singular and plural forms
        ("compaines" is one swap from "companies"; a name in its one form)."""
        if kinds is None:
            values = tuple(w for w in self.values if w not in self._vocabulary)
            tables: tuple[tuple[tuple[str, ...], int], ...] = (
                (self.vocabulary, _edits(word, 5)),
                (values, _edits(word, 7)),
            )
        else:
            chosen = (w for w, fields in self.values.items() if "*" in kinds or fields & kinds)
            tables = ((tuple(chosen), _edits(word, 7)),)
        near: dict[str, int] = {}
        for table, edits in tables:
            forms = {form: base for base in table for form in self._forms(base)}
            found = process.extract(word, tuple(forms), scorer=OSA.distance, score_cutoff=edits, limit=None)
            for form, distance, _ in found:
                near[forms[form]] = min(distance, near.get(forms[form], distance))
        return sorted(near.items())

    def _forms(self, base: str) -> tuple[str, ...]:
        """The forms a typo of `base` is compared with: itself, and its plural unless it is a name."""
        fields = self.values.get(base)
        if fields and fields <= NAMES and base not in self._vocabulary:
            return (base,)
        return (plural(base), base)


def _edits(word: str, short: int) -> int:
    """One edit for a word of up to `short` letters, two beyond."""
    return 1 if len(word) <= short else 2
