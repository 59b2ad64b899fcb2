"""Domain errors. Each carries a message template (English, translated by the
bot through gettext) and the values to fill in, so the domain stays free of
any channel or locale.

    DomainError
     ├── NotFound          unknown product, order, customer, code...
     ├── InvalidInput      negative quantity, bad date, wrong bin...
     ├── Conflict          not enough stock, already used invite...
     └── PermissionDenied  the person's role may not do this
"""
from __future__ import annotations

from typing import Any


def N_(template: str) -> str:
    """Marks a template for translation without translating it (gettext's noop)."""
    return template


class DomainError(Exception):
    def __init__(self, template: str, **params: Any):
        self.template = template
        self.params = params
        super().__init__(self.render())

    def render(self, translate=lambda s: s) -> str:
        from .status_labels import STATUS_PARAMS, status_label  # late: status_labels imports N_ from here
        params = {k: translate(status_label(v)) if k in STATUS_PARAMS else v for k, v in self.params.items()}
        return translate(self.template).format(**params)


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class Conflict(DomainError):
    pass


class PermissionDenied(DomainError):
    pass
