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
# Same keywords as the Makefile: t(template), tr(lang, template), N_(template).
KEYWORDS = {"t": None, "tr": (2,), "N_": None}


def _placeholders(text: str) -> list[str]:
    """Each {field[:spec]} of a str.format template, sorted (order may change in translation)."""
    return sorted(f"{name}:{spec or ''}" for _, name, spec, _ in string.Formatter().parse(text) if name is not None)


@pytest.fixture(scope="module")
def source_templates() -> set[str]:
    with open(ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        if isinstance(message, (tuple, list)):
            message = message[0]
        if message:
            found.add(message)
    assert len(found) > 100, "extraction found almost nothing: is babel.cfg right?"
    return found


def _po(lang: str):
    with open(LOCALE / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=lang)


@pytest.mark.parametrize("lang", LANGS)
def test_every_source_template_is_translated(lang, source_templates):
    catalog = _po(lang)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(t for t in source_templates if not translated.get(t))
    assert not missing, (f"{len(missing)} message(s) have no {lang} translation; run `make messages` "
                         f"and fill bot/locale/{lang}/LC_MESSAGES/messages.po:\n  " + "\n  ".join(missing[:20]))
    fuzzy = sorted(m.id for m in catalog if m.id and m.fuzzy)
    assert not fuzzy, f"fuzzy {lang} translations need a review: {fuzzy[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_placeholders_match(lang):
    wrong = [(m.id, m.string) for m in _po(lang)
             if m.id and m.string and _placeholders(m.id) != _placeholders(m.string)]
    assert not wrong, f"{lang} placeholders differ from the English template: {wrong[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_commands_are_not_translated(lang):
    """A /command in the template is typed by the user: it must stay as it is."""
    import re
    # "{rate}/day" is a unit, not a command
    cmd = re.compile(r"(?<![\w/}])/[a-z_]+")
    wrong = [(m.id, m.string) for m in _po(lang)
             if m.id and m.string and sorted(cmd.findall(m.id)) != sorted(cmd.findall(m.string))]
    assert not wrong, f"{lang} translations change /commands: {wrong[:10]}"


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalog_matches_po(lang):
    with open(LOCALE / lang / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = {m.id: m.string for m in read_mo(fh) if m.id}
    source = {m.id: m.string for m in _po(lang) if m.id and m.string}
    assert compiled == source, (f"bot/locale/{lang}/LC_MESSAGES/messages.mo is stale; "
                                "run `pybabel compile -d bot/locale` (or `make messages`)")


def test_translation_is_used_at_runtime():
    from bot.i18n import tr
    assert tr("ru", "Order {number}: {status}.", number=7, status="x") == "Заказ 7: x."
    assert tr("en", "Order {number}: {status}.", number=7, status="x") == "Order 7: x."
