"""The "is it one of these?" buttons name intents in the person's language, not in English."""
import pytest

from bot.dialogue.intent_choice import INTENT_LABELS
from bot.i18n import translate


@pytest.mark.parametrize("lang", ["ru", "bg", "ro", "zh"])
def test_every_intent_label_is_translated(lang):
    untranslated = [label for label in INTENT_LABELS.values() if translate(lang, label) == label]
    assert not untranslated, f"{lang}: {untranslated}"
