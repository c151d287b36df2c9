"""Turning a mail part into clean NFC text: charsets (windows-1258 included), HTML, quotes."""

from __future__ import annotations

import re
import unicodedata
from email.message import Message
from html.parser import HTMLParser

import nh3

# Tags kept by the sanitiser only to know where lines break; everything else is dropped, and
# the *content* of script/style/head/title is removed with the tag.
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "tr", "td", "th", "table", "blockquote", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre",
})  # fmt: skip
_DROP_WITH_CONTENT = {"script", "style", "head", "title", "template", "noscript", "object"}


def nfc(text: str) -> str:
    """NFC, without NUL and stray carriage returns. Decomposed Vietnamese (NFD, or windows-1258's
    combining tone marks) becomes the precomposed form everything else uses."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


def decode_bytes(payload: bytes, charset: str | None) -> str:
    """Decode with the declared charset; an unknown or wrong one falls back to UTF-8, then to
    windows-1258 (the legacy Vietnamese code page), never raising."""
    for candidate in (charset, "utf-8", "cp1258"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def part_text(part: Message) -> str:
    """The decoded text of a text/* part (quoted-printable and base64 undone)."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return nfc(decode_bytes(payload, part.get_content_charset()))


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)


def html_to_text(html: str) -> str:
    """Safe plain text from an HTML mail: nh3 removes scripts, styles and every attribute, then
    the remaining block tags become line breaks and entities are decoded."""
    cleaned = nh3.clean(
        html,
        tags=set(_BLOCK_TAGS),
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes={},
        strip_comments=True,
        link_rel=None,
    )
    collector = _TextCollector()
    collector.feed(cleaned)
    collector.close()
    return tidy("".join(collector.chunks))


def tidy(text: str) -> str:
    """Trim every line, collapse runs of spaces and of blank lines."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in nfc(text).split("\n")]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


_ATTRIBUTION = re.compile(
    r"^(On .{3,200} wrote:|Vào .{3,200} đã viết:|-{2,} ?Original Message ?-{2,}"
    r"|-{2,} ?Thư gốc ?-{2,}|_{20,})\s*$",
    re.IGNORECASE,
)


def strip_quoted(text: str) -> str:
    """The new part of a reply: drops the quoted history below "On … wrote:" (or Outlook's
    separator) and trailing ``>`` lines. The whole mail stays in the raw record."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if _ATTRIBUTION.match(line.strip()) and any(x.strip() for x in lines[:index]):
            lines = lines[:index]
            break
    while lines and (lines[-1].startswith(">") or not lines[-1].strip()):
        lines.pop()
    kept = "\n".join(lines).strip()
    return kept or text.strip()
