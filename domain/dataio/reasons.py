"""Why an import refused or repaired a row, as a template with its values.

A Reason is a str holding its English text (what logs, tests and the CLI read),
and keeps its template and values so the chat can render it in the reader's
language. Values may be reasons themselves ("{column}: {problem}").
"""
from __future__ import annotations

from typing import Any

from ..errors import english, render_template


class Reason(str):
    template: str | None  # None: several reasons joined
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> "Reason":
        obj = super().__new__(cls, _render(template, params, english))
        obj.template, obj.params = template, params
        return obj

    def __reduce__(self):
        return (_rebuild, (self.template, self.params))

    def render(self, translate=english) -> str:
        """The reason in the reader's words (translate: their gettext)."""
        return _render(self.template, self.params, translate)


def _rebuild(template, params) -> Reason:
    return joined(params["parts"]) if template is None else Reason(template, **params)


def _render(template: str | None, params: dict[str, Any], translate) -> str:
    if template is None:
        return "; ".join(render(p, translate) for p in params["parts"])
    return render_template(template, {k: render(x, translate) if isinstance(x, Reason) else x
                                      for k, x in params.items()}, translate)


def render(reason: str, translate=english) -> str:
    """Any reason in the reader's words; a plain str (a caller that gave no template) as it is."""
    return reason.render(translate) if isinstance(reason, Reason) else str(reason)


def joined(reasons: list[str]) -> Reason:
    """A row's reasons as one, "; " between them."""
    if len(reasons) == 1 and isinstance(reasons[0], Reason):
        return reasons[0]
    obj = str.__new__(Reason, "; ".join(str(r) for r in reasons))
    obj.template, obj.params = None, {"parts": list(reasons)}
    return obj
