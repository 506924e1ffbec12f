"""Folding: a text in lower-case ASCII where it can be (NFKC, look-alike letters mapped, case
folded, accents and format characters dropped), with where each character came from; and
whether a text holds characters that only a disguise uses.

The translation table is built once, at import: this module loads only with a detector
that matches on folded text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

_CONFUSABLES: dict[str, str] = {
    # Cyrillic letters that look like Latin ones (upper and lower case: case folding runs after
    # this map, and Cyrillic "Н" looks like "H" while its lower case "н" does not look like "h").
    "А": "a", "В": "b", "Е": "e", "Ё": "e", "З": "3", "І": "i", "Ї": "i", "Ј": "j", "К": "k",
    "М": "m", "Н": "h", "О": "o", "Р": "p", "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s",
    "Ԁ": "d", "Ԛ": "q", "Ԝ": "w", "Һ": "h", "Ӏ": "l",
    "а": "a", "в": "b", "е": "e", "ё": "e", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "һ": "h", "ӏ": "l", "ɡ": "g", "ո": "n", "ս": "u", "օ": "o",
    # Greek
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n",
    "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    # Latin letters used as look-alikes of other Latin letters
    "ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŀ": "l",
    # punctuation a pattern writes in ASCII
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
    "“": '"', "”": '"', "„": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
}  # fmt: skip

# Which code points get an entry. Outside these the table leaves a character as it is: other
# scripts cannot spell an English, Spanish or Portuguese phrase, and a smaller table is faster.
_TABLE_RANGES = (
    (0x0000, 0x0250),  # Basic Latin, Latin-1, Latin Extended-A and -B
    (0x0250, 0x0370),  # IPA extensions, spacing modifiers, combining diacritics
    (0x0370, 0x0530),  # Greek, Cyrillic, Cyrillic supplement
    (0x0530, 0x0590),  # Armenian (a few look-alikes)
    (0x1D00, 0x1DC0),  # phonetic extensions (small capitals)
    (0x1DC0, 0x1F00),  # combining supplement, Latin Extended Additional (Vietnamese)
    (0x2000, 0x2070),  # general punctuation: spaces, dashes, quotes, zero-width, bidi
    (0x2070, 0x2200),  # super/subscripts, letterlike symbols, number forms
    (0x2460, 0x2500),  # enclosed alphanumerics (ⓘⓖⓝⓞⓡⓔ)
    (0x3000, 0x3001),  # ideographic space
    (0xFE00, 0xFE10),  # variation selectors
    (0xFE20, 0xFE30),  # combining half marks
    (0xFEFF, 0xFF00),  # byte order mark / zero-width no-break space
    (0xFF00, 0xFFF0),  # fullwidth and halfwidth forms
    (0x1D400, 0x1D800),  # mathematical alphanumerics (𝐢𝐠𝐧𝐨𝐫𝐞)
    (0x1F130, 0x1F1A0),  # squared and negative circled letters (🅘🅖🅝🅞🅡🅔)
    (0xE0000, 0xE0080),  # Unicode tags: invisible copies of ASCII, used to smuggle text
)


def _fold_char(char: str) -> str:
    """What one character folds to: NFKC, look-alikes to ASCII, case folded, accents and format
    characters dropped, every kind of space to one ASCII space."""
    code = ord(char)
    if 0xE0020 <= code <= 0xE007E:
        # Unicode tag characters render as nothing but spell ASCII; reading them is the point.
        return chr(code - 0xE0000).lower()
    if 0xE0000 <= code <= 0xE007F:
        return ""
    out: list[str] = []
    for piece in unicodedata.normalize("NFKC", char):
        piece = _CONFUSABLES.get(piece, piece).casefold()
        for part in unicodedata.normalize("NFD", piece):
            category = unicodedata.category(part)
            if category in ("Mn", "Me", "Cf"):
                continue  # accents and invisible format characters
            if category in ("Zs", "Zl", "Zp"):
                out.append(" ")
            else:
                out.append(_CONFUSABLES.get(part, part))
    return "".join(out)


class _FoldTable(dict[int, "str | int"]):
    """The translation table: characters without an entry stay as they are.

    ``str.translate`` looks each character up; a plain dict answers a miss by raising
    ``KeyError``, which costs about a microsecond per character. ``__missing__`` answers it by
    returning the character, and the common characters have identity entries besides.
    """

    __slots__ = ()

    def __missing__(self, code: int) -> int:
        return code


def _build_table() -> tuple[_FoldTable, frozenset[str], frozenset[str]]:
    # Every code point of the ranges gets an entry, identity included: a miss costs a call
    # of ``__missing__`` in Python, a hit none.
    table = _FoldTable((code, code) for low, high in _TABLE_RANGES for code in range(low, high))
    uneven: set[str] = set()
    smuggling: set[str] = set()
    for low, high in _TABLE_RANGES:
        for code in range(low, high):
            char = chr(code)
            if unicodedata.category(char) in ("Cn", "Cs"):
                continue  # unassigned, surrogates
            folded = _fold_char(char)
            if folded == char:
                continue
            table[code] = folded
            if len(folded) != 1:
                uneven.add(char)
            # What a writer of ordinary English, Spanish or Portuguese never types: invisible
            # format characters (soft hyphen included), look-alikes from other scripts,
            # fullwidth and mathematical letters. Accented Latin letters, combining accents
            # (text typed on some systems arrives decomposed), quotes and dashes are ordinary.
            ordinary = code < 0x0250 or 0x1E00 <= code < 0x1F00
            letter_in_disguise = folded.isascii() and folded.isalnum() and not ordinary
            if unicodedata.category(char) == "Cf" or letter_in_disguise:
                smuggling.add(char)
    return table, frozenset(uneven), frozenset(smuggling)


_FOLD_TABLE, _UNEVEN_CHARS, _SMUGGLING_CHARS = _build_table()


def _char_class(chars: frozenset[str]) -> str:
    """A regex character class of ``chars``, written as ranges."""
    codes = sorted(ord(c) for c in chars)
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    parts = [
        re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}"
        for low, high in ranges
    ]
    return "[" + "".join(parts) + "]"


def _ordinary_class() -> str:
    """A class of the characters ``fold`` maps to exactly one character and no disguise
    uses: ASCII, Latin letters with accents, typographic quotes. The engine tests a class of
    ranges in the BMP against a bitmap, so searching for its complement is fast."""
    codes = [
        code
        for low, high in ((0x0000, 0x0250), (0x1E00, 0x1F00), (0x2010, 0x2020))
        for code in range(low, high)
        if chr(code) not in _UNEVEN_CHARS and chr(code) not in _SMUGGLING_CHARS
    ]
    return _char_class(frozenset(map(chr, codes)))


_UNUSUAL = re.compile("[^" + _ordinary_class()[1:])
"""A character that is not ordinary: the only ones that can change offsets or be a disguise."""


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class _CharSet:
    """Finds the characters of a set. The engine tests a class of characters of the BMP
    against a bitmap, but one holding a character beyond it range by range (a search for
    the smuggling characters took 0.8 ms per 2 KB): so the BMP part is a regex and the rest,
    rare in any text, a set looked up for each character beyond the BMP."""

    __slots__ = ("astral", "bmp")

    def __init__(self, chars: frozenset[str]) -> None:
        self.bmp = re.compile(_char_class(frozenset(c for c in chars if ord(c) <= 0xFFFF)))
        self.astral = frozenset(c for c in chars if ord(c) > 0xFFFF)

    def search(self, text: str, start: int = 0, end: int | None = None) -> bool:
        stop = len(text) if end is None else end
        if self.bmp.search(text, start, stop) is not None:
            return True
        return any(m.group() in self.astral for m in _ASTRAL.finditer(text, start, stop))

    def offsets(self, text: str) -> list[int]:
        found = [m.start() for m in self.bmp.finditer(text)]
        astral = [m.start() for m in _ASTRAL.finditer(text) if m.group() in self.astral]
        return sorted(found + astral) if astral else found


_SMUGGLING = _CharSet(_SMUGGLING_CHARS)
_UNEVEN = _CharSet(_UNEVEN_CHARS)
_FOREIGN = re.compile(
    "[^"
    + "".join(f"{re.escape(chr(low))}-{re.escape(chr(high - 1))}" for low, high in _TABLE_RANGES)
    + "]+"
)
"""A run of characters outside the table (CJK, emoji…): they fold to themselves."""


def _translate(text: str) -> str:
    """``text.translate`` of the folding table, stepping over runs the table does not hold
    (a Chinese or emoji-laden text would otherwise cost a Python call per character)."""
    if _FOREIGN.search(text) is None:
        return text.translate(_FOLD_TABLE)
    parts: list[str] = []
    cursor = 0
    for run in _FOREIGN.finditer(text):
        parts.append(text[cursor : run.start()].translate(_FOLD_TABLE))
        parts.append(run.group())
        cursor = run.end()
    parts.append(text[cursor:].translate(_FOLD_TABLE))
    return "".join(parts)


def _fold_latin(match: re.Match[str]) -> str:
    folded = _FOLD_TABLE[ord(match.group())]
    return chr(folded) if isinstance(folded, int) else folded


_FEW_NON_ASCII_BYTES = 256
"""Up to this many bytes of non-ASCII characters in UTF-8 (Latin text with accents, a few
symbols), folding them one by one beats translating every character."""


def _fold_stretch(text: str) -> str:
    """``text`` folded, for a stretch holding no character that folds to none or several."""
    if len(text.encode("utf-8", "surrogatepass")) - len(text) <= _FEW_NON_ASCII_BYTES:
        # Fold first, then lower-case: a Cyrillic "Н" looks like "H", its "н" like no "h".
        return _NON_ASCII.sub(_fold_latin, text).lower()
    return _translate(text)


@dataclass(frozen=True, slots=True)
class Folded:
    """A text folded for matching, and where each of its characters came from.

    ``index[i]`` is the offset in the original text of ``text[i]``; ``None`` when the offsets
    are the same (no character was dropped or expanded, the common case). ``obfuscated`` tells
    whether the original held characters that only a disguise uses (zero-width characters,
    look-alike letters from other scripts, fullwidth or mathematical letters, Unicode tags).
    """

    text: str
    index: Sequence[int] | None
    obfuscated: bool


def fold(text: str) -> Folded:
    """``text`` in lower-case ASCII where it can be: NFKC, look-alikes mapped, case folded,
    accents stripped, format characters removed.

    >>> fold("Ignora las INSTRUCCIÓNES").text
    'ignora las instrucciones'
    >>> fold("іgnоre").text, fold("іgnоre").obfuscated  # Cyrillic і and о
    ('ignore', True)
    >>> folded = fold("ig\\u200bnore")
    >>> folded.text, list(folded.index or [])
    ('ignore', [0, 1, 3, 4, 5, 6])
    """
    if text.isascii():
        return Folded(text.lower(), None, False)
    if _UNUSUAL.search(text) is None:
        # Latin text with accents: lower-case it in C and fold only its few non-ASCII
        # characters (translating all 2,000 characters of a text costs four times more).
        return Folded(_NON_ASCII.sub(_fold_latin, text.lower()), None, False)
    if len(text.encode("utf-8", "surrogatepass")) - len(text) <= _FEW_NON_ASCII_BYTES:
        unusual = [m.start() for m in _UNUSUAL.finditer(text)]
        obfuscated = any(text[i] in _SMUGGLING_CHARS for i in unusual)
        uneven = [i for i in unusual if text[i] in _UNEVEN_CHARS]
    else:  # a text in another script: unusual characters everywhere, look for the few
        obfuscated = _SMUGGLING.search(text)
        uneven = _UNEVEN.offsets(text)
    if not uneven:
        # Every character folds to exactly one: the offsets stay the same.
        return Folded(_fold_stretch(text), None, obfuscated)
    # Some characters fold to none or several (zero-width characters, ligatures, combining
    # accents): fold the stretches between them and record where each output character
    # came from.
    parts: list[str] = []
    index: list[int] = []
    cursor = 0
    for offset in uneven:
        parts.append(_fold_stretch(text[cursor:offset]))
        index.extend(range(cursor, offset))
        piece = text[offset].translate(_FOLD_TABLE)
        parts.append(piece)
        index.extend([offset] * len(piece))
        cursor = offset + 1
    parts.append(_fold_stretch(text[cursor:]))
    index.extend(range(cursor, len(text)))
    return Folded("".join(parts), index, obfuscated)


def smuggled(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether ``text[start:end]`` holds a character that only a disguise uses: an invisible
    format character (zero-width space, soft hyphen, Unicode tag), a look-alike letter from
    another script, a fullwidth or mathematical letter.

    >>> smuggled("ignore"), smuggled("ign\u200bore"), smuggled("instrucción")
    (False, True, False)
    """
    if text.isascii():
        return False
    stop = len(text) if end is None else end
    return _SMUGGLING.search(text, start, stop)
