# ruff: noqa: E501
"""Generator for the second blind PII TEST set (``pii_test.jsonl``).

Written blind: the writer saw neither the PII detector (its rules, its unit
tests, its benchmark, its documentation) nor any other PII data set of this
project.  Every check digit below is computed by code written here from the
public specifications of each identifier (Luhn, ISO 13616 mod 97, Spanish
DNI/NIE letter, CURP and RFC check characters, CPF/CNPJ mod 11, CUIT mod 11,
RUT mod 11 with K, SSA issuing rules for SSN) and self-tested against
published examples in ``_self_test``.

This is the FINAL test set: it is measured once per release of the rules and
is never used to tune them.  Do not look at its errors while changing the
detector; tune on the other sets.

The output is deterministic (seeded).  Each line is
``{"text": ..., "lang": "en|es|pt", "entities": [{"label", "start", "end"}]}``
with ``text[start:end]`` equal to the identifier.  PII-free texts carry hard
negatives only: identifiers with a wrong check digit and numbers that look like
PII but are not (orders, tracking codes, invoices, dates, amounts, ISBN/EAN,
SKUs, versions, UUIDs, git hashes, MAC addresses, postcodes, sort codes,
coordinates...).  Every text is audited with the checkers below: an unlabelled
string that passes any checksum, or a labelled one that also passes a checksum
of another kind, makes the text be drawn again.

Usage: ``python tests/data/guards/make_pii_test.py`` (rewrites the jsonl file
next to this script).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import random
import re
import string
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

SEED = 20261128
OUT = Path(__file__).with_name("pii_test.jsonl")
N_POS = {"en": 170, "es": 175, "pt": 170}
N_NEG = {"en": 78, "es": 76, "pt": 76}
MIN_PER_LABEL = 30

LABELS = [
    "EMAIL",
    "PHONE",
    "CARD",
    "IBAN",
    "IP",
    "DNI",
    "NIE",
    "CURP",
    "RFC",
    "CPF",
    "CNPJ",
    "SSN",
    "CUIT",
    "RUT",
]

# --------------------------------------------------------------------------
# Check digits (from public specifications)
# --------------------------------------------------------------------------

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_digit(partial: str) -> str:
    for c in "0123456789":
        if luhn_ok(partial + c):
            return c
    raise AssertionError


def iban_ok(iban: str) -> bool:
    s = re.sub(r"[\s-]", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]+", s):
        return False
    r = s[4:] + s[:4]
    n = "".join(str(int(c, 36)) for c in r)
    return int(n) % 97 == 1


def iban_make(country: str, bban: str) -> str:
    r = bban + country + "00"
    n = "".join(str(int(c, 36)) for c in r)
    check = 98 - int(n) % 97
    return f"{country}{check:02d}{bban}"


def es_ccc_digit(ten: str) -> str:
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
    d = 11 - sum(int(a) * b for a, b in zip(ten, w, strict=False)) % 11
    return str({11: 0, 10: 1}.get(d, d))


def dni_letter(num: int) -> str:
    return DNI_LETTERS[num % 23]


def nie_letter(prefix: str, seven: str) -> str:
    return dni_letter(int("XYZ".index(prefix.upper()).__str__() + seven))


CURP_ALPHA = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def curp_digit(first17: str) -> str:
    s = sum(CURP_ALPHA.index(c) * (18 - i) for i, c in enumerate(first17))
    return str((10 - s % 10) % 10)


RFC_ALPHA = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"


def rfc_digit(body: str) -> str:
    # body: RFC without its last character (11 for companies, 12 for people)
    padded = (" " + body)[-12:] if len(body) == 11 else body
    s = sum(RFC_ALPHA.index(c) * (13 - i) for i, c in enumerate(padded))
    r = s % 11
    if r == 0:
        return "0"
    d = 11 - r
    return "A" if d == 10 else str(d)


def cpf_digits(nine: str) -> str:
    ds = [int(c) for c in nine]
    for n in (10, 11):
        s = sum(d * w for d, w in zip(ds, range(n, 1, -1), strict=False))
        r = s % 11
        ds.append(0 if r < 2 else 11 - r)
    return "".join(map(str, ds[9:]))


def cnpj_digits(twelve: str) -> str:
    ds = [int(c) for c in twelve]
    for w in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        r = sum(d * x for d, x in zip(ds, w, strict=False)) % 11
        ds.append(0 if r < 2 else 11 - r)
    return "".join(map(str, ds[12:]))


def cpf_ok(d: str) -> bool:
    return len(d) == 11 and len(set(d)) > 1 and cpf_digits(d[:9]) == d[9:]


def cnpj_ok(d: str) -> bool:
    return len(d) == 14 and len(set(d)) > 1 and cnpj_digits(d[:12]) == d[12:]


CUIT_PREFIXES = ("20", "23", "24", "27", "30", "33", "34")


def cuit_digit(ten: str) -> str | None:
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    d = 11 - sum(int(a) * b for a, b in zip(ten, w, strict=False)) % 11
    if d == 11:
        return "0"
    if d == 10:
        return None  # not issued with these digits
    return str(d)


def cuit_ok(d: str) -> bool:
    return len(d) == 11 and d[:2] in CUIT_PREFIXES and cuit_digit(d[:10]) == d[10]


def rut_dv(body: str) -> str:
    s = 0
    for i, c in enumerate(reversed(body)):
        s += int(c) * (2 + i % 6)
    d = 11 - s % 11
    return {11: "0", 10: "K"}.get(d, str(d))


def ssn_ok(d: str) -> bool:
    if len(d) != 9 or not d.isdigit():
        return False
    a, g, s = d[:3], d[3:5], d[5:]
    return a not in ("000", "666") and a[0] != "9" and g != "00" and s != "0000"


def ean_digit(partial: str) -> str:
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(partial))
    return str((10 - s % 10) % 10)


def s10_digit(eight: str) -> str:
    w = [8, 6, 4, 2, 3, 5, 9, 7]
    c = 11 - sum(int(a) * b for a, b in zip(eight, w, strict=False)) % 11
    return {10: "0", 11: "5"}.get(c, str(c))


def _self_test() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("378282246310005")
    assert luhn_ok("5555555555554444") and not luhn_ok("4111111111111112")
    for ib in (
        "GB82 WEST 1234 5698 7654 32",
        "DE89 3704 0044 0532 0130 00",
        "ES91 2100 0418 4502 0005 1332",
        "PT50 0002 0123 1234 5678 9015 4",
        "FR14 2004 1010 0505 0001 3M02 606",
    ):
        assert iban_ok(ib), ib
    assert not iban_ok("GB83WEST12345698765432")
    assert iban_make("GB", "WEST12345698765432") == "GB82WEST12345698765432"
    assert es_ccc_digit("0021000418") == "4" and es_ccc_digit("0200051332") == "5"
    assert dni_letter(12345678) == "Z"
    assert nie_letter("X", "1234567") == "L"
    assert nie_letter("Y", "1234567") == "X"
    assert curp_digit("BOXW310820HNERXN0") == "9"
    assert rfc_digit("GODE561231GR") == "8"
    assert rfc_digit("MAB9307148T") == "4"
    assert cpf_digits("529982247") == "25" and cpf_digits("111444777") == "35"
    assert cnpj_digits("112223330001") == "81"
    assert cnpj_digits("114447770001") == "61"
    assert cuit_digit("2026756539") == "3" and cuit_digit("2005536168") == "2"
    assert rut_dv("12345678") == "5" and rut_dv("76086428") == "5"
    assert rut_dv("11111111") == "1"
    assert ean_digit("978014300723") == "4"  # ISBN 978-0-14-300723-4
    assert ean_digit("400638133393") == "1"  # EAN 4006381333931
    assert s10_digit("47312482") == "9"  # UPU S10 example 473124829


# --------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------

R = random.Random(SEED)


def digits(n: int, first: str = "0123456789") -> str:
    return R.choice(first) + "".join(R.choice(string.digits) for _ in range(n - 1))


def pick(seq):
    return R.choice(seq)


def group(s: str, sizes: list[int], sep: str) -> str:
    out, i = [], 0
    for n in sizes:
        out.append(s[i : i + n])
        i += n
    if i < len(s):
        out.append(s[i:])
    return sep.join(x for x in out if x)


FIRST_ES = [
    "Lucía",
    "María",
    "Carmen",
    "Javier",
    "Alejandro",
    "Sofía",
    "Pablo",
    "Marta",
    "Diego",
    "Elena",
    "Jorge",
    "Paula",
    "Andrés",
    "Valentina",
    "José",
    "Ximena",
    "Camila",
    "Mateo",
    "Joaquín",
    "Florencia",
    "Ignacio",
    "Catalina",
    "Rodrigo",
    "Guadalupe",
]
LAST_ES = [
    "García",
    "Fernández",
    "López",
    "Martínez",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Ruiz",
    "Hernández",
    "Díaz",
    "Moreno",
    "Álvarez",
    "Romero",
    "Torres",
    "Navarro",
    "Ramírez",
    "Flores",
    "Castillo",
    "Vargas",
    "Rojas",
    "Muñoz",
    "Soto",
    "Contreras",
    "Silva",
]
FIRST_PT = [
    "João",
    "Maria",
    "Ana",
    "Pedro",
    "Lucas",
    "Gabriela",
    "Rafael",
    "Beatriz",
    "Tiago",
    "Inês",
    "Mariana",
    "Gustavo",
    "Larissa",
    "Rodrigo",
    "Fernanda",
    "Bruno",
    "Carolina",
    "Diogo",
    "Leonor",
    "Thiago",
    "Juliana",
    "Francisco",
]
LAST_PT = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Pereira",
    "Costa",
    "Rodrigues",
    "Almeida",
    "Nascimento",
    "Lima",
    "Araújo",
    "Ferreira",
    "Carvalho",
    "Gomes",
    "Martins",
    "Rocha",
    "Ribeiro",
    "Sousa",
    "Fonseca",
    "Mendes",
]
FIRST_EN = [
    "James",
    "Emily",
    "Michael",
    "Sarah",
    "David",
    "Olivia",
    "Daniel",
    "Jessica",
    "Chris",
    "Hannah",
    "Ryan",
    "Megan",
    "Kevin",
    "Laura",
    "Brian",
    "Ashley",
    "Tom",
    "Rachel",
    "Eric",
    "Nicole",
]
LAST_EN = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Anderson",
    "Thomas",
    "Moore",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Baker",
]


def strip_accents(s: str) -> str:
    tr = str.maketrans("áéíóúÁÉÍÓÚñÑãõâêôçÃÕÂÊÔÇü", "aeiouAEIOUnNaoaeocAOAEOCu")
    return s.translate(tr)


def name(lang: str) -> str:
    f, lst = {
        "es": (FIRST_ES, LAST_ES),
        "pt": (FIRST_PT, LAST_PT),
        "en": (FIRST_EN, LAST_EN),
    }[lang]
    n = f"{pick(f)} {pick(lst)}"
    if lang != "en" and R.random() < 0.5:
        n += f" {pick(lst)}"
    return n


DOMAINS = {
    "es": [
        "gmail.com",
        "hotmail.es",
        "yahoo.es",
        "outlook.es",
        "telefonica.net",
        "empresa.com.mx",
        "correo.cl",
        "fibertel.com.ar",
        "grupoiberia.es",
        "live.com.mx",
    ],
    "pt": [
        "gmail.com",
        "hotmail.com",
        "uol.com.br",
        "bol.com.br",
        "terra.com.br",
        "yahoo.com.br",
        "sapo.pt",
        "outlook.pt",
        "empresa.com.br",
        "clinica-sorriso.com.br",
    ],
    "en": [
        "gmail.com",
        "outlook.com",
        "yahoo.com",
        "icloud.com",
        "acme-corp.com",
        "company.co.uk",
        "protonmail.com",
        "example-logistics.net",
        "hotmail.co.uk",
        "fastmail.fm",
    ],
}


def gen_email(lang: str) -> str:
    src = {"es": (FIRST_ES, LAST_ES), "pt": (FIRST_PT, LAST_PT), "en": (FIRST_EN, LAST_EN)}
    f, lst = src[lang]
    a = strip_accents(pick(f)).lower()
    b = strip_accents(pick(lst)).lower()
    local = pick(
        [
            f"{a}.{b}",
            f"{a}{b}{R.randint(1, 99)}",
            f"{a[0]}{b}",
            f"{a}_{b}",
            f"{b}.{a}{R.randint(70, 99)}",
            f"{a}+pedidos",
            f"{a}.{b}-{R.randint(1, 9)}",
            pick(
                [
                    "soporte",
                    "contacto",
                    "facturacion",
                    "suporte",
                    "financeiro",
                    "billing",
                    "support",
                    "rrhh",
                ]
            ),
        ]
    )
    e = f"{local}@{pick(DOMAINS[lang])}"
    if R.random() < 0.1:
        e = e.upper() if R.random() < 0.3 else e[0].upper() + e[1:]
    return e


# ---- phones -------------------------------------------------------------


def phone_es() -> str:
    m = digits(9, "67") if R.random() < 0.7 else "9" + digits(8, "12345678")
    return pick(
        [
            f"+34 {group(m, [3, 3, 3], ' ')}",
            m,
            group(m, [3, 2, 2, 2], " "),
            f"0034 {group(m, [3, 3, 3], '-')}",
            f"(+34) {group(m, [3, 3, 3], ' ')}",
            f"+34{m}",
            f"+34 {group(m, [3, 2, 2, 2], ' ')}",
            group(m, [3, 3, 3], "."),
        ]
    )


def phone_mx() -> str:
    area = pick(["55", "33", "81"])
    n = digits(8, "2345678")
    return pick(
        [
            f"+52 {area} {n[:4]} {n[4:]}",
            f"{area} {n[:4]} {n[4:]}",
            f"({area}) {n[:4]}-{n[4:]}",
            f"+52 1 {area} {n[:4]} {n[4:]}",
            f"{area}-{n[:4]}-{n[4:]}",
            f"+52{area}{n}",
        ]
    )


def phone_ar() -> str:
    n = digits(8, "2345678")
    return pick(
        [
            f"+54 9 11 {n[:4]}-{n[4:]}",
            f"011 {n[:4]}-{n[4:]}",
            f"11-{n[:4]}-{n[4:]}",
            f"+54 9 351 {n[1:4]}-{n[4:]}",
            f"(011) 15-{n[:4]}-{n[4:]}",
        ]
    )


def phone_cl() -> str:
    n = digits(8, "3456789")
    return pick(
        [
            f"+56 9 {n[:4]} {n[4:]}",
            f"9 {n[:4]} {n[4:]}",
            f"+56 2 2{n[1:4]} {n[4:]}",
            f"+569{n}",
            f"(+56) 9-{n[:4]}-{n[4:]}",
        ]
    )


def phone_br() -> str:
    ddd = pick(["11", "21", "31", "41", "51", "61", "71", "81", "85", "19", "48"])
    cel = "9" + digits(8, "6789")
    fixo = digits(8, "2345")
    n = cel if R.random() < 0.75 else fixo
    h = f"{n[:-4]}-{n[-4:]}"
    return pick(
        [
            f"+55 ({ddd}) {h}",
            f"({ddd}) {h}",
            f"{ddd} {h}",
            f"+55 {ddd} {n}",
            f"+55{ddd}{n}",
            f"({ddd}){n}",
            f"0{ddd} {h}",
            f"{ddd}{n}",
        ]
    )


def phone_pt() -> str:
    n = "9" + digits(8, "1236") if R.random() < 0.7 else "2" + digits(8, "12345")
    return pick(
        [
            f"+351 {group(n, [3, 3, 3], ' ')}",
            f"00351 {n}",
            group(n, [3, 3, 3], " "),
            f"+351{n}",
            n,
            f"(+351) {group(n, [3, 3, 3], ' ')}",
        ]
    )


def phone_us() -> str:
    a = digits(3, "23456789")
    while a[1:] == "11":
        a = digits(3, "23456789")
    e = digits(3, "23456789")
    s = digits(4)
    return pick(
        [
            f"({a}) {e}-{s}",
            f"{a}-{e}-{s}",
            f"+1 {a} {e} {s}",
            f"{a}.{e}.{s}",
            f"+1 ({a}) {e}-{s}",
            f"1-{a}-{e}-{s}",
            f"+1{a}{e}{s}",
        ]
    )


def phone_uk() -> str:
    m = "7" + digits(9, "1345789")
    ld = "20" + digits(8, "378")
    return pick(
        [
            f"+44 {m[:4]} {m[4:]}",
            f"0{m[:4]} {m[4:]}",
            f"020 {ld[2:6]} {ld[6:]}",
            f"+44 (0)20 {ld[2:6]} {ld[6:]}",
            f"+44{m}",
        ]
    )


# ---- cards / IBAN / IP -------------------------------------------------


def card_raw() -> str:
    kind = R.random()
    if kind < 0.5:
        p = "4" + digits(14)
    elif kind < 0.8:
        p = pick(["51", "52", "53", "54", "55"]) + digits(13)
    elif kind < 0.9:
        p = "2" + pick(["221", "300", "500", "720"]) + digits(10)
    else:
        p = pick(["34", "37"]) + digits(12)
        return p + luhn_digit(p)
    return p + luhn_digit(p)


def fmt_card(c: str) -> str:
    if len(c) == 15:
        return pick([f"{c[:4]} {c[4:10]} {c[10:]}", c, f"{c[:4]}-{c[4:10]}-{c[10:]}"])
    return pick([group(c, [4] * 4, " "), c, group(c, [4] * 4, "-"), group(c, [4] * 4, " ")])


def gen_card() -> str:
    return fmt_card(card_raw())


IBAN_LEN = {
    "ES": 24, "PT": 25, "DE": 22, "FR": 27, "IT": 27, "NL": 18, "GB": 22,
    "BR": 29, "BE": 16, "IE": 22, "AT": 20, "CH": 21, "LU": 20, "PL": 28,
}  # fmt: skip


def iban_raw(country: str) -> str:
    if country == "ES":
        ent, ofi, acc = (
            pick(["2100", "0049", "0182", "0081", "2038", "0075", "1465", "2080"]),
            digits(4),
            digits(10),
        )
        bban = ent + ofi + es_ccc_digit("00" + ent + ofi) + es_ccc_digit(acc) + acc
    elif country == "PT":
        b19 = pick(["0035", "0033", "0007", "0010", "0018", "0036"]) + digits(4) + digits(11)
        bban = b19 + f"{98 - int(b19) * 100 % 97:02d}"
    elif country == "BR":
        bban = digits(8) + digits(5) + digits(10) + pick("CPS") + pick("123")
    elif country == "GB":
        bban = pick(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + digits(6) + digits(8)
    elif country == "FR":
        bban = (
            digits(10)
            + "".join(R.choice(string.digits + "ABCDEFGHJK") for _ in range(11))
            + digits(2)
        )
    elif country == "IT":
        bban = pick("ABCDEFGHIJKLMNOPRSTUVWXZ") + digits(10) + digits(12)
    elif country == "NL":
        bban = pick(["ABNA", "INGB", "RABO", "TRIO"]) + digits(10)
    else:
        bban = digits(IBAN_LEN[country] - 4)
    ib = iban_make(country, bban)
    assert len(ib) == IBAN_LEN[country] and iban_ok(ib)
    return ib


def fmt_iban(ib: str) -> str:
    r = R.random()
    if r < 0.55:
        s = group(ib, [4] * 10, " ")
    elif r < 0.85:
        s = ib
    elif r < 0.93:
        s = group(ib, [4] * 10, "-")
    else:
        s = group(ib, [4] * 10, " ")
    if R.random() < 0.07:
        s = s.lower()
    return s


def gen_iban(countries: str) -> str:
    return fmt_iban(iban_raw(pick(countries.split())))


def gen_ipv4() -> str:
    r = R.random()
    if r < 0.3:
        return f"192.168.{R.randint(0, 20)}.{R.randint(2, 254)}"
    if r < 0.45:
        return f"10.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"
    while True:
        a = R.randint(1, 223)
        if a not in (10, 127, 192):
            return f"{a}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(1, 254)}"


def gen_ipv6() -> str:
    r = R.random()
    if r < 0.3:
        s = f"2001:db8:{R.randint(0, 0xFFFF):x}::{R.randint(1, 0xFFFF):x}"
    elif r < 0.5:
        s = f"fe80::{':'.join(f'{R.randint(0, 0xFFFF):x}' for _ in range(4))}"
    else:
        a = ipaddress.IPv6Address(
            (0x2A00 + R.randint(0, 0x5FF)) << 112
            | R.getrandbits(112) & ~(0xFFFF << 48 if R.random() < 0.5 else 0)
        )
        s = a.compressed if R.random() < 0.6 else a.exploded
    if R.random() < 0.15:
        s = s.upper()
    ipaddress.IPv6Address(s)
    return s


def gen_ip() -> str:
    return gen_ipv4() if R.random() < 0.65 else gen_ipv6()


# ---- national IDs --------------------------------------------------------


def gen_dni(bad: bool = False) -> str:
    n = R.randint(1_000_000, 99_999_999)
    num = f"{n:08d}"
    letter = dni_letter(n)
    if bad:
        letter = pick([c for c in DNI_LETTERS if c != letter])
    if R.random() < 0.12:
        letter = letter.lower()
    return pick(
        [
            num + letter,
            num + letter,
            f"{num}-{letter}",
            f"{num[:2]}.{num[2:5]}.{num[5:]}-{letter}",
            f"{num} {letter}",
            f"{num[:2]}.{num[2:5]}.{num[5:]}{letter}",
        ]
    )


def gen_nie(bad: bool = False) -> str:
    p = pick("XXYYZ")
    seven = digits(7)
    letter = nie_letter(p, seven)
    if bad:
        letter = pick([c for c in DNI_LETTERS if c != letter])
    if R.random() < 0.1:
        p, letter = p.lower(), letter.lower()
    return pick(
        [
            f"{p}{seven}{letter}",
            f"{p}{seven}{letter}",
            f"{p}-{seven}-{letter}",
            f"{p} {seven} {letter}",
            f"{p}{seven}-{letter}",
        ]
    )


STATES = [
    "AS",
    "BC",
    "BS",
    "CC",
    "CL",
    "CM",
    "CS",
    "CH",
    "DF",
    "DG",
    "GT",
    "GR",
    "HG",
    "JC",
    "MC",
    "MN",
    "MS",
    "NT",
    "NL",
    "OC",
    "PL",
    "QT",
    "QR",
    "SP",
    "SL",
    "SR",
    "TC",
    "TS",
    "TL",
    "VZ",
    "YN",
    "ZS",
]
CONS = "BCDFGHJKLMNPQRSTVWXZ"
VOW = "AEIOU"


def _birth() -> dt.date:
    return dt.date(1950, 1, 1) + dt.timedelta(days=R.randint(0, 365 * 55))


def curp_raw(bad: bool = False) -> str:
    b = _birth()
    head = pick(CONS) + pick(VOW) + pick(CONS + VOW) + pick(CONS + VOW)
    body = (
        head
        + b.strftime("%y%m%d")
        + pick("HM")
        + pick(STATES)
        + "".join(pick(CONS) for _ in range(3))
    )
    body += str(R.randint(0, 9)) if b.year < 2000 else pick("ABCDEFGH")
    d = curp_digit(body)
    if bad:
        d = pick([c for c in "0123456789" if c != d])
    return body + d


def gen_curp(bad: bool = False) -> str:
    c = curp_raw(bad)
    return c.lower() if R.random() < 0.08 else c


def rfc_raw(bad: bool = False) -> tuple[str, int]:
    moral = R.random() < 0.35
    b = _birth()
    head = (
        "".join(pick(CONS + VOW) for _ in range(3))
        if moral
        else pick(CONS) + pick(VOW) + pick(CONS + VOW) + pick(CONS + VOW)
    )
    hc = "".join(pick("ABCDEFGHIJKLMNPQRSTUVWXYZ123456789") for _ in range(2))
    body = head + b.strftime("%y%m%d") + hc
    d = rfc_digit(body)
    if bad:
        d = pick([c for c in "0123456789A" if c != d])
    return body + d, len(head)


def gen_rfc(bad: bool = False) -> str:
    r, h = rfc_raw(bad)
    s = pick([r, r, f"{r[:h]}-{r[h : h + 6]}-{r[h + 6 :]}", f"{r[:h]} {r[h : h + 6]} {r[h + 6 :]}"])
    return s.lower() if R.random() < 0.06 else s


def _cpf_raw(bad: bool = False) -> str:
    while True:
        n = digits(9)
        d = cpf_digits(n)
        if bad:
            d = (
                d[0] + str((int(d[1]) + R.randint(1, 9)) % 10)
                if R.random() < 0.6
                else str((int(d[0]) + 1) % 10) + d[1]
            )
        if len(set(n)) > 1:
            return n + d


def gen_cpf(bad: bool = False) -> str:
    c = _cpf_raw(bad)
    return pick(
        [
            f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}",
            f"{c[:3]}.{c[3:6]}.{c[6:9]}-{c[9:]}",
            c,
            f"{c[:3]} {c[3:6]} {c[6:9]} {c[9:]}",
            f"{c[:9]}-{c[9:]}",
            f"{c[:3]}.{c[3:6]}.{c[6:9]}.{c[9:]}",
        ]
    )


def gen_cnpj(bad: bool = False) -> str:
    n = digits(8) + pick(["0001", "0001", "0002", "0003", "0010"])
    d = cnpj_digits(n)
    if bad:
        d = d[0] + str((int(d[1]) + R.randint(1, 9)) % 10)
    c = n + d
    return pick(
        [
            f"{c[:2]}.{c[2:5]}.{c[5:8]}/{c[8:12]}-{c[12:]}",
            f"{c[:2]}.{c[2:5]}.{c[5:8]}/{c[8:12]}-{c[12:]}",
            c,
            f"{c[:8]}/{c[8:12]}-{c[12:]}",
            f"{c[:2]}.{c[2:5]}.{c[5:8]} {c[8:12]} {c[12:]}",
        ]
    )


def gen_ssn(bad: bool = False) -> str:
    while True:
        a, g, s = f"{R.randint(1, 899):03d}", f"{R.randint(1, 99):02d}", f"{R.randint(1, 9999):04d}"
        if bad:
            k = R.randint(0, 4)
            if k == 0:
                a = "000"
            elif k == 1:
                a = "666"
            elif k == 2:
                a = f"{R.randint(900, 999)}"
            elif k == 3:
                g = "00"
            else:
                s = "0000"
        if ssn_ok(a + g + s) != bad and a + g + s not in ("078051120", "219099999"):
            break
    return pick([f"{a}-{g}-{s}", f"{a}-{g}-{s}", f"{a} {g} {s}", a + g + s])


def gen_cuit(bad: bool = False) -> str:
    while True:
        p = pick(["20", "20", "27", "27", "23", "30", "33"])
        body = f"{R.randint(5_000_000, 45_999_999):08d}" if p[0] == "2" else digits(8, "5671")
        d = cuit_digit(p + body)
        if d is not None:
            break
    if bad:
        d = pick([c for c in "0123456789" if c != d])
    return pick(
        [
            f"{p}-{body}-{d}",
            f"{p}-{body}-{d}",
            f"{p}{body}{d}",
            f"{p} {body} {d}",
            f"{p}-{body[:2]}.{body[2:5]}.{body[5:]}-{d}",
        ]
    )


def gen_rut(bad: bool = False) -> str:
    n = R.randint(3_000_000, 26_999_999) if R.random() < 0.8 else R.randint(76_000_000, 77_999_999)
    body = str(n)
    dv = rut_dv(body)
    if bad:
        dv = pick([c for c in "0123456789K" if c != dv])
    if dv == "K" and R.random() < 0.4:
        dv = "k"
    dotted = f"{int(body):,}".replace(",", ".")
    return pick(
        [
            f"{dotted}-{dv}",
            f"{dotted}-{dv}",
            f"{body}-{dv}",
            f"{dotted} - {dv}" if R.random() < 0.1 else f"{body}-{dv}",
        ]
    )


# ---- hard negatives (never labelled) -------------------------------------


def neg_card() -> str:
    while True:
        c = card_raw()
        c = c[:-1] + str((int(c[-1]) + R.randint(1, 9)) % 10)
        if not luhn_ok(c):
            return fmt_card(c)


def neg_iban(countries: str) -> str:
    ib = iban_raw(pick(countries.split()))
    ck = int(ib[2:4])
    ib = ib[:2] + f"{(ck + R.randint(1, 9)) % 97 or 11:02d}" + ib[4:]
    if iban_ok(ib):
        ib = ib[:-1] + str((int(ib[-1]) + 1) % 10)
    assert not iban_ok(ib)
    return fmt_iban(ib)


def neg_ip() -> str:
    return pick(
        [
            f"{R.randint(256, 999)}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(0, 255)}",
            f"{R.randint(1, 223)}.{R.randint(0, 255)}.{R.randint(256, 400)}.{R.randint(1, 254)}",
        ]
    )


def neg_order() -> str:
    return pick(
        [
            f"#{digits(6, '123456789')}",
            f"PED-{R.randint(2022, 2026)}-{digits(6)}",
            f"{digits(3, '1234')}-{digits(7)}-{digits(7)}",
            f"ORD{digits(8)}",
            f"nº {digits(7, '123456789')}",
            f"#{pick('ABCDEFGH')}{digits(5)}",
            f"{R.randint(2023, 2026)}/{digits(5)}",
            f"WEB-{digits(5)}-{pick(['ES', 'MX', 'BR', 'PT', 'US'])}",
        ]
    )


def neg_tracking() -> str:
    r = R.random()
    if r < 0.35:
        e = digits(8)
        return f"{pick(['RR', 'LB', 'OA', 'PQ', 'NX', 'LX'])}{e}{s10_digit(e)}{pick(['BR', 'ES', 'PT', 'CN', 'US'])}"
    if r < 0.6:
        return (
            "1Z"
            + "".join(R.choice(string.ascii_uppercase + string.digits) for _ in range(6))
            + digits(2)
            + digits(8)
        )
    if r < 0.8:
        return f"{pick(['JD', 'CX', 'SEUR'])}{digits(12)}"
    return f"{digits(4, '1')} {digits(4)} {digits(4)} {digits(2)}"  # 14-digit courier number


def neg_invoice() -> str:
    return pick(
        [
            f"FAC-{R.randint(2023, 2026)}/{digits(5)}",
            f"INV-{digits(6)}",
            f"F{R.randint(23, 26)}-{digits(4)}",
            f"NF-e {digits(3)}.{digits(3)}.{digits(3)}",
            f"A-{digits(4)}/{R.randint(2023, 2026)}",
            f"Invoice {digits(4, '123456789')}-{digits(2)}",
        ]
    )


def neg_date(lang: str) -> str:
    d = dt.date(2021, 1, 1) + dt.timedelta(days=R.randint(0, 2000))
    opts = [d.strftime("%d/%m/%Y"), d.isoformat(), d.strftime("%d-%m-%y"), d.strftime("%d.%m.%Y")]
    if lang == "en":
        opts += [d.strftime("%m/%d/%Y"), d.strftime("%B %-d, %Y"), d.strftime("%-d %b %Y")]
    return pick(opts)


def neg_time() -> str:
    return pick(
        [
            f"{R.randint(0, 23):02d}:{R.randint(0, 59):02d}",
            f"{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}",
            f"{R.randint(1, 12)}:{R.randint(0, 59):02d} {pick(['am', 'pm', 'AM', 'PM'])}",
            f"{R.randint(7, 22)}h{R.randint(0, 5)}0",
        ]
    )


def neg_amount(lang: str) -> str:
    v = R.randint(3, 2_000_000) / 100
    us = f"{v:,.2f}"
    eu = us.replace(",", "_").replace(".", ",").replace("_", ".")
    if lang == "en":
        return pick([f"${us}", f"USD {us}", f"£{us}", f"{us} USD", f"€{us}"])
    if lang == "pt":
        return pick([f"R$ {eu}", f"R$ {eu}", f"{eu} €", f"€ {eu}", f"BRL {eu}"])
    return pick([f"{eu} €", f"€{eu}", f"MXN {us}", f"${us} MXN", f"ARS {eu}", f"$ {eu} CLP"])


def neg_isbn() -> str:
    p = pick(["97884", "97885", "97860", "97807", "97803", "97895"]) + digits(7)
    c = p + ean_digit(p)
    return pick(
        [
            f"{c[:3]}-{c[3:5]}-{c[5:9]}-{c[9:12]}-{c[12]}",
            c,
            f"ISBN {c[:3]}-{c[3:5]}-{c[5:9]}-{c[9:12]}-{c[12]}",
        ]
    )


def neg_ean() -> str:
    p = pick(["84", "789", "560", "750", "779", "0", "50"])
    p += digits(12 - len(p))
    return p + ean_digit(p)


def neg_sku() -> str:
    return pick(
        [
            f"SKU-{digits(5)}-{pick(['BLK', 'WHT', 'RED', 'AZL'])}-{pick('SML')}",
            f"REF. {digits(4)}/{digits(3)}",
            f"{pick(['XPS', 'MBP', 'TV', 'GX'])}-{digits(4)}{pick('ABCX')}",
            f"P/N {digits(3)}-{digits(5)}-{digits(2)}",
            f"MOD.{digits(2)}{pick('ABCDE')}{digits(3)}",
            f"lote {pick('LABC')}{digits(6)}",
        ]
    )


def neg_version() -> str:
    return pick(
        [
            f"v{R.randint(1, 9)}.{R.randint(0, 30)}.{R.randint(0, 20)}",
            f"10.0.{R.randint(19041, 22631)}.{R.randint(1000, 4000)}",
            f"{R.randint(1, 5)}.{R.randint(0, 9)}.{R.randint(0, 9)}-rc{R.randint(1, 5)}",
            f"FW {R.randint(1, 9)}.{R.randint(10, 99)}.{R.randint(100, 999)}",
            f"{R.randint(100, 130)}.0.{R.randint(6000, 6999)}.{R.randint(10, 200)}",
            f"build {R.randint(1000, 9999)}",
            f"iOS {R.randint(15, 18)}.{R.randint(0, 6)}.{R.randint(1, 3)}",
        ]
    )


def neg_uuid() -> str:
    return str(uuid.UUID(int=R.getrandbits(128), version=4))


def neg_githash() -> str:
    h = f"{R.getrandbits(160):040x}"
    return h if R.random() < 0.5 else h[:7]


def neg_mac() -> str:
    b = [R.randint(0, 255) for _ in range(6)]
    s = pick([":", "-"]).join(f"{x:02x}" for x in b)
    return s.upper() if R.random() < 0.5 else s


def neg_postcode(lang: str) -> str:
    if lang == "es":
        return pick(
            [
                f"{R.randint(1, 52):02d}{digits(3)}",
                f"C{R.randint(1000, 1499)}{''.join(pick(string.ascii_uppercase) for _ in range(3))}",
                f"{R.randint(10000, 99999)}",
            ]
        )
    if lang == "pt":
        return pick([f"{digits(5)}-{digits(3)}", f"{R.randint(1000, 9999)}-{digits(3)}"])
    return pick(
        [
            f"{R.randint(10000, 99999)}",
            f"{R.randint(10000, 99999)}-{digits(4)}",
            pick(["SW1A 1AA", "EC1A 1BB", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT"]),
        ]
    )


def neg_sortcode() -> str:
    return f"{R.randint(10, 99)}-{R.randint(0, 99):02d}-{R.randint(0, 99):02d}"


def neg_coord() -> str:
    la, lo = R.uniform(-40, 55), R.uniform(-100, 10)
    return pick(
        [
            f"{la:.4f}, {lo:.4f}",
            f"{la:.6f},{lo:.6f}",
            f"{abs(la):.4f}°{'N' if la > 0 else 'S'} {abs(lo):.4f}°{'W' if lo < 0 else 'E'}",
        ]
    )


def neg_clabe() -> str:
    p = pick(["002", "012", "014", "021", "072"]) + digits(3) + digits(11)
    w = [3, 7, 1] * 6
    c = (10 - sum(int(a) * b % 10 for a, b in zip(p, w, strict=False)) % 10) % 10
    return p + str(c)


def neg_protocol() -> str:
    return pick(
        [
            f"{R.randint(2023, 2026)}{digits(12)}",
            f"{digits(4, '123456789')}.{digits(4)}.{digits(4)}",
            f"{R.randint(2023, 2026)}-{digits(8)}",
        ]
    )


# --------------------------------------------------------------------------
# Placeholder table: name -> (generator, label or None)
# --------------------------------------------------------------------------

Gen = Callable[[], str]
P: dict[str, tuple[Gen, str | None]] = {
    "EMAIL_ES": (lambda: gen_email("es"), "EMAIL"),
    "EMAIL_PT": (lambda: gen_email("pt"), "EMAIL"),
    "EMAIL_EN": (lambda: gen_email("en"), "EMAIL"),
    "PHONE_ES": (phone_es, "PHONE"),
    "PHONE_MX": (phone_mx, "PHONE"),
    "PHONE_AR": (phone_ar, "PHONE"),
    "PHONE_CL": (phone_cl, "PHONE"),
    "PHONE_BR": (phone_br, "PHONE"),
    "PHONE_PT": (phone_pt, "PHONE"),
    "PHONE_US": (phone_us, "PHONE"),
    "PHONE_UK": (phone_uk, "PHONE"),
    "CARD": (gen_card, "CARD"),
    "IBAN_ES": (lambda: gen_iban("ES ES ES DE FR"), "IBAN"),
    "IBAN_PT": (lambda: gen_iban("PT PT BR BR ES"), "IBAN"),
    "IBAN_EN": (lambda: gen_iban("GB GB DE NL IE FR IT BE"), "IBAN"),
    "IPV4": (gen_ipv4, "IP"),
    "IPV6": (gen_ipv6, "IP"),
    "IP": (gen_ip, "IP"),
    "DNI": (gen_dni, "DNI"),
    "NIE": (gen_nie, "NIE"),
    "CURP": (gen_curp, "CURP"),
    "RFC": (gen_rfc, "RFC"),
    "CPF": (gen_cpf, "CPF"),
    "CNPJ": (gen_cnpj, "CNPJ"),
    "SSN": (gen_ssn, "SSN"),
    "CUIT": (gen_cuit, "CUIT"),
    "RUT": (gen_rut, "RUT"),
    # unlabelled
    "NAME_ES": (lambda: name("es"), None),
    "NAME_PT": (lambda: name("pt"), None),
    "NAME_EN": (lambda: name("en"), None),
    "X_DNI": (lambda: gen_dni(True), None),
    "X_NIE": (lambda: gen_nie(True), None),
    "X_CURP": (lambda: gen_curp(True), None),
    "X_RFC": (lambda: gen_rfc(True), None),
    "X_CPF": (lambda: gen_cpf(True), None),
    "X_CNPJ": (lambda: gen_cnpj(True), None),
    "X_SSN": (lambda: gen_ssn(True), None),
    "X_CUIT": (lambda: gen_cuit(True), None),
    "X_RUT": (lambda: gen_rut(True), None),
    "X_CARD": (neg_card, None),
    "X_IBAN_ES": (lambda: neg_iban("ES ES DE"), None),
    "X_IBAN_PT": (lambda: neg_iban("PT BR"), None),
    "X_IBAN_EN": (lambda: neg_iban("GB DE NL"), None),
    "X_IP": (neg_ip, None),
    "ORDER": (neg_order, None),
    "TRACK": (neg_tracking, None),
    "INVOICE": (neg_invoice, None),
    "DATE_ES": (lambda: neg_date("es"), None),
    "DATE_PT": (lambda: neg_date("pt"), None),
    "DATE_EN": (lambda: neg_date("en"), None),
    "TIME": (neg_time, None),
    "AMT_ES": (lambda: neg_amount("es"), None),
    "AMT_PT": (lambda: neg_amount("pt"), None),
    "AMT_EN": (lambda: neg_amount("en"), None),
    "ISBN": (neg_isbn, None),
    "EAN": (neg_ean, None),
    "SKU": (neg_sku, None),
    "VERSION": (neg_version, None),
    "UUID": (neg_uuid, None),
    "GIT": (neg_githash, None),
    "MAC": (neg_mac, None),
    "PC_ES": (lambda: neg_postcode("es"), None),
    "PC_PT": (lambda: neg_postcode("pt"), None),
    "PC_EN": (lambda: neg_postcode("en"), None),
    "SORT": (neg_sortcode, None),
    "COORD": (neg_coord, None),
    "CLABE": (neg_clabe, None),
    "PROTO": (neg_protocol, None),
    "N2": (lambda: str(R.randint(2, 99)), None),
    "N3": (lambda: str(R.randint(100, 999)), None),
}

# --------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------

POS_ES = [
    "Hola, buenas tardes. Os escribo porque no me llega la factura {INVOICE}. Mi DNI es {DNI} y mi móvil {PHONE_ES}. Gracias!",
    "[{DATE_ES} {TIME}] Cliente: necesito cambiar la cuenta de domiciliación a {IBAN_ES}\n[{DATE_ES} {TIME}] Agente: ¿me confirma su NIE?\n[{DATE_ES} {TIME}] Cliente: {NIE}",
    "nombre;dni;telefono;email\n{NAME_ES};{DNI};{PHONE_ES};{EMAIL_ES}\n{NAME_ES};{NIE};{PHONE_ES};{EMAIL_ES}\n{NAME_ES};{DNI};{PHONE_ES};{EMAIL_ES}",
    "Buenas!! te paso mis datos pa la reserva: {NAME_ES}, dni {DNI}, tlf {PHONE_ES}. Pago con la tarjeta {CARD}",
    "Estimado cliente:\nLe confirmamos el alta del contrato. Titular: {NAME_ES}\nNIF: {DNI}\nIBAN: {IBAN_ES}\nCorreo de contacto: {EMAIL_ES}\nPara cualquier duda llame al {PHONE_ES}.",
    "Nota CRM {DATE_ES}: llamó la clienta ({PHONE_ES}) por el pedido {ORDER}. Se verifica identidad con NIE {NIE}. Pide que le escribamos a {EMAIL_ES}.",
    '{"cliente": {"nombre": "{NAME_ES}", "curp": "{CURP}", "rfc": "{RFC}", "telefono": "{PHONE_MX}", "email": "{EMAIL_ES}"}, "monto": "{AMT_ES}"}',
    "Solicitud de crédito\nNombre: {NAME_ES}\nCURP: {CURP}\nRFC: {RFC}\nCel: {PHONE_MX}\nCorreo: {EMAIL_ES}",
    "Qué onda, ya te mandé la factura. Mi RFC es {RFC} y el de la empresa {RFC}. Cualquier cosa márcame al {PHONE_MX}",
    "Para el trámite del IMSS me piden la CURP: {CURP}. Se la mando por aquí porque el portal no carga desde las {TIME}",
    "Hola, soy {NAME_ES}, mi CUIT es {CUIT}. Necesito la factura A a nombre de la empresa, CUIT {CUIT}. Mi cel {PHONE_AR}",
    "Datos para transferencia:\nTitular: {NAME_ES}\nCUIT/CUIL:\n{CUIT}\nMail: {EMAIL_ES}\nTeléfono: {PHONE_AR}",
    "Buenas, le escribo de Santiago. Mi RUT es {RUT} y el de mi esposa {RUT}. Celular {PHONE_CL}, correo {EMAIL_ES}",
    "Boleta {INVOICE} emitida a RUT {RUT}, despacho a {NAME_ES}, fono {PHONE_CL}.",
    "rut,nombre,correo,fono\n{RUT},{NAME_ES},{EMAIL_ES},{PHONE_CL}\n{RUT},{NAME_ES},{EMAIL_ES},{PHONE_CL}",
    "{DATE_ES} {TIME} WARN auth: intento fallido para {EMAIL_ES} desde {IPV4} (usuario con DNI {DNI})",
    "Log acceso VPN: usuario={EMAIL_ES} ip_origen={IPV4} ip_asignada={IPV4} fw={VERSION}",
    "El servidor nuevo tiene la IP {IP} y el antiguo {IPV6}. Avisad a {EMAIL_ES} si algo falla.",
    "Te confirmo el pago de {AMT_ES} con la tarjeta terminada en... bueno, es la {CARD}. Caduca 08/27.",
    "Hola {NAME_ES}!\nMe podés pasar tu CUIL? El mío es {CUIT}, y mandame todo a {EMAIL_ES} porfa",
    "FORMULARIO DE INSCRIPCIÓN\nApellidos y nombre: {NAME_ES}\nD.N.I.: {DNI}\nTeléfono fijo: {PHONE_ES}\nE-mail: {EMAIL_ES}\nCódigo postal: {PC_ES}",
    "Fwd: Alta proveedor\n\nRazón social: Servicios Integrales del Norte SA de CV\nRFC: {RFC}\nCLABE: {CLABE}\nContacto: {NAME_ES} <{EMAIL_ES}>, tel. {PHONE_MX}",
    "Ticket #{N3}: el usuario con NIE {NIE} no puede entrar. IP {IPV4}. Su tarjeta {CARD} fue rechazada ({X_CARD} era la antigua, mal copiada).",
    "cuenta: {IBAN_ES}\ntitular: {NAME_ES}\nconcepto: alquiler {DATE_ES}\nimporte: {AMT_ES}",
    "Mi número es el {PHONE_ES}, si no contesto escríbeme al whatsapp {PHONE_ES}. Mi correo {EMAIL_ES}",
    "EXPEDIENTE {INVOICE}\nInteresado: {NAME_ES}\nDocumento: {DNI}\nDomicilio: C/ Mayor {N2}, CP {PC_ES}\nCuenta: {IBAN_ES}",
    "buenas, tengo el dni {DNI} y el nie de mi pareja es {NIE}, los dos estamos en el contrato del piso",
    "Hola! Para el envío a Brasil necesito el CPF del destinatario: {CPF}. Tel {PHONE_BR}.",
    "RFC del emisor: {RFC} | RFC del receptor: {RFC} | Folio: {UUID} | Total: {AMT_ES}",
    "CURP {CURP}\nNSS: {N2}{N3}\nTeléfono: {PHONE_MX}",
    "Datos bancarios actualizados {IBAN_ES} (antes {X_IBAN_ES}, que estaba mal). Titular con DNI {DNI}.",
    "El paciente {NAME_ES}, RUT {RUT}, ingresó el {DATE_ES}. Contacto familiar: {PHONE_CL}. RUT apoderado: {RUT}",
    "Cliente pregunta por su devolución. CUIT {CUIT}, factura {INVOICE}, ip {IP}. Responder a {EMAIL_ES}.",
    "nie:{NIE} tel:{PHONE_ES} mail:{EMAIL_ES}",
    "Adjunto la copia escaneada:\nREINO DE ESPAÑA  DOCUMENTO NACIONAL DE IDENTIDAD\nNUM. SOPORTE BAA{N3}{N3}\nDNI {DNI}\nAPELLIDOS {NAME_ES}",
    "Dirección MAC {MAC}, IP fija {IPV4}, IPv6 {IPV6}. Responsable: {EMAIL_ES}",
    "Pagos pendientes:\n{NAME_ES}\t{CUIT}\t{AMT_ES}\n{NAME_ES}\t{CUIT}\t{AMT_ES}\n{NAME_ES}\t{CUIT}\t{AMT_ES}",
    "registro\tcurp\trfc\n{N3}\t{CURP}\t{RFC}\n{N3}\t{CURP}\t{RFC}",
    "Te paso el RUT de la empresa {RUT} y el mío {RUT}. La cuenta es la del banco, no el IBAN que te mandé ({IBAN_ES}).",
    "Hola, quiero darme de baja. Mi SSN americano es {SSN} pero aquí tengo NIE {NIE}. Teléfono {PHONE_ES}.",
    "Para el empadronamiento traigo pasaporte y el NIE:\n{NIE}\nMi teléfono es {PHONE_ES}",
    "TIE nº {NIE} caducada el {DATE_ES}, renovar cita. Contacto: {EMAIL_ES} / {PHONE_ES}",
    "Oye, ¿me confirmas tu CURP? La mía es {CURP} y la de mi hija\n{CURP}",
    "alumno,curp,tutor,telefono\n{NAME_ES},{CURP},{NAME_ES},{PHONE_MX}\n{NAME_ES},{CURP},{NAME_ES},{PHONE_MX}",
    "ESTADOS UNIDOS MEXICANOS  CONSTANCIA DE LA CLAVE UNICA DE REGISTRO DE POBLACION\nClave: {CURP}\nNombre: {NAME_ES}\nFecha de registro {DATE_ES}",
]

NEG_ES = [
    "Hola, el pedido {ORDER} del {DATE_ES} todavía no ha llegado. El número de seguimiento es {TRACK}.",
    "Factura {INVOICE} por un importe de {AMT_ES}, vencimiento {DATE_ES}. Referencia del producto: {SKU}.",
    "He intentado poner el DNI {X_DNI} pero la web me dice que la letra no es correcta. ¿Qué hago?",
    "El NIE que aparece en el contrato ({X_NIE}) está mal, falta corregir la letra.",
    "Libro: Cien años de soledad, {ISBN}. Precio {AMT_ES}. Código de barras {EAN}.",
    "Actualizado el router a la versión {VERSION}. MAC {MAC}. Reinicio programado a las {TIME}.",
    "commit {GIT}: arregla el cálculo del IVA en {INVOICE}",
    "La tarjeta {X_CARD} da error de número inválido, seguramente la copié mal.",
    "Ubicación de la entrega: {COORD}. Código postal {PC_ES}. Horario {TIME}-{TIME}.",
    "La CURP {X_CURP} no pasa la validación del RENAPO, revisar dígito verificador.",
    "El RFC {X_RFC} marca error en el SAT, parece que la homoclave está mal capturada.",
    "CUIT {X_CUIT} inválido según AFIP. Pedir al cliente que lo vuelva a enviar.",
    "El RUT {X_RUT} no corresponde, el dígito verificador no cuadra.",
    "Transferencia rechazada: IBAN {X_IBAN_ES} no válido (dígitos de control).",
    "id={UUID} pedido={ORDER} importe={AMT_ES} fecha={DATE_ES}",
    "{DATE_ES} {TIME} INFO deploy {VERSION} ok, commit {GIT}, duración {N2}s",
    "CLABE interbancaria {CLABE}, referencia {ORDER}, monto {AMT_ES}",
    "sku;descripcion;ean;precio\n{SKU};Camiseta algodón;{EAN};{AMT_ES}\n{SKU};Pantalón vaquero;{EAN};{AMT_ES}",
    "Tu paquete {TRACK} está en reparto. Llegará el {DATE_ES} entre las {TIME} y las {TIME}.",
    "Reunión el {DATE_ES} a las {TIME} en la sala {N3}. Presupuesto aprobado: {AMT_ES}.",
    "La IP que pusiste ({X_IP}) no existe, revisa el último octeto.",
    "Expediente {PROTO}, lote {SKU}, caducidad {DATE_ES}.",
    "Recibo {INVOICE}: {N2} unidades de {SKU} a {AMT_ES} c/u. Envío {TRACK}.",
    "Necesito el número de la seguridad social de EEUU pero el que me pasaron ({X_SSN}) no es válido.",
    "El CPF {X_CPF} que me diste está mal según Receita, y el CNPJ {X_CNPJ} tampoco.",
]

POS_PT = [
    "Oi, tudo bem? Meu CPF é {CPF} e o celular {PHONE_BR}. Pode me mandar o boleto no {EMAIL_PT}?",
    "Bom dia! Segue os dados da empresa pra nota fiscal:\nRazão social: Comércio de Alimentos Boa Vista Ltda\nCNPJ: {CNPJ}\nE-mail: {EMAIL_PT}\nTel: {PHONE_BR}",
    "nome;cpf;telefone;email\n{NAME_PT};{CPF};{PHONE_BR};{EMAIL_PT}\n{NAME_PT};{CPF};{PHONE_BR};{EMAIL_PT}",
    "[{DATE_PT} {TIME}] {NAME_PT}: manda o pix pro meu cpf {CPF}\n[{DATE_PT} {TIME}] {NAME_PT}: blz, e o cnpj da loja? {CNPJ}",
    "Cadastro atualizado. Cliente {NAME_PT}, CPF {CPF}, cartão {CARD}, IP do acesso {IPV4}.",
    '{"customer": {"nome": "{NAME_PT}", "cpf": "{CPF}", "telefone": "{PHONE_BR}", "email": "{EMAIL_PT}"}, "pedido": "{ORDER}"}',
    "Olá! Para a transferência usem o IBAN {IBAN_PT}. O meu contacto é {PHONE_PT} ou {EMAIL_PT}.",
    "Exmos. Senhores,\nvenho por este meio solicitar a alteração do IBAN para {IBAN_PT}.\nCom os melhores cumprimentos,\n{NAME_PT}\nTelem.: {PHONE_PT}",
    "Fornecedor: {NAME_PT} ME\nCNPJ {CNPJ}\nChave pix: {EMAIL_PT}\nFone: {PHONE_BR}",
    "Nota interna {DATE_PT}: cliente ligou do {PHONE_BR} reclamando do pedido {ORDER}. CPF confere: {CPF}.",
    "O pagamento de {AMT_PT} foi feito com o cartão {CARD}. Comprovante enviado para {EMAIL_PT}.",
    "{DATE_PT} {TIME} ERROR login falhou user={EMAIL_PT} ip={IP} tentativas={N2}",
    "Acesso ao servidor: {IPV4} (interno) e {IPV6}. Dúvidas falar com {EMAIL_PT}",
    "FICHA DE MATRÍCULA\nAluno: {NAME_PT}\nCPF: {CPF}\nResponsável: {NAME_PT}\nCPF do responsável: {CPF}\nCEP: {PC_PT}\nCelular: {PHONE_BR}",
    "manda no zap {PHONE_BR} q eu te passo o cpf certinho, acho q é {CPF}",
    "Segue CNPJ das filiais:\n{CNPJ}\n{CNPJ}\n{CNPJ}",
    "cnpj\trazao_social\tcontato\n{CNPJ}\tPadaria Pão Quente\t{EMAIL_PT}\n{CNPJ}\tAuto Peças Silva\t{PHONE_BR}",
    "Reserva confirmada para {NAME_PT}. Contacto {PHONE_PT}. Pagamento por cartão {CARD}. Check-in {DATE_PT}.",
    "Boa tarde, sou cliente há anos, NIF não tenho aqui mas o meu IBAN é {IBAN_PT} e o telemóvel {PHONE_PT}.",
    "Transferência internacional para {IBAN_PT}, beneficiário {NAME_PT}, CPF {CPF}, valor {AMT_PT}.",
    "Dados do titular: {NAME_PT} | CPF {CPF} | cartão final {CARD} | e-mail {EMAIL_PT}",
    "Log firewall: bloqueado {IPV4} -> {IPV4}:443, regra {N3}, versão {VERSION}",
    "Oi! Meu e-mail novo é {EMAIL_PT}, o antigo era {EMAIL_PT}. Celular continua {PHONE_BR}",
    "Olá {NAME_PT}, o seu contrato {INVOICE} foi ativado. IBAN registado: {IBAN_PT}. Linha de apoio: {PHONE_PT}",
    "Cliente estrangeiro: passaporte brasileiro, CPF {CPF}, mas mora em Madrid, DNI espanhol não tem, NIE {NIE}. Tel {PHONE_ES}",
    "Empresa argentina parceira: CUIT {CUIT}. Contato {EMAIL_PT}.",
    "RECIBO\nRecebi de {NAME_PT}, CPF {CPF}, a quantia de {AMT_PT} referente ao aluguel de {DATE_PT}.\nAssinatura ________",
    "pix cnpj {CNPJ} valor {AMT_PT} (o cnpj {X_CNPJ} que mandei antes tava errado)",
    "Prezados,\n\nsegue o cartão corporativo para as despesas de viagem:\n{CARD}\nvalidade 11/28\n\nAtt,\n{NAME_PT}\n{PHONE_BR}",
    "Sr(a). {NAME_PT}\nCPF: {CPF}\nEndereço: Rua das Flores, {N3} - CEP {PC_PT}\nTel.: {PHONE_BR}\nE-mail: {EMAIL_PT}",
    "Chegou um pedido do Chile, RUT {RUT}, fone {PHONE_CL}. E outro do México, RFC {RFC}.",
    "o ip da câmera é {IPV4} e do NVR {IPV4}, MAC {MAC}",
    "DOCUMENTO DIGITALIZADO\nCPF/MF nº {CPF}\nCNPJ/MF nº {CNPJ}\nData: {DATE_PT}",
]

NEG_PT = [
    "Oi, meu pedido {ORDER} ainda não chegou. Código de rastreio {TRACK}. Comprei dia {DATE_PT}.",
    "Nota fiscal {INVOICE} no valor de {AMT_PT}, vencimento {DATE_PT}.",
    "O CPF {X_CPF} está dando inválido no site, acho que digitei errado.",
    "CNPJ {X_CNPJ} não encontrado na Receita, confere os dígitos?",
    "Livro: Dom Casmurro, {ISBN}, preço {AMT_PT}. EAN {EAN}.",
    "Atualização de firmware {VERSION} aplicada. MAC {MAC}. Reinício às {TIME}.",
    "Protocolo de atendimento {PROTO}, aberto em {DATE_PT} às {TIME}.",
    "O cartão {X_CARD} foi recusado: número inválido.",
    "Transferência devolvida: IBAN {X_IBAN_PT} inválido.",
    "Localização: {COORD}, CEP {PC_PT}.",
    "id={UUID} pedido={ORDER} valor={AMT_PT} data={DATE_PT}",
    "{DATE_PT} {TIME} INFO build {VERSION} commit {GIT} ok",
    "sku;descricao;ean;preco\n{SKU};Camiseta;{EAN};{AMT_PT}\n{SKU};Tênis;{EAN};{AMT_PT}",
    "Sua encomenda {TRACK} saiu para entrega. Previsão {DATE_PT}.",
    "Reunião dia {DATE_PT} às {TIME}, sala {N3}. Orçamento: {AMT_PT}.",
    "O IP {X_IP} não é válido, confere o terceiro octeto.",
    "Boleto {PROTO} referente ao pedido {ORDER}, valor {AMT_PT}.",
    "O RUT {X_RUT} e o CUIT {X_CUIT} do cliente não batem, dígito verificador errado.",
    "Lote {SKU}, validade {DATE_PT}, {N2} caixas.",
    "Pedido {ORDER}: {N2}x {SKU} a {AMT_PT}. Rastreio {TRACK}.",
]

POS_EN = [
    "Hi, I can't log in to my account. My email is {EMAIL_EN} and you can call me at {PHONE_US}.",
    "Customer called from {PHONE_US} re: order {ORDER}. Verified SSN {SSN}. Asked for callback at {PHONE_US}.",
    "name,ssn,phone,email\n{NAME_EN},{SSN},{PHONE_US},{EMAIL_EN}\n{NAME_EN},{SSN},{PHONE_US},{EMAIL_EN}",
    "Please charge the deposit to my card {CARD} (exp 09/27). Thanks, {NAME_EN}",
    "EMPLOYMENT APPLICATION\nFull name: {NAME_EN}\nSocial Security No.: {SSN}\nPhone: {PHONE_US}\nEmail: {EMAIL_EN}\nZIP: {PC_EN}",
    '{"user": {"email": "{EMAIL_EN}", "phone": "{PHONE_US}", "last_ip": "{IP}"}, "order": "{ORDER}", "total": "{AMT_EN}"}',
    "{DATE_EN} {TIME} WARN sshd: failed password for {EMAIL_EN} from {IPV4} port {N2}{N2}",
    "Payment details for the invoice {INVOICE}:\nIBAN: {IBAN_EN}\nReference: {ORDER}\nQuestions? {EMAIL_EN}",
    "Hey! new number is {PHONE_UK}, old one {PHONE_UK} is dead. also my email changed to {EMAIL_EN}",
    "Dear team,\n\nplease update my bank details to\n{IBAN_EN}\n\nKind regards,\n{NAME_EN}\n{PHONE_UK}",
    "Server inventory: web01 {IPV4}, web02 {IPV4}, db01 {IPV6}. Owner {EMAIL_EN}.",
    "KYC note: client is Brazilian, CPF {CPF}, company CNPJ {CNPJ}. Contact {EMAIL_EN}.",
    "KYC note: Mexican national, CURP {CURP}, RFC {RFC}, mobile {PHONE_MX}.",
    "Onboarding (Chile): RUT {RUT}; Argentina office: CUIT {CUIT}. Send docs to {EMAIL_EN}.",
    "Spanish contractor: DNI {DNI}, bank account {IBAN_ES}, phone {PHONE_ES}.",
    "New hire from Spain, NIE {NIE}, personal email {EMAIL_EN}",
    "Card on file: {CARD}\nBilling phone: {PHONE_US}\nSSN (for credit check): {SSN}",
    "ssn\tname\tdob\n{SSN}\t{NAME_EN}\t{DATE_EN}\n{SSN}\t{NAME_EN}\t{DATE_EN}",
    "Can you whitelist {IPV4} and {IPV6}? They belong to {EMAIL_EN}'s team. Firmware on the box is {VERSION}.",
    "ticket {N3}: user {EMAIL_EN} reports card {CARD} declined at {TIME}, tried twice from IP {IP}",
    "Tenant: {NAME_EN}\nSSN: {SSN}\nCell: {PHONE_US}\nPrevious landlord: {NAME_EN} {PHONE_US}",
    "hi, its {NAME_EN}, pls text me at {PHONE_US} when the package {TRACK} arrives",
    "Your refund of {AMT_EN} will go back to the card ending {CARD}. If you have questions reply to {EMAIL_EN}.",
    "Access log: {IPV6} - - [{DATE_EN}] GET /account?email={EMAIL_EN} 200",
    "Wire to our German supplier: {IBAN_EN}, ref {INVOICE}, amount {AMT_EN}. Our sort code {SORT} is for the GBP account only.",
    "SCANNED FORM W-9 (OCR)\nName: {NAME_EN}\nSocial security number\n{SSN}\nAddress ... {PC_EN}",
    "Please contact {NAME_EN} ({EMAIL_EN}, {PHONE_UK}) about the IBAN {IBAN_EN}.",
    "forwarded msg: 'my social is {SSN} and card is {CARD}' — please delete this from the chat!",
    "Brazil shipment: recipient CPF {CPF}, phone {PHONE_BR}, email {EMAIL_PT}",
    "Lisbon / São Paulo offices: phone {PHONE_PT}, IBAN {IBAN_PT}",
    "Spanish residence card (TIE) number {NIE}, please add it to my profile. Phone {PHONE_ES}",
    "Mexico payroll import: {NAME_EN} | CURP {CURP} | RFC {RFC} | {AMT_EN}",
    "OCR scan p.2 -- Soc. Sec. # {SSN}   Tel {PHONE_US}   e-mail {EMAIL_EN}   Date {DATE_EN}",
]

NEG_EN = [
    "Hi, my order {ORDER} from {DATE_EN} hasn't arrived yet. Tracking number {TRACK}.",
    "Invoice {INVOICE} for {AMT_EN}, due {DATE_EN}. Product ref {SKU}.",
    "The card number {X_CARD} keeps failing validation, I think I mistyped it.",
    "That SSN ({X_SSN}) can't be right, no SSN starts like that.",
    "Book: The Road, {ISBN}, {AMT_EN}. Barcode {EAN}.",
    "Upgraded router firmware to {VERSION}. MAC {MAC}. Reboot at {TIME}.",
    "commit {GIT}: fix rounding in invoice {INVOICE}",
    "Delivery location {COORD}, postcode {PC_EN}, window {TIME}-{TIME}.",
    "Bank rejected IBAN {X_IBAN_EN}: invalid check digits.",
    "Sort code {SORT} (no account number yet). Branch opening hours {TIME}-{TIME}.",
    "request_id={UUID} order={ORDER} amount={AMT_EN} date={DATE_EN}",
    "{DATE_EN} {TIME} INFO deployed {VERSION} commit {GIT} in {N2}s",
    "sku,description,ean,price\n{SKU},T-shirt,{EAN},{AMT_EN}\n{SKU},Hoodie,{EAN},{AMT_EN}",
    "Your package {TRACK} is out for delivery, expected {DATE_EN} between {TIME} and {TIME}.",
    "Meeting on {DATE_EN} at {TIME} in room {N3}. Budget approved: {AMT_EN}.",
    "The address {X_IP} isn't a valid IP, check the config.",
    "Case {PROTO} opened {DATE_EN}. Related order {ORDER}.",
    "The CPF {X_CPF} and CNPJ {X_CNPJ} the client sent fail validation.",
    "Mexican ID {X_CURP} and tax ID {X_RFC} were rejected: bad check character.",
    "Chile RUT {X_RUT} / Argentina CUIT {X_CUIT} both have the wrong verifier digit.",
    "Spanish DNI {X_DNI} and NIE {X_NIE} failed the letter check.",
    "Build {VERSION} of the app crashes on iOS. Device UUID {UUID}.",
    "Lot {SKU}, expiry {DATE_EN}, qty {N2}, GTIN {EAN}",
    "Order {ORDER}: {N2}x {SKU} @ {AMT_EN}. Ship via {TRACK}.",
]

TEMPLATES = {
    "es": (POS_ES, NEG_ES),
    "pt": (POS_PT, NEG_PT),
    "en": (POS_EN, NEG_EN),
}

# --------------------------------------------------------------------------
# Audit: every string that passes a checksum must be exactly a labelled entity
# --------------------------------------------------------------------------

B = r"(?<![A-Za-z0-9])"
E = r"(?![A-Za-z0-9])"
AUDIT: list[tuple[str, re.Pattern[str], Callable[[str], bool]]] = [
    (
        "CARD",
        re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)"),
        lambda s: luhn_ok(re.sub(r"\D", "", s)),
    ),
    (
        "CPF",
        re.compile(r"(?<![\d.])\d{3}[. ]?\d{3}[. ]?\d{3}[-. ]?\d{2}(?![\d])"),
        lambda s: cpf_ok(re.sub(r"\D", "", s)),
    ),
    (
        "CNPJ",
        re.compile(r"(?<![\d.])\d{2}[. ]?\d{3}[. ]?\d{3}[/ ]?\d{4}[- ]?\d{2}(?!\d)"),
        lambda s: cnpj_ok(re.sub(r"\D", "", s)),
    ),
    (
        "CUIT",
        re.compile(r"(?<![\d.])\d{2}[-. ]?\d{2}\.?\d{3}\.?\d{3}[-. ]?\d(?![\d])"),
        lambda s: cuit_ok(re.sub(r"\D", "", s)),
    ),
    (
        "SSN",
        re.compile(r"(?<![\d-])\d{3}[- ]\d{2}[- ]\d{4}(?![\d-])"),
        lambda s: ssn_ok(re.sub(r"\D", "", s)),
    ),
    (
        "RUT",
        re.compile(r"(?<![\d.])\d{1,2}\.?\d{3}\.?\d{3} ?- ?[\dkK]" + E),
        lambda s: rut_dv(re.sub(r"\D", "", s[:-1])) == s[-1].upper(),
    ),
    (
        "DNI",
        re.compile(B + r"\d{1,2}\.?\d{3}\.?\d{3}[- ]?[A-Za-z]" + E),
        lambda s: dni_letter(int(re.sub(r"\D", "", s))) == s[-1].upper(),
    ),
    (
        "NIE",
        re.compile(B + r"[XYZxyz][- ]?\d{7}[- ]?[A-Za-z]" + E),
        lambda s: nie_letter(s[0], re.sub(r"\D", "", s)) == s[-1].upper(),
    ),
    (
        "CURP",
        re.compile(B + r"[A-Za-z]{4}\d{6}[HMhm][A-Za-z]{5}[A-Za-z0-9]\d" + E),
        lambda s: curp_digit(s[:17].upper()) == s[17],
    ),
    (
        "RFC",
        re.compile(B + r"[A-Za-z&]{3,4}[- ]?\d{6}[- ]?[A-Za-z0-9]{3}" + E),
        lambda s: (lambda c: rfc_digit(c[:-1]) == c[-1])(re.sub(r"[- ]", "", s).upper()),
    ),
    (
        "IP",
        re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.]?\d)"),
        lambda s: all(int(x) <= 255 for x in s.split(".")),
    ),
    (
        "IP",
        re.compile(r"(?<![0-9A-Fa-f:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![0-9A-Fa-f:])"),
        lambda s: _is_v6(s),
    ),
]


def _is_v6(s: str) -> bool:
    try:
        ipaddress.IPv6Address(s)
    except ValueError:
        return False
    return True


IBAN_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{2})(\d{2})((?:[ -]?[A-Za-z0-9]){8,34})")


def _iban_candidates(text: str) -> list[tuple[str, int, int]]:
    found: list[tuple[str, int, int]] = []
    for m in IBAN_RE.finditer(text):
        cc = m.group(1).upper()
        if cc not in IBAN_LEN:
            continue
        rest = m.group(3)
        need = IBAN_LEN[cc] - 4
        n, end = 0, m.start(3)
        for i, ch in enumerate(rest):
            if ch.isalnum():
                n += 1
                if n == need:
                    end = m.start(3) + i + 1
                    break
        if n == need and iban_ok(text[m.start() : end]):
            found.append(("IBAN", m.start(), end))
    return found


def audit(text: str, ents: list[dict]) -> bool:
    """True when the text is clean (see module docstring)."""
    found: list[tuple[str, int, int]] = []
    for label, rx, ok in AUDIT:
        for m in rx.finditer(text):
            try:
                if ok(m.group(0)):
                    found.append((label, m.start(), m.end()))
            except (ValueError, IndexError):
                pass
    found += _iban_candidates(text)
    for label, s, e in found:
        over = [x for x in ents if x["start"] < e and s < x["end"]]
        if not over:
            return False
        for x in over:
            if x["label"] == label:
                continue
            # a bare 9/11/13-digit phone may look like another number only if
            # that other kind needs separators we did not use: reject anyway
            return False
    return True


def entity_ok(label: str, s: str) -> bool:
    d = re.sub(r"\D", "", s)
    return {
        "CARD": lambda: luhn_ok(d) and 13 <= len(d) <= 19,
        "IBAN": lambda: iban_ok(s),
        "DNI": lambda: dni_letter(int(d)) == s[-1].upper() and len(d) == 8,
        "NIE": lambda: nie_letter(s[0], d) == s[-1].upper(),
        "CURP": lambda: curp_digit(s[:17].upper()) == s[17].upper(),
        "RFC": lambda: (lambda c: rfc_digit(c[:-1]) == c[-1])(re.sub(r"[- ]", "", s).upper()),
        "CPF": lambda: cpf_ok(d),
        "CNPJ": lambda: cnpj_ok(d),
        "SSN": lambda: ssn_ok(d),
        "CUIT": lambda: cuit_ok(d),
        "RUT": lambda: rut_dv(re.sub(r"\D", "", s[:-1])) == s[-1].upper(),
        "IP": lambda: bool(ipaddress.ip_address(s)),
        "EMAIL": lambda: re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", s, re.I) is not None,
        "PHONE": lambda: 8 <= len(d) <= 15,
    }[label]()


PH = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


def render(template: str) -> tuple[str, list[dict]]:
    out, ents, pos = [], [], 0
    cur = 0
    for m in PH.finditer(template):
        lit = template[cur : m.start()]
        out.append(lit)
        pos += len(lit)
        gen, label = P[m.group(1)]
        s = gen()
        if label:
            ents.append({"label": label, "start": pos, "end": pos + len(s)})
        out.append(s)
        pos += len(s)
        cur = m.end()
    out.append(template[cur:])
    return "".join(out), ents


def make(template: str, positive: bool) -> tuple[str, list[dict]]:
    for _ in range(200):
        text, ents = render(template)
        if positive != bool(ents):
            raise AssertionError(f"template polarity: {template!r}")
        if audit(text, ents):
            for x in ents:
                span = text[x["start"] : x["end"]]
                assert span == span.strip() and span, (template, span)
                assert entity_ok(x["label"], span), (x["label"], span)
            return text, ents
    raise AssertionError(f"could not draw a clean text for {template!r}")


def balanced(templates: list[str], n: int) -> list[str]:
    """Each template used equally often (rounds of shuffled templates)."""
    order: list[str] = []
    while len(order) < n:
        batch = list(templates)
        R.shuffle(batch)
        order += batch
    return order[:n]


def main() -> None:
    _self_test()
    rows = []
    for lang in ("en", "es", "pt"):
        pos_t, neg_t = TEMPLATES[lang]
        # every template used about equally often
        order = balanced(pos_t, N_POS[lang])
        for t in order:
            text, ents = make(t, True)
            rows.append({"text": text, "lang": lang, "entities": ents})
        order = balanced(neg_t, N_NEG[lang])
        for t in order:
            text, ents = make(t, False)
            rows.append({"text": text, "lang": lang, "entities": ents})
    R.shuffle(rows)
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts), "duplicate texts"
    per_label = Counter(x["label"] for r in rows for x in r["entities"])
    for lab in LABELS:
        assert per_label[lab] >= MIN_PER_LABEL, (lab, per_label[lab])
    neg = sum(1 for r in rows if not r["entities"])
    assert neg >= 200 and len(rows) >= 700
    for r in rows:
        for x in r["entities"]:
            assert r["text"][x["start"] : x["end"]], r
    with OUT.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(
        f"{len(rows)} texts, {neg} PII-free, entities per label: {dict(sorted(per_label.items()))}"
    )
    print("per language:", dict(Counter(r["lang"] for r in rows)))


if __name__ == "__main__":
    main()
