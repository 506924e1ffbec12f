"""Guards: a detector, an action and a threshold; and a chain of them for an endpoint.

A detector (``types.Detector``) only finds. A ``Guard`` decides: when the strongest finding
reaches its threshold, it takes its action (``flag``, ``redact`` or ``block``). A
``GuardChain`` runs its guards over one text and returns one ``Verdict``: the strongest action
any guard took (block > redact > flag > allow), every finding that counted, the highest score,
and the text with every redacting guard's findings replaced.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pasarela.types import Detector, Finding, GuardAction, Verdict

RANK: dict[GuardAction, int] = {"allow": 0, "flag": 1, "redact": 2, "block": 3}


def redact(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each located finding replaced by its ``replacement`` (``<LABEL>`` when it
    has none). Overlapping findings: the one that starts first wins, the longer on a tie.

    >>> redact("mail ana@x.es now", [Finding("pii.email", "EMAIL", 5, 13, 1.0)])
    'mail <EMAIL> now'
    """
    located = sorted(
        (f for f in findings if 0 <= f.start < f.end <= len(text)),
        key=lambda f: (f.start, -(f.end - f.start)),
    )
    parts: list[str] = []
    cursor = 0
    for finding in located:
        if finding.start < cursor:
            continue
        parts.append(text[cursor : finding.start])
        parts.append(finding.replacement or f"<{finding.label}>")
        cursor = finding.end
    parts.append(text[cursor:])
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Guard:
    """A detector with the action it takes when a finding scores at least ``threshold``."""

    detector: Detector
    action: GuardAction = "block"
    threshold: float = 0.5

    def check(self, text: str) -> Verdict:
        found = tuple(f for f in self.detector.scan(text) if f.score >= self.threshold)
        if not found:
            return Verdict("allow", (), 0.0, text)
        score = max(f.score for f in found)
        out = redact(text, found) if self.action == "redact" else text
        return Verdict(self.action, found, score, out)


@dataclass(frozen=True, slots=True)
class GuardChain:
    """The guards of one endpoint's inputs (or outputs), run in order over one text."""

    guards: Sequence[Guard] = ()

    def check(self, text: str) -> Verdict:
        action: GuardAction = "allow"
        findings: list[Finding] = []
        to_redact: list[Finding] = []
        score = 0.0
        for guard in self.guards:
            verdict = guard.check(text)
            if verdict.action == "allow":
                continue
            findings.extend(verdict.findings)
            score = max(score, verdict.score)
            if RANK[verdict.action] > RANK[action]:
                action = verdict.action
            if verdict.action == "redact":
                to_redact.extend(verdict.findings)
            if action == "block":
                break  # nothing after a block changes the answer
        out = redact(text, to_redact) if to_redact and action != "block" else text
        return Verdict(action, tuple(findings), score, out)
