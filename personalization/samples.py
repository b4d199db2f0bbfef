"""The few members whose emails, together, show what can go wrong.

Every render of the segment names its edges: a variable that fell back ("no first name"), its
language, no purchase history, each branch of the template it took. The longest product name and
the longest subject are edges of one member each. Samples are chosen greedily: each next one
shows the most edges not shown yet, the first in the store's order on a tie, so the same store
and `as_of` give the same samples. Each says which edges it was chosen for.

Members with the same edges are one candidate (the first of them): a segment of a million has a
few hundred kinds of member, so choosing costs nothing beside rendering.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from personalization.check import Observed, human

LONGEST_PRODUCT = "the longest product name"
LONGEST_SUBJECT = "the longest subject"
TYPICAL = "a typical member"
#: Members kept of each kind, for more samples than there are edges.
KEPT_PER_KIND = 5


class Choice(BaseModel):
    contact: str
    why: list[str]


class Chooser:
    """Sees each member's render once, in the store's order; then chooses."""

    def __init__(self, branch_labels: Mapping[str, str]) -> None:
        self.labels = branch_labels
        #: edges -> the first few members with exactly those, and how many have them
        self.kinds: dict[tuple[str, ...], tuple[tuple[str, ...], int]] = {}
        self.longest: dict[str, tuple[int, str, tuple[str, ...]]] = {}

    def add(self, seen: Observed) -> None:
        edges = self.edges(seen)
        firsts, count = self.kinds.get(edges, ((), 0))
        if len(firsts) < KEPT_PER_KIND:
            firsts = (*firsts, seen.contact)
        self.kinds[edges] = (firsts, count + 1)
        for name, length in ((LONGEST_PRODUCT, seen.product_length), (LONGEST_SUBJECT, len(seen.subject))):
            if length and length > self.longest.get(name, (0, "", ()))[0]:
                self.longest[name] = (length, seen.contact, edges)

    def edges(self, seen: Observed) -> tuple[str, ...]:
        """The member's edges in the order a reader takes them: what is missing, who, the branches."""
        missing = [f"no {human(v)}" for v in sorted({*seen.fallbacks, *seen.missing})]
        who = [f"language {seen.language}" if seen.language else "no language"]
        history = [] if seen.purchases else ["no purchase history"]
        branches = [self.labels.get(b, b) for b in sorted(seen.branches, key=_branch_order)]
        return (*missing, *who, *history, *branches)

    def choose(self, n: int) -> list[Choice]:
        candidates = self._candidates()
        wanted = {edge for edges in candidates.values() for edge in edges}
        chosen: list[Choice] = []
        while len(chosen) < n and wanted:
            contact, edges = max(candidates.items(), key=lambda item: len(wanted.intersection(item[1])))
            shown = [edge for edge in edges if edge in wanted]
            if not shown:
                break
            chosen.append(Choice(contact=contact, why=shown))
            wanted.difference_update(shown)
            del candidates[contact]
        return chosen + self._typical(n - len(chosen), {c.contact for c in chosen})

    def _candidates(self) -> dict[str, tuple[str, ...]]:
        """The first member of each kind, and the holders of the longest product and subject with
        that edge added, in the store's order (dicts keep it; `max` keeps the first of equals)."""
        candidates = {firsts[0]: edges for edges, (firsts, _) in self.kinds.items()}
        for name in (LONGEST_PRODUCT, LONGEST_SUBJECT):
            if name in self.longest:
                _, contact, edges = self.longest[name]
                candidates[contact] = (*candidates.get(contact, edges), name)
        return candidates

    def _typical(self, n: int, taken: set[str]) -> list[Choice]:
        """More samples than edges: members of the most common kinds, in the store's order."""
        common = sorted(self.kinds.values(), key=lambda kind: -kind[1])
        more = [contact for firsts, _ in common for contact in firsts if contact not in taken][: max(n, 0)]
        return [Choice(contact=contact, why=[TYPICAL]) for contact in more]


def _branch_order(branch: str) -> tuple[int, str]:
    """Branch ids begin with their line ("L14", "L14.else"): the template's order."""
    digits = "".join(ch for ch in branch.split(".")[0] if ch.isdigit())
    return (int(digits) if digits else 0, branch)
