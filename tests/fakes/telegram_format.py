"""Telegram's text formatting as the Bot API applies it to sent messages:
HTML and MarkdownV2 parse modes turned into plain text + MessageEntity list
(offsets in UTF-16 code units), with Telegram's "can't parse entities" errors
for malformed input, and the entities Telegram detects in users' text."""
from __future__ import annotations

import html
import re


class EntityParseError(ValueError):
    """The text does not parse in the given parse mode (Telegram answers 400)."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_HTML_TAGS = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "code": "code", "pre": "pre", "a": "text_link",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji", "span": "spoiler",
}
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))*)\s*>")
_ATTR_RE = re.compile(r"([a-zA-Z-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);")


def parse_html(source: str) -> tuple[str, list[dict]]:
    """Parses Telegram's HTML subset; raises EntityParseError like Telegram."""
    out: list[str] = []
    out_len = 0  # UTF-16 units written so far
    stack: list[tuple[str, dict]] = []  # (tag, entity under construction)
    entities: list[dict] = []
    i = 0
    while i < len(source):
        ch = source[i]
        if ch == "<":
            match = _TAG_RE.match(source, i)
            byte_offset = len(source[:i].encode("utf-8"))
            if not match:
                rest = re.match(r"</?([^\s>]*)", source[i:])
                raise EntityParseError(
                    f'Unsupported start tag "{rest.group(1) if rest else ""}" at byte offset {byte_offset}'
                )
            closing, tag, attr_text = match.group(1), match.group(2).lower(), match.group(3)
            if tag not in _HTML_TAGS:
                kind = "end" if closing else "start"
                raise EntityParseError(f'Unsupported {kind} tag "{tag}" at byte offset {byte_offset}')
            if closing:
                if not stack or stack[-1][0] != tag:
                    expected = f'"</{stack[-1][0]}>"' if stack else "nothing"
                    raise EntityParseError(
                        f'Unmatched end tag at byte offset {byte_offset}, expected {expected}, found "</{tag}>"'
                    )
                _, entity = stack.pop()
                entity["length"] = out_len - entity["offset"]
                if entity["length"] > 0 and entity["type"] is not None:
                    entities.append(entity)
            else:
                attrs = {m.group(1).lower(): next(g for g in m.group(2, 3, 4) if g is not None)
                         for m in _ATTR_RE.finditer(attr_text)}
                entity: dict = {"type": _HTML_TAGS[tag], "offset": out_len}
                if tag == "a":
                    if "href" not in attrs:
                        entity["type"] = None  # Telegram drops a link without href
                    else:
                        entity["url"] = html.unescape(attrs["href"])
                elif tag == "span" and attrs.get("class") != "tg-spoiler":
                    raise EntityParseError(f'Unsupported start tag "span" at byte offset {byte_offset}')
                elif tag == "code" and stack and stack[-1][0] == "pre":
                    # <pre><code class="language-x"> sets the pre block's language
                    lang = attrs.get("class", "")
                    if lang.startswith("language-"):
                        stack[-1][1]["language"] = lang[len("language-"):]
                    entity["type"] = None
                elif tag == "blockquote" and "expandable" in attr_text:
                    entity["type"] = "expandable_blockquote"
                elif tag == "tg-emoji":
                    entity["custom_emoji_id"] = attrs.get("emoji-id", "")
                stack.append((tag, entity))
            i = match.end()
            continue
        if ch == "&":
            match = _ENTITY_RE.match(source, i)
            if match and (match.group(1).startswith("#") or match.group(1) in ("lt", "gt", "amp", "quot")):
                text = html.unescape(match.group(0))
                out.append(text)
                out_len += utf16_len(text)
                i = match.end()
                continue
        out.append(ch)
        out_len += utf16_len(ch)
        i += 1
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_MD2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MD2_NAMES = {"*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough", "||": "Spoiler"}
_MD2_TYPES = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}


def parse_markdown_v2(source: str) -> tuple[str, list[dict]]:
    """Parses MarkdownV2 (bold, italic, underline, strike, spoiler, code, pre,
    links); every reserved character outside an entity must be escaped."""
    out: list[str] = []
    out_len = 0
    stack: list[tuple[str, int, int]] = []  # (marker, output offset, byte offset)
    entities: list[dict] = []
    links: list[int] = []  # output offsets of open "[" links
    i = 0
    n = len(source)

    def emit(text: str) -> None:
        nonlocal out_len
        out.append(text)
        out_len += utf16_len(text)

    while i < n:
        ch = source[i]
        byte_offset = len(source[:i].encode("utf-8"))
        if ch == "\\" and i + 1 < n:
            emit(source[i + 1])
            i += 2
            continue
        if ch == "`":
            is_pre = source.startswith("```", i)
            fence = "```" if is_pre else "`"
            start = i + len(fence)
            language = None
            if is_pre:
                line_end = source.find("\n", start)
                if line_end != -1 and re.fullmatch(r"[A-Za-z0-9_+-]*", source[start:line_end]):
                    language = source[start:line_end] or None
                    start = line_end + 1
            j, body = start, []
            while j < n and not source.startswith(fence, j):
                if source[j] == "\\" and j + 1 < n:
                    body.append(source[j + 1])
                    j += 2
                else:
                    body.append(source[j])
                    j += 1
            if j >= n:
                kind = "Pre" if is_pre else "Code"
                raise EntityParseError(f"Can't find end of {kind} entity at byte offset {byte_offset}")
            text = "".join(body)
            entity = {"type": "pre" if is_pre else "code", "offset": out_len, "length": utf16_len(text)}
            if language:
                entity["language"] = language
            if text:
                entities.append(entity)
            emit(text)
            i = j + len(fence)
            continue
        if ch == "[":
            links.append(out_len)
            stack.append(("[", out_len, byte_offset))
            i += 1
            continue
        if ch == "]" and stack and stack[-1][0] == "[":
            _, start, _ = stack.pop()
            links.pop()
            if not source.startswith("(", i + 1):
                raise EntityParseError(f"Character ']' is reserved and must be escaped with the preceding '\\'")
            close, url_chars = i + 2, []
            while close < n and source[close] != ")":
                if source[close] == "\\" and close + 1 < n:
                    close += 1  # inside a URL only ")" and "\\" are escaped
                url_chars.append(source[close])
                close += 1
            if close >= n:
                raise EntityParseError(f"Can't find end of a URL at byte offset {byte_offset}")
            url = "".join(url_chars)
            if out_len > start:
                entities.append({"type": "text_link", "offset": start, "length": out_len - start, "url": url})
            i = close + 1
            continue
        marker = None
        if source.startswith("__", i):
            marker = "__"
        elif source.startswith("||", i):
            marker = "||"
        elif ch in "*_~":
            marker = ch
        if marker:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                if out_len > start:
                    entities.append({"type": _MD2_TYPES[marker], "offset": start, "length": out_len - start})
            else:
                stack.append((marker, out_len, byte_offset))
            i += len(marker)
            continue
        if ch in _MD2_RESERVED:
            raise EntityParseError(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
        emit(ch)
        i += 1
    if stack:
        marker, _, byte_offset = stack[-1]
        name = "TextUrl" if marker == "[" else _MD2_NAMES[marker]
        raise EntityParseError(f"Can't find end of {name} entity at byte offset {byte_offset}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_LEGACY_TYPES = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}


def parse_markdown_legacy(source: str) -> tuple[str, list[dict]]:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no
    nesting; a backslash escapes _ * ` [ outside entities."""
    out: list[str] = []
    out_len = 0
    entities: list[dict] = []
    i, n = 0, len(source)

    def emit(text: str) -> None:
        nonlocal out_len
        out.append(text)
        out_len += utf16_len(text)

    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            emit(source[i + 1])
            i += 2
            continue
        marker = "```" if source.startswith("```", i) else ch if ch in "*_`" else None
        if marker:
            end = source.find(marker, i + len(marker))
            if end == -1:
                byte_offset = len(source[:i].encode("utf-8"))
                raise EntityParseError(f"Can't find end of the entity starting at byte offset {byte_offset}")
            inner = source[i + len(marker):end]
            entity = {"type": _LEGACY_TYPES[marker], "offset": out_len, "length": utf16_len(inner)}
            if inner:
                entities.append(entity)
            emit(inner)
            i = end + len(marker)
            continue
        if ch == "[":
            link = re.match(r"\[([^\]]*)\]\(([^)]*)\)", source[i:])
            if link:
                if link.group(1):
                    entities.append({"type": "text_link", "offset": out_len,
                                     "length": utf16_len(link.group(1)), "url": link.group(2)})
                emit(link.group(1))
                i += link.end()
                continue
            byte_offset = len(source[:i].encode("utf-8"))
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {byte_offset}")
        emit(ch)
        i += 1
    return "".join(out), entities


def apply_parse_mode(text: str, parse_mode: str | None) -> tuple[str, list[dict] | None]:
    """Returns (plain text, entities or None) for a text sent with parse_mode."""
    if not parse_mode:
        return text, None
    mode = parse_mode.lower()
    if mode == "html":
        plain, entities = parse_html(text)
    elif mode == "markdownv2":
        plain, entities = parse_markdown_v2(text)
    elif mode == "markdown":
        plain, entities = parse_markdown_legacy(text)
    else:
        raise EntityParseError(f"Unsupported parse_mode {parse_mode!r}")
    return plain, entities or None


_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_DETECTORS = [
    ("url", re.compile(r"(?<!\S)(?:https?://)[^\s]+")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")),
    ("hashtag", re.compile(r"(?<![\w#])#\w+")),
    ("email", re.compile(r"(?<!\S)[\w.+-]+@[\w-]+\.[\w.-]+\b")),
]


def detect_entities(text: str) -> list[dict]:
    """Entities Telegram adds to a user's plain text: bot commands (the one at
    offset 0 is what routes /start to a CommandHandler), URLs, mentions, hashtags, e-mails."""
    found = []
    for kind, pattern in [("bot_command", _COMMAND_RE), *_DETECTORS]:
        for match in pattern.finditer(text):
            found.append({"type": kind, "offset": utf16_len(text[: match.start()]),
                          "length": utf16_len(match.group(0))})
    found.sort(key=lambda e: e["offset"])
    return found
