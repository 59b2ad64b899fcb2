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
        return Plural(str(self), self.plural, self.count, params.get(self.count, self.n))


def Np_(singular: str, plural: str, count: str = "count") -> Plural:
    """Marks a countable template (extracted with its plural); `count` names the parameter that counts."""
    return Plural(singular, plural, count)


class Contextual(str):
    """A template with a context (gettext's pgettext): one English word that other languages
    say differently by what it is about ("Ordered" as a call outcome or a quantity column;
    "cancelled" for an order or an invoice, which differ in gender)."""

    context: str

    def __new__(cls, context: str, message: str) -> "Contextual":
        obj = super().__new__(cls, message)
        obj.context = context
        return obj


def Npt_(context: str, message: str) -> Contextual:
    """Marks a template with its context for translation without translating it (pgettext's noop)."""
    return Contextual(context, message)


def label_tables(rows: list[tuple[str, str, Contextual]]) -> dict[str, dict[str, Contextual]]:
    """Label tables written as one row a label (table, code, label), grouped by table in row order:
    each label keeps its own literal context, which the catalog extraction needs."""
    tables: dict[str, dict[str, Contextual]] = {}
    for table, code, label in rows:
        tables.setdefault(table, {})[code] = label
    return tables


def english(template: str) -> str:
    """The template untranslated, in its English form for the count."""
    if isinstance(template, Plural) and template.n is not None:
        return str(template) if plural_index(template.n) == 0 else template.plural
    return str(template)


def plural_index(n: Any) -> int:
    """English's rule; also what counts as "one" for a Decimal quantity (1, 1.0, 1.000)."""
    n = getattr(n, "value", n)  # a Quantity counts by its number
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

    def render(self, translate=english, value=None) -> str:
        """The message in the reader's words: translate is their gettext; value formats numbers,
        quantities and dates for their locale (None: as they are)."""
        return render_template(self.template, self.params, translate, value)


def render_template(template: str, params: dict[str, Any], translate=english, value=None) -> str:
    """A template with its values: statuses, units and labels (a Contextual value, e.g. a record kind)
    become the reader's words, numbers their format."""
    from .status_labels import STATUS_PARAMS, Status, status_label  # late: status_labels imports from here
    out = {}
    for k, v in params.items():
        if isinstance(v, Contextual):
            v = translate(v)
        elif isinstance(v, Status):
            v = translate(status_label(v.code, v.kind))
        elif k in STATUS_PARAMS and isinstance(v, str):
            v = translate(status_label(v, STATUS_PARAMS[k]))
        elif value is not None:
            v = value(v)
        out[k] = v
    return translate(counted(template, params)).format(**out)


class NotFound(DomainError):
    pass


class InvalidInput(DomainError):
    pass


class Conflict(DomainError):
    pass


class PermissionDenied(DomainError):
    pass
