"""Countable messages take the language's plural form (gettext's ngettext) for 1, 2, 5, 21 and 25."""
import pytest

from bot.i18n import _catalog, trn
from domain.errors import Np_, english
from domain.inventory.common import note


def test_english_picks_singular_or_plural():
    assert trn("en", "{n} bin to go", "{n} bins to go", 1) == "1 bin to go"
    assert trn("en", "{n} bin to go", "{n} bins to go", 5) == "5 bins to go"
    n = note(Np_("{count} bin to visit", "{count} bins to visit"), count=21)
    assert n.render() == "21 bins to visit" and english(Np_("a", "b")) == "a"


@pytest.mark.parametrize("lang,forms", [
    # the index gettext's Plural-Forms rule gives for 1, 2, 5, 21, 25
    ("ru", [0, 1, 2, 0, 2]), ("bg", [0, 1, 1, 1, 1]), ("ro", [0, 1, 1, 2, 2]), ("zh", [0, 0, 0, 0, 0]),
])
def test_each_catalog_has_its_languages_plural_rule(lang, forms):
    plural = _catalog(lang).plural
    assert [plural(n) for n in (1, 2, 5, 21, 25)] == forms
