"""Schemathesis against the real server's OpenAPI schema, with every role's key and with none.

Every operation the server describes gets generated requests (Schemathesis' examples, coverage
and fuzzing phases, valid and invalid data alike); each request goes out once per role and once
without credentials, and must show the two properties the access table promises:

* no 5xx, whoever asks;
* the gate answers as ``api/permissions.py`` says for the path the server saw: no credentials
  on a non-public route → 401, a role without the permission → 403, a role with it → never
  401 or 403. A path no route matches needs credentials, of any role.

Only Schemathesis' ``not_a_server_error`` check runs: the others judge conformance to the
schema, which is not the point here (the gate's 401 and 403 are not in the schema, and neither
are most routes' error bodies).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.schemas import BaseSchema

from pasarela.api.permissions import RouteTable
from pasarela.control.workspace import open_registry
from pasarela.security.keys import KeyService
from pasarela.security.roles import ANONYMOUS, GRANTS, ROLES, Role
from pasarela.settings import Settings
from pasarela.storage.keys import KeyRepository
from tests.conftest import Trained
from tests.e2e.conftest import Server, pasarela_env, prepare_home, running_server

pytestmark = pytest.mark.e2e

MAX_EXAMPLES = 15
"""Fuzzed cases per operation (the examples and coverage phases add their own, fixed ones)."""
TIMEOUT_S = 10.0
CREDENTIAL_HEADERS = {"authorization", "x-api-key", "cookie"}
TABLE = RouteTable()
HOT_ROUTE = re.compile(r"^/v1/endpoints/[^/]+/predict$|^/v2/models/[^/]+(/versions/[^/]*)?/infer$")

# Half of the generated names are the ones the server has, so that bodies reach the model.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20240611,
        "dictionaries": {"served": {"values": ["cancer"]}, "versions": {"values": ["1"]}},
        "parameters": {
            "path.endpoint": {"dictionary": "served", "probability": 0.5},
            "path.name": {"dictionary": "served", "probability": 0.5},
            "path.version": {"dictionary": "versions", "probability": 0.5},
        },
        "generation": {"deterministic": True, "database": "none", "max-examples": MAX_EXAMPLES},
        "phases": {
            # Values taken from earlier responses could be our own key ids (DELETE /admin/keys).
            "examples": {"extra-data-sources": {"responses": False}},
            "coverage": {"extra-data-sources": {"responses": False}},
            "fuzzing": {"extra-data-sources": {"responses": False}},
            "stateful": {"enabled": False},
        },
    }
)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def access_server(
    tmp_path_factory: pytest.TempPathFactory, trained: Trained
) -> Iterator[tuple[Server, dict[Role, str]]]:
    """A real ``pasarela serve`` over a home with ``cancer@1`` and one key per role, made before
    the server starts (so the install is closed: nothing but public routes without a key)."""
    home = tmp_path_factory.mktemp("schemathesis") / "home"
    prepare_home(home, trained)
    registry = open_registry(Settings(home=home, database_url=None, artifacts_dir=None))
    try:
        service = KeyService(KeyRepository(registry.engine))
        keys = {
            role: service.create(name=f"{role} key", role=role, by=ANONYMOUS)[1] for role in ROLES
        }
    finally:
        registry.engine.dispose()
    with running_server(pasarela_env(home), home.parent / "server.log") as server:
        yield server, keys


@pytest.fixture(scope="module")
def api_schema(access_server: tuple[Server, dict[Role, str]]) -> BaseSchema:
    server, keys = access_server
    reply = httpx.get(f"{server.url}/openapi.json", headers=bearer(keys["admin"]), timeout=10)
    assert reply.status_code == 200, reply.text
    return schemathesis.openapi.from_dict(reply.json(), config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32's lazy schemas read ``node._nodeid``, which pytest 9.2 no longer has
    (it keeps ``_id``); give it the attribute it expects, which changes nothing else."""
    if not hasattr(request.node, "_nodeid"):
        setattr(request.node, "_nodeid", request.node.nodeid)  # noqa: B010


def served_path(url: str) -> str:
    """The path as the server routes it: percent-decoded (what ASGI puts in ``scope["path"]``)."""
    return unquote(urlsplit(url).path)


def expected(method: str, path: str, role: Role | None) -> str:
    """What the gate must answer: "pass" (anything but 401/403), "401" or "403"."""
    need = TABLE.need(method, path)
    if need == "public":
        return "pass"
    if role is None:
        if need is None and method != "POST" and HOT_ROUTE.match(path):
            # The hot prediction paths answer any method but POST with 405 before the gate,
            # as permissions.py says: that they exist is no secret.
            return "405"
        return "401"
    if need is None or need in GRANTS[role]:
        return "pass"
    return "403"


@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
@schema.parametrize()
def test_every_role_gets_what_the_table_says_and_nobody_a_5xx(
    case: Case[Any], access_server: tuple[Server, dict[Role, str]]
) -> None:
    server, keys = access_server
    # The credentials are ours to choose: drop any the case generated for the security schemes.
    for name in [n for n in case.headers or {} if n.lower() in CREDENTIAL_HEADERS]:
        del case.headers[name]
    if case.path == "/admin/keys/{key_id}" and any(
        key.startswith(f"{case.path_parameters.get('key_id')}.") for key in keys.values()
    ):
        return  # revoking one of the keys under test would fail the rest for no reason
    wrong: list[str] = []
    for role in (*ROLES, None):
        credentials = bearer(keys[role]) if role is not None else {}
        response = case.call(base_url=server.url, headers=credentials, timeout=TIMEOUT_S)
        who = role or "no credentials"
        path = served_path(response.request.url or "")
        request = f"{case.method} {response.request.url} as {who}"
        want = expected(case.method, path, role)
        got = response.status_code
        if got >= 500:
            wrong.append(f"{request}: {got}, a server error: {_text(response)}")
            # Schemathesis' own check too: it names the case and the reproducing request.
            case.validate_response(response, checks=[not_a_server_error], headers=credentials)
        elif want == "pass" and got in (401, 403):
            wrong.append(f"{request}: {got}, but the table lets {who} through: {_text(response)}")
        elif want != "pass" and str(got) != want:
            wrong.append(f"{request}: {got}, but the table says {want}: {_text(response)}")
    assert not wrong, "\n".join(wrong) + f"\nreproduce: {case.as_curl_command()}"


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.text)[:200]


def test_the_schema_describes_the_routes_the_table_classifies(api_schema: BaseSchema) -> None:
    """The property test above covers only what the schema describes: make sure that is most of
    the table (the dashboard pages and the docs are not in it)."""
    results = list(api_schema.get_all_operations())
    assert all(isinstance(result, Ok) for result in results), results
    described = {
        (result.ok().method.upper(), result.ok().path)
        for result in results
        if isinstance(result, Ok)
    }
    for method, path in described:
        assert TABLE.need(method, path) is not None, f"{method} {path} is not in the table"
    assert ("POST", "/v1/endpoints/{endpoint}/predict") in described
    assert ("POST", "/v2/models/{name}/infer") in described
    assert len(described) >= 30, sorted(described)


def test_the_server_log_has_no_traceback(access_server: tuple[Server, dict[Role, str]]) -> None:
    server, _ = access_server
    assert "Traceback" not in server.log(), server.log()[-4000:]
