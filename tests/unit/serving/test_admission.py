"""Admission: who is calling, may they, within which limits, through which guards."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pasarela.errors import Blocked, Forbidden, InvalidInput, RateLimited, Unauthenticated
from pasarela.security.auth import Authenticator
from pasarela.security.keys import KeyRing, key_hash, new_key
from pasarela.security.ratelimit.base import Limit
from pasarela.security.ratelimit.memory import MemoryRateLimiter
from pasarela.serving.admission import Admission
from pasarela.serving.protection import protection_of
from pasarela.storage.keys import KeyRecord
from pasarela.telemetry.metrics import Metrics
from pasarela.telemetry.security_events import SecurityEvents
from pasarela.types import EndpointSpec
from tests.unit.serving.stages import ENDPOINT, counted, request

pytestmark = pytest.mark.anyio

TARGET = "POST /v1/endpoints/churn/predict"


def keyed(
    admission: Admission,
    role: str = "client",
    *,
    endpoints: tuple[str, ...] | None = None,
    rate_limit: str | None = None,
) -> str:
    """A key of ``role`` in ``admission``'s key ring (as a snapshot brings it); its secret."""
    key_id, secret = new_key()
    record = KeyRecord(
        key_id,
        key_hash(secret),
        "test",
        role,
        endpoints,
        rate_limit,
        "admin",
        datetime.now(UTC),
        None,
        None,
    )
    admission.auth = Authenticator(KeyRing([record]))
    return secret


@pytest.fixture
def events() -> SecurityEvents:
    return SecurityEvents(None)


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def admission(metrics: Metrics, events: SecurityEvents) -> Admission:
    return Admission(metrics, MemoryRateLimiter(), events)


def denials(events: SecurityEvents) -> list[tuple[str, str, str]]:
    return [
        (e["actor"], e["target"], e["detail"].get("code", ""))
        for e in events.take()
        if e["action"] == "request.denied"
    ]


async def test_an_open_install_lets_anyone_in_as_anonymous(admission: Admission) -> None:
    identity = await admission.identify({}, need="predict", endpoint=ENDPOINT, target=TARGET)
    assert identity.subject == "anonymous"


async def test_a_keyed_install_refuses_a_caller_without_credentials_and_audits_it(
    admission: Admission, events: SecurityEvents
) -> None:
    keyed(admission)
    with pytest.raises(Unauthenticated):
        await admission.identify({}, need="predict", endpoint=ENDPOINT, target=TARGET)
    assert denials(events) == [("anonymous", TARGET, "unauthenticated")]


async def test_a_key_names_its_caller(admission: Admission) -> None:
    secret = keyed(admission)
    identity = await admission.identify(
        {"x-api-key": secret}, need="predict", endpoint=ENDPOINT, target=TARGET
    )
    assert identity.subject == secret.split(".", 1)[0]


async def test_a_role_without_the_permission_is_forbidden(
    admission: Admission, events: SecurityEvents
) -> None:
    secret = keyed(admission, "analyst")
    with pytest.raises(Forbidden, match="analyst role may not predict"):
        await admission.identify(
            {"authorization": f"Bearer {secret}"}, need="predict", endpoint=None, target=TARGET
        )
    assert [code for *_, code in denials(events)] == ["forbidden"]


async def test_a_key_limited_to_other_endpoints_is_forbidden_here(admission: Admission) -> None:
    secret = keyed(admission, endpoints=("other",))
    with pytest.raises(Forbidden, match="may not call endpoint 'churn'"):
        await admission.identify(
            {"x-api-key": secret}, need="predict", endpoint=ENDPOINT, target=TARGET
        )


async def test_a_key_over_its_rate_limit_is_refused_with_the_limit_headers(
    admission: Admission, metrics: Metrics, events: SecurityEvents
) -> None:
    secret = keyed(admission, rate_limit="1/h")
    credentials = {"x-api-key": secret}
    await admission.identify(credentials, need="predict", endpoint=ENDPOINT, target=TARGET)
    with pytest.raises(RateLimited) as refused:
        await admission.identify(credentials, need="predict", endpoint=ENDPOINT, target=TARGET)
    assert refused.value.code == "rate_limited"
    assert "is over its rate limit" in refused.value.message
    assert refused.value.headers  # Retry-After and the RateLimit fields
    assert counted(metrics, "pasarela_rate_limited_total", scope="key") == 1
    assert counted(metrics, "pasarela_rate_limited_total", scope="endpoint") == 0
    assert denials(events) == [(secret.split(".", 1)[0], TARGET, "rate_limited")]


async def test_the_default_key_limit_applies_to_a_key_without_its_own(
    metrics: Metrics, events: SecurityEvents
) -> None:
    admission = Admission(
        metrics, MemoryRateLimiter(), events, default_key_limit=Limit.parse("1/h")
    )
    secret = keyed(admission)
    credentials = {"x-api-key": secret}
    await admission.identify(credentials, need="predict", endpoint=ENDPOINT, target=TARGET)
    with pytest.raises(RateLimited):
        await admission.identify(credentials, need="predict", endpoint=ENDPOINT, target=TARGET)


async def test_an_endpoint_over_its_rate_limit_refuses_and_counts_once(
    admission: Admission, metrics: Metrics, events: SecurityEvents
) -> None:
    protection = protection_of(EndpointSpec(ENDPOINT, "single", ("m@1",), rate_limit="1/h"))
    caller = request(caller="k1")
    assert await admission.admit(caller, protection, [[1]]) == [[1]]
    with pytest.raises(RateLimited, match="endpoint 'churn' is over its rate limit"):
        await admission.admit(caller, protection, [[1]])
    assert counted(metrics, "pasarela_rate_limited_total", scope="endpoint") == 1
    errors = counted(
        metrics,
        "pasarela_request_errors_total",
        endpoint=ENDPOINT,
        model="",
        version="",
        code="rate_limited",
    )
    assert errors == 1
    assert denials(events) == [("k1", "endpoint churn", "rate_limited")]


async def test_size_limits_refuse_too_many_rows(admission: Admission) -> None:
    spec = EndpointSpec(ENDPOINT, "single", ("m@1",), guards={"size": {"max_rows": 2}})
    with pytest.raises(InvalidInput):
        await admission.admit(request(), protection_of(spec), [[1], [2], [3]])


async def test_an_input_guard_blocks_and_tells_the_audit_log(
    admission: Admission, metrics: Metrics, events: SecurityEvents
) -> None:
    guards = {"input": [{"type": "content", "deny": ["forbidden"], "action": "block"}]}
    spec = EndpointSpec(ENDPOINT, "single", ("m@1",), guards=guards)
    with pytest.raises(Blocked) as blocked:
        await admission.admit(request(caller="k1"), protection_of(spec), [["a forbidden word"]])
    assert blocked.value.code == "input_blocked"
    taken = events.take()
    assert [(e["actor"], e["action"]) for e in taken] == [("k1", "input.blocked")]
    findings = [
        sample.labels
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == "pasarela_guard_findings_total"
    ]
    assert [(f["side"], f["action"]) for f in findings] == [("input", "block")]


async def test_an_input_guard_that_redacts_hands_on_the_redacted_inputs(
    admission: Admission, events: SecurityEvents
) -> None:
    guards = {"input": [{"type": "content", "deny": ["secret"], "action": "redact"}]}
    spec = EndpointSpec(ENDPOINT, "single", ("m@1",), guards=guards)
    admitted = await admission.admit(request(), protection_of(spec), [["my secret plan", 3]])
    assert "secret" not in str(admitted)
    assert admitted[0][1] == 3
    assert events.take() == []  # a redaction is no security event


async def test_an_unprotected_endpoint_admits_the_inputs_as_they_are(
    admission: Admission,
) -> None:
    inputs = [[1, 2]]
    assert await admission.admit(request(), None, inputs) is inputs
