"""Check digits and validity rules of the identifiers the PII detector reports: Luhn,
IBAN mod 97, DNI/NIE letters, CURP, RFC, CPF, CNPJ, SSN rules, CUIT/CUIL, RUT; dates and
card networks."""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
CURP_STATES = frozenset(
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


def date_ok(yymmdd: str) -> bool:
    month, day = int(yymmdd[2:4]), int(yymmdd[4:6])
    return 1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]


def card_brand_ok(digits: str) -> bool:
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
