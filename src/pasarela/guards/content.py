"""Content detector: deny lists and small built-in lexicons, in English, Spanish and
Portuguese, matched as whole words on a normalised form of the text.

**A baseline, not a classifier.** The lexicons (``LEXICONS``) hold a few dozen unambiguous
words and phrases per category, chosen so that ordinary support and product talk does not hit
them ("kill the process" is not violence; "kill you" is). They miss paraphrase, slang, irony
and every other language, and say nothing about intent; an endpoint that needs more pairs
this detector with a model-based one. What they do give is cheap, explainable, auditable
blocking of the obvious, and a place for an operator's own deny list.

**Normalisation.** A term matches when it appears with word boundaries on both sides, case-
folded and with accents stripped on both sides, so ``suicídio``, ``SUICIDIO`` and ``suicidio``
are one term; inside a phrase any run of spaces or hyphens matches any other (``self-harm`` =
``self harm``). Spans always point into the original text.

**Cost.** A scan first reduces the text to its folded words (``words``: three C-level
passes, a Latin-1 encode, one byte table, a split) and checks them against one trigger word
per term; only when a trigger is present does it run a regular expression, built for the
triggered terms alone, to find the exact spans. A text that mentions none of the terms costs
one set check. Letters outside Latin-1 (which holds every letter of the three languages) are
word separators: a deny-list entry in another script is matched by the expression only when
a trigger word of Latin letters is present, so such entries should not be relied on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pasarela.types import Finding

__all__ = ["CATEGORIES", "LEXICONS", "ContentDetector", "fold", "words"]

LEXICONS: Mapping[str, tuple[str, ...]] = {
    "violence": (
        # en
        "kill you", "kill them all", "kill everyone", "murder", "murdered",
        "murdering", "stab you", "shoot you", "shoot them all", "beat you to death",
        "slit your throat", "behead", "beheading", "massacre", "torture them", "lynch",
        "bloodbath",
        # es
        "te voy a matar", "voy a matarte", "los voy a matar", "asesinar", "asesinato",
        "apuñalar", "apuñalarte", "degollar", "decapitar", "masacre", "torturar", "linchar",
        "baño de sangre",
        # pt
        "vou te matar", "vou matar você", "assassinar", "assassinato", "esfaquear", "degolar",
        "massacre", "linchar", "banho de sangue",
    ),
    "self_harm": (
        # en
        "kill myself", "killing myself", "suicide", "suicidal", "end my life",
        "take my own life", "self harm", "self-harm", "cut myself", "cutting myself",
        "want to die", "overdose on",
        # es
        "matarme", "suicidio", "suicidarme", "quitarme la vida", "acabar con mi vida",
        "autolesión", "autolesiones", "cortarme las venas", "quiero morir",
        "no quiero vivir",
        # pt
        "me matar", "suicídio", "suicida", "tirar minha vida", "tirar a minha vida",
        "acabar com a minha vida", "automutilação", "autolesão", "me cortar", "quero morrer",
        "não quero mais viver",
    ),
    "hate": (
        # en
        "subhuman", "subhumans", "inferior race", "master race", "ethnic cleansing",
        "white power", "heil hitler", "sieg heil", "racial purity", "exterminate them",
        # es
        "subhumano", "subhumanos", "raza inferior", "raza superior", "limpieza étnica",
        "pureza racial", "exterminarlos",
        # pt
        "sub-humano", "sub-humanos", "subumano", "raça inferior", "raça superior",
        "limpeza étnica", "exterminar todos",
    ),
    "sexual": (
        # en
        "porn", "porno", "pornography", "pornographic", "explicit sex", "sexually explicit",
        "send nudes", "nude photos", "child porn",
        # es
        "pornografía", "pornográfico", "sexo explícito", "fotos desnuda", "manda nudes",
        "pornografía infantil",
        # pt
        "pornô", "pornografia", "pornográfico", "fotos nuas", "nudes", "pornografia infantil",
    ),
    "weapons": (
        # en
        "pipe bomb", "build a bomb", "make a bomb", "homemade explosive", "ghost gun",
        "3d printed gun", "untraceable gun", "molotov", "napalm", "detonator", "nerve agent",
        "sarin", "ricin", "bump stock",
        # es
        "bomba casera", "fabricar una bomba", "hacer una bomba", "explosivo casero",
        "arma fantasma", "arma impresa en 3d", "silenciador", "cóctel molotov", "detonador",
        "agente nervioso", "ricina",
        # pt
        "bomba caseira", "fazer uma bomba", "fabricar uma bomba", "explosivo caseiro",
        "arma impressa em 3d", "coquetel molotov", "agente nervoso",
    ),
}  # fmt: skip
"""The built-in categories and their terms, written as people write them (accents and all)."""

CATEGORIES: tuple[str, ...] = tuple(LEXICONS)

DENY_SCORE = 1.0
"""An operator's deny list is a decision, not a guess."""
CATEGORY_SCORE = 0.7
"""A lexicon hit: above the default guard threshold (0.5), below certainty."""

_STOPWORDS = frozenset(
    [
        "a",
        "i",
        "o",
        "e",
        "de",
        "la",
        "el",
        "los",
        "las",
        "te",
        "me",
        "mi",
        "my",
        "to",
        "the",
        "you",
        "your",
        "them",
        "all",
        "on",
        "en",
        "com",
        "em",
        "uma",
        "una",
        "un",
        "no",
        "nao",
        "mais",
        "want",
        "quiero",
        "quero",
        "vou",
        "voy",
        "going",
        "gonna",
        "will",
        "make",
        "build",
        "take",
        "end",
        "hacer",
        "fazer",
        "fabricar",
        "acabar",
        "tirar",
        "con",
        "with",
    ]
)
"""Words too common to be a phrase's trigger: the trigger is its longest word not here."""


def _word_byte(b: int) -> int:
    """What a Latin-1 byte becomes in ``words``: a letter or digit its lower-case ASCII base
    (É → e, ç → c, ñ → n), anything else a space."""
    c = chr(b)
    if not c.isalnum():
        return 32
    base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    base = base.lower()
    return ord(base) if len(base) == 1 and base.isascii() else 32


_WORD_TABLE = bytes(_word_byte(b) for b in range(256))

# Accent variants per base letter, for the regular expression that finds exact spans on the
# original text (case is handled by IGNORECASE).
_VARIANTS = {
    "a": "aáàâãäå", "e": "eéèêë", "i": "iíìîï", "o": "oóòôõöø", "u": "uúùûü", "c": "cç",
    "n": "nñ", "y": "yýÿ",
}  # fmt: skip


def _fold_char(c: str) -> str:
    base = "".join(x for x in unicodedata.normalize("NFKD", c) if not unicodedata.combining(x))
    low = base.lower()
    return low if len(low) == 1 else c.lower()[:1] or c


_FOLD_TABLE = {cp: _fold_char(chr(cp)) for cp in range(0xC0, 0x250)}


def fold(text: str) -> str:
    """``text`` lower-cased with the accents of Latin letters stripped, of the SAME length, so
    an index into the result is an index into ``text``.

    >>> fold("Teléfono CORAÇÃO")
    'telefono coracao'
    """
    low = text.lower()
    if len(low) != len(text):  # 'İ' lowers to two code points; keep one
        low = "".join(c.lower()[:1] for c in text)
    return low if low.isascii() else low.translate(_FOLD_TABLE)


def words(text: str) -> list[bytes]:
    """The words of ``text``, lower case and without accents, as ASCII bytes; punctuation,
    hyphens and characters outside Latin-1 separate them. C-level passes only (no positions):
    the input of fast membership checks.

    >>> words("Teléfono: CORAÇÃO — self-harm")
    [b'telefono', b'coracao', b'self', b'harm']
    """
    return text.encode("latin-1", "replace").translate(_WORD_TABLE).split()


_words = words


@dataclass(frozen=True, slots=True)
class _Term:
    """One deny-list or lexicon entry: what it belongs to, its folded words and its trigger."""

    text: str
    category: str  # "denylist" or a lexicon category
    words: tuple[bytes, ...]
    trigger: bytes


def _term(text: str, category: str) -> _Term | None:
    words = tuple(_words(text))
    if not words:
        return None
    content = [w for w in words if w.decode() not in _STOPWORDS] or list(words)
    return _Term(text, category, words, max(content, key=len))


def _word_pattern(word: bytes) -> str:
    out = []
    for ch in word.decode():
        variants = _VARIANTS.get(ch)
        out.append(f"[{variants}]" if variants else re.escape(ch))
    return "".join(out)


@lru_cache(maxsize=256)
def _span_regex(phrases: tuple[tuple[bytes, ...], ...]) -> re.Pattern[str]:
    """A regular expression finding any of ``phrases`` (tuples of folded words) in original
    text: accent-insensitive letters, case-insensitive, any run of spaces or hyphens between
    words, word boundaries at both ends. Longer phrases first, so the longest match wins."""
    ordered = sorted(phrases, key=lambda p: (-len(p), -sum(map(len, p))))
    body = "|".join(r"[\s\-]+".join(_word_pattern(w) for w in phrase) for phrase in ordered)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


class ContentDetector:
    """Finds deny-listed words or phrases and built-in category terms.

    ``deny``: the operator's words or phrases (label ``DENYLIST``, score 1.0).
    ``categories``: names from ``CATEGORIES`` (label: the name upper-cased, score 0.7).
    A term both denied and in a category reports as ``DENYLIST``.

    >>> [f.label for f in ContentDetector(deny=["proyecto fénix"]).scan("El PROYECTO FENIX")]
    ['DENYLIST']
    """

    __slots__ = ("_by_words", "_terms", "_triggers", "name")

    def __init__(self, deny: Sequence[str] = (), categories: Sequence[str] = ()) -> None:
        unknown = [c for c in categories if c not in LEXICONS]
        if unknown:
            raise ValueError(f"unknown content categories {unknown}; known: {list(CATEGORIES)}")
        self.name = "content"
        terms: dict[tuple[bytes, ...], _Term] = {}
        for category in categories:
            for text in LEXICONS[category]:
                term = _term(text, category)
                if term is not None:
                    terms.setdefault(term.words, term)
        for text in deny:
            term = _term(text, "denylist")
            if term is None:
                raise ValueError(f"deny-list entry {text!r} has no letters or digits to match")
            terms[term.words] = term  # the operator's entry wins over a lexicon's
        self._terms: tuple[_Term, ...] = tuple(terms.values())
        self._by_words: dict[bytes, _Term] = {b" ".join(t.words): t for t in self._terms}
        self._triggers = frozenset(t.trigger for t in self._terms)

    def scan(self, text: str) -> list[Finding]:
        if not self._triggers:
            return []
        words = _words(text)
        if self._triggers.isdisjoint(words):
            return []  # the usual case: none of the terms' trigger words is in the text
        present = set(words)
        phrases = tuple(
            t.words for t in self._terms if t.trigger in present and present.issuperset(t.words)
        )
        if not phrases:
            return []
        findings = []
        for m in _span_regex(phrases).finditer(text):
            key = b" ".join(_words(m.group()))
            term = self._by_words.get(key)
            if term is None:  # cannot happen: the expression only holds these phrases
                continue
            denied = term.category == "denylist"
            findings.append(
                Finding(
                    detector=f"content.{term.category}",
                    label=term.category.upper(),
                    start=m.start(),
                    end=m.end(),
                    score=DENY_SCORE if denied else CATEGORY_SCORE,
                )
            )
        return findings

    @property
    def terms(self) -> Iterable[str]:
        """Every term this detector looks for, as written."""
        return (t.text for t in self._terms)
