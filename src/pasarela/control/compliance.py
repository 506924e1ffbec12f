"""A compliance report derived from the live configuration: every line is evidence read from
this install (keys, data keys, endpoints, the audit chain), never a claim typed by someone.

Each check names the controls it supports (SOC 2 trust services criteria, GDPR articles, the
HIPAA security rule) and says ``pass``, ``warn`` or ``fail`` with what was found. It is a
checklist for an auditor's conversation, not a certification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa

from pasarela.registry.service import Registry
from pasarela.security.audit import check_log
from pasarela.security.crypto import is_envelope
from pasarela.security.jwt import JwtVerifier
from pasarela.settings import Settings
from pasarela.spec import GuardsSpec
from pasarela.storage import schema
from pasarela.storage.audit import AuditRepository
from pasarela.storage.data_keys import DataKeyRepository
from pasarela.storage.keys import KeyRepository

Status = Literal["pass", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class Check:
    control: str
    frameworks: tuple[str, ...]
    status: Status
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "frameworks": list(self.frameworks),
            "status": self.status,
            "evidence": self.evidence,
        }


def compliance_report(registry: Registry, settings: Settings) -> list[Check]:
    """Every check, from what the install holds now. Blocking (reads the database)."""
    engine = registry.engine
    return [
        _authentication(KeyRepository(engine), settings),
        _key_expiry(KeyRepository(engine)),
        _encryption(engine, DataKeyRepository(engine), settings),
        _retention(registry, settings),
        _audit_chain(AuditRepository(engine)),
        _guards(registry),
        _erasure(engine),
    ]


def _authentication(keys: KeyRepository, settings: Settings) -> Check:
    active = [k for k in keys.list() if k.revoked_at is None]
    roles: dict[str, int] = {}
    for k in active:
        roles[k.role] = roles.get(k.role, 0) + 1
    jwt = JwtVerifier.configured(settings)
    listed = ", ".join(f"{n} {r}" for r, n in sorted(roles.items())) or "none"
    evidence = f"{len(active)} active API keys ({listed}); bearer tokens: {'on' if jwt else 'off'}"
    closed = bool(active) or jwt
    return Check(
        "Authentication required on every route but health checks",
        ("SOC 2 CC6.1", "GDPR Art. 32", "HIPAA 164.312(a)(1), 164.312(d)"),
        "pass" if closed else "fail",
        evidence + ("" if closed else ": the install is open to anyone who reaches it"),
    )


def _key_expiry(keys: KeyRepository) -> Check:
    active = [k for k in keys.list() if k.revoked_at is None]
    forever = [k.id for k in active if k.expires_at is None]
    return Check(
        "Credentials expire or are rotated",
        ("SOC 2 CC6.2",),
        "warn" if forever else "pass",
        f"{len(forever)} of {len(active)} active keys never expire"
        + (f" ({', '.join(forever[:5])}{'…' if len(forever) > 5 else ''})" if forever else ""),
    )


def _encryption(engine: sa.Engine, data_keys: DataKeyRepository, settings: Settings) -> Check:
    found = data_keys.list()
    active = next((k for k in reversed(found) if k.active), None)
    r = schema.prediction_records
    with engine.connect() as conn:
        sample = list(
            conn.execute(
                sa.select(r.c.inputs)
                .where(r.c.inputs.is_not(None))
                .order_by(r.c.at.desc())
                .limit(200)
            ).scalars()
        )
    sealed = sum(1 for v in sample if is_envelope(v))
    stored = [v for v in sample if v is not None and v != "null"]
    evidence = (
        f"payload encryption {'on' if settings.encrypt_payloads else 'off'}; "
        f"{len(found)} data keys, active: {active.id if active else 'none'}"
        + (f" since {_day(active.created_at)}" if active else "")
        + f"; {sealed} of the latest {len(stored)} stored payloads sealed (AES-256-GCM); "
        + (
            "master key from PASARELA_MASTER_KEY"
            if settings.master_key
            else "master key file in PASARELA_HOME: keep it out of database backups"
        )
    )
    ok = settings.encrypt_payloads and active is not None and sealed == len(stored)
    status: Status = "pass" if ok and settings.master_key else "warn" if ok else "fail"
    return Check(
        "Personal data encrypted at rest",
        ("SOC 2 CC6.7", "GDPR Art. 32(1)(a)", "HIPAA 164.312(a)(2)(iv)"),
        status,
        evidence,
    )


def _retention(registry: Registry, settings: Settings) -> Check:
    endpoints = registry.endpoints.all()
    unset = [
        e.name for e in endpoints if e.retention_days is None and settings.retention_days is None
    ]
    days = {
        e.name: e.retention_days if e.retention_days is not None else settings.retention_days
        for e in endpoints
    }
    shown = ", ".join(f"{n}: {d:g} d" for n, d in sorted(days.items()) if d is not None)
    return Check(
        "Records are kept no longer than needed",
        ("GDPR Art. 5(1)(e)", "SOC 2 C1.2"),
        "fail" if unset else "pass",
        (f"no retention on {', '.join(unset)}; " if unset else "")
        + (f"retention {shown}" if shown else "no endpoint has a retention period"),
    )


def _audit_chain(repo: AuditRepository) -> Check:
    result = check_log(repo)
    evidence = (
        f"{result.entries} entries, head {result.head_seq} ({result.head_hash[:16]}…), "
        f"{result.anchors_checked} anchors checked"
    )
    if not result.ok:
        evidence += f"; {len(result.problems)} problems, first: {result.problems[0].message}"
    return Check(
        "Tamper-evident audit trail of changes and security events",
        ("SOC 2 CC7.2", "GDPR Art. 30", "HIPAA 164.312(b)"),
        "pass" if result.ok else "fail",
        evidence,
    )


def _guards(registry: Registry) -> Check:
    lines, unguarded = [], []
    for spec in registry.endpoints.all():
        guards = spec.guards or GuardsSpec()  # typed, checked when the endpoint was applied
        kinds = [f"{g.type}:{g.action}" for g in guards.input]
        out = [f"{g.type}:{g.action}" for g in guards.output]
        if not kinds and not out:
            unguarded.append(spec.name)
            continue
        lines.append(f"{spec.name} in [{', '.join(kinds)}] out [{', '.join(out)}]")
    return Check(
        "Inputs and outputs screened for injection, personal data and secrets",
        ("SOC 2 CC6.8", "GDPR Art. 25"),
        "warn" if unguarded else "pass",
        "; ".join(lines + ([f"no guards on {', '.join(unguarded)}"] if unguarded else []))
        or "no endpoints",
    )


def _erasure(engine: sa.Engine) -> Check:
    a = schema.audit_log
    with engine.connect() as conn:
        erased = conn.execute(sa.select(sa.func.count()).select_from(schema.erasures)).scalar_one()
        audited = conn.execute(
            sa.select(sa.func.count()).where(a.c.action == "subject.erase")
        ).scalar_one()
    return Check(
        "Data subjects' records can be exported and erased",
        ("GDPR Art. 15, 17, 20", "LGPD Art. 18"),
        "pass" if audited >= erased else "fail",
        f"{erased} subjects erased, {audited} erasures in the audit log; "
        "subjects export|erase, GET/DELETE /admin/subjects/{id}",
    )


def _day(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).date().isoformat()
