"""The audit log in the SQL database: append-only, hash-chained, anchored.

Each entry's hash covers its fields and the previous entry's hash, so an entry edited, deleted
or moved breaks the chain at that place (``security/audit.py`` verifies it). Appends happen in
the caller's transaction — a control-plane change and its audit entry commit together or not
at all — and are serialised: SQLite's write lock (BEGIN IMMEDIATE) on SQLite, a transaction-level
advisory lock on PostgreSQL, so two servers never fork the chain.

Every ``ANCHOR_EVERY`` entries the head (sequence and hash) is also written to
``audit_anchors``: a chain cut short at its end is still a valid chain, but no longer reaches
its last anchor. Anchors live in the same database, though; what the database cannot rewrite
is the head each appending process writes to its home once the append commits
(``audit_witness.py``; ``witness_appends`` turns it on for an engine).
"""

from __future__ import annotations

import hashlib
import logging
import time
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from pasarela.errors import ConfigurationError
from pasarela.storage import schema
from pasarela.storage.audit_witness import HeadWitness
from pasarela.storage.db import SCHEMA_KEY, after_commit, write

log = logging.getLogger(__name__)

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""
ANCHOR_EVERY = 100
_LOCK_KEY = 0x7061_7564  # "paud": the appenders' advisory lock on PostgreSQL
_LIMITS = {
    c.name: c.type.length
    for c in schema.audit_log.c
    if isinstance(c.type, sa.String) and c.type.length is not None
}
"""The text columns' lengths: one definition, the schema's."""
_witnesses: weakref.WeakKeyDictionary[sa.Engine, HeadWitness] = weakref.WeakKeyDictionary()
_warned: set[tuple[str, int]] = set()  # (database, witnessed seq) already warned about


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    at_us: int
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at_us / 1e6,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def entry_hash(
    seq: int, at_us: int, actor: str, action: str, target: str, detail: Any, prev_hash: str
) -> str:
    """SHA-256 of the entry's canonical JSON (sorted keys, no spaces): the same bytes on every
    backend, whatever order the JSON column gives its keys back in."""
    body = orjson.dumps(
        [seq, at_us, actor, action, target, detail, prev_hash], option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(body).hexdigest()


def bounded(value: str, column: str) -> str:
    """``value`` as the ``audit_log`` column ``column`` stores it: at most the column's length
    (a cut value ends in ``…``, so it cannot pass for a whole one), without the characters
    PostgreSQL refuses in text (NUL, lone surrogates). The hash is taken over this, so what
    is stored is exactly what was hashed, on every backend."""
    text = _clean(value)
    limit = _LIMITS[column]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def append(
    conn: sa.Connection,
    *,
    actor: str,
    action: str,
    target: str,
    detail: dict[str, Any] | None = None,
    at: float | None = None,
) -> AuditEntry:
    """Append one entry in ``conn``'s transaction (which must be a write transaction: on SQLite
    one begun with BEGIN IMMEDIATE). Text fields are bounded to their columns first
    (``bounded``), so any value a client can put in them — a path, a token's subject — is
    stored and hashed alike."""
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(f"SELECT pg_advisory_xact_lock(:key, {SCHEMA_KEY})"), {"key": _LOCK_KEY}
        )
    t = schema.audit_log
    head = conn.execute(sa.select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
    seq, prev = (int(head.seq) + 1, head.hash) if head else (1, GENESIS)
    at_us = int((time.time() if at is None else at) * 1_000_000)
    actor, action, target = (
        bounded(actor, "actor"),
        bounded(action, "action"),
        bounded(target, "target"),
    )
    # Round-trip the detail through JSON so the hash covers what the database gives back.
    stored = orjson.loads(orjson.dumps(_storable(detail or {}), default=str))
    digest = entry_hash(seq, at_us, actor, action, target, stored, prev)
    witness = _witnesses.get(conn.engine)
    if witness is not None and _continues_witnessed(conn, witness, seq):
        after_commit(conn, f"audit-witness:{witness.path}", lambda: _advance(witness, seq, digest))
    conn.execute(
        t.insert().values(
            seq=seq,
            at_us=at_us,
            actor=actor,
            action=action,
            target=target,
            detail=stored,
            prev_hash=prev,
            hash=digest,
        )
    )
    if seq % ANCHOR_EVERY == 0:
        anchor(conn, seq, digest, at_us)
    return AuditEntry(seq, at_us, actor, action, target, stored, prev, digest)


def _storable(value: Any) -> Any:
    """``value`` with every string freed of what PostgreSQL's JSON refuses (NUL, lone
    surrogates), as ``bounded`` does for the text columns, but not cut."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return {_clean(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_storable(v) for v in value]
    return value


def _clean(text: str) -> str:
    if text.isascii() and "\x00" not in text:
        return text
    text = text.replace("\x00", "\ufffd")
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def witness_appends(engine: sa.Engine, witness: HeadWitness) -> None:
    """From now on, every append through ``engine`` in a ``write`` transaction is witnessed
    by ``witness`` once it commits (``open_registry`` does this for the process's engine)."""
    _witnesses[engine] = witness


def witness_of(engine: sa.Engine) -> HeadWitness | None:
    return _witnesses.get(engine)


def _continues_witnessed(conn: sa.Connection, witness: HeadWitness, seq: int) -> bool:
    """Whether the log, about to take entry ``seq``, still holds the entry witnessed last.
    When it does not — cut, rewritten, or restored from an older backup — the witness stays
    where it is, so ``verify`` keeps naming the place; this process says so once."""
    try:
        seen = witness.read()
    except ConfigurationError as exc:
        _warn_once((witness.database, -1), "audit entries are not witnessed: %s", exc)
        return False
    if seen is None:
        return True
    if seen.seq < seq:
        t = schema.audit_log
        held = conn.execute(sa.select(t.c.hash).where(t.c.seq == seen.seq)).scalar()
        if held == seen.hash:
            return True
    _warn_once(
        (witness.database, seen.seq),
        "the audit log no longer holds entry %d as this server witnessed it (cut, rewritten, "
        "or restored from a backup): the witness stays there; run 'pasarela audit verify'",
        seen.seq,
    )
    return False


def _advance(witness: HeadWitness, seq: int, digest: str) -> None:
    try:
        witness.advance(seq, digest)
    except (OSError, ConfigurationError) as exc:  # committed already: say so, do not undo
        _warn_once((witness.database, -2), "audit entries committed but not witnessed: %s", exc)


def _warn_once(key: tuple[str, int], message: str, *args: object) -> None:
    """One line per trouble and process, not one per append."""
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


def anchor(conn: sa.Connection, seq: int, digest: str, at_us: int) -> None:
    a = schema.audit_anchors
    exists = conn.execute(sa.select(a.c.seq).where(a.c.seq == seq)).first()
    if exists is None:
        conn.execute(a.insert().values(seq=seq, hash=digest, at_us=at_us))


class AuditRepository:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def append_many(self, items: Sequence[dict[str, Any]]) -> list[AuditEntry]:
        """Append entries (``actor``, ``action``, ``target``, ``detail``, ``at``) in one
        transaction, in order."""
        if not items:
            return []
        with write(self.engine) as conn:
            return [append(conn, **item) for item in items]

    def anchor_head(self) -> AuditEntry | None:
        """Write the current head as an anchor (``audit verify`` and exports do), and return it."""
        with write(self.engine) as conn:
            t = schema.audit_log
            row = conn.execute(sa.select(t).order_by(t.c.seq.desc()).limit(1)).first()
            if row is None:
                return None
            anchor(conn, int(row.seq), row.hash, int(time.time() * 1_000_000))
            return _entry(row)

    def entries(
        self, *, since_seq: int = 0, limit: int | None = None, batch: int = 5000
    ) -> Iterator[AuditEntry]:
        """Entries in sequence order from ``since_seq`` on, read in batches."""
        t = schema.audit_log
        after, left = since_seq - 1, limit
        while left is None or left > 0:
            size = batch if left is None else min(batch, left)
            with self.engine.connect() as conn:
                rows = list(
                    conn.execute(sa.select(t).where(t.c.seq > after).order_by(t.c.seq).limit(size))
                )
            if not rows:
                return
            for row in rows:
                yield _entry(row)
            after = int(rows[-1].seq)
            if left is not None:
                left -= len(rows)

    def head(self) -> AuditEntry | None:
        t = schema.audit_log
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t).order_by(t.c.seq.desc()).limit(1)).first()
        return None if row is None else _entry(row)

    def anchors(self) -> list[tuple[int, str]]:
        a = schema.audit_anchors
        with self.engine.connect() as conn:
            return [(int(r.seq), r.hash) for r in conn.execute(sa.select(a).order_by(a.c.seq))]


def _entry(row: Any) -> AuditEntry:
    return AuditEntry(
        int(row.seq),
        int(row.at_us),
        row.actor,
        row.action,
        row.target,
        row.detail,
        row.prev_hash,
        row.hash,
    )
