"""Secrets detector: credentials in a request or a model's answer, before they are logged,
stored or sent on. Every finding has the label ``SECRET`` and a replacement that names the
kind (``<SECRET:aws_access_key>``), never any of the value.

**Rules, most specific first.**

- Prefixed tokens, whose prefix says what they are: AWS access key ids (``AKIA``, ``ASIA``
  and the other IAM id prefixes, then 16 base-32 characters), GitHub tokens (``ghp_``,
  ``gho_``, ``ghu_``, ``ghs_``, ``ghr_``, ``github_pat_``), GitLab (``glpat-``), Slack
  (``xoxb-``, ``xoxp-``... and incoming-webhook URLs), Stripe (``sk_live_``, ``rk_live_``;
  the ``_test_`` keys score lower), Google API keys (``AIza`` + 35), Anthropic (``sk-ant-``)
  and OpenAI-style keys (``sk-``, ``sk-proj-``; the body must mix upper case, lower case and
  digits, so ``sk-learn-compatible`` is not one).
- JWTs: three base64url parts whose first decodes to a JSON object with an ``alg``.
- PEM private key blocks, ``-----BEGIN … PRIVATE KEY-----`` to its ``END`` line (or to the
  end of its base64 when the END line is missing).
- Passwords in URLs, ``scheme://user:password@host``: the password alone is the finding, so
  the redacted URL still says which host; placeholders (``${DB_PASSWORD}``, ``***``) are not.
- Context rules, which need a word before the value: an AWS secret access key (40 base64
  characters after ``aws`` or ``secret``); a generic secret; a password after ``password:``.

**Generic secrets: entropy next to a keyword.** A token of at least ``MIN_GENERIC_LENGTH``
(20) characters that follows one of ``KEYWORDS`` (key, token, secret, password, clave,
contraseña, senha, chave, credential, auth...) on the same line, within ``KEYWORD_REACH``
characters, is a secret when its Shannon entropy (bits per character, over the token's own
character frequencies) reaches a threshold for its alphabet:

- hex tokens (``[0-9a-f]``, one case): ≥ ``HEX_ENTROPY`` = 3.0 and both digits and letters.
  A random 20-character hex string scores 3.4 at the median (1 % under 2.9, so about 3 % of
  them are missed), a 32-character one 3.6 (1 % under 3.3), and the ceiling is 4.0; words
  in hex letters (``deadbeefcafebabe``) stay under 2.5.
- other tokens (base64, base64url, base62): ≥ ``B64_ENTROPY`` = 3.5 and at least two of
  upper case, lower case and digits. A random 20-character base62 string scores 4.0 at the
  median (1 % under 3.65), a 40-character one 4.8; identifiers made of words
  (``my_database_password_here``) score 3.3 to 4.0 and mostly use one case, which the
  two-classes rule drops (a CamelCase one passes: a long passphrase is a secret too).

Not secrets however high their entropy: UUIDs, and hex digests announced as such (``sha``,
``md5``, ``hash``, ``commit``, ``digest``, ``checksum`` just before), and base64 after
``base64,`` (data URIs). The keyword must come before the value: "the token expired" is
prose, "token: 4f9c…" is a secret.

**Cost.** Each rule is gated by a literal the text must contain (``AKIA``, ``eyJ``, ``://``,
a keyword...), checked with ``in`` or a literal-prefixed expression the engine searches at
C speed; a rule's expression runs only when its literal is there.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import NamedTuple

from pasarela.types import Finding

__all__ = [
    "B64_ENTROPY",
    "HEX_ENTROPY",
    "KEYWORDS",
    "MIN_GENERIC_LENGTH",
    "SecretsDetector",
    "shannon_entropy",
]

MIN_GENERIC_LENGTH = 20
HEX_ENTROPY = 3.0
B64_ENTROPY = 3.5
KEYWORD_REACH = 40
"""Characters after a keyword in which its value may start ("token de la api: …")."""
KEYWORDS: tuple[str, ...] = (
    "key", "token", "secret", "passw", "pwd", "clave", "contrase", "senha", "chave",
    "credential", "auth", "bearer",
)  # fmt: skip
"""Lower-case stems that announce a secret value after them, in the three languages."""
_PASSWORD_WORDS = ("passw", "pwd", "contrase", "senha")

_AWS_OR_GOOGLE = re.compile(
    r"A(?<![A-Za-z0-9_\-]A)(?:(?P<aws>(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)"
    r"[A-Z2-7]{16})|(?P<google>Iza[0-9A-Za-z_\-]{35}))(?![A-Za-z0-9_\-])"
)
_GIT = re.compile(
    r"g(?<![A-Za-z0-9_\-]g)(?:(?P<github>h[pousr]_[A-Za-z0-9]{36,251})"
    r"|(?P<github_pat>ithub_pat_[A-Za-z0-9_]{60,251})|(?P<gitlab>lpat-[A-Za-z0-9_\-]{20,64}))"
    r"(?![A-Za-z0-9_\-])"
)
_SLACK = re.compile(r"xox(?<![A-Za-z0-9_\-]xox)[abposr]-[0-9]{6,}-[A-Za-z0-9\-]{8,}")
_SLACK_HOOK = re.compile(r"hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{16,}")
_SK = re.compile(
    r"(?<![A-Za-z0-9_\-])(?:(?P<stripe>[sr]k_(?P<mode>live|test)_[A-Za-z0-9]{20,247})"
    r"|(?P<anthropic>sk-ant-[A-Za-z0-9_\-]{32,})"
    r"|(?P<openai>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}))(?![A-Za-z0-9_\-])"
)
_JWT = re.compile(
    r"eyJ(?<![A-Za-z0-9_\-]eyJ)[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*"
    r"(?![A-Za-z0-9_\-])"
)
_PEM = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
    r"(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:\-]*)"
)
_URL_CREDENTIALS = re.compile(r"([^\s:/@?#\"'<>]+):([^\s@/?#\"'<>]+)@[A-Za-z0-9.\-\[\]]")
_PLACEHOLDER = re.compile(
    r"\$\{?\w+\}?|\{\{?\s*\w+\s*\}?\}|<[^>]*>|%s|%\(\w+\)s|\*+|x+|X+|\.\.\.|…|password|senha"
    r"|contrase(?:ñ|n)a|pass|secret|changeme"
)
_TOKEN = re.compile(r"[A-Za-z0-9+/_\-.~]+={0,2}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"[0-9a-f]+|[0-9A-F]+")
_DIGEST_WORDS = re.compile(r"sha|md5|hash|commit|digest|checksum|sum:|base64,|revision")
_AWS_SECRET = re.compile(r"[A-Za-z0-9+/]{40}")
_ASSIGNMENT = re.compile(r"[\w\-]*[\"']?[ \t]*(?::=|=>|:|=)[ \t]*[\"']?([^\s\"',;]+)")
"""What follows a password keyword when a value is assigned to it: the rest of the field's
name, an optional quote, ``:`` / ``=`` / ``=>`` / ``:=``, then the value."""


def shannon_entropy(token: str) -> float:
    """Bits per character of ``token`` over its own character frequencies.

    >>> shannon_entropy("aaaa"), round(shannon_entropy("abcd"), 2)
    (0.0, 2.0)
    """
    n = len(token)
    if not n:
        return 0.0
    return abs(sum(c / n * math.log2(c / n) for c in Counter(token).values()))


def _classes(token: str) -> int:
    return (
        any(c.isupper() for c in token)
        + any(c.islower() for c in token)
        + any(c.isdigit() for c in token)
    )


def _b64json(part: str) -> object:
    raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    return json.loads(raw)


class _Hit(NamedTuple):
    rule: str
    start: int
    end: int
    score: float


def _aws_google(text: str) -> list[_Hit]:
    out = []
    for m in _AWS_OR_GOOGLE.finditer(text):
        if m.lastgroup == "aws":
            # the documentation's AKIAIOSFODNN7EXAMPLE and its kind: not a live key
            score = 0.3 if m.group().endswith("EXAMPLE") else 0.95
            out.append(_Hit("aws_access_key", m.start(), m.end(), score))
        else:
            out.append(_Hit("google_api_key", m.start(), m.end(), 0.9))
    return out


def _git(text: str) -> list[_Hit]:
    out = []
    for m in _GIT.finditer(text):
        rule = "gitlab_token" if m.lastgroup == "gitlab" else "github_token"
        out.append(_Hit(rule, m.start(), m.end(), 0.95))
    return out


def _slack(text: str) -> list[_Hit]:
    out = [_Hit("slack_token", m.start(), m.end(), 0.95) for m in _SLACK.finditer(text)]
    out.extend(_Hit("slack_webhook", m.start(), m.end(), 0.9) for m in _SLACK_HOOK.finditer(text))
    return out


def _sk(text: str) -> list[_Hit]:
    out = []
    for m in _SK.finditer(text):
        if m.lastgroup == "stripe":
            live = m.group("mode") == "live"
            out.append(_Hit("stripe_key", m.start(), m.end(), 0.95 if live else 0.8))
        elif m.lastgroup == "anthropic":
            out.append(_Hit("anthropic_key", m.start(), m.end(), 0.95))
        else:
            body = m.group()[3:]
            if _classes(body) == 3 and shannon_entropy(body) >= B64_ENTROPY:
                out.append(_Hit("openai_key", m.start(), m.end(), 0.9))
    return out


def _jwt(text: str) -> list[_Hit]:
    out = []
    for m in _JWT.finditer(text):
        header, payload, _ = m.group().split(".", 2)
        try:
            head = _b64json(header)
        except (ValueError, binascii.Error):
            continue
        if not isinstance(head, dict) or "alg" not in head:
            continue
        try:
            body_ok = isinstance(_b64json(payload), dict)
        except (ValueError, binascii.Error):
            body_ok = False
        out.append(_Hit("jwt", m.start(), m.end(), 0.95 if body_ok else 0.85))
    return out


def _pem(text: str) -> list[_Hit]:
    return [_Hit("private_key", m.start(), m.end(), 1.0) for m in _PEM.finditer(text)]


def _url_passwords(text: str) -> list[_Hit]:
    out = []
    at = text.find("://")
    while at != -1:
        m = _URL_CREDENTIALS.match(text, at + 3)
        if m is not None and not _PLACEHOLDER.fullmatch(m.group(2)):
            out.append(_Hit("url_password", m.start(2), m.end(2), 0.9))
        at = text.find("://", at + 3)
    return out


def _keyed(text: str) -> list[_Hit]:
    """Values after a keyword: AWS secret keys, generic high-entropy secrets, passwords."""
    low = text.lower()
    present = [k for k in KEYWORDS if k in low]
    if not present:
        return []
    out: list[_Hit] = []
    seen: set[int] = set()
    for keyword in present:
        at = low.find(keyword)
        while at != -1:
            after = at + len(keyword)
            hit = _value_after(text, low, at, after, keyword)
            if hit is not None and hit.start not in seen:
                seen.add(hit.start)
                out.append(hit)
            at = low.find(keyword, after)
    return out


_RULES: tuple[tuple[tuple[str, ...], Callable[[str], list[_Hit]]], ...] = (
    (("A",), _aws_google),
    (("gh", "glpat-"), _git),
    (("xox", "hooks.slack.com"), _slack),
    (("k-", "k_"), _sk),
    (("eyJ",), _jwt),
    (("-----BEGIN",), _pem),
    (("://",), _url_passwords),
    ((), _keyed),
)
"""Each rule with the literals of which the text must hold one for the rule to run."""


class SecretsDetector:
    """Finds credentials (see the module's rules). Findings: ``detector="secrets.<rule>"``,
    label ``SECRET``, replacement ``<SECRET:<rule>>``.

    >>> [f.replacement for f in SecretsDetector().scan("key AKIA2OGYBAH6STMMNXNN")]
    ['<SECRET:aws_access_key>']
    """

    __slots__ = ("name",)

    def __init__(self) -> None:
        self.name = "secrets"

    def scan(self, text: str) -> list[Finding]:
        hits: list[_Hit] = []
        for gates, rule in _RULES:
            for gate in gates:
                if gate in text:
                    hits.extend(rule(text))
                    break
            else:
                if not gates:
                    hits.extend(rule(text))
        return _resolve(hits) if hits else []


def _value_after(text: str, low: str, at: int, after: int, keyword: str) -> _Hit | None:
    """The secret value that follows a keyword on its line, if any."""
    line_end = text.find("\n", after, after + KEYWORD_REACH + 200)
    stop = len(text) if line_end == -1 else line_end
    reach = min(stop, after + KEYWORD_REACH)
    if keyword in _PASSWORD_WORDS:
        assigned = _ASSIGNMENT.match(text, after, stop)
        if assigned is not None:
            value = assigned.group(1)
            if _strong_value(value) and not (
                len(value) >= MIN_GENERIC_LENGTH and _high_entropy(value)
            ):
                return _Hit("password", assigned.start(1), assigned.end(1), 0.7)
    for m in _TOKEN.finditer(text, after, stop):
        if m.start() > reach:
            break
        token = m.group().rstrip(".,;")
        start = m.start()
        if m.start() == after:
            continue  # the rest of the keyword's own identifier: secret_key, api_token
        end = start + len(token)
        before = low[max(0, start - 24) : start]
        if len(token) >= MIN_GENERIC_LENGTH:
            if _UUID.fullmatch(token) or _DIGEST_WORDS.search(before):
                return None
            if len(token) == 40 and _AWS_SECRET.fullmatch(token):
                context = low[max(0, at - 30) : start]
                if ("aws" in context or "secret" in context) and _high_entropy(token):
                    return _Hit("aws_secret_key", start, end, 0.9)
            if _high_entropy(token):
                return _Hit("generic_secret", start, end, 0.75)
    return None


def _high_entropy(token: str) -> bool:
    if _HEX.fullmatch(token):
        has_digit = any(c.isdigit() for c in token)
        has_alpha = any(c.isalpha() for c in token)
        return has_digit and has_alpha and shannon_entropy(token) >= HEX_ENTROPY
    return _classes(token) >= 2 and shannon_entropy(token) >= B64_ENTROPY


def _strong_value(value: str) -> bool:
    """Whether a value assigned to a password field (``password: X``, ``senha=X``) is one:
    at least 8 characters, three kinds of character (upper, lower, digit, other), not a
    placeholder."""
    if len(value) < 8 or _PLACEHOLDER.fullmatch(value):
        return False
    symbols = any(not c.isalnum() for c in value)
    return _classes(value) + symbols >= 3


def _resolve(hits: list[_Hit]) -> list[Finding]:
    """Keeps the strongest of overlapping hits (then the longer), in text order."""
    kept: list[_Hit] = []
    for h in sorted(hits, key=lambda h: (-h.score, h.start - h.end)):
        if all(h.end <= k.start or k.end <= h.start for k in kept):
            kept.append(h)
    kept.sort(key=lambda h: h.start)
    return [
        Finding(
            detector=f"secrets.{h.rule}",
            label="SECRET",
            start=h.start,
            end=h.end,
            score=h.score,
            replacement=f"<SECRET:{h.rule}>",
        )
        for h in kept
    ]
