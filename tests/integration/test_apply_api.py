"""Declarative endpoints through the admin API of the in-process app: apply (YAML and JSON),
read back, revisions and undo; and what each policy kind does to live traffic once applied
(blue-green switches, canary manual actions, flag targeting, shadow copies)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest
import yaml
from httpx import AsyncClient

from pasarela.api.app import PasarelaAPI, create_app
from pasarela.registry.service import Registry
from pasarela.settings import Settings
from pasarela.storage.telemetry import TelemetryRepository
from tests.conftest import Trained, row
from tests.yaml_bombs import alias_bomb

pytestmark = pytest.mark.anyio

ROW = [1.0, 2.0]
"""What every ``sums`` version answers with 3.0 (no signature: rows are plain lists)."""

UNITS = [f"unit-{i}" for i in range(60)]


@pytest.fixture
async def app(settings: Settings, registry: Registry) -> AsyncIterator[PasarelaAPI]:
    """An app with no endpoint yet, and python models to declare endpoints on: ``sums@1``,
    ``sums@2`` and ``sums@3`` (all ``row_sums``) and ``broken@1`` (raises on every batch)."""
    for _ in range(3):
        registry.register("sums", entrypoint="pasarela.testing:row_sums")
    registry.register("broken", entrypoint="pasarela.testing:BrokenModel")
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


# -- helpers ---------------------------------------------------------------------------------


async def apply_yaml(client: AsyncClient, text: str) -> httpx.Response:
    return await client.post(
        "/admin/apply", content=text.encode(), headers={"content-type": "application/yaml"}
    )


async def applied(client: AsyncClient, text: str) -> list[dict[str, Any]]:
    """The changes of an apply that must succeed."""
    reply = await apply_yaml(client, text)
    assert reply.status_code == 200, reply.text
    changes: list[dict[str, Any]] = reply.json()["changes"]
    return changes


def error_of(reply: httpx.Response, status: int, code: str) -> str:
    """The message of a reply that must be the error ``code`` with ``status``."""
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["error"]["code"] == code, body
    assert "Traceback" not in reply.text
    message: str = body["error"]["message"]
    return message


async def predict(
    client: AsyncClient,
    endpoint: str,
    *,
    unit: str | None = None,
    headers: Mapping[str, str] | None = None,
    **body: Any,
) -> dict[str, Any]:
    """The reply of a prediction that must succeed."""
    sent = dict(headers or {})
    if unit is not None:
        sent["X-Unit-Id"] = unit
    reply = await client.post(
        f"/v1/endpoints/{endpoint}/predict", json={"inputs": [ROW], **body}, headers=sent
    )
    assert reply.status_code == 200, reply.text
    answer: dict[str, Any] = reply.json()
    assert answer["outputs"] == [3.0]
    return answer


async def served_by(client: AsyncClient, endpoint: str, units: list[str]) -> dict[str, str]:
    """``unit → "version/reason"`` for one request per unit."""
    replies = [await predict(client, endpoint, unit=u) for u in units]
    return {u: f"{r['version']}/{r['reason']}" for u, r in zip(units, replies, strict=True)}


async def rollout(client: AsyncClient, endpoint: str) -> dict[str, Any]:
    reply = await client.get(f"/admin/endpoints/{endpoint}/rollout")
    assert reply.status_code == 200, reply.text
    status: dict[str, Any] = reply.json()
    return status


async def act(client: AsyncClient, endpoint: str, action: str, body: Any = None) -> httpx.Response:
    return await client.post(f"/admin/endpoints/{endpoint}/rollout/{action}", json=body)


async def wait_for_records(repo: TelemetryRepository, count: int) -> None:
    for _ in range(300):  # the writer stores every 0.2 s; 30 s is for a busy machine
        if repo.count_records() >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{repo.count_records()} records stored, expected {count}")


SINGLE = """\
kind: Endpoint
name: adder
policy:
  type: single
  target: sums@{version}
"""


# -- apply -----------------------------------------------------------------------------------


async def test_apply_yaml_documents_creates_them_and_reapplying_changes_nothing(
    client: AsyncClient,
) -> None:
    text = (
        SINGLE.format(version=1)
        + "---\n"
        + "kind: Endpoint\nname: switcher\n"
        + "policy: {type: blue_green, active: sums@1, standby: sums@2}\n"
    )
    changes = await applied(client, text)
    assert [(c["endpoint"], c["action"], c["revision"]) for c in changes] == [
        ("adder", "created", 1),
        ("switcher", "created", 1),
    ]
    assert "+  target: sums@1" in changes[0]["diff"]
    again = await applied(client, text)
    assert [(c["endpoint"], c["action"], c["revision"], c["diff"]) for c in again] == [
        ("adder", "unchanged", None, ""),
        ("switcher", "unchanged", None, ""),
    ]
    revisions = (await rollout(client, "adder"))["revisions"]
    assert [(r["revision"], r["action"], r["actor"]) for r in revisions] == [
        (1, "apply", "anonymous")
    ]
    assert (await predict(client, "adder"))["version"] == 1
    assert (await predict(client, "switcher"))["reason"] == "active"


async def test_apply_json_one_manifest_or_a_list(client: AsyncClient) -> None:
    one = {"name": "adder", "policy": {"type": "single", "target": "sums@2"}}
    reply = await client.post("/admin/apply", json=one)
    assert reply.status_code == 200, reply.text
    assert [(c["endpoint"], c["action"]) for c in reply.json()["changes"]] == [("adder", "created")]
    two = [
        one,
        {"name": "other", "policy": {"type": "single", "target": "sums@3"}, "timeout_s": 5},
    ]
    reply = await client.post("/admin/apply", json=two)
    assert [(c["endpoint"], c["action"]) for c in reply.json()["changes"]] == [
        ("adder", "unchanged"),
        ("other", "created"),
    ]
    assert (await predict(client, "adder"))["version"] == 2
    assert (await predict(client, "other"))["version"] == 3
    manifest = (await client.get("/admin/endpoints/other")).json()
    assert manifest["policy"] == {"type": "single", "target": "sums@3"}
    assert manifest["timeout_s"] == 5


RAMP_WITH_ERRORS = """\
kind: Endpoint
name: ramp
policy:
  type: canary
  baseline: sums@1
  steps: [5, 3, 100]
  candidate: sums@2
  alpha: 2
"""


async def test_invalid_manifest_names_every_field_and_its_line(client: AsyncClient) -> None:
    message = error_of(await apply_yaml(client, RAMP_WITH_ERRORS), 400, "invalid_manifest")
    assert "manifest:6: policy.steps: Value error, steps must increase" in message
    assert "manifest:8: policy.alpha: Input should be less than 0.5" in message  # all at once
    # in a later document, lines count from the top of the file; every document is checked
    text = SINGLE.format(version=1) + "timeout_s: 0\n---\n" + RAMP_WITH_ERRORS
    message = error_of(await apply_yaml(client, text), 400, "invalid_manifest")
    assert message.split("; ") == [
        "manifest:6: timeout_s: Input should be greater than 0",
        "manifest:13: policy.steps: Value error, steps must increase",
        "manifest:15: policy.alpha: Input should be less than 0.5",
    ]
    # nothing of a rejected file is applied, not even its valid documents
    assert (await client.get("/admin/endpoints/adder")).status_code == 404


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (
            "  type: rainbow\n  target: sums@1\n",
            "manifest:4: policy.type: unknown policies kind 'rainbow'; known: bandit, "
            "blue_green, canary, experiment, flags, single",
        ),
        (
            "  type: single\n  target: sums@1\n  weight: 3\n",
            "manifest:6: policy.weight: Extra inputs are not permitted",
        ),
        (
            "  type: blue_green\n  active: sums@1\n  standby: sums@1\n",
            "manifest:4: policy: Value error, active and standby must be different versions",
        ),
        (
            "  type: single\n  target: 'sums@ 1'\n",
            "manifest:5: policy.target: String should match pattern",
        ),
    ],
    ids=["unknown-type", "unknown-policy-field", "same-versions", "bad-ref"],
)
async def test_invalid_policy_is_rejected_with_its_line(
    client: AsyncClient, policy: str, expected: str
) -> None:
    text = f"kind: Endpoint\nname: bad\npolicy:\n{policy}"
    assert expected in error_of(await apply_yaml(client, text), 400, "invalid_manifest")


async def test_unknown_top_level_field_and_broken_yaml(client: AsyncClient) -> None:
    text = SINGLE.format(version=1) + "replicas: 3\n"
    message = error_of(await apply_yaml(client, text), 400, "invalid_manifest")
    assert message == "manifest:6: replicas: Extra inputs are not permitted"
    message = error_of(await apply_yaml(client, "name: [unclosed\n"), 400, "invalid_manifest")
    assert message.startswith("manifest:2: not valid YAML:")
    empty = error_of(await apply_yaml(client, "---\n"), 400, "invalid_manifest")
    assert empty == "manifest: holds no endpoint"
    twice = SINGLE.format(version=1) + "---\n" + SINGLE.format(version=2)
    message = error_of(await apply_yaml(client, twice), 400, "invalid_manifest")
    assert message == "manifest: an endpoint is declared twice"


async def test_an_alias_bomb_is_refused_with_422_and_nothing_applied(
    client: AsyncClient,
) -> None:
    message = error_of(await apply_yaml(client, alias_bomb()), 422, "yaml_too_complex")
    assert message.startswith("manifest:")
    assert (await client.get("/admin/endpoints/bomb")).status_code == 404
    # anchors within the budget are fine: the same shape with three levels applies
    changes = await applied(client, alias_bomb(levels=3))
    assert [c["endpoint"] for c in changes] == ["bomb"]


async def test_invalid_json_manifest_names_the_field(client: AsyncClient) -> None:
    bad = {"name": "bad", "policy": {"type": "canary", "baseline": "sums@1"}}
    message = error_of(await client.post("/admin/apply", json=[bad]), 400, "invalid_manifest")
    assert message == "manifest 1: policy.candidate: Field required"
    reply = await client.post(
        "/admin/apply", content=b"{", headers={"content-type": "application/json"}
    )
    error_of(reply, 400, "invalid_json")


@pytest.mark.parametrize(
    ("ref", "code"),
    [
        ("sums@9", "version_not_found"),
        ("sums@gold", "alias_not_found"),
        ("ghost@1", "model_not_found"),
    ],
)
async def test_unresolvable_target_is_404_naming_the_ref(
    client: AsyncClient, ref: str, code: str
) -> None:
    text = (
        SINGLE.format(version=1)
        + "---\n"
        + "kind: Endpoint\nname: shadowed\npolicy: {type: single, target: sums@1}\n"
        + f"shadow: {{targets: [{ref}]}}\n"
    )
    message = error_of(await apply_yaml(client, text), 404, code)
    assert message.startswith(f"endpoint 'shadowed': {ref}: ")
    # every reference is checked before anything is applied
    assert (await client.get("/admin/endpoints/adder")).status_code == 404


EVERY_KIND = """\
kind: Endpoint
name: ramp
description: the new model, step by step
policy:
  type: canary
  baseline: sums@1
  candidate: sums@2
  steps: [10, 50, 100]
  interval: 1h
  gates: {max_error_rate: 0.05, feedback: [{kind: reward, min: 0.2}]}
shadow: {targets: [sums@3], share: 0.5}
batching: {max_batch_size: 8, max_wait_ms: 2}
timeout_s: 5
payload_sample_rate: 0.25
---
kind: Endpoint
name: targeted
policy:
  type: flags
  default: sums@1
  segments:
    pro: [{attribute: plan, op: in, value: [pro, team]}]
  rules:
    - {name: staff, when: [{attribute: email, op: regex, value: '@example\\.com$'}], serve: sums@3}
    - name: beta
      segment: pro
      split: [{target: sums@2, weight: 30}, {target: sums@1, weight: 70}]
---
kind: Endpoint
name: switcher
policy: {type: blue_green, active: sums@1, standby: sums@2, smoke: {inputs: [[1, 2]]}}
"""


async def test_get_yaml_round_trips_through_apply(client: AsyncClient) -> None:
    await applied(client, EVERY_KIND)
    for name in ("ramp", "targeted", "switcher"):
        reply = await client.get(f"/admin/endpoints/{name}", params={"format": "yaml"})
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("application/yaml")
        assert [(c["endpoint"], c["action"]) for c in await applied(client, reply.text)] == [
            (name, "unchanged")
        ]
        as_json = (await client.get(f"/admin/endpoints/{name}")).json()
        assert as_json == yaml.safe_load(reply.text)
        reply = await client.post("/admin/apply", json=as_json)
        assert reply.json()["changes"][0]["action"] == "unchanged"
    ramp = yaml.safe_load(
        (await client.get("/admin/endpoints/ramp", params={"format": "yaml"})).text
    )
    assert ramp["policy"]["steps"] == [10.0, 50.0, 100.0]
    assert ramp["policy"]["gates"]["max_error_rate"] == 0.05
    assert ramp["shadow"] == {"targets": ["sums@3"], "share": 0.5, "max_concurrency": 4}
    assert ramp["batching"] == {"max_batch_size": 8, "max_wait_ms": 2.0, "max_queue": 1024}
    assert ramp["payload_sample_rate"] == 0.25
    bad = await client.get("/admin/endpoints/ramp", params={"format": "xml"})
    error_of(bad, 400, "invalid_request")
    error_of(await client.get("/admin/endpoints/ghost"), 404, "endpoint_not_found")


# -- revisions and undo ----------------------------------------------------------------------


async def test_revisions_and_undo(client: AsyncClient) -> None:
    await applied(client, SINGLE.format(version=1))
    nothing = error_of(await act(client, "adder", "undo"), 409, "nothing_to_undo")
    assert nothing == "endpoint 'adder' has no earlier revision"
    await applied(client, SINGLE.format(version=2))
    await applied(client, SINGLE.format(version=3))
    assert (await predict(client, "adder"))["version"] == 3

    undone = await act(client, "adder", "undo")
    assert undone.status_code == 200, undone.text
    assert {k: undone.json()[k] for k in ("action", "restored", "revision")} == {
        "action": "undo",
        "restored": 2,
        "revision": 4,
    }
    assert "-  target: sums@3" in undone.json()["diff"]
    assert "+  target: sums@2" in undone.json()["diff"]
    assert (await predict(client, "adder"))["version"] == 2  # served at once, no restart

    to_first = await act(client, "adder", "undo", {"revision": 1})
    assert to_first.json()["restored"] == 1 and to_first.json()["revision"] == 5
    assert (await predict(client, "adder"))["version"] == 1

    revisions = (await rollout(client, "adder"))["revisions"]
    assert [(r["revision"], r["action"]) for r in revisions] == [
        (1, "apply"),
        (2, "apply"),
        (3, "apply"),
        (4, "undo"),
        (5, "undo"),
    ]
    old = await client.get("/admin/endpoints/adder", params={"revision": 3, "format": "yaml"})
    assert yaml.safe_load(old.text)["policy"] == {"type": "single", "target": "sums@3"}
    live = (await client.get("/admin/endpoints/adder")).json()
    assert live["policy"]["target"] == "sums@1"

    error_of(await act(client, "adder", "undo", {"revision": 42}), 404, "revision_not_found")
    error_of(
        await client.get("/admin/endpoints/adder", params={"revision": 42}),
        404,
        "revision_not_found",
    )
    error_of(await act(client, "adder", "undo", {"revision": "one"}), 400, "invalid_request")
    error_of(await act(client, "adder", "rewind"), 404, "not_found")
    error_of(await act(client, "ghost", "undo"), 404, "endpoint_not_found")


def busy_adder(version: int, max_batch_size: int) -> str:
    # A lost request would wait for its deadline: keep it short, so the test fails fast.
    return SINGLE.format(version=version) + (
        f"timeout_s: 3\nbatching: {{max_batch_size: {max_batch_size}}}\n"
    )


async def test_requests_in_flight_survive_repeated_changes(client: AsyncClient) -> None:
    await applied(client, busy_adder(1, 4))
    stop = asyncio.Event()
    replies: list[httpx.Response] = []

    async def traffic() -> None:
        while not stop.is_set():
            replies.append(
                await client.post("/v1/endpoints/adder/predict", json={"inputs": [ROW, ROW]})
            )

    workers = [asyncio.create_task(traffic()) for _ in range(8)]
    try:
        for i in range(12):
            version = 2 if i % 2 == 0 else 1
            # a new batching config each time: new batchers, the old ones retired
            changes = await applied(client, busy_adder(version, 5 + i))
            assert changes[0]["action"] == "updated"
            # the change serves at once: the next request goes to the new version
            assert (await predict(client, "adder"))["version"] == version
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.gather(*workers)
    statuses = Counter(r.status_code for r in replies)
    assert statuses == {200: len(replies)}, [r.text for r in replies if r.status_code != 200][:3]
    versions = Counter(r.json()["version"] for r in replies)
    assert set(versions) == {1, 2}, versions
    assert len(replies) >= 50


SLOW = """\
kind: Endpoint
name: slow
policy: {{type: single, target: slow@{version}}}
timeout_s: 3
"""


async def test_a_request_inside_the_model_survives_a_change(
    client: AsyncClient, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PASARELA_TEST_DELAY_S", "0.5")
    for _ in range(2):
        registry.register("slow", entrypoint="pasarela.testing:SlowModel")
    await applied(client, SLOW.format(version=1))
    inside = asyncio.create_task(client.post("/v1/endpoints/slow/predict", json={"inputs": [ROW]}))
    await asyncio.sleep(0.2)  # the request's batch is now running in slow@1
    await applied(client, SLOW.format(version=2))
    reply = await inside
    assert reply.status_code == 200, reply.text
    assert reply.json()["version"] == 1
    assert (await predict(client, "slow"))["version"] == 2


# -- blue-green ------------------------------------------------------------------------------

BLUE_GREEN = """\
kind: Endpoint
name: switcher
policy:
  type: blue_green
  active: sums@1
  standby: {standby}
  smoke:
    inputs: [[1, 2], [3, 4]]
"""


async def test_blue_green_switch_flips_the_live_version_and_back(client: AsyncClient) -> None:
    await applied(client, BLUE_GREEN.format(standby="sums@2"))
    described = (await client.get("/v1/endpoints/switcher")).json()
    assert described["versions"] == ["sums@1", "sums@2"]  # the standby is loaded and warm
    answer = await predict(client, "switcher")
    assert (answer["version"], answer["reason"]) == (1, "active")

    switched = await act(client, "switcher", "switch")
    assert switched.status_code == 200, switched.text
    assert switched.json() == {
        "endpoint": "switcher",
        "action": "switch",
        "active": "sums@2",
        "standby": "sums@1",
        "revision": 2,
    }
    for _ in range(5):
        answer = await predict(client, "switcher")
        assert (answer["version"], answer["reason"]) == (2, "active")
    assert (await client.get("/v1/endpoints/switcher")).json()["versions"] == [
        "sums@2",
        "sums@1",
    ]

    back = await act(client, "switcher", "switch")
    assert back.json()["active"] == "sums@1" and back.json()["revision"] == 3
    assert (await predict(client, "switcher"))["version"] == 1
    revisions = (await rollout(client, "switcher"))["revisions"]
    assert [r["action"] for r in revisions] == ["apply", "switch", "switch"]
    # a switch is a revision like any other: undo restores the one before it
    assert (await act(client, "switcher", "undo")).json()["restored"] == 2
    assert (await predict(client, "switcher"))["version"] == 2


async def test_switch_to_a_standby_that_fails_its_smoke_changes_nothing(
    client: AsyncClient,
) -> None:
    await applied(client, BLUE_GREEN.format(standby="broken@1"))
    message = error_of(await act(client, "switcher", "switch"), 409, "smoke_failed")
    assert message.startswith("smoke requests to broken@1 failed: ")
    assert "broken on purpose" in message
    answer = await predict(client, "switcher")
    assert (answer["version"], answer["model"], answer["reason"]) == (1, "sums", "active")
    spec = (await client.get("/admin/endpoints/switcher")).json()
    assert (spec["policy"]["active"], spec["policy"]["standby"]) == ("sums@1", "broken@1")
    assert [r["revision"] for r in (await rollout(client, "switcher"))["revisions"]] == [1]


async def test_rollout_actions_of_the_wrong_kind_are_409(client: AsyncClient) -> None:
    await applied(client, SINGLE.format(version=1) + "---\n" + BLUE_GREEN.format(standby="sums@2"))
    message = error_of(await act(client, "adder", "switch"), 409, "not_blue_green")
    assert message == "endpoint 'adder' is single, not blue_green"
    for action in ("promote", "abort", "pause", "resume"):
        error_of(await act(client, "switcher", action), 409, "not_a_canary")
    assert (await rollout(client, "switcher"))["state"] is None


# -- canary, driven by hand ------------------------------------------------------------------

CANARY = """\
kind: Endpoint
name: ramp
policy:
  type: canary
  baseline: sums@1
  candidate: sums@2
  interval: {interval}
"""


async def test_canary_manual_actions_change_who_answers(
    client: AsyncClient, registry: Registry
) -> None:
    # an interval of an hour: the controller running in the app never judges this canary
    created = await applied(client, CANARY.format(interval="1h"))
    assert created[0]["action"] == "created"
    status = await rollout(client, "ramp")
    assert {k: status["state"][k] for k in ("phase", "step", "weight")} == {
        "phase": "progressing",
        "step": 0,
        "weight": 5.0,
    }
    assert [e["kind"] for e in status["history"]] == ["start"]

    at_five = await served_by(client, "ramp", UNITS)
    assert set(at_five.values()) == {"1/baseline", "2/candidate"}  # 5 % of 60 units, sticky
    assert Counter(at_five.values())["2/candidate"] < 12
    assert await served_by(client, "ramp", UNITS) == at_five

    paused = await act(client, "ramp", "pause")
    assert paused.json() == {
        "endpoint": "ramp",
        "action": "pause",
        "phase": "paused",
        "weight": 5.0,
    }
    assert await served_by(client, "ramp", UNITS) == at_five  # paused holds the weight
    error_of(await act(client, "ramp", "pause"), 409, "rollout_state")
    resumed = await act(client, "ramp", "resume")
    assert resumed.json()["phase"] == "progressing"
    message = error_of(await act(client, "ramp", "resume"), 409, "rollout_state")
    assert message == "cannot resume the canary of 'ramp': it is progressing"

    promoted = await act(client, "ramp", "promote")
    assert promoted.json() == {
        "endpoint": "ramp",
        "action": "promote",
        "phase": "promoted",
        "weight": 100.0,
    }
    assert set((await served_by(client, "ramp", UNITS)).values()) == {"2/candidate"}
    assert registry.aliases.of("sums") == {"champion": 2}
    for action in ("promote", "abort", "pause", "resume"):
        message = error_of(await act(client, "ramp", action), 409, "rollout_state")
        assert message == f"cannot {action} the canary of 'ramp': it is promoted"

    status = await rollout(client, "ramp")
    assert status["state"]["phase"] == "promoted"
    assert status["state"]["reason"] == "promoted by anonymous"
    history = status["history"]
    assert [(e["kind"], e["actor"]) for e in history] == [
        ("start", "anonymous"),
        ("pause", "anonymous"),
        ("resume", "anonymous"),
        ("promote", "anonymous"),
    ]
    assert history[-1]["detail"]["alias"] == "sums@champion → sums@2"


async def test_canary_abort_sends_everything_to_the_baseline(client: AsyncClient) -> None:
    await applied(client, CANARY.format(interval="1h"))
    assert "2/candidate" in (await served_by(client, "ramp", UNITS)).values()
    aborted = await act(client, "ramp", "abort")
    assert aborted.json()["phase"] == "rolled_back" and aborted.json()["weight"] == 0.0
    assert set((await served_by(client, "ramp", UNITS)).values()) == {"1/baseline"}
    # without a unit id the RNG draws: still never the candidate
    for _ in range(20):
        assert (await predict(client, "ramp"))["reason"] == "baseline"
    error_of(await act(client, "ramp", "promote"), 409, "rollout_state")
    status = await rollout(client, "ramp")
    assert [e["kind"] for e in status["history"]] == ["start", "abort"]
    assert status["state"]["reason"] == "aborted by anonymous"

    # changing the canary's options starts it over from its first step
    changes = await applied(client, CANARY.format(interval="2h"))
    assert changes[0]["action"] == "updated"
    status = await rollout(client, "ramp")
    assert (status["state"]["phase"], status["state"]["weight"]) == ("progressing", 5.0)
    assert [e["kind"] for e in status["history"]] == ["start", "abort", "start"]
    assert "2/candidate" in (await served_by(client, "ramp", UNITS)).values()


# -- flags -----------------------------------------------------------------------------------

FLAGS = """\
kind: Endpoint
name: targeted
policy:
  type: flags
  default: sums@1
  rules:
    - name: staff
      when: [{attribute: email, op: regex, value: '@example\\.com$'}]
      serve: sums@3
    - name: beta
      when: [{attribute: plan, op: in, value: [pro, team]}]
      split: [{target: sums@2, weight: 50}, {target: sums@1, weight: 50}]
"""


async def test_flags_route_by_attributes_with_reasons(
    app: PasarelaAPI, client: AsyncClient
) -> None:
    await applied(client, FLAGS)
    staff = {"X-Attributes": json.dumps({"email": "ana@example.com", "plan": "pro"})}
    answer = await predict(client, "targeted", headers=staff)
    assert (answer["version"], answer["reason"]) == (3, "TARGETING_MATCH")
    answer = await predict(client, "targeted", attributes={"email": "bo@example.com"})
    assert (answer["version"], answer["reason"]) == (3, "TARGETING_MATCH")
    # body attributes are merged over the header's, and win
    answer = await predict(
        client, "targeted", headers=staff, attributes={"email": "ana@elsewhere.org"}
    )
    assert answer["reason"] == "SPLIT"
    answer = await predict(client, "targeted", headers={"X-Attributes": '{"plan": "free"}'})
    assert (answer["version"], answer["reason"]) == (1, "DEFAULT")
    answer = await predict(client, "targeted")
    assert (answer["version"], answer["reason"]) == (1, "DEFAULT")

    pro = {"X-Attributes": '{"plan": "team"}'}
    split = {u: await predict(client, "targeted", unit=u, headers=pro) for u in UNITS}
    assert {a["reason"] for a in split.values()} == {"SPLIT"}
    versions = Counter(a["version"] for a in split.values())
    assert set(versions) == {1, 2} and 15 <= versions[2] <= 45, versions
    # sticky: a unit keeps its version, whether its id comes in the header or the body
    for u, first in split.items():
        again = await predict(client, "targeted", headers=pro, unit_id=u)
        assert again["version"] == first["version"], u

    request_ids = [answer["request_id"], split[UNITS[0]]["request_id"]]
    repo: TelemetryRepository = app.state.telemetry
    await wait_for_records(repo, 5 + 2 * len(UNITS))
    default_record, split_record = (repo.get_record(r) for r in request_ids)
    assert default_record is not None and split_record is not None
    assert default_record["reason"] == "DEFAULT"
    assert split_record["reason"] == "SPLIT"
    assert split_record["unit_id"] == UNITS[0]


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"X-Attributes": "{not json"}, {}),
        ({"X-Attributes": '["a", "list"]'}, {}),
        ({}, {"attributes": "plan=pro"}),
    ],
    ids=["not-json", "not-an-object", "body-not-an-object"],
)
async def test_malformed_attributes_are_400(
    client: AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> None:
    await applied(client, FLAGS)
    reply = await client.post(
        "/v1/endpoints/targeted/predict", json={"inputs": [ROW], **body}, headers=headers
    )
    error_of(reply, 400, "invalid_attributes")


# -- shadow ----------------------------------------------------------------------------------

SHADOWED = """\
kind: Endpoint
name: shadowed
policy: {type: single, target: sums@1}
shadow: {targets: [sums@2, broken@1], share: 1.0, max_concurrency: 64}
"""


async def test_shadow_copies_every_request_without_touching_the_answer(
    app: PasarelaAPI, client: AsyncClient
) -> None:
    await applied(client, SHADOWED)
    answers = [await predict(client, "shadowed") for _ in range(20)]
    assert {(a["version"], a["reason"]) for a in answers} == {(1, "single")}
    repo: TelemetryRepository = app.state.telemetry
    await wait_for_records(repo, 60)  # 20 answers, 40 shadow calls
    assert repo.count_records("shadowed") == 60
    first = answers[0]["request_id"]
    copy = repo.get_record(f"{first}~sums@2")
    failed = repo.get_record(f"{first}~broken@1")
    assert copy is not None and failed is not None
    assert (copy["shadow_of"], copy["reason"], copy["status"]) == (first, "shadow", "ok")
    assert copy["outputs"] == [3.0] and copy["abs_error"] == 0.0
    assert (failed["shadow_of"], failed["status"], failed["server_error"]) == (
        first,
        "model_error",
        True,
    )

    report = (await client.get("/admin/endpoints/shadowed/shadow", params={"window": "1h"})).json()
    assert report["endpoint"] == "shadowed" and report["window_s"] == 3600
    by_version = {s["version"]: s for s in report["shadows"]}
    assert set(by_version) == {"sums@2", "broken@1"}
    same, broken = by_version["sums@2"], by_version["broken@1"]
    assert (same["calls"], same["paired"], same["shadowing"]) == (20, 20, ["sums@1"])
    assert (same["error_rate"], same["primary_error_rate"], same["error_rate_delta"]) == (
        0.0,
        0.0,
        0.0,
    )
    # numbers are compared by their absolute error; labels by agreement
    assert same["abs_error"]["max"] == 0.0 and same["compared"] == 20
    assert same["agreement_rate"] is None
    assert (broken["calls"], broken["error_rate"], broken["primary_error_rate"]) == (20, 1.0, 0.0)
    assert broken["error_rate_delta"] == 1.0 and broken["compared"] == 0

    # shadow calls are not traffic: the endpoint's stats count the 20 answers only
    stats = (
        await client.get("/admin/stats", params={"endpoint": "shadowed", "window": "15m"})
    ).json()
    assert (stats["requests"], stats["errors"]) == (20, 0)
    assert [(v["model"], v["version"]) for v in stats["versions"]] == [("sums", 1)]
    error_of(await client.get("/admin/endpoints/ghost/shadow"), 404, "endpoint_not_found")


async def test_shadow_of_the_same_classifier_agrees_on_every_label(
    app: PasarelaAPI, client: AsyncClient, registry: Registry, trained: Trained
) -> None:
    for _ in range(2):
        registry.register_estimator(
            "cancer", trained.model, train_data=trained.frame, target="target"
        )
    text = (
        "kind: Endpoint\nname: cancer\npolicy: {type: single, target: cancer@1}\n"
        "shadow: {targets: [cancer@2], share: 1.0}\n"
    )
    await applied(client, text)
    for i in range(10):
        reply = await client.post(
            "/v1/endpoints/cancer/predict", json={"inputs": [row(trained, i)]}
        )
        assert reply.status_code == 200
    await wait_for_records(app.state.telemetry, 20)
    report = (await client.get("/admin/endpoints/cancer/shadow")).json()
    (shadow,) = report["shadows"]
    assert (shadow["version"], shadow["calls"], shadow["compared"]) == ("cancer@2", 10, 10)
    assert shadow["agreement_rate"] == 1.0
    assert shadow["error_rate"] == 0.0
