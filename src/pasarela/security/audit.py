"""Verifying the audit log: does the chain hold, from the first entry to the last anchor?

``verify`` walks the entries in sequence order and names every break:

- ``edited``: an entry's hash is not the hash of its fields — someone changed it;
- ``missing``: a sequence number is skipped — an entry was deleted;
- ``broken_link``: an entry's ``prev_hash`` is not the previous entry's hash — an entry was
  deleted, inserted or moved;
- ``cut``: an anchor names an entry that is gone or differs — the log was cut short or
  rewritten from there on (a rewritten chain can be internally consistent; the anchors,
  written as the log grew, are what it no longer matches).

Pure: entries and anchors in, a report out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pasarela.storage.audit import GENESIS, AuditEntry, entry_hash

ProblemKind = Literal["edited", "missing", "broken_link", "cut"]


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int
    kind: ProblemKind
    message: str


@dataclass(slots=True)
class Verification:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    anchors_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "anchors_checked": self.anchors_checked,
            "problems": [
                {"seq": p.seq, "kind": p.kind, "message": p.message} for p in self.problems
            ],
        }


def verify(
    entries: Iterable[AuditEntry], anchors: Sequence[tuple[int, str]], max_problems: int = 100
) -> Verification:
    """Check the chain of ``entries`` (in sequence order) against itself and ``anchors``."""
    result = Verification()
    seen: dict[int, str] = {}
    wanted = {seq for seq, _ in anchors}
    previous: AuditEntry | None = None

    def problem(seq: int, kind: ProblemKind, message: str) -> None:
        if len(result.problems) < max_problems:
            result.problems.append(Problem(seq, kind, message))

    for entry in entries:
        result.entries += 1
        expected_seq = 1 if previous is None else previous.seq + 1
        expected_prev = GENESIS if previous is None else previous.hash
        if entry.seq != expected_seq:
            gone = f"{expected_seq}" + (f"–{entry.seq - 1}" if entry.seq - 1 > expected_seq else "")
            problem(entry.seq, "missing", f"entries {gone} are missing before entry {entry.seq}")
        elif entry.prev_hash != expected_prev:
            problem(
                entry.seq,
                "broken_link",
                f"entry {entry.seq} does not follow entry {expected_seq - 1}: its prev_hash is "
                "not that entry's hash (moved, inserted or rewritten)",
            )
        recomputed = entry_hash(
            entry.seq,
            entry.at_us,
            entry.actor,
            entry.action,
            entry.target,
            entry.detail,
            entry.prev_hash,
        )
        if recomputed != entry.hash:
            problem(entry.seq, "edited", f"entry {entry.seq} was edited: its hash does not match")
        if entry.seq in wanted:
            seen[entry.seq] = entry.hash
        previous = entry
    if previous is not None:
        result.head_seq, result.head_hash = previous.seq, previous.hash
    for seq, digest in anchors:
        result.anchors_checked += 1
        if seq not in seen:
            problem(seq, "cut", f"anchored entry {seq} is gone: the log was cut short")
        elif seen[seq] != digest:
            problem(seq, "cut", f"entry {seq} is not the entry anchored: rewritten from there")
    return result
