"""The PII detector: candidates found in one pass, read, weighed by their context, and the
strongest of overlapping findings kept."""

from __future__ import annotations

from collections.abc import Iterable

from pasarela.guards.content import words as folded_words
from pasarela.guards.pii.candidates import BACK, CANDIDATES, emails, ipv6_addresses
from pasarela.guards.pii.cues import (
    ANTI_CONTEXT_PENALTY,
    BOOST,
    CONTEXT_WINDOW,
    OTHER_ID_PENALTY,
    SENTENCE_END,
    nearest_cue,
)
from pasarela.guards.pii.kinds import KINDS, Hit, Kind
from pasarela.guards.pii.readings import HANDLERS
from pasarela.types import Finding

_LABELS: dict[Kind, str] = {k: k.upper() for k in KINDS}
_DETECTOR_NAMES: dict[Kind, str] = {k: f"pii.{k}" for k in KINDS}


class PiiDetector:
    """Finds personal data of the chosen ``kinds`` (default: all of ``KINDS``).

    Findings: ``detector="pii.<kind>"``, ``label`` the kind upper-cased (``CUIT`` also for a
    CUIL), a format-keeping ``replacement``. Overlapping candidates: the higher score wins.

    >>> [(f.label, f.replacement) for f in PiiDetector().scan("tarjeta 4539 1488 0343 6467")]
    [('CARD', '<CARD_LAST4:6467>')]
    """

    __slots__ = ("_email", "_ip", "_kinds", "_master", "name")

    def __init__(self, kinds: Iterable[str] | None = None) -> None:
        chosen = tuple(KINDS if kinds is None else kinds)
        unknown = [k for k in chosen if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown PII kinds {unknown}; known: {list(KINDS)}")
        self.name = "pii"
        self._kinds: frozenset[str] = frozenset(chosen)
        self._email = "email" in self._kinds
        self._ip = "ip" in self._kinds
        self._master = bool(self._kinds - {"email"})

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds this detector looks for."""
        return self._kinds

    def scan(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        kinds = self._kinds
        if self._master:
            for m in CANDIDATES.finditer(text):
                group = m.lastgroup
                if group is None or group not in HANDLERS:
                    continue  # a token that is no candidate, consumed whole
                a = m.start() - BACK.get(group, 0)
                hits = [h for h in HANDLERS[group](text[a : m.end()], a) if h.kind in kinds]
                if hits:
                    findings.append(_score(text, hits))
        if self._email and "@" in text:
            findings.extend(_score(text, [h]) for h in emails(text))
        if self._ip and ":" in text:
            findings.extend(_score(text, [h]) for h in ipv6_addresses(text))
        return _resolve(findings) if len(findings) > 1 else findings


def _score(text: str, hits: list[Hit]) -> Finding:
    """The reading of one candidate that its context supports best, as a finding.

    The nearest cue word in the window before the candidate decides its score: a context
    word of its kind adds the kind's boost; a word naming another identifier ("RG", "IMEI")
    takes ``OTHER_ID_PENALTY`` away; for a weakly validated reading, a word announcing
    something else ("pedido", "versión") takes ``ANTI_CONTEXT_PENALTY`` away. Nearest, so that
    "servidor … versión 1.2.3.4" is a version and "pedido … CPF 529.982.247-25" a CPF. No
    cue: the base score."""
    start = hits[0].start
    window = text[max(0, start - CONTEXT_WINDOW) : start]
    words = folded_words(window)
    ends = [m.end() for m in SENTENCE_END.finditer(window)]
    sentence = len(folded_words(window[: ends[-1]])) if ends else 0
    best = hits[0]
    best_score = -1.0
    for hit in hits:
        cue = nearest_cue(words, hit.kind, hit.weak, sentence)
        score = hit.score
        if cue == "own":
            score = min(1.0, score + BOOST[hit.kind])
        elif cue == "other":
            score -= OTHER_ID_PENALTY
        elif cue == "anti":
            score -= ANTI_CONTEXT_PENALTY
        if score > best_score:
            best, best_score = hit, score
    return Finding(
        detector=_DETECTOR_NAMES[best.kind],
        label=_LABELS[best.kind],
        start=best.start,
        end=best.end,
        score=round(max(0.0, best_score), 4),
        replacement=best.replacement,
    )


def _resolve(findings: list[Finding]) -> list[Finding]:
    """Keeps the strongest of overlapping findings (then the longer), in text order."""
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-f.score, f.start - f.end)):
        if all(f.end <= k.start or k.end <= f.start for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    return kept
