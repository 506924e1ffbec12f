"""Security routes: keys, the audit log and who am I (the dashboard's login: login_routes).

``POST /admin/keys`` answers the new key's secret once; nothing can show it again.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response

from pasarela.api.admin_routes import _parse_json, _registry, _workspace
from pasarela.api.params import bounded_id
from pasarela.api.routes import _json, _plane
from pasarela.control.compliance import compliance_report
from pasarela.control.erasure import CacheErasure
from pasarela.errors import InvalidRequest
from pasarela.security.audit import check_log
from pasarela.security.keys import KeyService
from pasarela.security.roles import ANONYMOUS, Principal
from pasarela.storage import schema

router = APIRouter(tags=["security"])


def _principal(request: Request) -> Principal:
    found: Principal | None = getattr(request.state, "principal", None)
    return found or ANONYMOUS


def _keys(request: Request) -> KeyService:
    return KeyService(_workspace(request).keys)


@router.get("/admin/whoami")
async def whoami(request: Request) -> Response:
    """The caller as the server sees it: subject, role, endpoints, how authenticated."""
    p = _principal(request)
    endpoints = None if p.endpoints is None else sorted(p.endpoints)
    return _json({"subject": p.subject, "role": p.role, "endpoints": endpoints, "via": p.via})


@router.get("/admin/keys")
async def list_keys(request: Request) -> Response:
    """Every key (never a secret): id, name, role, endpoints, expiry, revocation, and its
    ``state`` now: ``active``, ``expired`` or ``revoked``."""
    records = await asyncio.to_thread(_keys(request).repo.list)
    now = datetime.now(UTC)  # one instant for the whole listing
    return _json({"keys": [r.to_json(now) for r in records]})


@router.post("/admin/keys", status_code=201)
async def create_key(request: Request) -> Response:
    """A new key: ``{"name", "role", "endpoints"?, "expires_in_days"?, "rate_limit"?}``. The
    reply's ``key`` is the secret, shown this once. Operators create client keys only."""
    body = _parse_json(await request.body())
    if not isinstance(body, dict):
        raise InvalidRequest('the body must be an object like {"name": "app", "role": "client"}')
    known = {"name", "role", "endpoints", "expires_in_days", "rate_limit"}
    if unknown := sorted(set(body) - known):
        raise InvalidRequest(f"unknown fields {unknown}; known: {sorted(known)}")
    name, role = body.get("name"), body.get("role", "client")
    endpoints, expires, limit = (
        body.get("endpoints"),
        body.get("expires_in_days"),
        body.get("rate_limit"),
    )
    if not isinstance(name, str) or not isinstance(role, str):
        raise InvalidRequest("'name' and 'role' must be strings")
    if endpoints is not None and not (
        isinstance(endpoints, list) and all(isinstance(e, str) for e in endpoints)
    ):
        raise InvalidRequest("'endpoints' must be a list of endpoint names")
    if expires is not None and (isinstance(expires, bool) or not isinstance(expires, int | float)):
        raise InvalidRequest("'expires_in_days' must be a number")
    if limit is not None and not isinstance(limit, str):
        raise InvalidRequest("'rate_limit' must be a string like '100/s'")
    record, secret = await asyncio.to_thread(
        _keys(request).create,
        name=name,
        role=role,
        by=_principal(request),
        endpoints=endpoints,
        expires_in_days=expires,
        rate_limit=limit,
    )
    await _plane(request).refresh()
    return _json({"key": secret, **record.to_json()}, status_code=201)


@router.delete("/admin/keys/{key_id}")
async def revoke_key(request: Request, key_id: str) -> Response:
    """Revoke a key: every server refuses it from its next snapshot on."""
    record = await asyncio.to_thread(_keys(request).revoke, key_id, by=_principal(request))
    await _plane(request).refresh()
    return _json(record.to_json())


@router.get("/admin/audit")
async def read_audit(request: Request, since_seq: int = 1, limit: int = 100) -> Response:
    """Audit entries in order from ``since_seq`` (at most ``limit``, up to 1,000)."""
    bounded_id(since_seq, schema.audit_log.c.seq, "since_seq")
    if not 1 <= limit <= 1000:
        raise InvalidRequest("limit must be between 1 and 1000")
    repo = _workspace(request).audit

    def read() -> list[dict[str, Any]]:
        return [e.to_json() for e in repo.entries(since_seq=since_seq, limit=limit)]

    return _json({"entries": await asyncio.to_thread(read)})


@router.get("/admin/audit/verify")
async def verify_audit(request: Request) -> Response:
    """Walk the whole chain and its anchors; every break is named."""
    repo = _workspace(request).audit

    def check() -> dict[str, Any]:
        request.app.state.events.flush()  # events counted so far belong in what is verified
        return check_log(repo).to_json()

    return _json(await asyncio.to_thread(check))


@router.get("/admin/subjects/{subject_id}")
async def export_subject(request: Request, subject_id: str) -> Response:
    """Every record of a data subject (payloads opened) and the feedback on them."""
    repo = _workspace(request).subjects
    return _json(await asyncio.to_thread(repo.export, subject_id))


@router.delete("/admin/subjects/{subject_id}")
async def erase_subject(request: Request, subject_id: str) -> Response:
    """Delete every record of a data subject and the feedback on them (audited)."""
    repo = _workspace(request).subjects
    actor = _principal(request).subject
    # The caches first: once the erasure is recorded, any server's poll (this one's too)
    # may erase the subject's answers before this route counts them. An answer cached in
    # between is erased by the next poll, which sees the recorded erasure.
    erasure: CacheErasure = request.app.state.erasure
    cached = await erasure.forget_subject(subject_id)
    counts = await asyncio.to_thread(repo.erase, subject_id, actor=actor)
    counts["cached_answers"] = cached
    return _json(counts)


@router.get("/admin/compliance")
async def compliance(request: Request) -> Response:
    """The compliance checklist, each line evidence read from this install."""
    checks = await asyncio.to_thread(
        compliance_report, _registry(request), request.app.state.settings
    )
    return _json({"checks": [c.to_json() for c in checks]})
