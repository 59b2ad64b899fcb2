"""What an import found: bad rows with their line numbers, ignored columns, repairs; and the counts."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..errors import N_, Np_, counted, english
from .reasons import render as render_reason

MAX_LISTED = 100_000  # beyond this many bad rows the report only counts them


@dataclass
class RowError:
    line: int
    reason: str  # a reasons.Reason (its English text, rendered in the reader's language by Report.render)


@dataclass
class Report:
    kind: str
    rows_read: int = 0
    rows: list[RowError] = field(default_factory=list)  # bad rows, in file order
    errors: int = 0  # bad rows, including those past MAX_LISTED
    unknown_columns: list[str] = field(default_factory=list)
    notes: list[RowError] = field(default_factory=list)  # repairs made (e.g. a restored EAN zero)

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def add_error(self, line: int, reason: str) -> None:
        self.errors += 1
        if len(self.rows) < MAX_LISTED:
            self.rows.append(RowError(line, reason))

    def add_note(self, line: int, note: str) -> None:
        if len(self.notes) < MAX_LISTED:
            self.notes.append(RowError(line, note))

    def render(self, limit: int | None = None, translate=english) -> str:
        """One line per finding, e.g. "line 7: sku 'X-1' is not a known product" (translate: the reader's gettext)."""
        def say(template: str, **params) -> str:
            return translate(counted(template, params)).format(**params)

        out: list[str] = []
        if self.unknown_columns:
            out.append(say(N_("ignored unknown columns: {columns}"), columns=", ".join(self.unknown_columns)))
        shown = self.rows if limit is None else self.rows[:limit]
        out += [say(N_("line {line}: {reason}"), line=e.line, reason=render_reason(e.reason, translate)) for e in shown]
        hidden = self.errors - len(shown)
        if hidden > 0:
            out.append(say(Np_("... and {n} more bad row", "... and {n} more bad rows", "n"), n=hidden))
        notes = self.notes if limit is None else self.notes[:limit]
        out += [say(N_("line {line}: note: {note}"), line=n.line, note=render_reason(n.reason, translate)) if n.line
                else say(N_("note: {note}"), note=render_reason(n.reason, translate)) for n in notes]
        return "\n".join(out)


@dataclass
class Summary:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0
    dry_run: bool = False
    report: Report | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "rows": self.rows, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "errors": self.errors}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False)
