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


class Plural(str):
    """A countable template: the singular (the string itself), the plural, and which
    parameter counts. Catalogs hold every plural form of the language (gettext's
    ngettext); English falls back to singular for 1 and plural otherwise."""

    plural: str
    count: str
    n: Any = None

    def __new__(cls, singular: str, plural: str, count: str = "count", n: Any = None) -> "Plural":
        obj = super().__new__(cls, singular)
        obj.plural, obj.count, obj.n = plural, count, n
        return obj

    def counted(self, params: dict[str, Any]) -> "Plural":
        return Plural(str(self), self.plural, self.count, params.get(self.count))


def Np_(singular: str, plural: str, count: str = "count") -> Plural:
    """Marks a countable template (extracted with its plural); `count` names the parameter that counts."""
    return Plural(singular, plural, count)


def english(template: str) -> str:
    """The template untranslated, in its English form for the count."""
    if isinstance(template, Plural) and template.n is not None:
        return str(template) if plural_index(template.n) == 0 else template.plural
    return str(template)


def plural_index(n: Any) -> int:
    """English's rule; also what counts as "one" for a Decimal quantity (1, 1.0, 1.000)."""
    try:
        return 0 if n == 1 else 1
    except TypeError:
        return 1


def counted(template: str, params: dict[str, Any]) -> str:
    """The template with its count attached when it is a Plural, for the translator to pick the form."""
    return template.counted(params) if isinstance(template, Plural) else template


class DomainError(Exception):
    def __init__(self, template: str, **params: Any):
        self.template = template
        self.params = params
        super().__init__(self.render())

    def render(self, translate=english) -> str:
        from .status_labels import STATUS_PARAMS, status_label  # late: status_labels imports N_ from here
        params = {k: translate(status_label(v)) if k in STATUS_PARAMS else v for k, v in self.params.items()}
        return translate(counted(self.template, params)).format(**params)


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class Conflict(DomainError):
    pass


class PermissionDenied(DomainError):
    pass
