"""PII detector: e-mail addresses, phone numbers, payment cards, IBANs, IP addresses and the
national identifiers of Spain, Mexico, Brazil, the US, Argentina and Chile, in English,
Spanish and Portuguese text. Reversible redaction with a key (``Pseudonymizer``) lives in
``guards/pseudonym.py``; its names are re-exported here, as are the checksums.

The package: ``kinds`` (what it reports), ``checksums``, ``phones`` (calling codes),
``cues`` (context words), ``candidates`` (the one-pass expression), ``readings`` (each
candidate validated) and ``scanner`` (``PiiDetector``). Names load on first use, so a server
that scans for no PII builds none of its tables.

**Validated, not just matched.** Every identifier that carries a check digit is reported only
when the check digit is right: Luhn for cards, mod 97 for IBANs (with the country's length),
the check letter for DNI and NIE, the check digits of CURP, RFC, CPF, CNPJ, CUIT/CUIL and
RUT. A look-alike with a wrong check digit is not reported: that is what the validation is
for. SSNs have no check digit; their area, group and serial rules stand in for one. Phone
numbers, e-mails and IPs are checked for shape (country calling code and national length,
NANP area and exchange, valid octets, ``ipaddress`` for IPv6). Identifiers are read as people
type them, not only as they are printed: letters in either case (``es91 2100…``,
``x1234567l``), a space before a DNI's letter, a CUIT grouped with spaces, a RUT with no dash
(the weaker of these need their context word), ``00`` for ``+``.

**Scores.** Each reading starts from a base score that says how much its validation alone
proves: a Luhn-valid card with a real network prefix is a card (0.9) with no context; a bare
9-digit number that passes the SSN rules is nothing without it (0.3). Then the nearest cue
word within ``CONTEXT_WINDOW`` characters before the match decides (``cues.py``, in
the three languages, accents ignored): a word of the kind ("cpf", "tarjeta", "teléfono",
"ssn"...) adds the kind's boost (``cues.BOOST``); a word naming an identifier this detector does
not know ("RG", "IMEI", "CNH"...) takes ``OTHER_ID_PENALTY`` away; for the weakly validated
readings (national phone formats, bare numbers, undotted RUT, IPv4, SSN) a word announcing
something else ("pedido", "order", "versión", "tracking"...) takes ``ANTI_CONTEXT_PENALTY``
away. Those two speak only within their sentence: "el pedido A9138. (41) 3988-1849" holds a
phone number. A guard's default threshold (0.5) then acts on the checksum-valid kinds on their own
and on the weak ones only with their context. A number that could be several kinds (11 bare
digits: a CPF, a CUIT, a phone number) is the one its context supports best.

**Cost.** One pass of one precompiled expression finds every candidate that starts with a
digit, a '+' or a '(' (its first character is a class, so the engine skips the rest of the
text at C speed; letter-led identifiers are found from their first digit and extended back;
a token that is no candidate is consumed whole, so none of its digits is tried again);
e-mails are looked for only around each ``@``, IPv6 only around ``::`` or three colon-
separated groups. Validation and context run on candidates only.
``benchmarks/guards_pii_eval.py`` measures the cost on a 2 KB ticket and the precision and
recall on ``tests/data/guards/pii_eval.jsonl``.

**Not covered.** Names and postal addresses (no pattern tells them; a model does), passport
and driving-licence numbers, the alphanumeric CNPJ announced for 2026, phone numbers in
national formats other than those of the US, Spain, Mexico, Brazil, Portugal, Argentina and
Chile (the international ``+`` form works for every country), and national identifiers of
other countries.

**Redaction** keeps a format hint: ``<EMAIL>``, ``<PHONE>``, ``<CARD_LAST4:1234>``,
``<IBAN:ES**>`` (the country), ``<DNI>``, ``<CPF>``, ``<IP>``... It is one-way. A
``Pseudonymizer`` made with a 32-byte key writes ``<EMAIL#token>`` instead, where the token is
the AES-256-GCM encryption of the original value (a random 12-byte nonce, the label as
associated data, base64url); ``reveal(text, key)`` puts every original back, and a wrong key
or an altered token raises ``RevealError``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pasarela.guards.pii.checksums import (
        IBAN_LENGTHS,
        cnpj_valid,
        cpf_valid,
        cuit_valid,
        curp_check_digit,
        dni_letter,
        iban_valid,
        luhn_valid,
        rfc_check_digit,
        rut_check_digit,
        ssn_valid,
    )
    from pasarela.guards.pii.cues import ANTI_CONTEXT_PENALTY, CONTEXT_WINDOW, OTHER_ID_PENALTY
    from pasarela.guards.pii.kinds import KINDS, Kind, Readings
    from pasarela.guards.pii.scanner import PiiDetector
    from pasarela.guards.pseudonym import (
        Pseudonymizer,
        PseudonymizingDetector,
        RevealError,
        reveal,
    )

__all__ = [
    "ANTI_CONTEXT_PENALTY",
    "CONTEXT_WINDOW",
    "IBAN_LENGTHS",
    "KINDS",
    "OTHER_ID_PENALTY",
    "Kind",
    "PiiDetector",
    "Pseudonymizer",
    "PseudonymizingDetector",
    "Readings",
    "RevealError",
    "cnpj_valid",
    "cpf_valid",
    "cuit_valid",
    "curp_check_digit",
    "dni_letter",
    "iban_valid",
    "luhn_valid",
    "reveal",
    "rfc_check_digit",
    "rut_check_digit",
    "ssn_valid",
]

_HOMES = {
    **dict.fromkeys(
        (
            "IBAN_LENGTHS",
            "cnpj_valid",
            "cpf_valid",
            "cuit_valid",
            "curp_check_digit",
            "dni_letter",
            "iban_valid",
            "luhn_valid",
            "rfc_check_digit",
            "rut_check_digit",
            "ssn_valid",
        ),
        "pasarela.guards.pii.checksums",
    ),
    **dict.fromkeys(
        ("ANTI_CONTEXT_PENALTY", "CONTEXT_WINDOW", "OTHER_ID_PENALTY"), "pasarela.guards.pii.cues"
    ),
    **dict.fromkeys(("KINDS", "Kind", "Readings"), "pasarela.guards.pii.kinds"),
    "PiiDetector": "pasarela.guards.pii.scanner",
    **dict.fromkeys(
        ("Pseudonymizer", "PseudonymizingDetector", "RevealError", "reveal"),
        "pasarela.guards.pseudonym",
    ),
}


def __getattr__(name: str) -> Any:
    """Each name from its module on first use: ``from pasarela.guards.pii import
    Pseudonymizer`` must not build the detector's expression and tables (a server whose
    endpoints scan for no PII never loads them)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
