"""PII detector: e-mail addresses, phone numbers, payment cards, IBANs, IP addresses and the
national identifiers of Spain, Mexico, Brazil, the US, Argentina and Chile, in English,
Spanish and Portuguese text; and reversible redaction with a key (``Pseudonymizer``).

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
word within ``CONTEXT_WINDOW`` characters before the match decides (``_CONTEXT_WORDS``, in
the three languages, accents ignored): a word of the kind ("cpf", "tarjeta", "teléfono",
"ssn"...) adds the kind's boost (``_BOOST``); a word naming an identifier this detector does
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

import base64
import binascii
import ipaddress
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from operator import mul
from typing import Literal, NamedTuple, get_args

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pasarela.guards.base import redact
from pasarela.guards.content import words as folded_words
from pasarela.types import Detector, Finding

__all__ = [
    "KINDS",
    "Kind",
    "PiiDetector",
    "Pseudonymizer",
    "PseudonymizingDetector",
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

Kind = Literal[
    "email", "phone", "card", "iban", "ip", "dni", "nie", "curp", "rfc", "cpf", "cnpj", "ssn",
    "cuit", "rut",
]  # fmt: skip
KINDS: tuple[Kind, ...] = get_args(Kind)

CONTEXT_WINDOW = 40
"""Characters before a match searched for context words: a form label and its colon, or the
few words of "my card number is"."""
ANTI_CONTEXT_PENALTY = 0.3
"""Taken from a weakly validated reading when the nearest cue announces something else: a
national-format phone (0.55) or an IPv4 (0.65) after "pedido" or "versión" falls below 0.5."""

# ---------------------------------------------------------------------------------------------
# check digits

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
_CURP_STATES = frozenset(
    [
        "AS",
        "BC",
        "BS",
        "CC",
        "CH",
        "CL",
        "CM",
        "CS",
        "DF",
        "DG",
        "GR",
        "GT",
        "HG",
        "JC",
        "MC",
        "MN",
        "MS",
        "NE",
        "NL",
        "NT",
        "OC",
        "PL",
        "QR",
        "QT",
        "SL",
        "SP",
        "SR",
        "TC",
        "TL",
        "TS",
        "VZ",
        "YN",
        "ZS",
    ]
)
_CUIT_PREFIXES = frozenset({"20", "23", "24", "27", "30", "33", "34", "50", "51", "55"})
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # the century is unknown: Feb 29 ok

IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
"""IBAN length per country, from the SWIFT IBAN registry (release 101)."""


_LUHN_DOUBLE = {str(d): d * 2 - 9 if d > 4 else d * 2 for d in range(10)}


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (cards, IMEIs).

    >>> luhn_valid("4539148803436467"), luhn_valid("4539148803436468")
    (True, False)
    """
    total = sum(map(int, digits[-1::-2])) + sum(map(_LUHN_DOUBLE.__getitem__, digits[-2::-2]))
    return total % 10 == 0


_IBAN_DIGITS = {ord(c): str(10 + i) for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def iban_valid(compact: str) -> bool:
    """Whether an IBAN without spaces has its country's length and passes mod 97.

    >>> iban_valid("ES9121000418450200051332"), iban_valid("ES9121000418450200051333")
    (True, False)
    """
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    if not compact.isalnum() or not compact.isascii():
        return False
    moved = (compact[4:] + compact[:4]).translate(_IBAN_DIGITS)
    return int(moved) % 97 == 1


def dni_letter(number: str) -> str:
    """The check letter of a Spanish DNI number (8 digits; for a NIE, X/Y/Z as 0/1/2).

    >>> dni_letter("12345678")
    'Z'
    """
    return _DNI_LETTERS[int(number) % 23]


def curp_check_digit(base17: str) -> str:
    """The 18th character of a Mexican CURP, from the first 17 (RENAPO's weighted sum)."""
    total = sum(_CURP_ALPHABET.index(c) * (18 - i) for i, c in enumerate(base17))
    return str((10 - total % 10) % 10)


def rfc_check_digit(base: str) -> str:
    """The last character of a Mexican RFC from the others (11 for a company, 12 for a
    person): SAT's mod 11 over a 12-character field, a company's padded with a space."""
    padded = base.rjust(12)
    total = sum(_RFC_ALPHABET.index(c) * (13 - i) for i, c in enumerate(padded))
    return _RFC_ALPHABET[(11 - total) % 11]


def _mod11_br(digits: str, weights: Sequence[int]) -> int:
    rest = sum(map(mul, map(int, digits), weights)) % 11
    return 0 if rest < 2 else 11 - rest


_CPF_W1 = tuple(range(10, 1, -1))
_CPF_W2 = tuple(range(11, 1, -1))
_CNPJ_W1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_W2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def cpf_valid(digits: str) -> bool:
    """Whether 11 digits are a valid Brazilian CPF: both check digits, and not one repeated
    digit (``111.111.111-11`` passes the sums and is never issued).

    >>> cpf_valid("12345678909"), cpf_valid("12345678900"), cpf_valid("11111111111")
    (True, False, False)
    """
    if len(digits) != 11 or digits == digits[0] * 11:
        return False
    d1 = _mod11_br(digits[:9], _CPF_W1)
    return ord(digits[9]) - 48 == d1 and ord(digits[10]) - 48 == _mod11_br(digits[:10], _CPF_W2)


def cnpj_valid(digits: str) -> bool:
    """Whether 14 digits are a valid Brazilian CNPJ (both check digits, not one repeated
    digit).

    >>> cnpj_valid("11222333000181"), cnpj_valid("11222333000182")
    (True, False)
    """
    if len(digits) != 14 or digits == digits[0] * 14:
        return False
    d1 = _mod11_br(digits[:12], _CNPJ_W1)
    return ord(digits[12]) - 48 == d1 and ord(digits[13]) - 48 == _mod11_br(digits[:13], _CNPJ_W2)


def ssn_valid(digits: str) -> bool:
    """Whether 9 digits follow the US SSN rules: area not 000, 666 or 9xx, group not 00,
    serial not 0000; and not one of the numbers published in advertising.

    >>> ssn_valid("536225084"), ssn_valid("666225084"), ssn_valid("536005084")
    (True, False, False)
    """
    if len(digits) != 9 or digits in ("078051120", "219099999"):
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def cuit_valid(digits: str) -> bool:
    """Whether 11 digits are a valid Argentine CUIT/CUIL: a known type prefix and the mod 11
    check digit (AFIP never issues a number whose check would be 10: it changes the prefix).

    >>> cuit_valid("20123456786"), cuit_valid("20123456785")
    (True, False)
    """
    if len(digits) != 11 or digits[:2] not in _CUIT_PREFIXES:
        return False
    weights = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    value = 11 - sum((ord(d) - 48) * w for d, w in zip(digits, weights, strict=False)) % 11
    if value == 10:
        return False
    return ord(digits[10]) - 48 == (0 if value == 11 else value)


def rut_check_digit(body: str) -> str:
    """The check digit of a Chilean RUT/RUN body (mod 11, weights 2..7 from the right; 10 is
    ``K``).

    >>> rut_check_digit("12345678")
    '5'
    """
    total = sum((ord(ch) - 48) * (2 + i % 6) for i, ch in enumerate(reversed(body)))
    value = 11 - total % 11
    return "0" if value == 11 else "K" if value == 10 else str(value)


def _date_ok(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    return 1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]


def _card_brand_ok(digits: str) -> bool:
    """IIN sanity: the leading digits belong to a card network, and the length is one that
    network issues."""
    n = len(digits)
    p2, p4 = int(digits[:2]), int(digits[:4])
    first = digits[0]
    if first == "4":
        return n in (13, 16, 19)  # Visa, Elo and Hipercard ranges inside it included
    if p2 in (34, 37):
        return n == 15  # Amex
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16  # Mastercard
    if 2200 <= p4 <= 2204:
        return 16 <= n <= 19  # Mir
    if p2 == 36:
        return n == 14 or 16 <= n <= 19  # Diners
    if p2 in (30, 38, 39):
        return 14 <= n <= 19  # Diners, Hipercard (38)
    if p2 == 35:
        return 16 <= n <= 19  # JCB
    if first == "6":
        return 16 <= n <= 19  # Discover, UnionPay, Elo, Hipercard, Maestro
    if first == "5":
        return 13 <= n <= 19  # Maestro (50, 56-59)
    return False


# ---------------------------------------------------------------------------------------------
# phone numbers

_CC2 = frozenset(
    [
        "20",
        "27",
        "30",
        "31",
        "32",
        "33",
        "34",
        "36",
        "39",
        "40",
        "41",
        "43",
        "44",
        "45",
        "46",
        "47",
        "48",
        "49",
        "51",
        "52",
        "53",
        "54",
        "55",
        "56",
        "57",
        "58",
        "60",
        "61",
        "62",
        "63",
        "64",
        "65",
        "66",
        "81",
        "82",
        "84",
        "86",
        "90",
        "91",
        "92",
        "93",
        "94",
        "95",
        "98",
    ]
)
"""Two-digit country calling codes; 1 and 7 are one digit, the rest three."""
_NATIONAL_DIGITS: dict[str, tuple[int, ...]] = {
    "1": (10,), "7": (10,), "34": (9,), "351": (9,), "52": (10, 11), "54": (10, 11),
    "55": (10, 11), "56": (9,), "57": (10,), "51": (8, 9), "58": (10,), "593": (8, 9),
    "598": (8,), "595": (9,), "591": (8,), "44": (10,), "33": (9,), "39": (9, 10), "49": (10, 11),
    "31": (9,), "32": (8, 9), "41": (9,), "353": (9,), "61": (9,), "81": (9, 10), "86": (11,),
    "91": (10,),
}  # fmt: skip
"""National significant digits after the calling code, where known; other codes: 6 to 12."""
_DIGIT_GROUP = re.compile(r"[0-9]+")


def _intl_phone_end(candidate: str) -> int | None:
    """Length of the longest prefix of ``candidate`` (what follows a '+') that is a whole
    international number: a calling code, then as many national digits as that country has.
    Trailing groups that would overflow the count are dropped (they are the next number)."""
    groups = [(m.end(), m.group()) for m in _DIGIT_GROUP.finditer(candidate)]
    digits = "".join(g for _, g in groups)
    if len(digits) < 8:
        return None
    if digits[0] in "17":
        cc = digits[0]
    elif digits[:2] in _CC2:
        cc = digits[:2]
    else:
        cc = digits[:3]
    allowed = _NATIONAL_DIGITS.get(cc, tuple(range(6, 13)))
    count = 0
    best = None
    for end, group in groups:
        count += len(group)
        national = count - len(cc)
        if national in allowed:
            best = end
        elif national > max(allowed):
            break
    return best


# ---------------------------------------------------------------------------------------------
# candidates

# One pass finds every candidate. Its first character, a digit, '+' or '(', is consumed before
# any lookbehind, so the engine's character-class prefix skips the rest of the text at C speed.
# A digit then opens one of three families: a number that starts there (nothing alphanumeric
# or '.', '-', '/', ',' before it); the digits after the capitals of an IBAN, CURP, RFC or NIE,
# whose start lies behind the match and is put back by ``_BACK``; or, when neither matches, the
# rest of the token, consumed whole (no named group) so that none of its digits is tried again.
_MASTER = re.compile(
    r"""
    [0-9+(]
    (?:
      (?<=[0-9])
      (?:
        (?<![0-9A-Za-z.\-/,][0-9])(?<![0-9][\ \-][0-9])  # not inside a grouped number
        (?=[0-9\ .\-/]{6})  # every kind has 7 characters of digits and separators
        (?:
          (?:
            (?P<intl00>(?<=0)0[1-9][0-9]{0,2}\ ?[0-9](?:\ ?[0-9]){6,13})
          | (?P<cnpj_p>[0-9]\.[0-9]{3}\.[0-9]{3}/[0-9]{4}-[0-9]{2})
          | (?P<cpf_p>[0-9]{2}\.[0-9]{3}\.[0-9]{3}-[0-9]{2}|[0-9]{8}-[0-9]{2})
          | (?P<rut_d>[0-9]?\.[0-9]{3}\.[0-9]{3}-[0-9Kk])
          | (?P<dni>[0-9]\.[0-9]{3}\.[0-9]{3}[ -]?[A-Za-z]|[0-9]{7}[ -]?[A-Za-z])
          | (?P<cuit_d>[0-9](?P<cs>[-\ ])[0-9]{8}(?P=cs)[0-9])
          | (?P<rut_k>[0-9]{6,7}[Kk])
          | (?P<ipv4>[0-9]{0,2}(?:\.[0-9]{1,3}){3})
          | (?P<rut_u>[0-9]{6,7}-[0-9Kk])
          | (?P<ssn>[0-9]{2}(?P<ss>[- ])[0-9]{2}(?P=ss)[0-9]{4})
          )
          (?![0-9A-Za-z]|[ .\-/][0-9])  # the number ends here, not one group early
        | (?P<num>(?:[ -]?[0-9]){12,18})
          (?![0-9A-Za-z]|[ -][0-9]+[ -][0-9])  # may take one short group after: _num trims
        | (?:
            (?P<telw>[0-9](?P<tm>[-.])[0-9]{4}(?P=tm)[0-9]{4})
          | (?P<tel>[0-9]{2}(?P<ts>[-.])[0-9]{3}(?P=ts)[0-9]{4}
              |[0-9]{1,2}\ [0-9]{4,5}-[0-9]{4}
              |[0-9]\ [0-9]{4}\ [0-9]{4}
              |[0-9]{2}\ [0-9]{3}\ [0-9]{3}
              |[0-9]\ [0-9]{3}\ [0-9]{2}\ [0-9]{2}
              |[0-9]\ [0-9]{3}\ [0-9]{4})
          | (?P<bare>[0-9]{7,10})
          )
          (?![0-9A-Za-z]|[ .\-/][0-9])
        )
      | (?<=[A-Za-zÑñ&][0-9])
        (?:
          (?P<iban>(?<![0-9A-Za-z][A-Za-z]{2}[0-9])(?<=[A-Za-z]{2}[0-9])
             [0-9](?:\ ?[A-Za-z0-9]{4}){2,7}(?:\ ?[A-Za-z0-9]{1,4})?)
        | (?P<l4>(?<![0-9A-Za-zÑñ&][A-Za-zÑñ&]{4}[0-9])(?<=[A-Za-zÑñ&]{4}[0-9])
             [0-9]{5}(?:[HMXhmx][A-Za-z]{5}[A-Za-z0-9][0-9]|[A-Za-z0-9]{2}[0-9Aa]))
        | (?P<l3>(?<![0-9A-Za-zÑñ&][A-Za-zÑñ&]{3}[0-9])(?<=[A-Za-zÑñ&]{3}[0-9])
             [0-9]{5}[A-Za-z0-9]{2}[0-9Aa])
        | (?P<nie>(?<![0-9A-Za-z][XYZxyz][0-9])(?<=[XYZxyz][0-9])[0-9]{6}-?[A-Za-z])
        )
        (?![0-9A-Za-z])
      | (?<=[ -][0-9])
        (?:
          (?P<l4s>(?<![0-9A-Za-zÑñ&][A-Za-zÑñ&]{4}[ -][0-9])(?<=[A-Za-zÑñ&]{4}[ -][0-9])
             [0-9]{5}[ -][A-Za-z0-9]{2}[0-9Aa])
        | (?P<l3s>(?<![0-9A-Za-zÑñ&][A-Za-zÑñ&]{3}[ -][0-9])(?<=[A-Za-zÑñ&]{3}[ -][0-9])
             [0-9]{5}[ -][A-Za-z0-9]{2}[0-9Aa])
        | (?P<nies>(?<![0-9A-Za-z][XYZxyz]-[0-9])(?<=[XYZxyz]-[0-9])[0-9]{6}-?[A-Za-z])
        )
        (?![0-9A-Za-z])
      | [0-9A-Za-z.\-/,]*
      )
    | (?<=\+)(?<![0-9A-Za-z+]\+)(?P<intl>[0-9][0-9 .\-()]{6,22}[0-9])
    | (?<=\()(?P<paren>[0-9]{2,4}\)\ ?[0-9]{3,5}[ -]?[0-9]{4})(?![0-9A-Za-z]|[ .\-/][0-9])
    )
    """,
    re.VERBOSE,
)
_BACK = {"iban": 2, "l4": 4, "l3": 3, "nie": 1, "l4s": 5, "l3s": 4, "nies": 2}
"""How far before the match the letters of a letter-led identifier start."""
_EMAIL_DOMAIN = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
    r"[A-Za-z0-9])?)*\.([A-Za-z]{2,24})(?![A-Za-z0-9-]|\.[A-Za-z0-9])"
)
_EMAIL_LOCAL_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-"
)
_NOT_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "pdf", "js", "css", "py"})
_V6_HINT = re.compile(r"::|:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:")
_V6_CHARS = frozenset("0123456789abcdefABCDEF:.")
_CURP_SHAPE = re.compile(r"[A-Z][AEIOUX][A-Z]{2}[0-9]{6}[HMX][A-Z]{5}[A-Z0-9][0-9]")


class _Hit(NamedTuple):
    """A validated candidate before context: its kind, where, its base score, whether it is
    weakly validated (anti-context applies), and its redaction. A named tuple: candidates are
    built on the hot path, and a frozen dataclass costs several times more to make."""

    kind: Kind
    start: int
    end: int
    score: float
    weak: bool
    replacement: str


_LABELS: dict[Kind, str] = {k: k.upper() for k in KINDS}

_BOOST: dict[Kind, float] = {
    "email": 0.05, "phone": 0.3, "card": 0.1, "iban": 0.05, "ip": 0.25, "dni": 0.1,
    "nie": 0.1, "curp": 0.05, "rfc": 0.1, "cpf": 0.2, "cnpj": 0.1, "ssn": 0.4, "cuit": 0.3,
    "rut": 0.35,
}  # fmt: skip
"""What a context word adds, by how much the base score leaves to prove."""

_CONTEXT_WORDS: dict[Kind, str] = {
    "email": "email mail correo contacto contato escrib* escrev*",
    "phone": (
        "phone tel telef* movil mobile telemovel cel celular cell fono whatsapp call llam* lig* "
        "numero number contact* fax sms"
    ),
    "card": (
        "card tarjeta cartao credit debit credito debito visa mastercard amex pago pagamento "
        "payment paid pague paguei cobr* charged"
    ),
    "iban": "iban cuenta conta account bank banco bancari* transfer* domiciliacion wire",
    "ip": (
        "ip ips address direccion endereco from desde server servidor host client cliente "
        "conexao conexion login firewall acceso acesso"
    ),
    "dni": "dni nif documento identidad identificacion id",
    "nie": "nie nif extranjero estrangeiro foreigner identificacao id",
    "curp": "curp clave",
    "rfc": "rfc sat factur* fiscal* tax invoice",
    "cpf": "cpf cadastro documento contribuinte",
    "cnpj": "cnpj empresa razao_social fornecedor company",
    "ssn": "ssn social_security security_number seguro_social w2 w_2",
    "cuit": "cuit cuil afip tax_id factura fiscal",
    "rut": "rut run rol_unico",
}
"""Words that announce each kind, lower case and unaccented, matched on the window's words
folded the same way (``content.words``): ``stem*`` matches any word it begins, ``a_b`` two
words in a row."""
_OTHER_ID_WORDS = (
    "rg cnh pis pasep nfe nf_e boleto imei passport pasaporte passaporte licencia carteira "
    "matricula nss imss ccc"
)
"""Words that name an identifier this detector does not know: what follows is that one."""
_ANTI_WORDS = (
    "pedido order orden invoice nota tracking seguimiento rastreio rastreo isbn sku ref "
    "referencia lote batch version versao build release firmware upgrade actualic* atualiz* cep "
    "postal "
    "zip despacho ticket protocolo serial model modelo produto producto product total importe "
    "amount valor price precio preco codigo code"
)
"""Words that announce a number that is not personal data."""
OTHER_ID_PENALTY = 0.5
"""Taken from any reading when the nearest cue names another identifier: a dotted RUT (0.85)
after "RG" (a Brazilian RG is printed the same way) falls below 0.5."""


def _cue_tables() -> tuple[
    dict[bytes, frozenset[str]],
    dict[tuple[bytes, bytes], frozenset[str]],
    tuple[tuple[bytes, str], ...],
]:
    """Cue words → categories, two-word cues → categories, and (stem, category) pairs, in
    the bytes ``content.words`` yields; a category is a kind, ``other`` or ``anti``."""
    single: dict[bytes, set[str]] = {}
    pairs: dict[tuple[bytes, bytes], set[str]] = {}
    stems: list[tuple[bytes, str]] = []
    lists = [*_CONTEXT_WORDS.items(), ("other", _OTHER_ID_WORDS), ("anti", _ANTI_WORDS)]
    for category, text in lists:
        for word in text.encode().split():
            if word.endswith(b"*"):
                stems.append((word[:-1], category))
            elif b"_" in word:
                first, second = word.split(b"_")
                pairs.setdefault((first, second), set()).add(category)
            else:
                single.setdefault(word, set()).add(category)
    return (
        {w: frozenset(c) for w, c in single.items()},
        {p: frozenset(c) for p, c in pairs.items()},
        tuple(stems),
    )


_CUE_WORDS, _CUE_PAIRS, _CUE_STEMS = _cue_tables()
_PAIR_ENDS = frozenset(second for _, second in _CUE_PAIRS)
_STEM_PREFIXES = tuple(stem for stem, _ in _CUE_STEMS)


def _cue(words: list[bytes], kind: str, weak: bool, sentence: int = 0) -> str | None:
    """The nearest cue for a reading of ``kind`` among ``words``: ``own`` (a context word of
    the kind), ``other`` (a word naming another identifier), ``anti`` (for a weak reading, a
    word announcing something else), or None.

    ``words[sentence:]`` are the reading's own sentence. A word announcing another
    identifier or something else speaks within its sentence ("el pedido A9138. (41) 3988-1849"
    is a phone number); a word of the kind may announce what follows it further on."""
    for i in range(len(words) - 1, -1, -1):
        word = words[i]
        categories = _CUE_WORDS.get(word)
        if i and word in _PAIR_ENDS:
            pair = _CUE_PAIRS.get((words[i - 1], word))
            if pair is not None:  # "social security number" is not a phone's "number"
                categories = pair
        if categories is None and word.startswith(_STEM_PREFIXES):
            categories = frozenset(c for stem, c in _CUE_STEMS if word.startswith(stem))
        if not categories:
            continue
        if kind in categories:
            return "own"
        if i >= sentence and "other" in categories:
            return "other"
        if i >= sentence and weak and "anti" in categories:
            return "anti"
    return None


_SENTENCE_END = re.compile(r"[0-9][A-Za-z]*[.;!?](?=\s)|[.;!?](?=\s+[A-Z(¿¡])|\n")
"""The end of a sentence: a line break, a stop before a capital, or a stop right after a
value ("el pedido A9138. 450-87-0455"); not an abbreviation's stop ("REF. 518 112 458")."""


_DETECTOR_NAMES: dict[Kind, str] = {k: f"pii.{k}" for k in KINDS}


def _digits(s: str) -> str:
    """The digits of a candidate the expression matched (its only other characters are
    these separators)."""
    return s.replace(" ", "").replace("-", "").replace(".", "").replace("/", "")


# Each handler validates one named group's match, starting at ``a``, and returns its readings,
# most likely first (a bare 11-digit number may be a CPF, a CUIT or a phone number).
Readings = list[_Hit]


def _cpf_p(s: str, a: int) -> Readings:
    return [_Hit("cpf", a, a + len(s), 0.9, False, "<CPF>")] if cpf_valid(_digits(s)) else []


def _cnpj_p(s: str, a: int) -> Readings:
    ok = cnpj_valid(_digits(s))
    return [_Hit("cnpj", a, a + len(s), 0.95, False, "<CNPJ>")] if ok else []


def _rut(s: str, a: int) -> Readings:
    body, dv = _digits(s[:-2]), s[-1].upper()
    if not 7 <= len(body) <= 8 or rut_check_digit(body) != dv:
        return []
    dotted = "." in s  # the way RUTs are printed; undotted, it could be any number-dash-digit
    return [_Hit("rut", a, a + len(s), 0.85 if dotted else 0.55, not dotted, "<RUT>")]


def _rut_plain(s: str, a: int) -> Readings:
    """A RUT with no dash before its check digit K (``15551311K``): rarely anything else."""
    body = _digits(s[:-1])
    ok = 7 <= len(body) <= 8 and rut_check_digit(body) == s[-1].upper()
    return [_Hit("rut", a, a + len(s), 0.6, False, "<RUT>")] if ok else []


def _dni(s: str, a: int) -> Readings:
    out = []
    letter = s[-1]
    spaced = s[-2:-1] == " "
    if dni_letter(_digits(s[:-1])) == letter.upper():
        if spaced and letter.islower():
            # "llama al 12345678 y pide": a word may follow a number; the DNI needs its cue
            out.append(_Hit("dni", a, a + len(s), 0.45, True, "<DNI>"))
        else:
            out.append(_Hit("dni", a, a + len(s), 0.75 if spaced else 0.85, False, "<DNI>"))
    if letter in "Kk" and not spaced:  # 12345678-K, 12345678K: a RUT's check digit K too
        out.extend(_rut(s, a) if s[-2] == "-" else _rut_plain(s, a))
    if spaced:  # the number alone may be what a bare number is
        out.extend(_bare(s[:-2], a))
    return out


def _nie(s: str, a: int) -> Readings:
    s = s.upper()
    number = str("XYZ".index(s[0])) + _digits(s[1:-1])  # X, Y, Z stand for 0, 1, 2
    ok = dni_letter(number) == s[-1]
    return [_Hit("nie", a, a + len(s), 0.85, False, "<NIE>")] if ok else []


def _ipv4(s: str, a: int) -> Readings:
    for octet in s.split("."):
        if int(octet) > 255 or (len(octet) > 1 and octet[0] == "0"):
            return []
    return [_Hit("ip", a, a + len(s), 0.65, True, "<IP>")]


def _ssn(s: str, a: int) -> Readings:
    if not ssn_valid(_digits(s)):
        return []
    dashed = "-" in s  # spaced, 3-2-4 is as often something else
    return [_Hit("ssn", a, a + len(s), 0.65 if dashed else 0.45, True, "<SSN>")]


def _num(s: str, a: int) -> Readings:
    """13 to 19 digits, maybe grouped: a card when grouped as cards are and Luhn-valid; a
    bare 14-digit number may also be a CNPJ. A short last group may be what follows the card
    (an expiry's month, a CVV): without it, the rest is tried again."""
    spaced, dashed = " " in s, "-" in s
    if spaced and dashed:
        return []
    if not (spaced or dashed):
        out: Readings = []
        if _card_ok(s):
            out.append(_Hit("card", a, a + len(s), 0.9, False, f"<CARD_LAST4:{s[-4:]}>"))
        if len(s) == 14 and cnpj_valid(s):
            out.append(_Hit("cnpj", a, a + len(s), 0.8, False, "<CNPJ>"))
        return out
    groups = s.split(" " if spaced else "-")
    sizes = [len(g) for g in groups]
    if sizes in ([4, 6, 5], [4, 6, 4]):  # Amex, Diners
        d = "".join(groups)
        ok = _card_ok(d)
        return [_Hit("card", a, a + len(s), 0.9, False, f"<CARD_LAST4:{d[-4:]}>")] if ok else []
    while len(groups) > 3 and all(size == 4 for size in sizes[:-1]):
        d = "".join(groups)
        if _card_ok(d):
            end = a + sum(sizes) + len(sizes) - 1
            return [_Hit("card", a, end, 0.9, False, f"<CARD_LAST4:{d[-4:]}>")]
        groups.pop()
        sizes.pop()
    return []


def _card_ok(d: str) -> bool:
    return 13 <= len(d) <= 19 and _card_brand_ok(d) and luhn_valid(d) and d.count(d[0]) != len(d)


def _tel(s: str, a: int) -> Readings:
    if s[3:4] in ("-", ".") and (s[0] in "01" or s[4] in "01"):
        return []  # NANP: area and exchange codes start with 2-9
    return [_Hit("phone", a, a + len(s), 0.55, True, "<PHONE>")]


def _tel_weak(s: str, a: int) -> Readings:
    """A Mexican 2-4-4 number with dashes or dots: part numbers look the same, so it needs
    its cue ("WhatsApp", "tel")."""
    return [_Hit("phone", a, a + len(s), 0.45, True, "<PHONE>")]


def _bare(s: str, a: int) -> Readings:
    """8 to 11 digits with no separator: CPF or CUIT when 11 and valid; otherwise a phone
    number, an SSN or an undotted RUT only with context (low base scores)."""
    out: Readings = []
    b = a + len(s)
    n = len(s)
    if n == 11:
        if cpf_valid(s):
            out.append(_Hit("cpf", a, b, 0.7, False, "<CPF>"))
        if cuit_valid(s):
            out.append(_Hit("cuit", a, b, 0.4, True, "<CUIT>"))
    elif n == 9 and ssn_valid(s):
        out.append(_Hit("ssn", a, b, 0.3, True, "<SSN>"))
    if n in (8, 9) and rut_check_digit(s[:-1]) == s[-1]:
        out.append(_Hit("rut", a, b, 0.2, True, "<RUT>"))
    if n != 11 or _phone11(s):
        out.append(_Hit("phone", a, b, 0.35, True, "<PHONE>"))
    return out


def _phone11(d: str) -> bool:
    """Whether 11 bare digits can be a phone number: a Brazilian mobile (area code, then 9)
    or a North American number after its 1 (area and exchange codes start with 2-9).
    Anything else of that length is an identifier with a wrong check digit, or a code."""
    return d[2] == "9" or (d[0] == "1" and d[1] not in "01" and d[4] not in "01")


def _iban(s: str, a: int) -> Readings:
    s = s.upper()
    country = s[:2]
    length = IBAN_LENGTHS.get(country)
    if length is None:
        return []
    if " " not in s[:length]:
        end = length
    else:  # printed in groups of four: the IBAN's last character, spaces counted
        end = length + (length - 1) // 4
        if s[4:5] != " ":
            return []
    # the match may run into the next word; the IBAN must end at a group boundary
    if end > len(s) or (end < len(s) and s[end] != " "):
        return []
    if not iban_valid(s[:end].replace(" ", "")):
        return []
    return [_Hit("iban", a, a + end, 0.95, False, f"<IBAN:{country}**>")]


def _letters4(s: str, a: int) -> Readings:
    """Four letters and digits: a CURP (18) or a person's RFC (13)."""
    s = s.upper()
    if len(s) == 18:
        ok = (
            _CURP_SHAPE.fullmatch(s) is not None
            and _date_ok(s[4:10])
            and s[11:13] in _CURP_STATES
            and curp_check_digit(s[:17]) == s[17]
        )
        return [_Hit("curp", a, a + 18, 0.95, False, "<CURP>")] if ok else []
    return _rfc(s, a)


def _rfc(s: str, a: int) -> Readings:
    s = s.upper()
    compact = s.replace("-", "").replace(" ", "")
    if len(compact) - len(s) not in (0, -2):
        return []  # one separator on one side only
    letters = len(compact) - 9
    if not _date_ok(compact[letters : letters + 6]):
        return []
    if rfc_check_digit(compact[:-1]) != compact[-1]:
        return []
    return [_Hit("rfc", a, a + len(s), 0.85, False, "<RFC>")]


def _intl(s: str, a: int) -> Readings:
    size = _intl_phone_end(s[1:])
    return [] if size is None else [_Hit("phone", a, a + 1 + size, 0.75, False, "<PHONE>")]


def _intl00(s: str, a: int) -> Readings:
    """An international number dialled with 00 instead of '+' (``0034 612 345 678``)."""
    size = _intl_phone_end(s[2:])
    return [] if size is None else [_Hit("phone", a, a + 2 + size, 0.6, True, "<PHONE>")]


def _cuit_s(s: str, a: int) -> Readings:
    """A CUIT written 2-8-1 with dashes (the usual way) or spaces (less telling)."""
    ok = cuit_valid(_digits(s))
    score = 0.85 if "-" in s else 0.6
    return [_Hit("cuit", a, a + len(s), score, False, "<CUIT>")] if ok else []


def _paren(s: str, a: int) -> Readings:
    return [_Hit("phone", a, a + len(s), 0.65, True, "<PHONE>")]


_HANDLERS = {
    "cpf_p": _cpf_p, "cnpj_p": _cnpj_p, "rut_d": _rut, "rut_u": _rut, "rut_k": _rut_plain,
    "dni": _dni, "cuit_d": _cuit_s, "ipv4": _ipv4, "ssn": _ssn, "num": _num, "tel": _tel,
    "telw": _tel_weak, "bare": _bare, "intl00": _intl00, "iban": _iban, "l4": _letters4,
    "l4s": _rfc, "l3": _rfc, "l3s": _rfc, "nie": _nie, "nies": _nie, "intl": _intl,
    "paren": _paren,
}  # fmt: skip


def _emails(text: str) -> list[_Hit]:
    out: list[_Hit] = []
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and at - start < 64:
            ch = text[start - 1]
            if ch not in _EMAIL_LOCAL_CHARS and not ch.isalnum():  # RFC 6531: any letter
                break
            start -= 1
        local = text[start:at]
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if (
            domain is not None
            and local
            and local[0] not in ".-"
            and local[-1] != "."
            and ".." not in local
            and domain.group(1).lower() not in _NOT_TLDS
        ):
            out.append(_Hit("email", start, domain.end(), 0.9, False, "<EMAIL>"))
            at = text.find("@", domain.end())
        else:
            at = text.find("@", at + 1)
    return out


def _ipv6(text: str) -> list[_Hit]:
    out: list[_Hit] = []
    pos = 0
    while (m := _V6_HINT.search(text, pos)) is not None:
        start, end = m.start(), m.end()
        while start > 0 and text[start - 1] in _V6_CHARS:
            start -= 1
        while end < len(text) and text[end] in _V6_CHARS:
            end += 1
        while end > start and text[end - 1] in ".:" and not text[start:end].endswith("::"):
            end -= 1  # a sentence's full stop, a label's colon
        pos = max(end, m.end())
        candidate = text[start:end]
        if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            continue
        if "::" not in candidate and candidate.count(":") != 7:
            continue
        if sum(ch not in ":." for ch in candidate) < 4:
            continue  # '::1' and friends: loopback, not someone's address
        try:
            ipaddress.IPv6Address(candidate)
        except ValueError:
            continue
        out.append(_Hit("ip", start, end, 0.75, False, "<IP>"))
    return out


class PiiDetector:
    """Finds personal data of the chosen ``kinds`` (default: all of ``KINDS``).

    Findings: ``detector="pii.<kind>"``, ``label`` the kind upper-cased (``CUIT`` also for a
    CUIL), a format-keeping ``replacement``. Overlapping candidates: the higher score wins.

    >>> [(f.label, f.replacement) for f in PiiDetector().scan("tarjeta 4539 1488 0343 6467")]
    [('CARD', '<CARD_LAST4:6467>')]
    """

    __slots__ = ("_email", "_ip", "_kinds", "_master", "name")

    def __init__(self, kinds: Iterable[str] | None = None) -> None:
        chosen = tuple(KINDS if kinds is None else kinds)
        unknown = [k for k in chosen if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown PII kinds {unknown}; known: {list(KINDS)}")
        self.name = "pii"
        self._kinds: frozenset[str] = frozenset(chosen)
        self._email = "email" in self._kinds
        self._ip = "ip" in self._kinds
        self._master = bool(self._kinds - {"email"})

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds this detector looks for."""
        return self._kinds

    def scan(self, text: str) -> list[Finding]:
        findings: list[Finding] = []
        kinds = self._kinds
        if self._master:
            for m in _MASTER.finditer(text):
                group = m.lastgroup
                if group is None or group not in _HANDLERS:
                    continue  # a token that is no candidate, consumed whole
                a = m.start() - _BACK.get(group, 0)
                hits = [h for h in _HANDLERS[group](text[a : m.end()], a) if h.kind in kinds]
                if hits:
                    findings.append(_score(text, hits))
        if self._email and "@" in text:
            findings.extend(_score(text, [h]) for h in _emails(text))
        if self._ip and ":" in text:
            findings.extend(_score(text, [h]) for h in _ipv6(text))
        return _resolve(findings) if len(findings) > 1 else findings


def _score(text: str, hits: list[_Hit]) -> Finding:
    """The reading of one candidate that its context supports best, as a finding.

    The nearest cue word in the window before the candidate decides its score: a context
    word of its kind adds the kind's boost; a word naming another identifier ("RG", "IMEI")
    takes ``OTHER_ID_PENALTY`` away; for a weakly validated reading, a word announcing
    something else ("pedido", "versión") takes ``ANTI_CONTEXT_PENALTY`` away. Nearest, so that
    "servidor … versión 1.2.3.4" is a version and "pedido … CPF 529.982.247-25" a CPF. No
    cue: the base score."""
    start = hits[0].start
    window = text[max(0, start - CONTEXT_WINDOW) : start]
    words = folded_words(window)
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    sentence = len(folded_words(window[: ends[-1]])) if ends else 0
    best = hits[0]
    best_score = -1.0
    for hit in hits:
        cue = _cue(words, hit.kind, hit.weak, sentence)
        score = hit.score
        if cue == "own":
            score = min(1.0, score + _BOOST[hit.kind])
        elif cue == "other":
            score -= OTHER_ID_PENALTY
        elif cue == "anti":
            score -= ANTI_CONTEXT_PENALTY
        if score > best_score:
            best, best_score = hit, score
    return Finding(
        detector=_DETECTOR_NAMES[best.kind],
        label=_LABELS[best.kind],
        start=best.start,
        end=best.end,
        score=round(max(0.0, best_score), 4),
        replacement=best.replacement,
    )


def _resolve(findings: list[Finding]) -> list[Finding]:
    """Keeps the strongest of overlapping findings (then the longer), in text order."""
    kept: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-f.score, f.start - f.end)):
        if all(f.end <= k.start or k.end <= f.start for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    return kept


# ---------------------------------------------------------------------------------------------
# reversible redaction

_TOKEN = re.compile(r"<([A-Z][A-Z0-9_]*)#([A-Za-z0-9_-]{38,})>")
_NONCE = 12


class RevealError(ValueError):
    """A pseudonymised token could not be decrypted: the key is not the one that made it, or
    the token (or its label) was altered."""


def _key(key: bytes) -> AESGCM:
    if not isinstance(key, bytes | bytearray) or len(key) != 32:
        raise ValueError("a pseudonymisation key is 32 bytes (AES-256)")
    return AESGCM(bytes(key))


class Pseudonymizer:
    """Reversible redaction: each finding becomes ``<LABEL#token>``, the token being the
    AES-256-GCM encryption of the original value under ``key`` (random 12-byte nonce; the
    label as associated data, so a token moved to another label does not decrypt), in
    base64url without padding. Keep the key apart from the texts: whoever holds both reads
    the originals.

    >>> p = Pseudonymizer(bytes(32))
    >>> hidden = p.apply("mail ana@x.es", [Finding("pii.email", "EMAIL", 5, 13, 1.0)])
    >>> hidden.startswith("mail <EMAIL#"), p.reveal(hidden)
    (True, 'mail ana@x.es')
    """

    __slots__ = ("_aead", "_key")

    def __init__(self, key: bytes) -> None:
        self._aead = _key(key)
        self._key = bytes(key)

    def token(self, label: str, value: str) -> str:
        """The replacement for ``value`` found as ``label``."""
        nonce = os.urandom(_NONCE)
        sealed = self._aead.encrypt(nonce, value.encode(), label.encode())
        raw = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
        return f"<{label}#{raw}>"

    def apply(self, text: str, findings: Iterable[Finding]) -> str:
        """``text`` with every located finding replaced by its token (overlaps as in
        ``guards.base.redact``)."""
        return redact(text, self.protect(text, findings))

    def protect(self, text: str, findings: Iterable[Finding]) -> list[Finding]:
        """The findings with their ``replacement`` set to a token of the value they cover."""
        return [
            replace(f, replacement=self.token(f.label, text[f.start : f.end]))
            if 0 <= f.start < f.end <= len(text)
            else f
            for f in findings
        ]

    def reveal(self, text: str) -> str:
        """``text`` with every token this key made put back to its original value."""
        return reveal(text, self._key)

    def wrap(self, detector: Detector) -> PseudonymizingDetector:
        """``detector`` whose findings carry tokens as replacements, for a redacting
        ``Guard``: its redacted text can then be revealed with this key. Not pure any more:
        each scan draws fresh nonces."""
        return PseudonymizingDetector(detector, self)


@dataclass(frozen=True, slots=True)
class PseudonymizingDetector:
    """A detector whose findings' replacements are ``Pseudonymizer`` tokens."""

    inner: Detector
    pseudonymizer: Pseudonymizer

    @property
    def name(self) -> str:
        return self.inner.name

    def scan(self, text: str) -> list[Finding]:
        return self.pseudonymizer.protect(text, self.inner.scan(text))


def reveal(text: str, key: bytes) -> str:
    """``text`` with every ``<LABEL#token>`` decrypted back to the value it hides.

    Raises ``RevealError`` when a token does not decrypt under ``key`` (a wrong key, or an
    altered token or label), never returns garbage; ``ValueError`` for a key that is not 32
    bytes.
    """
    aead = _key(key)

    def back(m: re.Match[str]) -> str:
        label, raw = m.group(1), m.group(2)
        try:
            blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
            return aead.decrypt(blob[:_NONCE], blob[_NONCE:], label.encode()).decode()
        except (InvalidTag, binascii.Error, ValueError) as exc:
            raise RevealError(
                f"cannot reveal a <{label}#…> token: wrong key, or the token was altered"
            ) from exc

    return _TOKEN.sub(back, text)
