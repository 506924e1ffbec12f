"""Reversible redaction: tokens round-trip under their key, differ on each call, refuse a
wrong key, a moved label or a short key, and make a redacting guard reversible (moved here
from ``test_pii.py`` with ``guards/pseudonym.py``)."""

from __future__ import annotations

import pytest

from pasarela.guards.base import Guard
from pasarela.guards.pii import PiiDetector
from pasarela.guards.pseudonym import Pseudonymizer, RevealError, reveal
from pasarela.types import Finding

DETECTOR = PiiDetector()

KEY = bytes(range(32))


def test_pseudonymize_and_reveal_round_trip() -> None:
    text = "Soy ana@correo.es, DNI 12345678Z, tarjeta 4111 1111 1111 1111."
    p = Pseudonymizer(KEY)
    hidden = p.apply(text, DETECTOR.scan(text))
    assert "ana@correo.es" not in hidden and "12345678Z" not in hidden and "4111" not in hidden
    assert hidden.startswith("Soy <EMAIL#") and "DNI <DNI#" in hidden and "<CARD#" in hidden
    assert p.reveal(hidden) == text
    assert reveal(hidden, KEY) == text


def test_tokens_differ_each_time_but_reveal_alike() -> None:
    p = Pseudonymizer(KEY)
    a, b = p.token("EMAIL", "ana@correo.es"), p.token("EMAIL", "ana@correo.es")
    assert a != b  # a fresh nonce each time: equal values are not linkable
    assert reveal(a, KEY) == reveal(b, KEY) == "ana@correo.es"


def test_a_wrong_key_raises_a_clear_error() -> None:
    hidden = Pseudonymizer(KEY).apply("ana@correo.es", DETECTOR.scan("ana@correo.es"))
    with pytest.raises(RevealError, match="wrong key"):
        reveal(hidden, bytes(32))


def test_a_token_moved_to_another_label_does_not_reveal() -> None:
    token = Pseudonymizer(KEY).token("EMAIL", "ana@correo.es")
    with pytest.raises(RevealError):
        reveal(token.replace("<EMAIL#", "<PHONE#"), KEY)


def test_a_key_must_be_32_bytes() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Pseudonymizer(b"short")
    with pytest.raises(ValueError, match="32 bytes"):
        reveal("text", b"short")


def test_text_without_tokens_reveals_unchanged() -> None:
    assert reveal("nothing <EMAIL> here", KEY) == "nothing <EMAIL> here"


def test_a_wrapped_detector_makes_a_redacting_guard_reversible() -> None:
    p = Pseudonymizer(KEY)
    guard = Guard(p.wrap(DETECTOR), action="redact")
    assert p.wrap(DETECTOR).name == "pii"
    verdict = guard.check("DNI 12345678Z")
    assert verdict.text.startswith("DNI <DNI#")
    assert p.reveal(verdict.text) == "DNI 12345678Z"


def test_findings_without_a_place_are_left_alone() -> None:
    unplaced = Finding("x", "X", -1, -1, 1.0)
    assert Pseudonymizer(KEY).protect("abc", [unplaced]) == [unplaced]
