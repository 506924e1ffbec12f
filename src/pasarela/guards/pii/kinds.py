"""The kinds of personal data the PII detector knows, and a reading: one validated candidate
before its context is weighed."""

from __future__ import annotations

from typing import Literal, NamedTuple, get_args

Kind = Literal[
    "email", "phone", "card", "iban", "ip", "dni", "nie", "curp", "rfc", "cpf", "cnpj", "ssn",
    "cuit", "rut",
]  # fmt: skip
KINDS: tuple[Kind, ...] = get_args(Kind)


class Hit(NamedTuple):
    """A validated candidate before context: its kind, where, its base score, whether it is
    weakly validated (anti-context applies), and its redaction. A named tuple: candidates are
    built on the hot path, and a frozen dataclass costs several times more to make."""

    kind: Kind
    start: int
    end: int
    score: float
    weak: bool
    replacement: str


# Each reader validates one candidate and returns its readings, most likely first (a bare
# 11-digit number may be a CPF, a CUIT or a phone number).
Readings = list[Hit]
