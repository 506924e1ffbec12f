"""``pasarela demo`` runs with the install closed, as production would: two API keys it keeps
in files, and a check of the audit log at the end.

``demo-admin`` (role admin: the dashboard, ``/metrics``, ``/docs``) and ``demo-client`` (role
client, limited to the demo's endpoints: predictions and feedback) live in
``<home>/demo-admin.key`` and ``<home>/demo-client.key``, mode 0600, and later runs on the same
home reuse them. A file whose key this install does not accept (its database was reset, the key
revoked or expired) is replaced by a new key. Secrets are never printed: they are in the files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from pasarela.cli.common import console
from pasarela.cli.security import local
from pasarela.errors import ConfigurationError, Unauthenticated
from pasarela.security.audit import verify
from pasarela.security.keys import KeyRing, KeyService
from pasarela.security.roles import Role
from pasarela.storage.audit import AuditRepository
from pasarela.storage.keys import KeyRepository

ADMIN_KEY = "demo-admin"
CLIENT_KEY = "demo-client"


@dataclass(frozen=True, slots=True)
class DemoKeys:
    """The demo's two keys and the files that hold them (no secret in the repr)."""

    admin_file: Path
    client_file: Path
    admin: str = field(repr=False)
    client: str = field(repr=False)

    def admin_headers(self) -> dict[str, str]:
        """For the control plane: admin routes, the dashboard, metrics."""
        return {"Authorization": f"Bearer {self.admin}"}

    def client_headers(self) -> dict[str, str]:
        """For predictions and feedback."""
        return {"Authorization": f"Bearer {self.client}"}


def ensure_keys(engine: sa.Engine, home: Path, endpoints: Iterable[str]) -> DemoKeys:
    """The demo's admin key and its client key (limited to ``endpoints``): the ones saved in
    ``home`` by an earlier run when this install still accepts them, new ones otherwise."""
    scope = tuple(sorted(set(endpoints)))
    service = KeyService(KeyRepository(engine))
    ring = KeyRing(service.repo.list())
    admin_file, client_file = home / f"{ADMIN_KEY}.key", home / f"{CLIENT_KEY}.key"
    return DemoKeys(
        admin_file=admin_file,
        client_file=client_file,
        admin=_key(service, ring, admin_file, ADMIN_KEY, "admin", None),
        client=_key(service, ring, client_file, CLIENT_KEY, "client", scope),
    )


def _key(
    service: KeyService,
    ring: KeyRing,
    path: Path,
    name: str,
    role: Role,
    endpoints: tuple[str, ...] | None,
) -> str:
    """The secret in ``path`` if it is a valid ``role`` key that may call ``endpoints``; else a
    new key, saved there."""
    if path.exists():
        try:
            secret = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(f"cannot read the demo's key {path}: {exc.strerror}") from exc
        try:
            principal, _ = ring.check(secret)
        except Unauthenticated as exc:
            problem = exc.message
        else:
            if principal.role != role:
                problem = f"key {principal.subject} is a {principal.role} key, not {role}"
            elif not all(principal.may_call(e) for e in endpoints or ()):
                problem = f"key {principal.subject} may not call every endpoint of the demo"
            else:
                console.print(f"[dim]reusing key {principal.subject} ({role}) from {path}[/]")
                return secret
        console.print(f"[yellow]{path}: {problem}; replacing it with a new {role} key[/]")
        path.unlink()
    # O_EXCL: never overwrite a file; opened first, so no key is made that cannot be kept.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise ConfigurationError(f"cannot save the demo's key to {path}: {exc.strerror}") from exc
    try:
        record, secret = service.create(name=name, role=role, by=local(), endpoints=endpoints)
    except BaseException:
        os.close(fd)
        path.unlink()
        raise
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(secret + "\n")
    console.print(f"key [bold]{record.id}[/] ({role}, {name!r}) saved to {path}")
    return secret


def audit_summary(engine: sa.Engine) -> str:
    """One line: does the audit log's chain hold (``pasarela audit verify`` says more)?"""
    repo = AuditRepository(engine)
    # anchors() runs now and entries() only as verify walks it, so the anchors read are never
    # ahead of the entries, even while the server keeps appending
    result = verify(repo.entries(), repo.anchors())
    if result.ok:
        return f"audit log intact: {result.entries} entries"
    return f"audit log TAMPERED: {len(result.problems)} problem(s)"
