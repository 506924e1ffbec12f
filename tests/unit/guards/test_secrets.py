"""Secrets detector: each rule on real-shaped tokens and on look-alikes, the entropy rule's
thresholds, redaction, and its evaluation set (``benchmarks/guards_pii_eval.py``)."""

from __future__ import annotations

import base64
import json

import pytest
from benchmarks.guards_pii_eval import evaluate, load

from pasarela.guards.base import redact
from pasarela.guards.secrets import (
    B64_ENTROPY,
    HEX_ENTROPY,
    SecretsDetector,
    shannon_entropy,
)

DETECTOR = SecretsDetector()


def found(text: str) -> list[tuple[str, str]]:
    """(rule, matched text) of the findings a default guard (0.5) would act on."""
    return [
        (f.detector.removeprefix("secrets."), text[f.start : f.end])
        for f in DETECTOR.scan(text)
        if f.score >= 0.5
    ]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


JWT = ".".join(
    [
        b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()),
        b64url(json.dumps({"sub": "1234567890", "name": "Ana"}).encode()),
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    ]
)
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
PEM = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
    "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n"
    "-----END RSA PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("text", "rule", "value"),
    [
        ("aws_access_key_id = AKIA2OGYBAH6STMMNXNN", "aws_access_key", "AKIA2OGYBAH6STMMNXNN"),
        ("temp ASIAY34FZKBOKMUTVV7A", "aws_access_key", "ASIAY34FZKBOKMUTVV7A"),
        (
            "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCY9xAmPLeKeY",
            "aws_secret_key",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCY9xAmPLeKeY",
        ),
        (f"GITHUB_TOKEN={GITHUB}", "github_token", GITHUB),
        (
            "token github_pat_11ABCDEFG0abcdefghijkl_" + "Ab1" * 19 + "xy",
            "github_token",
            "github_pat_11ABCDEFG0abcdefghijkl_" + "Ab1" * 19 + "xy",
        ),
        ("CI: glpat-Xy9_ab12CD34ef56GH78ij", "gitlab_token", "glpat-Xy9_ab12CD34ef56GH78ij"),
        (
            "SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
            "slack_token",
            "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        ),
        (
            "hook https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
            "slack_webhook",
            "hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        ),
        (
            "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc",
            "stripe_key",
            "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        ),
        ("rk_live_51H8x9aBcDeFgHiJkLmNoPqRs", "stripe_key", "rk_live_51H8x9aBcDeFgHiJkLmNoPqRs"),
        (
            "maps AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
            "google_api_key",
            "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",
        ),
        (
            "OPENAI_API_KEY=sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123456789",
            "openai_key",
            "sk-proj-Ab3dEfGh1jKlMn0pQrStUvWxYz0123456789",
        ),
        (
            "key sk-Ab3dEfGh1jKlMn0pQrStT3BlbkFJUvWxYz0123456789abcd",
            "openai_key",
            "sk-Ab3dEfGh1jKlMn0pQrStT3BlbkFJUvWxYz0123456789abcd",
        ),
        (
            "x-api-key: sk-ant-api03-" + "aB3_" * 20 + "AA",
            "anthropic_key",
            "sk-ant-api03-" + "aB3_" * 20 + "AA",
        ),
        (f"Authorization: Bearer {JWT}", "jwt", JWT),
        (f"key:\n{PEM}\nthanks", "private_key", PEM),
        ("postgres://app:S3cr3tPass!@db:5432/app", "url_password", "S3cr3tPass!"),
        ("mysql://root:hunter2hunter@10.0.0.5/shop", "url_password", "hunter2hunter"),
        (
            "api_key: 4f9c1e8b2a7d6e5f3c0b9a8d7e6f5c4b",
            "generic_secret",
            "4f9c1e8b2a7d6e5f3c0b9a8d7e6f5c4b",
        ),
        (
            "la clave secreta es Zx9Qw2Lk8Pm4Rt7Yu1Ni3Bv6.",
            "generic_secret",
            "Zx9Qw2Lk8Pm4Rt7Yu1Ni3Bv6",
        ),
        (
            "a senha do serviço é Zx9Qw2Lk8Pm4Rt7Yu1Ni3Bv6",
            "generic_secret",
            "Zx9Qw2Lk8Pm4Rt7Yu1Ni3Bv6",
        ),
        ('"token": "b7Kq2LmN9pRs4TuV6wXy8Za1"', "generic_secret", "b7Kq2LmN9pRs4TuV6wXy8Za1"),
        ("password: Tr0ub4dor&3", "password", "Tr0ub4dor&3"),
        ("contraseña=Qw3rty!2024", "password", "Qw3rty!2024"),
    ],
)
def test_each_rule_finds_its_secret_exactly(text: str, rule: str, value: str) -> None:
    assert (rule, value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "token 550e8400-e29b-41d4-a716-446655440000",  # a UUID
        "commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39\n\n    fix token refresh",
        "token sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        'the key <img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB">',
        "the token expired, log in again",
        "postgres://app:${DB_PASSWORD}@db:5432/app",
        "https://user@example.com/path and https://example.com:8080/x",
        "password: ********",
        "password: hunter",  # a weak password: not flagged by shape (and not a token)
        "we use sk-learn-compatible-estimators in the pipeline",
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n-----END PUBLIC KEY-----",
        "eyJmb28iOiJiYXIifQ.eyJmb28iOiJiYXIifQ.c2lnbmF0dXJl",  # no 'alg': not a JWT
        "SECRET_KEY = 'my_database_password_here_ok'",  # one case: words, not a secret
        "the api key is in the vault",
    ],
)
def test_look_alikes_are_not_secrets(text: str) -> None:
    assert found(text) == []


def test_documentation_example_keys_score_low() -> None:
    [finding] = DETECTOR.scan("AKIAIOSFODNN7EXAMPLE")
    assert finding.score < 0.5


def test_stripe_test_keys_score_below_live_ones() -> None:
    live = DETECTOR.scan("sk_live_4eC39HqLyjWDarjtT1zdp7dc")[0].score
    test = DETECTOR.scan("sk_test_4eC39HqLyjWDarjtT1zdp7dc")[0].score
    assert 0.5 <= test < live


def test_a_jwt_header_must_name_its_algorithm() -> None:
    header = b64url(json.dumps({"typ": "JWT"}).encode())
    assert found(f"{header}.{JWT.split('.')[1]}.sig") == []


def test_a_pem_block_without_its_end_line_is_still_taken_whole() -> None:
    text = PEM.rsplit("\n", 1)[0]  # cut before the END line
    [(rule, value)] = found(text)
    assert rule == "private_key" and value.startswith("-----BEGIN") and value.endswith("nTxK")


def test_the_keyword_must_come_before_the_value() -> None:
    assert found("Zx9Qw2Lk8Pm4Rt7Yu1Ni3Bv6 is not a token") == []


def test_entropy_thresholds() -> None:
    assert shannon_entropy("") == 0.0 and shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("0123456789abcdef") == 4.0
    assert shannon_entropy("deadbeefcafebabedeadbeef") < HEX_ENTROPY
    assert shannon_entropy("4f9c1e8b2a7d6e5f3c0b9a8d7e6f5c4b") >= HEX_ENTROPY
    assert shannon_entropy("Zx9Qw2Lk8Pm4Rt7Yu1Ni3Bv6") >= B64_ENTROPY


def test_redaction_names_the_kind_and_hides_the_value() -> None:
    text = f"keys: AKIA2OGYBAH6STMMNXNN and {GITHUB}; db postgres://app:S3cr3tPass!@db/app"
    assert redact(text, DETECTOR.scan(text)) == (
        "keys: <SECRET:aws_access_key> and <SECRET:github_token>; "
        "db postgres://app:<SECRET:url_password>@db/app"
    )
    assert {f.label for f in DETECTOR.scan(text)} == {"SECRET"}


def test_outputs_are_scanned_alike() -> None:
    answer = f"Sure! Use this configuration:\n\nexport GITHUB_TOKEN={GITHUB}\n"
    assert found(answer) == [("github_token", GITHUB)]


def test_the_eval_set() -> None:
    rows = load("secrets_eval.jsonl")
    assert {r.lang for r in rows} == {"en", "es", "pt"}
    assert sum(1 for r in rows if not r.entities) >= 40
    report = evaluate(DETECTOR, rows)
    assert report.overall.recall >= 0.95, report.errors
    assert report.overall.precision >= 0.95, report.errors
    for lang, counts in report.by_lang.items():
        assert counts.recall >= 0.9 and counts.precision >= 0.9, (lang, report.errors)
