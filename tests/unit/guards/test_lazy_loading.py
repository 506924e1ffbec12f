"""Guard data loads on first use: a server whose endpoints configure no guards imports no
detector's tables, rules or model; and the split packages (``guards.pii``,
``guards.normalize``) still answer every public name they had as one module."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

import pasarela
from pasarela.guards import normalize, pii, pseudonym
from pasarela.guards.pii import checksums, scanner

GUARD_DATA = [
    "pasarela.guards.content",
    "pasarela.guards.injection",
    "pasarela.guards.injection_rules",
    "pasarela.guards.injection_scanner",
    "pasarela.guards.normalize",
    "pasarela.guards.pii.candidates",
    "pasarela.guards.pii.checksums",
    "pasarela.guards.pii.cues",
    "pasarela.guards.pii.phones",
    "pasarela.guards.pii.readings",
    "pasarela.guards.pii.scanner",
    "pasarela.guards.secrets",
    "pasarela.guards.semantic",
]


def loaded_after(code: str) -> list[str]:
    """The guard-data modules loaded in a fresh interpreter after running ``code``."""
    probe = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps([m for m in {GUARD_DATA!r} if m in sys.modules]))
        """
    )
    source = os.path.dirname(os.path.dirname(pasarela.__file__))  # these sources, not another
    path = os.pathsep.join(p for p in (source, os.environ.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": path},
    )
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_a_plain_server_loads_no_guard_data() -> None:
    assert (
        loaded_after(
            """
        import base64
        from pydantic import SecretStr
        import pasarela.api.app
        from pasarela.guards.config import chain, parse
        from pasarela.guards.pii import Pseudonymizer, reveal
        from pasarela.guards.pseudonym import pseudonymizer_of
        from pasarela.settings import Settings

        plain = parse({})
        assert chain(plain.input) is None and chain(plain.output) is None
        key = SecretStr(base64.urlsafe_b64encode(bytes(32)).decode())
        assert isinstance(pseudonymizer_of(Settings(pseudonymization_key=key)), Pseudonymizer)
        """
        )
        == []
    )


def test_a_pii_guard_loads_the_pii_tables_and_nothing_else() -> None:
    loaded = loaded_after(
        """
        from pasarela.guards.config import chain, parse
        guards = parse({"input": [{"type": "pii", "action": "redact"}]})
        assert chain(guards.input) is not None
        """
    )
    assert "pasarela.guards.pii.scanner" in loaded
    assert not any("injection" in m or "semantic" in m or "secrets" in m for m in loaded)


OLD_PII_NAMES = [
    "KINDS", "Kind", "PiiDetector", "Pseudonymizer", "PseudonymizingDetector", "RevealError",
    "cnpj_valid", "cpf_valid", "cuit_valid", "curp_check_digit", "dni_letter", "iban_valid",
    "luhn_valid", "reveal", "rfc_check_digit", "rut_check_digit", "ssn_valid", "IBAN_LENGTHS",
    "CONTEXT_WINDOW", "ANTI_CONTEXT_PENALTY", "OTHER_ID_PENALTY", "Readings",
]  # fmt: skip
"""Every public name of ``guards/pii.py`` before it became a package."""


@pytest.mark.parametrize("name", OLD_PII_NAMES)
def test_every_public_pii_name_is_still_importable(name: str) -> None:
    assert name in pii.__all__
    assert getattr(pii, name) is not None


def test_re_exports_are_the_objects_of_their_modules() -> None:
    assert pii.PiiDetector is scanner.PiiDetector
    assert pii.luhn_valid is checksums.luhn_valid
    assert pii.Pseudonymizer is pseudonym.Pseudonymizer
    assert pii.reveal is pseudonym.reveal
    assert sorted(dir(pii)) == sorted(pii.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        getattr(pii, "nothing")  # noqa: B009


def test_every_public_normalize_name_is_still_importable() -> None:
    old = [
        "Blob", "Folded", "Form", "FormKind", "decode_blobs", "deleet", "despace", "fold",
        "matching_forms", "normalize", "smuggled", "widen",
    ]  # fmt: skip
    for name in old:
        assert name in normalize.__all__ and getattr(normalize, name) is not None
