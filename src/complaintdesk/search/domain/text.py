"""Tokens, queries and highlights for accent-insensitive Vietnamese search (pure Python).

One tokeniser serves the index and the query on both databases, so "đường truyền", "ĐƯỜNG
TRUYỀN", "duong truyen" and the NFD spelling of the first all become ``duong truyen``:
``core.text.fold`` (đ→d, marks stripped, casefold), then runs of letters and digits.

Phone numbers are indexed in the three spellings people type (``84912345678``,
``0912345678``, ``912345678``); a query that looks like a phone (``0912 345 678``,
``+84 912-345-678``, ``84912345678``) is joined into one token first.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from complaintdesk.core.text import fold

WORD_RE = re.compile(r"[^\W_]+")
# A phone as people write it: digits with spaces, dots, dashes or brackets, maybe a leading +.
PHONE_RE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s.\-()]{6,18}\d(?!\w)")
CODE_RE = re.compile(r"^[A-Za-z]{1,10}-\d{4}-\d{1,10}$")
MAX_QUERY_TOKENS = 12
MIN_PREFIX = 2  # a last token shorter than this is matched whole, not as a prefix


class _FoldTable(dict[int, str]):
    """``core.text.fold`` of each character, computed once per character (``str.translate``
    then folds a whole document in C: ~20 times faster than folding it in one go)."""

    def __missing__(self, code: int) -> str:
        folded = fold(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fast_fold(text: str) -> str:
    """The same result as ``core.text.fold`` (tested), character by character."""
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", text.translate(_FOLD))


def tokens(text: str) -> list[str]:
    """Folded words of ``text`` in order (duplicates kept)."""
    if not text:
        return []
    return WORD_RE.findall(fast_fold(text))


def joined(text: str) -> str:
    """The folded copy stored in the index: tokens separated by single spaces."""
    return " ".join(tokens(text))


def phone_forms(value: str) -> list[str]:
    """The spellings of a stored phone (E.164 or digits) that a search may use."""
    digits = re.sub(r"\D", "", value or "")
    if not digits:
        return []
    if value.strip().startswith("+84") or (digits.startswith("84") and len(digits) >= 10):
        national = digits[2:]
        return [digits, "0" + national, national]
    if digits.startswith("0") and len(digits) >= 9:
        return [digits, "84" + digits[1:], digits[1:]]
    return [digits]


def query_phone(raw: str) -> str | None:
    """The national spelling (``0…``) of a phone typed in any format, or None when the digits
    do not look like a phone (``+…``, ``0…`` with 9–11 digits, ``84…`` with 10–12)."""
    digits = re.sub(r"\D", "", raw)
    if raw.strip().startswith("+") and 8 <= len(digits) <= 15:
        return "0" + digits[2:] if digits.startswith("84") else digits
    if digits.startswith("84") and 10 <= len(digits) <= 12:
        return "0" + digits[2:]
    if digits.startswith("0") and 9 <= len(digits) <= 11:
        return digits
    return None


@dataclass(frozen=True)
class Query:
    """A parsed search: whole tokens that must all match, the last one maybe as a prefix."""

    raw: str
    words: tuple[str, ...]
    prefix: bool  # the last word is matched as a prefix (type-ahead)
    code: str = ""  # an exact complaint code, upper-case, when the query is one

    @property
    def empty(self) -> bool:
        return not self.words

    def matches(self, folded_word: str) -> bool:
        """Whether one folded word of a document is a hit (used for highlighting)."""
        if folded_word in self.words:
            return True
        return self.prefix and folded_word.startswith(self.words[-1])


def parse_query(raw: str) -> Query:
    """Turn what a person typed into a Query. NFC/NFD, case and accents do not matter."""
    text = unicodedata.normalize("NFC", raw or "").replace("\x00", "").strip()[:200]
    code = text.upper() if CODE_RE.match(text) else ""
    words: list[str] = []
    rest = text
    for match in [] if code else PHONE_RE.finditer(text):
        phone = query_phone(match.group())
        if phone:
            words.append(phone)
            rest = rest.replace(match.group(), " ", 1)
    words += tokens(rest)
    words = list(dict.fromkeys(words))[:MAX_QUERY_TOKENS]
    # Type-ahead: the last word typed may be unfinished, unless the text ends with a space.
    finished = (raw or "")[-1:].isspace()
    prefix = bool(words) and not finished and len(words[-1]) >= MIN_PREFIX
    return Query(raw=text, words=tuple(words), prefix=prefix, code=code)


# --- highlighting -------------------------------------------------------------------------


def _fold_word(word: str) -> str:
    return "".join(tokens(word))


def highlight(text: str, query: Query) -> tuple[str, bool]:
    """``text`` HTML-escaped with every matching word wrapped in ``<mark>``; and whether any did.

    Works on the original spelling (accents kept), matching word by word on the folded form.
    """
    if not text:
        return "", False
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    pos = 0
    hit = False
    for m in WORD_RE.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        word = m.group()
        if query.matches(_fold_word(word)):
            out.append(f"<mark>{html.escape(word)}</mark>")
            hit = True
        else:
            out.append(html.escape(word))
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out), hit


def snippet(text: str, query: Query, *, width: int = 160) -> str:
    """A window of ``text`` around its first matching word, highlighted; "" if none matches."""
    if not text:
        return ""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    first = next((m for m in WORD_RE.finditer(text) if query.matches(_fold_word(m.group()))), None)
    if first is None:
        return ""
    start = max(0, first.start() - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", first.end(), end)
        end = space if space > first.end() else end
    marked, _hit = highlight(text[start:end], query)
    return ("…" if start else "") + marked + ("…" if end < len(text) else "")
