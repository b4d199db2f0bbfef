"""From the grammar's parts to a definition: each run of parts becomes one condition.

The grammar says which words belong together; this package says what they mean. Values are
read by the role the grammar gives them ("in X" is a place, "bought X" a category), time
windows attach to the clause they follow and are shared by the bare clauses before it
("opened but didn't click in the last 30 days"), and within a run "not", "excluding" and "or"
join the next part to the one before. Runs (one noun phrase each) are joined by the structure
words between them, in `grouping`.

`core.Assembly` reads a tree part by part, calling `on_<rule>` for each grammar rule; its
readers are split by what they own, each module's built on the ones it reads through (listed
here from the top down: `People` on `Events`, on `Amounts`, `Times` and `PresetParts`; `Amounts` on
`Values`; all on `TreeReader`, on `State`):

- `core`: closing a run into a condition, the joins, and `assemble`
- `items`: what a run is made of (`Item`, `Clause`, `Pending`) and `AssemblyError`
- `state`: what is being read (the run's items, words said early) and adding a part to it
- `trees`: reading a subtree's tags, words, numbers and the event its nouns name
- `values`: the senses of values and the conditions and event filters they make
- `people`: the contact's parts (heads, places, interests, signups, fields, age, company size)
- `amounts`: money, top shares, counts, and the words that compare
- `times`: time windows, and which part each belongs to
- `events`: event clauses, their objects and modifiers, the latest event, "since"
- `preset_parts`: presets, and the clauses that restate them
"""

from segments.assembly.core import assemble
from segments.assembly.items import AssemblyError

__all__ = ["AssemblyError", "assemble"]
