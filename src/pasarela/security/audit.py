"""Verifying the audit log: does the chain hold, from the first entry to the last anchor?

``verify`` walks the entries in sequence order and names every break:

- ``edited``: an entry's hash is not the hash of its fields — someone changed it;
- ``missing``: a sequence number is skipped — an entry was deleted;
- ``broken_link``: an entry's ``prev_hash`` is not the previous entry's hash — an entry was
  deleted, inserted or moved;
- ``cut``: an anchor, or the head this home witnessed (``storage/audit_witness.py``), names
  an entry that is gone or differs — the log was cut short or rewritten from there on (a
  rewritten chain can be internally consistent; the anchors and the witness, written as the
  log grew, are what it no longer matches);
- ``rolled_back``: the witnessed head is gone, and a later ``backup.restore`` entry says the
  log was replaced by a backup's, whose head was at or beyond it: what a restore from an older
  backup looks like to a server that witnessed the newer log. Still a problem — those entries
  are not in this log — until someone accepts it (``pasarela audit verify --accept-restore``).

``verify`` is pure: entries, anchors and the witnessed head in, a report out. ``check_log``
is what the CLI, the API and the compliance report call: it reads them, and moves this home's
witness forward to a head it has just verified.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pasarela.storage.audit import GENESIS, AuditEntry, AuditRepository, entry_hash, witness_of
from pasarela.storage.audit_witness import WitnessedHead

ProblemKind = Literal["edited", "missing", "broken_link", "cut", "rolled_back"]


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
    witnessed: WitnessedHead | None = None
    problems: list[Problem] = field(default_factory=list)
    accepted: list[Problem] = field(default_factory=list)
    """``rolled_back`` problems accepted (``check_log(accept_restore_by=…)``)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head": {"seq": self.head_seq, "hash": self.head_hash},
            "anchors_checked": self.anchors_checked,
            "witnessed": None if self.witnessed is None else self.witnessed.to_json(),
            "problems": [_problem(p) for p in self.problems],
            **({"accepted": [_problem(p) for p in self.accepted]} if self.accepted else {}),
        }


def _problem(p: Problem) -> dict[str, Any]:
    return {"seq": p.seq, "kind": p.kind, "message": p.message}


def check_log(repo: AuditRepository, *, accept_restore_by: str | None = None) -> Verification:
    """Anchor the head, then verify the whole log against its anchors and the head this home
    witnessed. When the log holds, the head verified becomes the witnessed one (a home that
    only ever verifies gains a witness too). ``accept_restore_by``: when the only problems
    are ``rolled_back`` (a restore from an older backup, seen from a server that witnessed
    the newer log), accept it — the witness moves to today's head, the file keeps the old
    one and who accepted — and report the log as holding."""
    repo.anchor_head()
    witness = witness_of(repo.engine)
    # The witness and the anchors are read before the walk starts (entries() is lazy), so
    # everything they name was committed before the entries are read.
    result = verify(repo.entries(), repo.anchors(), witness.read() if witness else None)
    if witness is None or not result.head_seq:
        return result
    if result.ok:
        witness.advance(result.head_seq, result.head_hash)
    elif accept_restore_by and all(p.kind == "rolled_back" for p in result.problems):
        witness.replace(
            result.head_seq, result.head_hash, f"restore accepted by {accept_restore_by}"
        )
        result.accepted, result.problems = result.problems, []
    return result


def verify(
    entries: Iterable[AuditEntry],
    anchors: Sequence[tuple[int, str]],
    witnessed: WitnessedHead | None = None,
    max_problems: int = 100,
) -> Verification:
    """Check the chain of ``entries`` (in sequence order) against itself, ``anchors`` and the
    head this home ``witnessed`` (None: no witness here, only the anchors can show a cut)."""
    result = Verification(witnessed=witnessed)
    seen: dict[int, str] = {}
    wanted = {seq for seq, _ in anchors} | ({witnessed.seq} if witnessed else set())
    restores: list[AuditEntry] = []
    previous: AuditEntry | None = None

    def problem(seq: int, kind: ProblemKind, message: str) -> None:
        if len(result.problems) < max_problems:
            result.problems.append(Problem(seq, kind, message))

    for entry in entries:
        result.entries += 1
        for kind, message in _breaks(entry, previous):
            problem(entry.seq, kind, message)
        if entry.seq in wanted:
            seen[entry.seq] = entry.hash
        if entry.action == "backup.restore":
            restores.append(entry)
        previous = entry
    if previous is not None:
        result.head_seq, result.head_hash = previous.seq, previous.hash
    for seq, digest in anchors:
        result.anchors_checked += 1
        if seq not in seen:
            problem(seq, "cut", f"anchored entry {seq} is gone: the log was cut short")
        elif seen[seq] != digest:
            problem(seq, "cut", f"entry {seq} is not the entry anchored: rewritten from there")
    if witnessed is not None and seen.get(witnessed.seq) != witnessed.hash:
        kind, message = _witness_break(witnessed, result.head_seq, restores)
        problem(witnessed.seq, kind, message)
    return result


def _breaks(entry: AuditEntry, previous: AuditEntry | None) -> list[tuple[ProblemKind, str]]:
    """What is wrong with ``entry`` itself and with its link to the entry before it."""
    found: list[tuple[ProblemKind, str]] = []
    expected_seq = 1 if previous is None else previous.seq + 1
    expected_prev = GENESIS if previous is None else previous.hash
    if entry.seq != expected_seq:
        gone = f"{expected_seq}" + (f"–{entry.seq - 1}" if entry.seq - 1 > expected_seq else "")
        found.append(("missing", f"entries {gone} are missing before entry {entry.seq}"))
    elif entry.prev_hash != expected_prev:
        found.append(
            (
                "broken_link",
                f"entry {entry.seq} does not follow entry {expected_seq - 1}: its prev_hash is "
                "not that entry's hash (moved, inserted or rewritten)",
            )
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
        found.append(("edited", f"entry {entry.seq} was edited: its hash does not match"))
    return found


def _witness_break(
    witnessed: WitnessedHead, head_seq: int, restores: Sequence[AuditEntry]
) -> tuple[ProblemKind, str]:
    when = datetime.fromtimestamp(witnessed.at_us / 1e6, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    seen = f"this home witnessed entry {witnessed.seq} ({witnessed.hash[:16]}…) on {when}"
    for restore in reversed(restores):
        replaced = restore.detail.get("replaced_head")
        replaced_seq = replaced.get("seq") if isinstance(replaced, dict) else None
        if isinstance(replaced_seq, int) and replaced_seq >= witnessed.seq:
            return "rolled_back", (
                f"{seen}; entry {restore.seq} records a restore ({restore.target}, by "
                f"{restore.actor}) that replaced a log whose head was entry {replaced_seq}: "
                "the entries of that log after the backup are not in this one"
            )
    if witnessed.seq > head_seq:
        gone = (
            f"{head_seq + 1}–{witnessed.seq}" if witnessed.seq > head_seq + 1 else str(head_seq + 1)
        )
        return "cut", (
            f"the log ends at entry {head_seq}, but {seen}: entries {gone} were cut off the end "
            "(or the database was restored from an older backup other than by 'pasarela "
            "backup restore')"
        )
    return "cut", f"entry {witnessed.seq} is not the one {seen}: the log was rewritten from there"
