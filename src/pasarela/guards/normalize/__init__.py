"""Text normalisation for matching: the forms of a text that a detector's patterns run on.

An attacker hides a phrase from a filter by writing it the way a reader still understands but a
pattern does not: accents dropped or added, Cyrillic or Greek look-alike letters, fullwidth
forms, zero-width characters between letters, leetspeak (``1gn0r3``), letters spaced out one by
one (``i g n o r e``), or the whole phrase in base64 or hex. This module undoes each of these so
that patterns are written once, in plain lower-case ASCII:

- ``fold`` — NFKC, look-alikes to ASCII, case folding, accents stripped, format characters
  (zero-width space, joiners, soft hyphen, BOM, Unicode tags) removed, Unicode spaces and dashes
  to ASCII: ``"Instrucción"`` → ``"instruccion"``, ``"іgnore"`` (Cyrillic і) → ``"ignore"``. It
  keeps track of where each folded character came from, so a match maps back to the original.
- ``deleet`` — the leetspeak readings of a folded text (``0→o 1→i|l 3→e 4→a 5→s 7→t @→a
  $→s``). Only for matching: it rewrites only tokens that mix letters with those characters,
  since ``2024`` or ``$900`` are not words in disguise.
- ``despace`` — letters spaced out one by one (``i g n o r e``, ``i.g.n.o.r.e``) joined.
- ``matching_forms`` — all of the above in one call: the folded text, and only when the text
  shows the sign of an obfuscation, its de-obfuscated forms.
- ``decode_blobs`` — base64 and hex runs that decode to printable UTF-8 text, for a detector
  to scan again (``injection.py`` goes at most two levels deep).
- ``normalize`` — a readable canonical form (folded, spaced letters joined, whitespace
  collapsed) for logs and tests.

The package: ``folding`` (``fold``, ``smuggled``), ``leet`` (``deleet``, ``widen``),
``spacing`` (``despace``), ``forms`` (``matching_forms``, ``normalize``), ``blobs``
(``decode_blobs``).

Everything is built for a request's hot path: the translation table and the regexes are built
once at import, an ASCII text takes ``str.lower`` alone, and the de-obfuscated forms cost nothing
unless a cheap search finds their sign.
"""

from __future__ import annotations

from pasarela.guards.normalize.blobs import Blob, decode_blobs
from pasarela.guards.normalize.folding import Folded, fold, smuggled
from pasarela.guards.normalize.forms import Form, FormKind, matching_forms, normalize
from pasarela.guards.normalize.leet import LEET_REACH, deleet, widen
from pasarela.guards.normalize.spacing import despace

__all__ = [
    "LEET_REACH",
    "Blob",
    "Folded",
    "Form",
    "FormKind",
    "decode_blobs",
    "deleet",
    "despace",
    "fold",
    "matching_forms",
    "normalize",
    "smuggled",
    "widen",
]
