"""Units of measure as words: each unit a countable template ("{n} box" / "{n} boxes"), so
every language says it with its own plural forms (ru 1 коробка, 2 коробки, 5 коробок) and
Chinese with its measure word (5 箱). Units are codes on products ("pcs", "box"); people
read words.
"""
from __future__ import annotations

from .errors import Np_, Plural

UNIT_LABELS: dict[str, Plural] = {
    "pcs": Np_("{n} pc", "{n} pcs", "n"),
    "box": Np_("{n} box", "{n} boxes", "n"),
    "pack": Np_("{n} pack", "{n} packs", "n"),
    "set": Np_("{n} set", "{n} sets", "n"),
    "pair": Np_("{n} pair", "{n} pairs", "n"),
    "roll": Np_("{n} roll", "{n} rolls", "n"),
    "bottle": Np_("{n} bottle", "{n} bottles", "n"),
    "carton": Np_("{n} carton", "{n} cartons", "n"),
    "pallet": Np_("{n} pallet", "{n} pallets", "n"),
    "kg": Np_("{n} kg", "{n} kg", "n"),
    "g": Np_("{n} g", "{n} g", "n"),
    "l": Np_("{n} l", "{n} l", "n"),
    "m": Np_("{n} m", "{n} m", "n"),
}
# Other spellings people type in an import: the same unit.
ALIASES = {"pc": "pcs", "piece": "pcs", "pieces": "pcs", "boxes": "box", "packs": "pack", "sets": "set",
           "pairs": "pair", "rolls": "roll", "bottles": "bottle", "cartons": "carton", "pallets": "pallet",
           "kgs": "kg", "kilogram": "kg", "gram": "g", "litre": "l", "liter": "l", "metre": "m", "meter": "m"}


def unit_template(unit: str) -> Plural:
    """The countable template of a unit code; a unit we have no word for is shown as it is."""
    code = (unit or "").strip()
    found = UNIT_LABELS.get(code.lower()) or UNIT_LABELS.get(ALIASES.get(code.lower(), ""))
    if found is not None:
        return found
    escaped = code.replace("{", "{{").replace("}", "}}")
    return Plural("{n} " + escaped, "{n} " + escaped, "n")  # a company's own unit: its own word, no catalog entry


class UnitWord:
    """A unit alone as a value in a sentence, as after "how many" ("boxes"; ru коробок, zh 箱)."""

    __slots__ = ("unit",)

    def __init__(self, unit: str):
        self.unit = unit

    def __str__(self) -> str:
        from .errors import english
        return english(unit_template(self.unit).counted({"n": 5})).format(n="").strip()

    __format__ = lambda self, spec: format(str(self), spec)  # noqa: E731

    def __eq__(self, other) -> bool:
        return isinstance(other, UnitWord) and other.unit == self.unit

    def __hash__(self) -> int:
        return hash(self.unit)
