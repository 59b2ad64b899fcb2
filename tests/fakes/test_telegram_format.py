"""Parse modes of the fake Telegram server, checked through PTB's own entity
slicing (which counts UTF-16 code units like Telegram)."""
from __future__ import annotations

import pytest
from telegram import Message

from tests.fakes.telegram_format import EntityParseError, apply_parse_mode, detect_entities


def sliced(text: str, entities: list[dict]) -> list[tuple[str, str]]:
    message = Message.de_json({"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                               "text": text, "entities": entities}, bot=None)
    return [(entity.type, value) for entity, value in message.parse_entities().items()]


@pytest.mark.parametrize("mode, source, plain, expected", [
    ("HTML", "<b>Stock</b> 😀 <i>A&amp;B</i> &lt;3 <a href=\"https://x.io/?a=1&amp;b=2\">link</a>",
     "Stock 😀 A&B <3 link", [("bold", "Stock"), ("italic", "A&B"), ("text_link", "link")]),
    ("HTML", "<pre><code class=\"language-python\">x = 1</code></pre><tg-spoiler>s</tg-spoiler>",
     "x = 1s", [("pre", "x = 1"), ("spoiler", "s")]),
    ("MarkdownV2", "*Order* 😀 _17_ __u__ ~old~ ||x|| `c\\`d` [here](https://x.io/a\\)b) 5\\.00",
     "Order 😀 17 u old x c`d here 5.00",
     [("bold", "Order"), ("italic", "17"), ("underline", "u"), ("strikethrough", "old"),
      ("spoiler", "x"), ("code", "c`d"), ("text_link", "here")]),
    ("Markdown", "Total (EUR): *5* _ok_ [site](https://x.io) a\\_b",
     "Total (EUR): 5 ok site a_b", [("bold", "5"), ("italic", "ok"), ("text_link", "site")]),
])
def test_parse_modes_give_text_and_entities_like_telegram(mode, source, plain, expected):
    text, entities = apply_parse_mode(source, mode)
    assert text == plain
    assert sliced(text, entities) == expected


@pytest.mark.parametrize("mode, source, message", [
    ("HTML", "1 < 2", "Unsupported start tag"),
    ("HTML", "<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
    ("HTML", "<b>x</i>", "Unmatched end tag"),
    ("HTML", "<font>x</font>", 'Unsupported start tag "font"'),
    ("MarkdownV2", "Total: 5.", "Character '.' is reserved"),
    ("MarkdownV2", "sku_12", "Can't find end of Italic entity"),
    ("MarkdownV2", "*bold", "Can't find end of Bold entity"),
    ("Markdown", "*bold", "Can't find end of the entity"),
])
def test_malformed_text_is_refused(mode, source, message):
    with pytest.raises(EntityParseError, match=message.replace("(", r"\(")):
        apply_parse_mode(source, mode)


def test_entities_telegram_adds_to_user_text():
    text = "/stock@qm_test_bot 😀 A1 ask @warehouse_lead #urgent https://x.io/p?q=1 ann@example.com"
    found = sliced(text, detect_entities(text))
    assert found == [("bot_command", "/stock@qm_test_bot"), ("mention", "@warehouse_lead"),
                     ("hashtag", "#urgent"), ("url", "https://x.io/p?q=1"), ("email", "ann@example.com")]
    assert detect_entities("no/command here") == []
