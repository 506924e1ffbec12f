"""The servers under test: pasarela itself, and the registry of every row the harness knows."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.peers import bentoml, fastapi, mlserver, mlserver_pw1
from harness.procs import free_port
from harness.specs import (
    MODEL_NAME,
    Context,
    Spec,
    Target,
    body_json,
    server_env,
    v2_body,
    v2_probabilities,
)


def v1_probabilities(reply: Any) -> list[float]:
    first = reply["outputs"][0]
    probabilities = first["probabilities"] if isinstance(first, dict) else first
    if isinstance(probabilities, dict):
        return [float(probabilities[k]) for k in sorted(probabilities)]
    return [float(p) for p in probabilities]


# A canary held at its first step (50 %) for the whole run, with a shadow version receiving a
# copy of 10 % of the requests: routing, recording and shadow calls all on the measured path.
# And a running experiment, called with one unit id: the sticky assignment (a hash per request)
# on the path, against the plain endpoint. And the secured endpoint: its own rate limit and
# every guard on both sides (the key, and its own limit, come with every pasarela row). And
# the resilient one: a breaker, a fallback chain and a response cache kept for stale-if-error
# (every answer stored; the model still answers every request: no hit inflates the figure).
# And the production one: every feature of the list on one endpoint — the key (sent by
# every row), the key's and the endpoint's rate limits, every guard on both sides, a breaker,
# a fallback chain, the response cache, and the request record (every row records).
MANIFESTS = """\
name: {model}-canary
policy:
  type: canary
  baseline: {model}@1
  candidate: {model}@2
  steps: [50, 100]
  interval: 1h
shadow:
  targets: [{model}@3]
  share: 0.1
---
name: {model}-experiment
policy:
  type: experiment
  experiment: bench
  variants:
    - {{name: control, target: {model}@1, weight: 50}}
    - {{name: treatment, target: {model}@2, weight: 50}}
  primary_metric: {{kind: task_completed, stat: rate}}
---
name: {model}-secured
policy: {{type: single, target: {model}@1}}
rate_limit: {limit}
guards:
  input:
    - {{type: injection, action: block}}
    - {{type: pii, action: redact}}
    - {{type: secrets, action: block}}
    - {{type: content, action: flag, categories: [violence, hate]}}
  output:
    - {{type: pii, action: redact}}
    - {{type: secrets, action: redact}}
---
name: {model}-resilient
policy: {{type: single, target: {model}@1}}
attempt_timeout_s: 0.5
breaker: {{consecutive_failures: 5, open_s: 5}}
cache: {{ttl_s: 60, stale_s: 3600, serve: false}}
fallback: [{model}@2, {{cached: true}}, {{static: [0.5, 0.5]}}]
---
name: {model}-production
policy: {{type: single, target: {model}@1}}
rate_limit: {limit}
guards:
  input:
    - {{type: injection, action: block}}
    - {{type: pii, action: redact}}
    - {{type: secrets, action: block}}
    - {{type: content, action: flag, categories: [violence, hate]}}
  output:
    - {{type: pii, action: redact}}
    - {{type: secrets, action: redact}}
attempt_timeout_s: 0.5
breaker: {{consecutive_failures: 5, open_s: 5}}
cache: {{ttl_s: 60, stale_s: 3600, serve: false}}
fallback: [{model}@2, {{cached: true}}, {{static: [0.5, 0.5]}}]
"""
# Checked on every request (the endpoint's and the key's), never reached.
UNREACHED_LIMIT = "1000000/s burst=1000000"


def pasarela(ctx: Context) -> Spec:
    home = Path(tempfile.mkdtemp(prefix="pasarela-home-", dir=ctx.work))
    bin_dir = ctx.venvs / "pasarela" / "bin"
    cli = str(bin_dir / "pasarela")
    port = free_port()
    files = ctx.files
    # the peers load the same joblib file; it is ours, so it is trusted
    register = [cli, "models", "register", str(files.model), "--trust-pickle", "--name", MODEL_NAME]
    register += ["--train-data", str(files.train_csv), "--target", "target"]
    create = [cli, "endpoints", "create", MODEL_NAME, "--model", f"{MODEL_NAME}@1"]
    # The same artifact twice more: a candidate at 50 % and a shadow taking a 10 % copy.
    manifests = home / "endpoints.yaml"
    manifests.write_text(MANIFESTS.format(model=MODEL_NAME, limit=UNREACHED_LIMIT))
    start = [cli, "experiments", "start", "bench"]
    # A client key with its own (never reached) limit. Once a key exists the install is closed:
    # every route but the health ones wants a key, so every pasarela row sends this one.
    key_file = home / "bench.key"
    key = [cli, "keys", "create", "--name", "bench", "--role", "client"]
    key += ["--rate-limit", UNREACHED_LIMIT, "--save", str(key_file)]
    apply = [cli, "apply", "-f", str(manifests)]
    prepare = [register, register, register, create, apply, start, key]
    argv = [cli, "serve", "--host", "127.0.0.1", "--port", str(port)]
    return Spec(
        key="pasarela",
        label="pasarela",
        venv=ctx.venvs / "pasarela",
        argv=argv,
        cwd=ctx.work,
        # No admin key made at the first start: the bench key alone closes the install.
        env=server_env(
            {"PASARELA_HOME": str(home), "PASARELA_BOOTSTRAP_ADMIN_KEY": "false"}, bin_dir
        ),
        port=port,
        ready_path="/readyz",
        prepare=prepare,
        targets=[
            Target(
                "pasarela",
                "pasarela",
                f"/v1/endpoints/{MODEL_NAME}/predict",
                body_json({"inputs": [files.row]}),
                v1_probabilities,
                key_file,
            ),
            Target(
                "pasarela-canary",
                "pasarela (canary 50 % + 10 % shadow)",
                f"/v1/endpoints/{MODEL_NAME}-canary/predict",
                body_json({"inputs": [files.row]}),
                v1_probabilities,
                key_file,
            ),
            Target(
                "pasarela-experiment",
                "pasarela (experiment, sticky unit)",
                f"/v1/endpoints/{MODEL_NAME}-experiment/predict",
                body_json({"inputs": [files.row], "unit_id": "user-42"}),
                v1_probabilities,
                key_file,
            ),
            Target(
                "pasarela-secured",
                "pasarela (client key, rate limits, all guards)",
                f"/v1/endpoints/{MODEL_NAME}-secured/predict",
                body_json({"inputs": [files.row]}),
                v1_probabilities,
                key_file,
            ),
            Target(
                "pasarela-resilient",
                "pasarela (breaker, fallback chain, cache)",
                f"/v1/endpoints/{MODEL_NAME}-resilient/predict",
                body_json({"inputs": [files.row]}),
                v1_probabilities,
                key_file,
            ),
            Target(
                "pasarela-production",
                "pasarela (every production feature)",
                f"/v1/endpoints/{MODEL_NAME}-production/predict",
                body_json({"inputs": [files.row]}),
                v1_probabilities,
                key_file,
            ),
            Target(
                "pasarela-v2",
                "pasarela (v2)",
                f"/v2/models/{MODEL_NAME}/infer",
                v2_body(files),
                v2_probabilities,
                key_file,
            ),
        ],
        settings={"commands": [" ".join(c[1:]) for c in [*prepare, argv]]},
    )


BUILDERS: dict[str, Callable[[Context], Spec]] = {
    "pasarela": pasarela,
    "mlserver": mlserver,
    "bentoml": bentoml,
    "fastapi": fastapi,
    "mlserver-pw1": mlserver_pw1,
}
# Target key -> the server that serves it. Targets outside DEFAULT_TARGETS run only with --only.
SERVER_OF = {
    "pasarela": "pasarela",
    "pasarela-v2": "pasarela",
    "pasarela-canary": "pasarela",
    "pasarela-experiment": "pasarela",
    "pasarela-secured": "pasarela",
    "pasarela-resilient": "pasarela",
    "pasarela-production": "pasarela",
    "mlserver": "mlserver",
    "bentoml": "bentoml",
    "fastapi": "fastapi",
    "mlserver-pw1": "mlserver-pw1",
}
DEFAULT_TARGETS = [
    "pasarela",
    "pasarela-canary",
    "pasarela-experiment",
    "pasarela-secured",
    "pasarela-resilient",
    "pasarela-production",
    "pasarela-v2",
    "mlserver",
    # MLServer as it ships (inference in a separate process): defaults beside defaults.
    "mlserver-pw1",
    "bentoml",
    "fastapi",
]
# Server -> its virtual environment under benchmarks/.venvs.
PEER_VENV = {
    "pasarela": "pasarela",
    "mlserver": "mlserver",
    "mlserver-pw1": "mlserver",
    "bentoml": "bentoml",
    "fastapi": "fastapi",
}
