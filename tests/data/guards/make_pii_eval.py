"""Builds the guards' evaluation sets, ``pii_eval.jsonl`` and ``secrets_eval.jsonl``, beside
this file (``.venv/bin/python tests/data/guards/make_pii_eval.py``).

Each line is one realistic text (a support ticket, a form, a chat message, a config snippet)
in English, Spanish or Portuguese, with the exact spans of what it holds::

    {"text": "...", "lang": "es", "entities": [{"label": "DNI", "start": 10, "end": 19}]}

Every identifier is generated here with VALID check digits, by code written apart from the
detectors (``src/pasarela/guards``), so the set does not share their mistakes. Hard negatives
come along: the same identifiers with a WRONG check digit, and numbers that look like PII but
are not (order numbers, dates, amounts, tracking codes, ISBNs, SKUs, version strings), none of
them labelled. The set was written before the detectors were tuned; rebuilding it with the
same ``SEED`` gives the same files.
"""

from __future__ import annotations

import base64
import json
import random
import re
import string
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20240611
PER_KIND = 40
"""Positive texts per checksum-validated kind (the acceptance asks for at least 30)."""
PER_SIMPLE_KIND = 30
"""Positive texts for e-mail, phone and IP (at least 20)."""

Gen = Callable[[random.Random], tuple[str | None, str]]
"""Makes one value: its label (None for a negative, which is not labelled) and its text."""

# ---------------------------------------------------------------------------------------------
# check digits, written apart from the detectors

DIGITS = string.digits
UPPER = string.ascii_uppercase


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(DIGITS) for _ in range(n))


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # these get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_digit(number[:-1]) == number[-1]


def iban_check(country: str, bban: str) -> str:
    moved = bban + country + "00"
    numeric = "".join(str(int(c, 36)) for c in moved)
    return f"{98 - int(numeric) % 97:02d}"


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"

CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
CURP_STATES = [
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
CONSONANTS = "BCDFGHJKLMNPQRSTVWXYZ"
VOWELS = "AEIOU"


def curp_digit(base17: str) -> str:
    total = sum(CURP_ALPHABET.index(c) * (18 - i) for i, c in enumerate(base17))
    return str((10 - total % 10) % 10)


RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"


def rfc_digit(base: str) -> str:
    padded = base.rjust(12)
    total = sum(RFC_ALPHABET.index(c) * (13 - i) for i, c in enumerate(padded))
    return RFC_ALPHABET[(11 - total) % 11]


def mod11_br(body: str, weights: list[int]) -> str:
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


def cpf_digits(body9: str) -> str:
    d1 = mod11_br(body9, list(range(10, 1, -1)))
    d2 = mod11_br(body9 + d1, list(range(11, 1, -1)))
    return d1 + d2


def cnpj_digits(body12: str) -> str:
    d1 = mod11_br(body12, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    d2 = mod11_br(body12 + d1, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2])
    return d1 + d2


def cuit_digit(body10: str) -> str | None:
    total = sum(int(d) * w for d, w in zip(body10, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2], strict=True))
    value = 11 - total % 11
    if value == 11:
        return "0"
    if value == 10:
        return None  # AFIP never issues these: it changes the prefix instead
    return str(value)


def rut_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (2 + i % 6)
    value = 11 - total % 11
    return {11: "0", 10: "K"}.get(value, str(value))


def other_digit(rng: random.Random, right: str, alphabet: str = DIGITS) -> str:
    return rng.choice([c for c in alphabet if c != right])


# ---------------------------------------------------------------------------------------------
# identifiers, valid and wrong


def card_number(rng: random.Random) -> tuple[str, tuple[int, ...]]:
    """A card number (digits) and its usual grouping."""
    brand = rng.choice(["visa", "visa", "mc", "mc2", "amex", "discover", "elo", "diners", "hiper"])
    prefix, length, groups = {
        "visa": ("4" + digits(rng, 5), 16, (4, 4, 4, 4)),
        "mc": (str(rng.randint(51, 55)) + digits(rng, 4), 16, (4, 4, 4, 4)),
        "mc2": (str(rng.randint(2221, 2720)) + digits(rng, 2), 16, (4, 4, 4, 4)),
        "amex": (rng.choice(["34", "37"]) + digits(rng, 4), 15, (4, 6, 5)),
        "discover": ("6011" + digits(rng, 2), 16, (4, 4, 4, 4)),
        "elo": (rng.choice(["636368", "504175", "451416", "438935"]), 16, (4, 4, 4, 4)),
        "diners": (rng.choice(["36", "38", "300", "305"]), 14, (4, 6, 4)),
        "hiper": ("606282", 16, (4, 4, 4, 4)),
    }[brand]
    body = prefix + digits(rng, length - 1 - len(prefix))
    return body + luhn_digit(body), groups


def group(number: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(number[i : i + size])
        i += size
    return sep.join(parts)


def fmt_card(rng: random.Random, number: str, groups: tuple[int, ...]) -> str:
    sep = rng.choice([" ", " ", "-", ""])
    return group(number, groups, sep)


def card(rng: random.Random) -> tuple[str | None, str]:
    number, groups = card_number(rng)
    return "CARD", fmt_card(rng, number, groups)


def card_bad(rng: random.Random) -> tuple[str | None, str]:
    number, groups = card_number(rng)
    number = number[:-1] + other_digit(rng, number[-1])
    return None, fmt_card(rng, number, groups)


IBAN_BBAN = {
    # n: digit, a: letter, c: either (the SWIFT registry's BBAN shapes)
    "ES": "n" * 20,
    "PT": "n" * 21,
    "BR": "n" * 23 + "ac",
    "DE": "n" * 18,
    "FR": "n" * 10 + "c" * 11 + "n" * 2,
    "GB": "a" * 4 + "n" * 14,
    "IT": "a" + "n" * 10 + "c" * 12,
    "NL": "a" * 4 + "n" * 10,
    "BE": "n" * 12,
}


def iban_value(rng: random.Random, country: str | None = None) -> tuple[str, str]:
    country = country or rng.choice(["ES", "ES", "ES", "PT", "PT", "BR", "DE", "FR", "GB", "IT"])
    shape = IBAN_BBAN[country]
    bban = "".join(
        rng.choice(DIGITS if s == "n" else UPPER if s == "a" else UPPER + DIGITS) for s in shape
    )
    return country, bban


def fmt_iban(rng: random.Random, compact: str) -> str:
    if rng.random() < 0.6:
        return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return compact


def iban(rng: random.Random) -> tuple[str | None, str]:
    country, bban = iban_value(rng)
    return "IBAN", fmt_iban(rng, country + iban_check(country, bban) + bban)


def iban_bad(rng: random.Random) -> tuple[str | None, str]:
    country, bban = iban_value(rng)
    right = iban_check(country, bban)
    wrong = right
    while wrong == right:
        wrong = f"{rng.randint(2, 98):02d}"
    return None, fmt_iban(rng, country + wrong + bban)


def dni_value(rng: random.Random) -> str:
    number = digits(rng, 8)
    return number + DNI_LETTERS[int(number) % 23]


def dni(rng: random.Random) -> tuple[str | None, str]:
    value = dni_value(rng)
    return "DNI", value if rng.random() < 0.8 else value[:8] + "-" + value[8]


def dni_bad(rng: random.Random) -> tuple[str | None, str]:
    value = dni_value(rng)
    return None, value[:8] + other_digit(rng, value[8], DNI_LETTERS)


def nie_value(rng: random.Random) -> str:
    first = rng.choice("XYZ")
    number = digits(rng, 7)
    return first + number + DNI_LETTERS[int(str("XYZ".index(first)) + number) % 23]


def nie(rng: random.Random) -> tuple[str | None, str]:
    value = nie_value(rng)
    if rng.random() < 0.2:
        value = f"{value[0]}-{value[1:8]}-{value[8]}"
    return "NIE", value


def nie_bad(rng: random.Random) -> tuple[str | None, str]:
    value = nie_value(rng)
    return None, value[:8] + other_digit(rng, value[8], DNI_LETTERS)


def birth(rng: random.Random) -> tuple[int, str]:
    year = rng.randint(1940, 2010)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    return year, f"{year % 100:02d}{month:02d}{day:02d}"


def curp_value(rng: random.Random) -> str:
    year, date = birth(rng)
    letters = rng.choice(UPPER) + rng.choice(VOWELS) + rng.choice(UPPER) + rng.choice(UPPER)
    base = (
        letters
        + date
        + rng.choice("HM")
        + rng.choice(CURP_STATES)
        + "".join(rng.choice(CONSONANTS) for _ in range(3))
        + (rng.choice(DIGITS) if year < 2000 else rng.choice(UPPER))
    )
    return base + curp_digit(base)


def curp(rng: random.Random) -> tuple[str | None, str]:
    return "CURP", curp_value(rng)


def curp_bad(rng: random.Random) -> tuple[str | None, str]:
    value = curp_value(rng)
    return None, value[:-1] + other_digit(rng, value[-1])


def rfc_value(rng: random.Random) -> str:
    _, date = birth(rng)
    moral = rng.random() < 0.35
    letters = "".join(rng.choice(UPPER) for _ in range(3 if moral else 4))
    homoclave = rng.choice("123456789ABCDEFGHIJKLMNPQRSTUV") + rng.choice(
        "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
    )
    base = letters + date + homoclave
    return base + rfc_digit(base)


def fmt_rfc(rng: random.Random, value: str) -> str:
    if rng.random() < 0.2:
        cut = 3 if len(value) == 12 else 4
        return f"{value[:cut]}-{value[cut : cut + 6]}-{value[cut + 6 :]}"
    return value


def rfc(rng: random.Random) -> tuple[str | None, str]:
    return "RFC", fmt_rfc(rng, rfc_value(rng))


def rfc_bad(rng: random.Random) -> tuple[str | None, str]:
    value = rfc_value(rng)
    return None, fmt_rfc(rng, value[:-1] + other_digit(rng, value[-1], DIGITS + "A"))


def cpf_value(rng: random.Random) -> str:
    body = digits(rng, 9)
    return body + cpf_digits(body)


def fmt_cpf(rng: random.Random, value: str) -> str:
    if rng.random() < 0.7:
        return f"{value[:3]}.{value[3:6]}.{value[6:9]}-{value[9:]}"
    return value


def cpf(rng: random.Random) -> tuple[str | None, str]:
    return "CPF", fmt_cpf(rng, cpf_value(rng))


def cpf_bad(rng: random.Random) -> tuple[str | None, str]:
    if rng.random() < 0.2:
        return None, fmt_cpf(rng, rng.choice(DIGITS) * 11)  # passes the sums, never issued
    value = cpf_value(rng)
    return None, fmt_cpf(rng, value[:-1] + other_digit(rng, value[-1]))


def cnpj_value(rng: random.Random) -> str:
    body = digits(rng, 8) + rng.choice(["0001", "0001", "0002", f"{rng.randint(3, 99):04d}"])
    return body + cnpj_digits(body)


def fmt_cnpj(rng: random.Random, value: str) -> str:
    if rng.random() < 0.7:
        return f"{value[:2]}.{value[2:5]}.{value[5:8]}/{value[8:12]}-{value[12:]}"
    return value


def cnpj(rng: random.Random) -> tuple[str | None, str]:
    return "CNPJ", fmt_cnpj(rng, cnpj_value(rng))


def cnpj_bad(rng: random.Random) -> tuple[str | None, str]:
    value = cnpj_value(rng)
    return None, fmt_cnpj(rng, value[:-2] + other_digit(rng, value[-2]) + value[-1])


def ssn_value(rng: random.Random) -> str:
    area = 666
    while area == 666:
        area = rng.randint(1, 899)
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def ssn(rng: random.Random) -> tuple[str | None, str]:
    value = ssn_value(rng)
    sep = rng.choice(["-", "-", "-", " "])
    return "SSN", f"{value[:3]}{sep}{value[3:5]}{sep}{value[5:]}"


def ssn_bare(rng: random.Random) -> tuple[str | None, str]:
    return "SSN", ssn_value(rng)


def ssn_bad(rng: random.Random) -> tuple[str | None, str]:
    value = ssn_value(rng)
    broken = rng.choice(["area0", "area666", "area9", "group", "serial"])
    if broken == "area0":
        value = "000" + value[3:]
    elif broken == "area666":
        value = "666" + value[3:]
    elif broken == "area9":
        value = str(rng.randint(900, 999)) + value[3:]
    elif broken == "group":
        value = value[:3] + "00" + value[5:]
    else:
        value = value[:5] + "0000"
    return None, f"{value[:3]}-{value[3:5]}-{value[5:]}"


def cuit_value(rng: random.Random, people: bool | None = None) -> str:
    while True:
        if people is None:
            prefix = rng.choice(["20", "20", "23", "27", "27", "30", "30", "33"])
        else:
            prefix = rng.choice(["20", "27", "23"] if people else ["30", "33"])
        body = prefix + digits(rng, 8)
        check = cuit_digit(body)
        if check is not None:
            return body + check


def fmt_cuit(rng: random.Random, value: str) -> str:
    if rng.random() < 0.75:
        return f"{value[:2]}-{value[2:10]}-{value[10]}"
    return value


def cuit(rng: random.Random) -> tuple[str | None, str]:
    return "CUIT", fmt_cuit(rng, cuit_value(rng))


def cuil(rng: random.Random) -> tuple[str | None, str]:
    return "CUIT", fmt_cuit(rng, cuit_value(rng, people=True))


def cuit_bad(rng: random.Random) -> tuple[str | None, str]:
    value = cuit_value(rng)
    return None, f"{value[:2]}-{value[2:10]}-{other_digit(rng, value[10])}"


def rut_value(rng: random.Random) -> str:
    body = str(rng.randint(4_000_000, 26_000_000))
    return body + rut_digit(body)


def fmt_rut(rng: random.Random, value: str) -> str:
    body, dv = value[:-1], value[-1]
    if rng.random() < 0.65:
        return f"{int(body):,}".replace(",", ".") + "-" + dv
    return body + "-" + dv


def rut(rng: random.Random) -> tuple[str | None, str]:
    return "RUT", fmt_rut(rng, rut_value(rng))


def rut_bad(rng: random.Random) -> tuple[str | None, str]:
    value = rut_value(rng)
    return None, fmt_rut(rng, value[:-1] + other_digit(rng, value[-1], DIGITS + "K"))


FIRST = ["ana", "joao", "maria", "carlos", "lucia", "pedro", "sofia", "miguel", "john", "emma"]
FIRST += ["mateo", "camila", "rafael", "beatriz", "diego", "laura", "tiago", "olivia", "luis"]
LAST = ["garcia", "silva", "martinez", "santos", "lopez", "oliveira", "smith", "fernandez"]
LAST += ["pereira", "gomez", "costa", "rodriguez", "johnson", "souza", "ruiz", "almeida"]
DOMAINS = ["gmail.com", "hotmail.com", "outlook.es", "yahoo.com.br", "uol.com.br", "sapo.pt"]
DOMAINS += ["empresa.com.mx", "correo.es", "acme-corp.com", "tienda.com.ar", "banco.cl"]
DOMAINS += ["mail.example.co.uk", "consultoria.pt", "loja.com.br"]


def email(rng: random.Random) -> tuple[str | None, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = rng.choice(
        [f"{first}.{last}", f"{first}{last}{rng.randint(1, 99)}", f"{first[0]}{last}",
         f"{first}_{last}", f"{first}+pedidos", f"{last}.{first}"]
    )  # fmt: skip
    return "EMAIL", f"{local}@{rng.choice(DOMAINS)}"


def phone(rng: random.Random) -> tuple[str | None, str]:
    kind = rng.choice(["us", "us", "es", "es", "mx", "br", "br", "pt", "ar", "cl"])
    d = lambda n: digits(rng, n)  # noqa: E731
    if kind == "us":
        area = f"{rng.randint(2, 9)}{rng.randint(0, 8)}{rng.randint(0, 9)}"
        exchange, line = f"{rng.randint(2, 9)}{d(2)}", d(4)
        value = rng.choice(
            [f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}",
             f"+1 {area} {exchange} {line}", f"{area}.{exchange}.{line}",
             f"+1 ({area}) {exchange}-{line}"]
        )  # fmt: skip
    elif kind == "es":
        mobile = rng.choice("67") + d(8)
        land = "9" + rng.choice("1345") + d(7)
        value = rng.choice(
            [f"+34 {mobile[:3]} {mobile[3:6]} {mobile[6:]}",
             f"{mobile[:3]} {mobile[3:6]} {mobile[6:]}",
             f"{land[:2]} {land[2:5]} {land[5:7]} {land[7:]}",
             f"+34 {land[:3]} {land[3:6]} {land[6:]}",
             f"+34{mobile}"]
        )  # fmt: skip
    elif kind == "mx":
        area, num = rng.choice(["55", "33", "81"]), d(8)
        value = rng.choice(
            [f"+52 {area} {num[:4]} {num[4:]}", f"{area} {num[:4]} {num[4:]}",
             f"({area}) {num[:4]}-{num[4:]}", f"+52 1 {area} {num[:4]} {num[4:]}"]
        )  # fmt: skip
    elif kind == "br":
        ddd = rng.choice(["11", "21", "31", "41", "51", "61", "71", "81", "85"])
        mobile, land = "9" + d(8), rng.choice("2345") + d(7)
        value = rng.choice(
            [f"+55 {ddd} {mobile[:5]}-{mobile[5:]}", f"({ddd}) {mobile[:5]}-{mobile[5:]}",
             f"({ddd}) {land[:4]}-{land[4:]}", f"{ddd} {mobile[:5]}-{mobile[5:]}",
             f"+55 ({ddd}) {mobile[:5]}-{mobile[5:]}"]
        )  # fmt: skip
    elif kind == "pt":
        mobile, land = "9" + rng.choice("1236") + d(7), "2" + rng.choice("12") + d(7)
        value = rng.choice(
            [f"+351 {mobile[:3]} {mobile[3:6]} {mobile[6:]}",
             f"{mobile[:3]} {mobile[3:6]} {mobile[6:]}",
             f"{land[:2]} {land[2:5]} {land[5:]}"]
        )  # fmt: skip
    elif kind == "ar":
        num = "4" + d(7)
        value = rng.choice(
            [f"+54 9 11 {num[:4]}-{num[4:]}", f"011 {num[:4]}-{num[4:]}",
             f"(011) {num[:4]}-{num[4:]}", f"+54 11 {num[:4]}-{num[4:]}"]
        )  # fmt: skip
    else:
        num = d(8)
        value = rng.choice([f"+56 9 {num[:4]} {num[4:]}", f"+56 2 {num[:4]} {num[4:]}"])
    return "PHONE", value


def ip(rng: random.Random) -> tuple[str | None, str]:
    kind = rng.random()
    if kind < 0.25:
        value = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    elif kind < 0.4:
        value = f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    elif kind < 0.75:
        value = ".".join(str(rng.randint(1, 223)) for _ in range(4))
    else:
        groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
        value = rng.choice(
            ["2001:db8:" + ":".join(groups[:6]), f"2001:db8:{groups[0]}::{groups[1]}",
             "fe80::" + ":".join(groups[:4]), f"2804:14c:{groups[2]}:{groups[3]}::1"]
        )  # fmt: skip
    return "IP", value


# ---------------------------------------------------------------------------------------------
# look-alikes that are not PII


def order(rng: random.Random) -> tuple[str | None, str]:
    return None, rng.choice(
        [f"{digits(rng, 3)}-{digits(rng, 7)}-{digits(rng, 7)}", f"#{rng.randint(100000, 9999999)}",
         f"{digits(rng, 4)}-{digits(rng, 4)}-{digits(rng, 4)}", f"PED-{digits(rng, 8)}",
         f"{rng.randint(2019, 2024)}{digits(rng, 6)}", f"{digits(rng, 8)}-{rng.randint(1, 9)}",
         f"OC-{rng.randint(2019, 2024)}-{digits(rng, 5)}"]
    )  # fmt: skip


def date(rng: random.Random) -> tuple[str | None, str]:
    y, m, d = rng.randint(1990, 2025), rng.randint(1, 12), rng.randint(1, 28)
    return None, rng.choice(
        [f"{d:02d}/{m:02d}/{y}", f"{y}-{m:02d}-{d:02d}", f"{d:02d}.{m:02d}.{y}",
         f"{m:02d}-{d:02d}-{y}",
         f"{y}-{m:02d}-{d:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
         f"{rng.randint(0, 59):02d}Z"]
    )  # fmt: skip


def amount(rng: random.Random) -> tuple[str | None, str]:
    value = rng.randint(1000, 99_999_999)
    cents = rng.randint(0, 99)
    us = f"{value:,}"
    eu = us.replace(",", ".")
    return None, rng.choice(
        [f"${us}.{cents:02d}", f"R$ {eu},{cents:02d}", f"{eu},{cents:02d} €", f"USD {us}",
         f"MXN {us}.{cents:02d}", f"{value} pesos", f"CLP {eu}"]
    )  # fmt: skip


def tracking(rng: random.Random) -> tuple[str | None, str]:
    return None, rng.choice(
        [f"1Z{digits(rng, 3)}AA{digits(rng, 10)}", f"LB{digits(rng, 9)}BR",
         f"9400 {digits(rng, 4)} {digits(rng, 4)} {digits(rng, 4)} {digits(rng, 4)}"
         f" {digits(rng, 2)}",
         f"{digits(rng, 12)}", f"RR{digits(rng, 9)}ES"]
    )  # fmt: skip


def isbn(rng: random.Random) -> tuple[str | None, str]:
    body = rng.choice(["978", "979"]) + digits(rng, 9)
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    full = body + str((10 - total % 10) % 10)
    return None, rng.choice(
        [full, f"{full[:3]}-{full[3:5]}-{full[5:8]}-{full[8:12]}-{full[12]}",
         f"{full[:3]}-{full[3]}-{full[4:8]}-{full[8:12]}-{full[12]}"]
    )  # fmt: skip


def sku(rng: random.Random) -> tuple[str | None, str]:
    return None, rng.choice(
        [f"TSH-{rng.choice(['BLU', 'RED', 'NEG'])}-{rng.choice(['S', 'M', 'XL'])}-{digits(rng, 4)}",
         f"{rng.choice(UPPER)}{rng.choice(UPPER)}{digits(rng, 6)}",
         f"{digits(rng, 5)}-{rng.choice(UPPER)}{rng.choice(UPPER)}",
         f"MX{digits(rng, 8)}{rng.choice(UPPER)}",
         f"{digits(rng, 8)}{rng.choice(UPPER)}{rng.choice(UPPER)}"]
    )  # fmt: skip


def version(rng: random.Random) -> tuple[str | None, str]:
    a, b, c, e = rng.randint(0, 20), rng.randint(0, 40), rng.randint(0, 200), rng.randint(0, 9999)
    return None, rng.choice(
        [f"v{a}.{b}.{c}", f"{a}.{b}.{c}.{e}", f"10.0.{rng.randint(10000, 22631)}.{e}",
         f"{a}.{b}.{c}-rc.{rng.randint(1, 5)}", f"build {a}.{b}.{c}.{rng.randint(0, 255)}"]
    )  # fmt: skip


def postal(rng: random.Random) -> tuple[str | None, str]:
    return None, rng.choice(
        [f"{rng.randint(1000, 52999):05d}", f"{digits(rng, 5)}-{digits(rng, 3)}",
         f"{rng.randint(1000, 9999)}-{digits(rng, 3)}", f"C.P. {digits(rng, 5)}"]
    )  # fmt: skip


def first_name(rng: random.Random) -> tuple[str | None, str]:
    return None, rng.choice(FIRST).capitalize() + " " + rng.choice(LAST).capitalize()


GENS: dict[str, Gen] = {
    "card": card, "card_bad": card_bad, "iban": iban, "iban_bad": iban_bad,
    "dni": dni, "dni_bad": dni_bad, "nie": nie, "nie_bad": nie_bad,
    "curp": curp, "curp_bad": curp_bad, "rfc": rfc, "rfc_bad": rfc_bad,
    "cpf": cpf, "cpf_bad": cpf_bad, "cnpj": cnpj, "cnpj_bad": cnpj_bad,
    "ssn": ssn, "ssn_bare": ssn_bare, "ssn_bad": ssn_bad,
    "cuit": cuit, "cuil": cuil, "cuit_bad": cuit_bad, "rut": rut, "rut_bad": rut_bad,
    "email": email, "phone": phone, "ip": ip,
    "order": order, "date": date, "amount": amount, "tracking": tracking, "isbn": isbn,
    "sku": sku, "version": version, "postal": postal, "name": first_name,
}  # fmt: skip

# ---------------------------------------------------------------------------------------------
# templates: (lang, text with {generator} slots)

T = tuple[str, str]

POSITIVE: dict[str, list[T]] = {
    "card": [
        (
            "en",
            "Hi, I was charged twice. The card ending in the number {card} shows two payments"
            " on {date}.",
        ),
        ("en", "Please update my billing info: card number {card}, exp 09/27, name {name}."),
        ("en", "{card} is the Visa I used for order {order}, can you refund it?"),
        ("en", "Customer says: my credit card {card} was declined at checkout."),
        ("es", "Hola, me cobraron dos veces en la tarjeta {card}, el pedido es {order}."),
        ("es", "Número de tarjeta: {card} — titular {name}."),
        ("es", "Pagué con {card} y todavía no recibo la confirmación."),
        ("es", "¿Pueden borrar mi tarjeta de crédito {card} de la cuenta? Gracias."),
        ("pt", "Oi, meu cartão {card} foi recusado na compra de {amount}."),
        ("pt", "Segue o número do cartão de crédito: {card}, validade 03/28."),
        ("pt", "Paguei com o {card} e a cobrança veio em dobro."),
        ("pt", "Cliente: o estorno no cartão final {card} ainda não caiu."),
    ],
    "iban": [
        ("en", "Please send the refund to IBAN {iban}, account holder {name}."),
        ("en", "Our bank details changed, new account: {iban}."),
        ("es", "Mi IBAN es {iban}, a nombre de {name}."),
        ("es", "Para la devolución usen la cuenta {iban} por favor."),
        ("es", "Domiciliación: cuenta bancaria {iban}. Fecha de alta {date}."),
        ("es", "Transferid el importe de {amount} a {iban}."),
        ("pt", "O meu IBAN é {iban}, obrigado."),
        ("pt", "Por favor, reembolsem para a conta {iban} em nome de {name}."),
        ("pt", "Dados bancários: {iban}"),
        ("en", "Wire {amount} to {iban} before {date}."),
    ],
    "dni": [
        ("es", "Hola, mi DNI es {dni} y no puedo entrar en la cuenta."),
        ("es", "Nombre: {name}. DNI: {dni}. Teléfono: {phone}."),
        ("es", "Adjunto el NIF {dni} para la factura."),
        ("es", "Le confirmo mis datos: {name}, {dni}, fecha de nacimiento {date}."),
        ("es", "El titular del contrato es {name} con documento {dni}."),
        ("en", "My Spanish ID (DNI) is {dni}, please update the invoice."),
        ("en", "Passenger {name}, national ID {dni}."),
        ("pt", "O meu DNI espanhol é {dni}."),
    ],
    "nie": [
        ("es", "Soy extranjero, mi NIE es {nie}."),
        ("es", "NIE del inquilino: {nie}, contrato firmado el {date}."),
        ("es", "Datos del empleado: {name}, {nie}, alta {date}."),
        ("es", "No me deja registrar el número {nie} en el formulario."),
        ("en", "I live in Madrid, my NIE number is {nie}."),
        ("en", "Tenant: {name} (foreigner ID {nie})."),
        ("pt", "Moro em Espanha, o meu NIE é {nie}."),
        ("pt", "Número de identificação de estrangeiro: {nie}."),
    ],
    "curp": [
        ("es", "Mi CURP es {curp}, ¿me pueden ayudar con el registro?"),
        ("es", "CURP: {curp}\nNombre: {name}\nCorreo: {email}"),
        ("es", "Adjunto CURP {curp} y comprobante de domicilio."),
        ("es", "El alumno {name} con clave {curp} se inscribió el {date}."),
        ("es", "Ya di de alta {curp} en el portal pero marca error."),
        ("en", "My CURP is {curp}, I need it on the invoice."),
        ("en", "Applicant {name}, {curp}, Mexico City."),
        ("pt", "O CURP do funcionário mexicano é {curp}."),
    ],
    "rfc": [
        ("es", "Necesito factura, mi RFC es {rfc}."),
        ("es", "RFC: {rfc}, razón social {name}, uso CFDI G03."),
        ("es", "Favor de facturar a {rfc} el pedido {order}."),
        ("es", "Datos fiscales: {rfc}, C.P. 06600, régimen 612."),
        ("es", "El proveedor con RFC {rfc} no aparece en el SAT."),
        ("en", "Please issue the invoice to RFC {rfc}."),
        ("en", "Mexican tax ID: {rfc}."),
        ("pt", "O RFC da empresa no México é {rfc}."),
    ],
    "cpf": [
        ("pt", "Olá, meu CPF é {cpf} e não consigo finalizar a compra."),
        ("pt", "Nome: {name}\nCPF: {cpf}\nTelefone: {phone}"),
        ("pt", "Por favor emitam a nota fiscal no CPF {cpf}."),
        ("pt", "O titular {name}, inscrito no CPF sob o nº {cpf}, declara que..."),
        ("pt", "Segue meu documento {cpf} para o cadastro."),
        ("pt", "já tentei com {cpf} e dá erro no cadastro"),
        ("en", "My Brazilian CPF is {cpf}, please add it to the invoice."),
        ("es", "El cliente brasileño tiene CPF {cpf}."),
    ],
    "cnpj": [
        ("pt", "A nota deve sair no CNPJ {cnpj}, razão social Comercial {name} Ltda."),
        ("pt", "CNPJ: {cnpj} — Inscrição estadual isenta."),
        ("pt", "Fornecedor {name} (CNPJ {cnpj}) enviou a fatura {order}."),
        ("pt", "Nosso cadastro é {cnpj}, favor atualizar."),
        ("pt", "Empresa inscrita no CNPJ/MF sob o nº {cnpj}, com sede em São Paulo."),
        ("en", "Billing entity: {cnpj} (Brazil), contact {email}."),
        ("en", "The Brazilian company's CNPJ is {cnpj}."),
        ("es", "La empresa brasileña con CNPJ {cnpj} es nuestro distribuidor."),
    ],
    "ssn": [
        ("en", "My SSN is {ssn}, I need to verify my identity."),
        ("en", "Employee: {name}\nSocial Security Number: {ssn}\nStart date: {date}"),
        ("en", "For the W-2 please use {ssn}."),
        ("en", "Applicant {name}, SSN {ssn}, DOB {date}."),
        ("en", "social security no. {ssn_bare} — please don't share it."),
        ("en", "I typed {ssn} in the form and it says invalid."),
        ("es", "Mi número de seguro social es {ssn}."),
        ("es", "El SSN del empleado es {ssn}, fecha de ingreso {date}."),
    ],
    "cuit": [
        ("es", "Facturar a CUIT {cuit}, responsable inscripto."),
        ("es", "Mi CUIL es {cuil}, necesito el certificado."),
        ("es", "Razón social: {name} S.A. — CUIT: {cuit}"),
        ("es", "El proveedor {cuit} no figura en el padrón de AFIP."),
        ("es", "Datos para la factura A: {cuit}, domicilio fiscal en CABA."),
        ("es", "Te paso mi cuil {cuil} para el alta."),
        ("en", "Argentine tax ID (CUIT): {cuit}."),
        ("pt", "O CUIT do cliente argentino é {cuit}."),
    ],
    "rut": [
        ("es", "Mi RUT es {rut}, necesito la boleta."),
        ("es", "RUT: {rut}\nNombre: {name}\nFono: {phone}"),
        ("es", "Factura a nombre de {name}, rut {rut}."),
        ("es", "El cliente {rut} reclama por el despacho {order}."),
        ("es", "No puedo ingresar con mi {rut} en la página."),
        ("es", "Run del alumno: {rut}."),
        ("en", "Chilean RUT: {rut}, please add it to the receipt."),
        ("pt", "O RUT do fornecedor chileno é {rut}."),
    ],
    "email": [
        ("en", "You can reach me at {email} any time."),
        ("en", "Contact: {name} <{email}>"),
        ("es", "Mi correo es {email}, escríbanme ahí."),
        ("es", "Envíen la factura a {email} por favor."),
        ("pt", "Meu e-mail é {email}."),
        ("pt", "Manda pro {email} que eu vejo hoje."),
        ("es", "email: {email} / tel: {phone}"),
    ],
    "phone": [
        ("en", "Call me back at {phone}, I'm free after 3pm."),
        ("en", "Phone: {phone}"),
        ("es", "Mi teléfono es {phone}."),
        ("es", "Pueden llamarme al {phone} o escribir por WhatsApp."),
        ("es", "Celular: {phone}, horario de 9 a 18."),
        ("pt", "Meu telefone é {phone}."),
        ("pt", "Me liga no {phone} por favor."),
        ("pt", "WhatsApp {phone}"),
        ("en", "Reach our support line on {phone}."),
        ("es", "Te dejo mi número {phone} para coordinar la entrega."),
    ],
    "ip": [
        ("en", "Login attempts from {ip} were blocked."),
        ("en", "The server at {ip} stopped answering on port 443."),
        ("es", "Mi IP es {ip}, ¿pueden desbloquearla?"),
        ("es", "El acceso vino desde la dirección {ip} a las 3:14."),
        ("pt", "O meu IP {ip} está bloqueado no firewall."),
        ("pt", "Conexão recusada de {ip}."),
        ("en", "client={ip} status=403 path=/login"),
    ],
}

NEGATIVE: list[T] = [
    ("en", "I think my card number is {card_bad}, but the site rejects it."),
    ("en", "Order {order} placed on {date} for {amount}."),
    ("en", "Tracking number {tracking}, shipped on {date}."),
    ("en", "The book ISBN {isbn} is out of stock."),
    ("en", "Upgrade to {version} fixed the crash; SKU {sku} restocked."),
    ("en", "Invoice {order}: total {amount}, due {date}."),
    ("en", "My SSN? {ssn_bad} is what the form shows, it must be wrong."),
    ("en", "Reference {sku}, batch {order}, version {version}."),
    ("en", "IBAN {iban_bad} was rejected by the bank as invalid."),
    ("es", "El pedido {order} del {date} por {amount} no llegó."),
    ("es", "Número de seguimiento: {tracking}."),
    ("es", "Puse el DNI {dni_bad} y me dice que la letra no es correcta."),
    ("es", "El NIE {nie_bad} no valida en el formulario."),
    ("es", "La CURP {curp_bad} que me dieron parece mal."),
    ("es", "El RFC {rfc_bad} no es válido según el SAT."),
    ("es", "CUIT {cuit_bad} rechazado por AFIP."),
    ("es", "El RUT {rut_bad} aparece como inválido."),
    ("es", "Código postal {postal}, versión de la app {version}."),
    ("es", "Tarjeta {card_bad}: número incorrecto, revisa los dígitos."),
    ("es", "El libro con ISBN {isbn} cuesta {amount}."),
    ("es", "Referencia del producto {sku}, lote {order}."),
    ("es", "Actualicé a la versión {version} el {date}."),
    ("pt", "Pedido {order} feito em {date} no valor de {amount}."),
    ("pt", "Código de rastreio {tracking}."),
    ("pt", "O CPF {cpf_bad} deu inválido no cadastro."),
    ("pt", "CNPJ {cnpj_bad} não encontrado na Receita."),
    ("pt", "CEP {postal}, número da nota {order}."),
    ("pt", "Cartão {card_bad} recusado: número inválido."),
    ("pt", "Versão {version} instalada em {date}."),
    ("pt", "IBAN {iban_bad} inválido segundo o banco."),
    ("pt", "O produto {sku} custa {amount}, ISBN {isbn}."),
]

NEGATIVE_PER_TEMPLATE = 5


# Second batch, added after the first measurement (the detectors had not been tuned on the
# first): other numbers of daily life that share a shape with the kinds above. They can only
# lower the figures; they come from their own seed, after the first batch, which is unchanged.


def imei(rng: random.Random) -> tuple[str | None, str]:
    body = rng.choice(["35", "86", "01"]) + digits(rng, 12)
    full = body + luhn_digit(body)  # IMEIs are Luhn-valid, like cards
    if rng.random() < 0.5:
        return None, f"{full[:2]}-{full[2:8]}-{full[8:14]}-{full[14]}"
    return None, full


def nfe_key(rng: random.Random) -> tuple[str | None, str]:
    key = rng.choice(["35", "33", "41", "31"]) + digits(rng, 42)
    return None, " ".join(key[i : i + 4] for i in range(0, 44, 4))


def boleto(rng: random.Random) -> tuple[str | None, str]:
    return None, (
        f"{digits(rng, 5)}.{digits(rng, 5)} {digits(rng, 5)}.{digits(rng, 6)} "
        f"{digits(rng, 5)}.{digits(rng, 6)} {rng.randint(1, 9)} {digits(rng, 14)}"
    )


def ccc(rng: random.Random) -> tuple[str | None, str]:
    return None, f"{digits(rng, 4)} {digits(rng, 4)} {digits(rng, 2)} {digits(rng, 10)}"


def zip4(rng: random.Random) -> tuple[str | None, str]:
    return None, f"{rng.randint(10000, 99999)}-{digits(rng, 4)}"


def epoch(rng: random.Random) -> tuple[str | None, str]:
    seconds = rng.randint(1_500_000_000, 1_800_000_000)
    return None, str(seconds) if rng.random() < 0.5 else str(seconds * 1000 + rng.randint(0, 999))


def ean(rng: random.Random) -> tuple[str | None, str]:
    body = "789" + digits(rng, 9)
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body))
    return None, body + str((10 - total % 10) % 10)


def rg(rng: random.Random) -> tuple[str | None, str]:
    return None, f"{digits(rng, 2)}.{digits(rng, 3)}.{digits(rng, 3)}-{rng.choice(DIGITS + 'X')}"


def cnh(rng: random.Random) -> tuple[str | None, str]:
    return None, digits(rng, 11)


def phone_bare_br(rng: random.Random) -> tuple[str | None, str]:
    return "PHONE", rng.choice(["11", "21", "31", "41", "51", "61", "71", "81"]) + "9" + digits(
        rng, 8
    )


GENS.update(
    imei=imei, nfe_key=nfe_key, boleto=boleto, ccc=ccc, zip4=zip4, epoch=epoch, ean=ean, rg=rg,
    cnh=cnh, phone_bare_br=phone_bare_br,
)  # fmt: skip

NEGATIVE_2: list[T] = [
    ("en", "Device IMEI {imei} is blocked, please unlock it."),
    ("en", "Ship to 1 Market St, San Francisco, CA {zip4}."),
    ("en", 'ts={epoch} level=INFO msg="payment accepted" order={order}'),
    ("es", "El IMEI del móvil es {imei}."),
    ("es", "Cuenta antigua (CCC) {ccc}, ya no la uso."),
    ("es", "Código de barras {ean}, caja de 12 unidades."),
    ("pt", "Chave de acesso da NF-e: {nfe_key}"),
    ("pt", "Linha digitável do boleto: {boleto}"),
    ("pt", "Meu RG é {rg}, emitido pela SSP."),
    ("pt", "CNH nº {cnh}, categoria B."),
    ("pt", "Código de barras {ean} na embalagem."),
    ("pt", "O IMEI do aparelho é {imei}."),
]
POSITIVE_2: list[T] = [
    ("pt", "Me chama no WhatsApp {phone_bare_br}"),
    ("pt", "celular {phone_bare_br} (só mensagens)"),
]


def fill(rng: random.Random, template: str) -> tuple[str, list[dict[str, object]]]:
    """The template with each slot filled, and the exact spans of the labelled values."""
    out: list[str] = []
    entities: list[dict[str, object]] = []
    cursor = 0
    length = 0
    for m in re.finditer(r"\{(\w+)\}", template):
        literal = template[cursor : m.start()]
        out.append(literal)
        length += len(literal)
        label, value = GENS[m.group(1)](rng)
        if label is not None:
            entities.append({"label": label, "start": length, "end": length + len(value)})
        out.append(value)
        length += len(value)
        cursor = m.end()
    out.append(template[cursor:])
    text = "".join(out)
    return text, entities


def build_pii(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for kind, templates in POSITIVE.items():
        count = PER_SIMPLE_KIND if kind in ("email", "phone", "ip") else PER_KIND
        for i in range(count):
            lang, template = templates[i % len(templates)]
            text, entities = fill(rng, template)
            rows.append({"text": text, "lang": lang, "entities": entities})
    for lang, template in NEGATIVE:
        for _ in range(NEGATIVE_PER_TEMPLATE):
            text, entities = fill(rng, template)
            rows.append({"text": text, "lang": lang, "entities": entities})
    rng.shuffle(rows)
    second = random.Random(SEED + 2)
    more: list[dict[str, object]] = []
    for lang, template in NEGATIVE_2 + POSITIVE_2:
        for _ in range(NEGATIVE_PER_TEMPLATE * 2):
            text, entities = fill(second, template)
            more.append({"text": text, "lang": lang, "entities": entities})
    second.shuffle(more)
    return rows + more


# ---------------------------------------------------------------------------------------------
# secrets

B62 = string.ascii_letters + string.digits
B64URL = B62 + "-_"
HEX = "0123456789abcdef"


def rand(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    header = {"alg": rng.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}
    payload = {
        "sub": str(rng.randint(1000, 99999)),
        "name": rng.choice(FIRST),
        "iat": rng.randint(1_600_000_000, 1_800_000_000),
    }
    sig = bytes(rng.getrandbits(8) for _ in range(32))
    return ".".join(
        [b64url(json.dumps(header, separators=(",", ":")).encode()),
         b64url(json.dumps(payload, separators=(",", ":")).encode()), b64url(sig)]
    )  # fmt: skip


def pem(rng: random.Random) -> str:
    kind = rng.choice(["RSA ", "", "EC ", "OPENSSH "])
    lines = [rand(rng, B62 + "+/", 64) for _ in range(rng.randint(3, 6))]
    lines.append(rand(rng, B62 + "+/", rng.randint(8, 60)) + "==")
    body = "\n".join(lines)
    return f"-----BEGIN {kind}PRIVATE KEY-----\n{body}\n-----END {kind}PRIVATE KEY-----"


SECRET_GENS: dict[str, Callable[[random.Random], str]] = {
    "aws_key": lambda r: r.choice(["AKIA", "ASIA"]) + rand(r, UPPER + "234567", 16),
    "aws_secret": lambda r: rand(r, B62 + "+/", 40),
    "github": lambda r: r.choice(["ghp_", "gho_", "ghs_"]) + rand(r, B62, 36),
    "github_pat": lambda r: "github_pat_" + rand(r, B62, 22) + "_" + rand(r, B62, 59),
    "gitlab": lambda r: "glpat-" + rand(r, B62 + "-_", 20),
    "slack": lambda r: (
        r.choice(["xoxb-", "xoxp-"]) + f"{digits(r, 12)}-{digits(r, 13)}-" + rand(r, B62, 24)
    ),
    "stripe": lambda r: r.choice(["sk_live_", "rk_live_"]) + rand(r, B62, r.choice([24, 99])),
    "google": lambda r: "AIza" + rand(r, B62 + "-_", 35),
    "openai": lambda r: (
        r.choice(["sk-", "sk-proj-"]) + rand(r, B62, 20) + "T3BlbkFJ" + rand(r, B62, 20)
    ),
    "anthropic": lambda r: "sk-ant-api03-" + rand(r, B64URL, 93) + "AA",
    "jwt": jwt,
    "pem": pem,
    "password": lambda r: rand(r, B62, r.randint(10, 16)) + r.choice("!*.~"),
    "hex_secret": lambda r: rand(r, HEX, r.choice([32, 40, 64])),
    "b64_secret": lambda r: rand(r, B62 + "+/", r.randint(24, 44)),
}

SECRET_TEMPLATES: list[T] = [
    ("en", "aws_access_key_id = {aws_key}\naws_secret_access_key = {aws_secret}"),
    ("en", "export AWS_ACCESS_KEY_ID={aws_key}"),
    ("es", "Uso la clave de acceso {aws_key} y el secret {aws_secret}, ¿por qué falla?"),
    ("pt", "Minha access key é {aws_key}, o boto3 diz AccessDenied."),
    ("en", "git remote set-url origin https://{github}@github.com/acme/api.git"),
    ("en", "GITHUB_TOKEN={github}"),
    ("es", "Este es mi token de GitHub: {github_pat}"),
    ("pt", "Meu token do GitHub {github} parou de funcionar."),
    ("en", "CI uses GITLAB_TOKEN: {gitlab}"),
    ("es", "el token de gitlab es {gitlab}"),
    ("en", "SLACK_BOT_TOKEN={slack}"),
    ("pt", "O bot do Slack usa {slack} mas não posta nada."),
    ("en", 'stripe.api_key = "{stripe}"'),
    ("es", "Mi llave de Stripe {stripe} da error 401."),
    ("en", "const MAPS_KEY = '{google}';"),
    ("pt", "A chave da API do Google Maps é {google}."),
    ("en", "OPENAI_API_KEY={openai}"),
    ("es", "Probé con la API key {openai} y me devuelve 429."),
    ("en", 'client = Anthropic(api_key="{anthropic}")'),
    ("pt", "Minha chave {anthropic} não funciona no console."),
    ("en", "Authorization: Bearer {jwt}"),
    ("es", "El token que me devuelve el login es {jwt}, ¿está bien?"),
    ("pt", "Cookie: session={jwt}; Path=/"),
    ("en", "Here is the deploy key, please keep it safe:\n{pem}\nThanks!"),
    ("es", "Adjunto la clave privada:\n{pem}"),
    ("en", "DATABASE_URL=postgres://app:{password}@db.internal:5432/app"),
    ("es", "Conecto con mysql://root:{password}@10.0.0.5/ventas y me rechaza."),
    ("pt", "A string de conexão é mongodb://admin:{password}@cluster0.example.net/loja"),
    ("en", "api_key: {hex_secret}"),
    ("en", 'SECRET_KEY = "{b64_secret}"'),
    ("es", "la clave secreta es {b64_secret}"),
    ("es", "token de la api: {hex_secret}"),
    ("pt", "a senha do serviço é {b64_secret}"),
    ("pt", "chave de API: {hex_secret}"),
]

SECRET_NEGATIVES: list[T] = [
    ("en", "Request id {uuid} failed with 500."),
    ("en", "commit {sha1}\nAuthor: {name}\n\n    Fix token refresh when the session expires"),
    ("en", "Reverted {sha1_short} (fix password reset email) after review."),
    ("en", "The file's SHA-256 is {sha256}, compare it before installing."),
    ("en", "docker pull nginx@sha256:{sha256}"),
    ("en", '<img src="data:image/png;base64,{image}">'),
    ("es", "El hash MD5 del archivo es {md5}."),
    ("es", "El identificador de la sesión es {uuid}."),
    ("es", "Clonen https://github.com/acme/api.git y corran make."),
    ("es", "El token expiró, vuelve a iniciar sesión."),
    ("pt", "O commit {sha1} quebrou o build de senha."),
    ("pt", "Use a variável ${{DB_PASSWORD}} em postgres://app:${{DB_PASSWORD}}@db:5432/app"),
    ("pt", "Sua senha deve ter pelo menos 12 caracteres."),
    ("en", "We use scikit-learn (sk-learn-compatible estimators) in the pipeline."),
    ("en", "Set AWS_ACCESS_KEY_ID to your key, e.g. AKIA followed by 16 characters."),
    ("en", "password: ********"),
    ("en", "-----BEGIN PUBLIC KEY-----\n{b64_line}\n-----END PUBLIC KEY-----"),
    ("es", "La clave de producto del libro es el ISBN {isbn}."),
    ("en", "Token count: 15234 tokens, cost $0.42."),
    ("en", "eyJmb28iOiJiYXIifQ.{b64_line}.{b64_line} is a base64 test vector, not a token."),
]

NEGATIVE_GENS: dict[str, Callable[[random.Random], str]] = {
    "uuid": lambda r: "-".join(rand(r, HEX, n) for n in (8, 4, 4, 4, 12)),
    "sha1": lambda r: rand(r, HEX, 40),
    "sha1_short": lambda r: rand(r, HEX, 7),
    "sha256": lambda r: rand(r, HEX, 64),
    "md5": lambda r: rand(r, HEX, 32),
    "image": lambda r: "iVBORw0KGgoAAAANSUhEUgAA" + rand(r, B62 + "+/", 120) + "=",
    "b64_line": lambda r: rand(r, B64URL, 40),
    "name": lambda r: r.choice(FIRST).capitalize() + " " + r.choice(LAST).capitalize(),
    "isbn": lambda r: isbn(r)[1],
}

SECRETS_PER_TEMPLATE = 4
SECRET_NEGATIVES_PER_TEMPLATE = 3


def fill_secret(rng: random.Random, template: str) -> tuple[str, list[dict[str, object]]]:
    out: list[str] = []
    entities: list[dict[str, object]] = []
    length = 0
    cursor = 0
    for m in re.finditer(r"(?<!\{)\{(\w+)\}(?!\})", template):
        literal = template[cursor : m.start()].replace("{{", "{").replace("}}", "}")
        out.append(literal)
        length += len(literal)
        name = m.group(1)
        if name in SECRET_GENS:
            value = SECRET_GENS[name](rng)
            entities.append({"label": "SECRET", "start": length, "end": length + len(value)})
        else:
            value = NEGATIVE_GENS[name](rng)
        out.append(value)
        length += len(value)
        cursor = m.end()
    out.append(template[cursor:].replace("{{", "{").replace("}}", "}"))
    return "".join(out), entities


def build_secrets(rng: random.Random) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for lang, template in SECRET_TEMPLATES:
        for _ in range(SECRETS_PER_TEMPLATE):
            text, entities = fill_secret(rng, template)
            rows.append({"text": text, "lang": lang, "entities": entities})
    for lang, template in SECRET_NEGATIVES:
        for _ in range(SECRET_NEGATIVES_PER_TEMPLATE):
            text, entities = fill_secret(rng, template)
            rows.append({"text": text, "lang": lang, "entities": entities})
    rng.shuffle(rows)
    return rows


def write(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    write(HERE / "pii_eval.jsonl", build_pii(random.Random(SEED)))
    write(HERE / "secrets_eval.jsonl", build_secrets(random.Random(SEED + 1)))


if __name__ == "__main__":
    main()
