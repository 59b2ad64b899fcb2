"""The translation catalogs are complete, consistent and compiled.

Templates are extracted fresh from the source (same method map and keywords as
`make messages`), so a new t("...") without translations fails here until the
second pass (`make messages`, translate the empty msgstr, compile) is done.
"""
from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "bot" / "locale"
LANGS = ("ru", "bg", "ro", "zh")
# Same keywords as the Makefile: t(template), tr(lang, template), N_(template), the plural ones
# (tn, trn, Np_: singular and plural) and the ones with a context (pt, Npt_: context, template).
KEYWORDS = {"t": None, "tr": (2,), "N_": None, "tn": (1, 2), "trn": (2, 3), "Np_": (1, 2),
            "pt": ((1, "c"), 2), "Npt_": ((1, "c"), 2)}
NPLURALS = {"ru": 3, "bg": 2, "ro": 3, "zh": 1}


def _placeholders(text: str) -> list[str]:
    """Each {field[:spec]} of a str.format template, sorted (order may change in translation)."""
    return sorted(f"{name}:{spec or ''}" for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


def extract_source() -> dict[tuple[str | None, str], str | None]:
    """(context, template) -> its plural template (None for a message without plural forms), from the code."""
    with open(ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[tuple[str | None, str], str | None] = {}
    for _file, _line, message, _comments, ctx in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        plural = None
        if isinstance(message, (tuple, list)):
            message, plural = message[0], (message[1] if len(message) > 1 else None)
        if message:
            found[(ctx, message)] = plural if plural is not None else found.get((ctx, message))
    return found


@pytest.fixture(scope="module")
def source_templates() -> dict[tuple[str | None, str], str | None]:
    found = extract_source()
    assert len(found) > 100, "extraction found almost nothing: is babel.cfg right?"
    return found


def _po(lang: str):
    with open(LOCALE / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


def _key(m) -> tuple[str | None, str]:
    context = m.context.decode() if isinstance(m.context, bytes) else m.context  # read_mo gives bytes
    return (context, m.id[0] if isinstance(m.id, (tuple, list)) else m.id)


def _forms(m) -> list[str]:
    """Every translated form of an entry (one for a plain message, nplurals for a plural one)."""
    return list(m.string) if isinstance(m.string, (tuple, list)) else [m.string]


@pytest.mark.parametrize("lang", LANGS)
def test_every_source_template_is_translated(lang, source_templates):
    catalog = {_key(m): m for m in _po(lang) if m.id}
    missing = sorted(f"{ctx}|{t}" if ctx else t for (ctx, t) in source_templates
                     if (ctx, t) not in catalog or not all(_forms(catalog[(ctx, t)])))
    assert not missing, (f"{len(missing)} message(s) have no {lang} translation; run `make messages` "
                         f"and fill bot/locale/{lang}/LC_MESSAGES/messages.po:\n  " + "\n  ".join(missing[:20]))
    no_plural = sorted(t for key, t in ((k, k[1]) for k, plural in source_templates.items() if plural)
                       if key in catalog and not isinstance(catalog[key].id, tuple))
    assert not no_plural, f"{lang} has these countable messages without plural forms: {no_plural[:10]}"
    wrong_count = sorted(_key(m)[1] for m in catalog.values()
                         if isinstance(m.id, tuple) and len(_forms(m)) != NPLURALS[lang])
    assert not wrong_count, f"{lang} plural entries need {NPLURALS[lang]} forms: {wrong_count[:10]}"
    fuzzy = sorted(_key(m)[1] for m in catalog.values() if m.fuzzy)
    assert not fuzzy, f"fuzzy {lang} translations need a review: {fuzzy[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_match(lang):
    wrong = []
    for m in _po(lang):
        if not m.id:
            continue
        ids = list(m.id) if isinstance(m.id, tuple) else [m.id]
        expected = _placeholders(ids[-1])  # the plural's fields (a singular may say "one" instead of {n})
        for form in _forms(m):
            if form and _placeholders(form) != expected and _placeholders(form) != _placeholders(ids[0]):
                wrong.append((ids[0], form))
    assert not wrong, f"{lang} placeholders differ from the English template: {wrong[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_commands_are_not_translated(lang):
    """A /command in the template is typed by the user: it must stay as it is."""
    import re
    # "{rate}/day" is a unit, not a command
    cmd = re.compile(r"(?<![\w/}])/[a-z_]+")
    wrong = []
    for m in _po(lang):
        if not m.id:
            continue
        source = m.id[0] if isinstance(m.id, tuple) else m.id
        for form in _forms(m):
            if form and sorted(cmd.findall(source)) != sorted(cmd.findall(form)):
                wrong.append((source, form))
    assert not wrong, f"{lang} translations change /commands: {wrong[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalog_matches_po(lang):
    with open(LOCALE / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = {_key(m): tuple(_forms(m)) for m in read_mo(fh) if m.id}
    source = {_key(m): tuple(_forms(m)) for m in _po(lang) if m.id and all(_forms(m))}
    assert compiled == source, (f"bot/locale/{lang}/LC_MESSAGES/messages.mo is stale; "
                                "run `pybabel compile -d bot/locale` (or `make messages`)")


def test_translation_is_used_at_runtime():
    from bot.i18n import tr
    assert tr("ru", "Order {number}: {status}.", number=7, status="x") == "Заказ 7: x."
    assert tr("en", "Order {number}: {status}.", number=7, status="x") == "Order 7: x."
