# ruff: noqa: E501
"""Builds the HELD-OUT PII evaluation set, ``pii_heldout.jsonl``, beside this file
(``.venv/bin/python tests/data/guards/make_pii_heldout.py``).

How and by whom it was made: written blind, by someone who did NOT see the PII detector
(``src/pasarela/guards/pii.py``), its unit tests, the first evaluation set (``pii_eval.jsonl``)
or its generator (``make_pii_eval.py``). The templates below were written from how people
actually type identifiers in support chats, web forms, e-mails, CRM notes and logs, in English,
Spanish and Portuguese; every check digit is computed by this file's own code, written from the
public specifications (Luhn; ISO 13616 mod-97 plus the Spanish CCC, Portuguese NIB, French RIB
and Dutch 11-test national checks; the Spanish DNI/NIE letter; the RENAPO CURP and SAT RFC
check characters; the Receita Federal CPF/CNPJ digits; the SSA issuing rules; the AFIP CUIT
and Chilean RUT modulus-11 digits). The detector was not run on any text while the set was
being written; it was frozen first and measured once.

Hard negatives are not labelled: the same identifiers with a wrong check digit (or, for the
SSN, an area, group or serial the SSA never issues), and numbers that look like PII but are
not (orders, tracking numbers, invoices, dates, amounts, ISBNs, product codes, versions,
UUIDs, git hashes, postcodes). Every unlabelled number is re-drawn until it passes none of the
checksums above by accident, so a finding on one is a real false positive.

Each line::

    {"text": "...", "lang": "es", "entities": [{"label": "DNI", "start": 10, "end": 19}]}

THIS SET MUST NEVER BE USED TO TUNE THE DETECTOR. It exists to report honest figures on text the
detector never saw; once the detector is changed because of a text here, the set is no longer
held out and a new one must be written by someone else. Rebuilding with the same ``SEED`` gives
the same file.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
SEED = 20261128
OUT = HERE / "pii_heldout.jsonl"
LABELS = (
    "EMAIL", "PHONE", "CARD", "IBAN", "IP", "DNI", "NIE", "CURP", "RFC",
    "CPF", "CNPJ", "SSN", "CUIT", "RUT",
)  # fmt: skip

rng = random.Random(SEED)
D = string.digits


def digits(n: int, first: str = D) -> str:
    return rng.choice(first) + "".join(rng.choice(D) for _ in range(n - 1))


# ---------------------------------------------------------------- check digits (own code)


def luhn_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # these get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_digit(number[:-1]) == number[-1]


def iban_value(s: str) -> int:
    return int("".join(str(int(c, 36)) for c in s))


def iban_check(cc: str, bban: str) -> str:
    return f"{98 - iban_value(bban + cc + '00') % 97:02d}"


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    return (
        len(s) > 4 and s[:2].isalpha() and s[2:4].isdigit() and iban_value(s[4:] + s[:4]) % 97 == 1
    )


def ccc_dc(ten: str) -> str:
    w = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)
    r = 11 - sum(int(c) * k for c, k in zip(ten, w, strict=True)) % 11
    return "0" if r == 11 else "1" if r == 10 else str(r)


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_letter(number: str) -> str:
    return DNI_LETTERS[int(number) % 23]


CURP_CHARS = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def curp_digit(s17: str) -> str:
    total = sum(CURP_CHARS.index(c) * (18 - i) for i, c in enumerate(s17))
    return str((10 - total % 10) % 10)


RFC_CHARS = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"


def rfc_digit(body: str) -> str:
    """``body``: the RFC without its check character (12 for a person, 11 for a company)."""
    s = body.rjust(12)
    total = sum(RFC_CHARS.index(c) * (13 - i) for i, c in enumerate(s))
    r = total % 11
    if r == 0:
        return "0"
    return "A" if 11 - r == 10 else str(11 - r)


def mod11_br(payload: str, weights: list[int]) -> str:
    r = sum(int(c) * w for c, w in zip(payload, weights, strict=True)) % 11
    return "0" if r < 2 else str(11 - r)


def cpf_digits(nine: str) -> str:
    d1 = mod11_br(nine, list(range(10, 1, -1)))
    return d1 + mod11_br(nine + d1, list(range(11, 1, -1)))


def cnpj_digits(twelve: str) -> str:
    w1 = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    d1 = mod11_br(twelve, w1)
    return d1 + mod11_br(twelve + d1, [6, *w1])


def cuit_digit(ten: str) -> str | None:
    r = 11 - sum(int(c) * w for c, w in zip(ten, (5, 4, 3, 2, 7, 6, 5, 4, 3, 2), strict=True)) % 11
    return "0" if r == 11 else None if r == 10 else str(r)


def rut_dv(body: str) -> str:
    total, k = 0, 2
    for c in reversed(body):
        total += int(c) * k
        k = 2 if k == 7 else k + 1
    r = 11 - total % 11
    return "0" if r == 11 else "K" if r == 10 else str(r)


def ssn_ok(area: str, group: str, serial: str) -> bool:
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


ACCIDENT = (
    (r"(?<![\d\w])(?:\d[ -]?){12,18}\d(?!\d)", lambda d, m: luhn_ok(d)),
    (r"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){10,30}\b", lambda d, m: iban_ok(m)),
    (r"(?<!\d)\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?!\d)", lambda d, m: d[9:] == cpf_digits(d[:9])),
    (
        r"(?<!\d)\d{2}\.?\d{3}\.?\d{3}/?\d{4}-?\d{2}(?!\d)",
        lambda d, m: d[12:] == cnpj_digits(d[:12]),
    ),
    (r"(?<!\d)\d{2}[- ]?\d{8}[- ]?\d(?!\d)", lambda d, m: cuit_digit(d[:10]) == d[10]),
    (r"(?<!\d)\d{3}[- ]?\d{2}[- ]?\d{4}(?!\d)", lambda d, m: ssn_ok(d[:3], d[3:5], d[5:])),
    (
        r"(?<![\d.])\d{1,2}\.?\d{3}\.?\d{3}-?[\dkK](?!\d)",
        lambda d, m: rut_dv(re.sub(r"\D", "", m[:-1])) == m[-1].upper(),
    ),
    (
        r"(?<!\d)\d{2}\.?\d{3}\.?\d{3}[- ]?[A-Za-z](?![A-Za-z])",
        lambda d, m: dni_letter(d) == m[-1].upper(),
    ),
    (
        r"\b[XYZxyz]-?\d{7}-?[A-Za-z]\b",
        lambda d, m: dni_letter(str("XYZ".index(m[0].upper())) + d) == m[-1].upper(),
    ),
)


def accidentally_valid(s: str) -> bool:
    """True when an unlabelled string passes, in a form a detector could read, any checksum
    this set labels."""
    for pattern, ok in ACCIDENT:
        for m in re.finditer(pattern, s):
            if ok(re.sub(r"\D", "", m.group(0)), m.group(0)):
                return True
    return False


def clean(make):
    """Re-draws ``make()`` until it passes no checksum by accident."""
    for _ in range(200):
        s = make()
        if not accidentally_valid(s):
            return s
    raise RuntimeError("could not draw a clean negative")


def other_digit(d: str) -> str:
    return rng.choice([c for c in D if c != d])


# ---------------------------------------------------------------- identifiers


def card(valid: bool = True) -> str:
    brand = rng.choice(["visa", "visa", "mc", "mc2", "amex", "disc", "diners"])
    if brand == "visa":
        payload = "4" + digits(14)
    elif brand == "mc":
        payload = rng.choice(["51", "52", "53", "54", "55"]) + digits(13)
    elif brand == "mc2":
        payload = str(rng.randint(2221, 2720)) + digits(11)
    elif brand == "amex":
        payload = rng.choice(["34", "37"]) + digits(12)
    elif brand == "disc":
        payload = rng.choice(["6011", "6500", "6550"]) + digits(11)
    else:
        payload = "36" + digits(11)
    check = luhn_digit(payload)
    num = payload + (check if valid else other_digit(check))
    n = len(num)
    style = rng.random()
    if n in (14, 15):
        groups = [num[:4], num[4:10], num[10:]]
    else:
        groups = [num[i : i + 4] for i in range(0, n, 4)]
    if style < 0.45:
        return " ".join(groups)
    if style < 0.7:
        return "-".join(groups)
    return num


def _nl_account() -> str:
    """A Dutch account number that passes the 11-test."""
    while True:
        acct = digits(10, "0123456")
        if sum(int(c) * (10 - i) for i, c in enumerate(acct)) % 11 == 0:
            return acct


def iban(valid: bool = True) -> str:
    cc = rng.choice(["ES", "ES", "ES", "PT", "PT", "DE", "FR", "NL", "GB", "BR"])
    if cc == "ES":
        bank, branch, acct = digits(4), digits(4), digits(10)
        bban = bank + branch + ccc_dc("00" + bank + branch) + ccc_dc(acct) + acct
    elif cc == "PT":
        base = rng.choice(["0035", "0033", "0007", "0018", "0010"]) + digits(4) + digits(11)
        bban = base + f"{98 - (int(base) * 100) % 97:02d}"
    elif cc == "DE":
        bban = digits(8, "1234567") + digits(10)
    elif cc == "FR":
        bank, branch, acct = digits(5, "123"), digits(5), digits(11)
        key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97
        bban = bank + branch + acct + f"{key:02d}"
    elif cc == "NL":
        bban = rng.choice(["ABNA", "INGB", "RABO", "TRIO", "SNSB"]) + _nl_account()
    elif cc == "GB":
        bban = rng.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + digits(6) + digits(8)
    else:
        bban = digits(8) + digits(5) + digits(10) + rng.choice("CP") + rng.choice("12")
    check = iban_check(cc, bban)
    if not valid:
        check = f"{(int(check) + rng.randint(1, 90)) % 97 + 2:02d}"
        if iban_ok(cc + check + bban):
            check = f"{(int(check) + 1) % 97 + 2:02d}"
    s = cc + check + bban
    if rng.random() < 0.6:
        s = " ".join(s[i : i + 4] for i in range(0, len(s), 4))
    if rng.random() < 0.1:
        s = s.lower()
    return s


def dni(valid: bool = True) -> str:
    n = digits(8, "0123456789" if rng.random() < 0.2 else "1234567")
    letter = dni_letter(n)
    if not valid:
        letter = rng.choice([c for c in DNI_LETTERS if c != letter])
    if rng.random() < 0.15:
        letter = letter.lower()
    style = rng.random()
    if style < 0.55:
        return n + letter
    if style < 0.75:
        return f"{n}-{letter}"
    if style < 0.9:
        return f"{n[:2]}.{n[2:5]}.{n[5:]}-{letter}"
    return f"{n} {letter}"


def nie(valid: bool = True) -> str:
    p = rng.choice("XXYYZ")
    n = digits(7)
    letter = dni_letter(str("XYZ".index(p)) + n)
    if not valid:
        letter = rng.choice([c for c in DNI_LETTERS if c != letter])
    s = rng.choice([f"{p}{n}{letter}", f"{p}{n}{letter}", f"{p}-{n}-{letter}", f"{p}{n}-{letter}"])
    return s.lower() if rng.random() < 0.12 else s


SURNAMES = [
    "GARCIA",
    "HERNANDEZ",
    "LOPEZ",
    "MARTINEZ",
    "GONZALEZ",
    "PEREZ",
    "RODRIGUEZ",
    "SANCHEZ",
    "RAMIREZ",
    "TORRES",
    "FLORES",
    "RIVERA",
    "MORALES",
    "JIMENEZ",
    "CASTILLO",
    "ORTIZ",
    "VARGAS",
    "MENDOZA",
    "ROJAS",
    "SALAZAR",
    "NAVARRO",
    "CRUZ",
    "REYES",
    "GUTIERREZ",
    "DOMINGUEZ",
    "VAZQUEZ",
    "ESPINOZA",
    "BECERRA",
    "CERVANTES",
    "OCHOA",
]
GIVEN = [
    "MARIA",
    "JOSE",
    "JUAN",
    "GUADALUPE",
    "ALEJANDRO",
    "FERNANDA",
    "LUIS",
    "DIEGO",
    "SOFIA",
    "RICARDO",
    "VALERIA",
    "EDUARDO",
    "ANDREA",
    "CARLOS",
    "XIMENA",
    "PATRICIA",
    "ROBERTO",
    "DANIELA",
    "MIGUEL",
    "BEATRIZ",
]
INCONVENIENT = set(
    [
        "BACA",
        "BAKA",
        "BUEI",
        "BUEY",
        "CACA",
        "CACO",
        "CAGA",
        "CAGO",
        "CAKA",
        "CAKO",
        "COGE",
        "COGI",
        "COJA",
        "COJE",
        "COJI",
        "COJO",
        "COLA",
        "CULO",
        "FALO",
        "FETO",
        "GETA",
        "GUEI",
        "GUEY",
        "JETA",
        "JOTO",
        "KACA",
        "KACO",
        "KAGA",
        "KAGO",
        "KAKA",
        "KAKO",
        "KOGE",
        "KOGI",
        "KOJA",
        "KOJE",
        "KOJI",
        "KOJO",
        "KOLA",
        "KULO",
        "LILO",
        "LOCA",
        "LOCO",
        "LOKA",
        "LOKO",
        "MAME",
        "MAMO",
        "MEAR",
        "MEAS",
        "MEON",
        "MIAR",
        "MION",
        "MOCO",
        "MOKO",
        "MULA",
        "MULO",
        "NACA",
        "NACO",
        "PEDA",
        "PEDO",
        "PENE",
        "PIPI",
        "PITO",
        "POPO",
        "PUTA",
        "PUTO",
        "QULO",
        "RATA",
        "ROBA",
        "ROBE",
        "ROBO",
        "RUIN",
        "SENO",
        "TETA",
        "VACA",
        "VAGA",
        "VAGO",
        "VAKA",
        "VUEI",
        "VUEY",
        "WUEI",
        "WUEY",
    ]
)
"""Words the CURP and RFC replace (second letter → X) so that no code spells them."""
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


def _inner(word: str, vowel: bool) -> str:
    for c in word[1:]:
        if (c in "AEIOU") == vowel:
            return c
    return "X"


def _date6() -> tuple[str, int]:
    year = rng.randint(1950, 2008)
    return f"{year % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}", year


def curp(valid: bool = True) -> str:
    s1, s2, g = rng.choice(SURNAMES), rng.choice(SURNAMES), rng.choice(GIVEN)
    d6, year = _date6()
    head = s1[0] + _inner(s1, True) + s2[0] + g[0]
    if head in INCONVENIENT:
        head = head[0] + "X" + head[2:]
    body = head + d6 + rng.choice("HM") + rng.choice(STATES)
    body += _inner(s1, False) + _inner(s2, False) + _inner(g, False)
    body += rng.choice(D) if year < 2000 else rng.choice(string.ascii_uppercase[:10])
    check = curp_digit(body)
    s = body + (check if valid else other_digit(check))
    return s.lower() if rng.random() < 0.1 else s


HOMOCLAVE = "123456789ABCDEFGHIJKLMNPQRSTUVWXYZ"
COMPANIES = ["ABC", "GME", "TME", "CMA", "SAB", "DIS", "FEM", "BIM", "OMA", "ALS", "CEM", "LIV"]


def rfc(valid: bool = True) -> str:
    if rng.random() < 0.7:
        s1, s2, g = rng.choice(SURNAMES), rng.choice(SURNAMES), rng.choice(GIVEN)
        head = s1[0] + _inner(s1, True) + s2[0] + g[0]
        if head in INCONVENIENT:
            head = head[0] + "X" + head[2:]
    else:
        head = rng.choice(COMPANIES)
    body = head + _date6()[0] + rng.choice(HOMOCLAVE) + rng.choice(HOMOCLAVE)
    check = rfc_digit(body)
    if not valid:
        check = rng.choice([c for c in "0123456789A" if c != check])
    s = body + check
    if rng.random() < 0.15:
        s = f"{s[:-9]}-{s[-9:-3]}-{s[-3:]}"
    return s.lower() if rng.random() < 0.1 else s


def cpf(valid: bool = True) -> str:
    while True:
        nine = digits(9)
        if len(set(nine)) > 1:
            break
    dd = cpf_digits(nine)
    if not valid:
        dd = dd[0] + other_digit(dd[1])
    n = nine + dd
    return rng.choice([f"{n[:3]}.{n[3:6]}.{n[6:9]}-{n[9:]}"] * 3 + [n, f"{n[:9]}-{n[9:]}"])


def cnpj(valid: bool = True) -> str:
    twelve = digits(8) + rng.choice(["0001", "0001", "0001", "0002", "0003"])
    dd = cnpj_digits(twelve)
    if not valid:
        dd = dd[0] + other_digit(dd[1])
    n = twelve + dd
    return rng.choice([f"{n[:2]}.{n[2:5]}.{n[5:8]}/{n[8:12]}-{n[12:]}"] * 3 + [n])


def ssn(valid: bool = True) -> str:
    area = f"{rng.randint(1, 899):03d}"
    group = f"{rng.randint(1, 99):02d}"
    serial = f"{rng.randint(1, 9999):04d}"
    if area == "666":
        area = "665"
    if not valid:
        kind = rng.choice(["000", "666", "9xx", "group", "serial"])
        if kind == "000":
            area = "000"
        elif kind == "666":
            area = "666"
        elif kind == "9xx":
            area = f"{rng.randint(900, 999)}"
        elif kind == "group":
            group = "00"
        else:
            serial = "0000"
    return rng.choice(
        [f"{area}-{group}-{serial}"] * 4 + [f"{area} {group} {serial}", area + group + serial]
    )


def cuit(valid: bool = True) -> str:
    while True:
        ten = rng.choice(["20", "20", "27", "27", "23", "30", "30", "33"]) + digits(8, "123")
        dv = cuit_digit(ten)
        if dv is not None:
            break
    if not valid:
        dv = other_digit(dv)
    return rng.choice([f"{ten[:2]}-{ten[2:]}-{dv}"] * 3 + [ten + dv, f"{ten[:2]} {ten[2:]} {dv}"])


def rut(valid: bool = True, want_k: bool = False) -> str:
    while True:
        body = str(rng.randint(5_000_000, 25_999_999))
        dv = rut_dv(body)
        if not want_k or dv == "K":
            break
    if not valid:
        dv = rng.choice([c for c in "0123456789K" if c != dv])
    if dv == "K" and rng.random() < 0.35:
        dv = "k"
    dotted = f"{int(body):,}".replace(",", ".")
    return rng.choice([f"{dotted}-{dv}"] * 3 + [f"{body}-{dv}", f"{body}{dv}"])


FIRST = {
    "en": ["john", "emily", "mike", "sarah", "d.wilson", "kate", "tom", "jennifer", "alex"],
    "es": ["lucia", "javier", "m.garcia", "carmen", "pablo", "ana.belen", "jorge", "fer", "rocio"],
    "pt": ["joao", "ana.paula", "rafael", "beatriz", "tiago", "mariana", "pedro", "lu", "carla"],
}
LAST = [
    "smith",
    "martinez",
    "silva",
    "oliveira",
    "fernandez",
    "costa",
    "lopez",
    "santos",
    "ruiz",
    "nguyen",
    "obrien",
    "pereira",
]
DOMAINS = {
    "en": [
        "gmail.com",
        "outlook.com",
        "acme-corp.com",
        "mail.example.org",
        "yahoo.com",
        "company.co.uk",
    ],
    "es": [
        "gmail.com",
        "hotmail.es",
        "correo.es",
        "empresa.com.mx",
        "telefonica.net",
        "uc.cl",
        "fibertel.com.ar",
    ],
    "pt": [
        "gmail.com",
        "uol.com.br",
        "hotmail.com",
        "empresa.com.br",
        "sapo.pt",
        "bol.com.br",
        "iol.pt",
    ],
}


def email(lang: str) -> str:
    user = rng.choice(FIRST[lang])
    r = rng.random()
    if r < 0.35:
        user += "." + rng.choice(LAST)
    elif r < 0.5:
        user += rng.choice(LAST)[:1] + str(rng.randint(70, 2005))
    elif r < 0.6:
        user += "+" + rng.choice(["shop", "news", "work", "noreply"])
    elif r < 0.7:
        user = user.replace(".", "_") + "_" + rng.choice(LAST)
    s = f"{user}@{rng.choice(DOMAINS[lang])}"
    return s.title() if rng.random() < 0.08 else s


def phone(lang: str) -> str:
    country = rng.choice(
        {
            "en": ["US", "US", "US", "US", "ES", "MX", "BR", "PT"],
            "es": ["ES", "ES", "MX", "MX", "AR", "AR", "CL", "CL", "US"],
            "pt": ["BR", "BR", "BR", "PT", "PT", "PT"],
        }[lang]
    )
    d = digits
    if country == "US":
        a, e, n = d(3, "2345678"), d(3, "2345689"), d(4)
        return rng.choice(
            [
                f"({a}) {e}-{n}",
                f"{a}-{e}-{n}",
                f"+1 {a} {e} {n}",
                f"{a}.{e}.{n}",
                f"+1-{a}-{e}-{n}",
                f"1 ({a}) {e}-{n}",
            ]
        )
    if country == "ES":
        m = rng.choice("67") + d(8)
        fixed = rng.choice(["91", "93", "96", "95", "98"]) + d(7)
        return rng.choice(
            [
                f"{m[:3]} {m[3:6]} {m[6:]}",
                m,
                f"+34 {m[:3]} {m[3:5]} {m[5:7]} {m[7:]}",
                f"+34{m}",
                f"0034 {m[:3]} {m[3:6]} {m[6:]}",
                f"{fixed[:2]} {fixed[2:5]} {fixed[5:7]} {fixed[7:]}",
                f"+34 {fixed[:3]} {fixed[3:6]} {fixed[6:]}",
            ]
        )
    if country == "MX":
        a = rng.choice(["55", "33", "81"])
        n = d(8, "2345678")
        return rng.choice(
            [
                f"+52 {a} {n[:4]} {n[4:]}",
                f"{a} {n[:4]} {n[4:]}",
                f"({a}) {n[:4]}-{n[4:]}",
                f"+52 1 {a} {n[:4]} {n[4:]}",
                f"+52{a}{n}",
                f"{a}-{n[:4]}-{n[4:]}",
            ]
        )
    if country == "BR":
        ddd = rng.choice(["11", "21", "31", "41", "51", "61", "71", "81", "19", "48"])
        mob = "9" + d(8, "6789")
        land = d(8, "2345")
        return rng.choice(
            [
                f"({ddd}) {mob[:5]}-{mob[5:]}",
                f"+55 {ddd} {mob[:5]}-{mob[5:]}",
                f"{ddd} {mob[:5]}-{mob[5:]}",
                f"+55{ddd}{mob}",
                f"({ddd}) {land[:4]}-{land[4:]}",
                f"+55 ({ddd}) {mob[:5]} {mob[5:]}",
            ]
        )
    if country == "AR":
        n = d(8, "2345678")
        a = rng.choice(["351", "341", "261"])
        return rng.choice(
            [
                f"+54 9 11 {n[:4]}-{n[4:]}",
                f"011 {n[:4]}-{n[4:]}",
                f"(011) 15-{n[:4]}-{n[4:]}",
                f"+54 {a} {n[:3]}-{n[3:7]}",
                f"11 {n[:4]}-{n[4:]}",
                f"+5491{1}{n}",
            ]
        )
    if country == "CL":
        n = d(8)
        return rng.choice(
            [
                f"+56 9 {n[:4]} {n[4:]}",
                f"+569{n}",
                f"9 {n[:4]} {n[4:]}",
                f"+56 2 2{n[1:4]} {n[4:]}",
                f"(+56) 9 {n[:4]} {n[4:]}",
            ]
        )
    m = "9" + rng.choice("1236") + d(7)
    fixed = rng.choice(["21", "22"]) + d(7)
    return rng.choice(
        [
            f"+351 {m[:3]} {m[3:6]} {m[6:]}",
            f"{m[:3]} {m[3:6]} {m[6:]}",
            m,
            f"+351 {fixed[:2]} {fixed[2:5]} {fixed[5:]}",
            f"00351 {m}",
            f"{fixed[:3]} {fixed[3:6]} {fixed[6:]}",
        ]
    )


def ip() -> str:
    r = rng.random()
    if r < 0.65:
        first = rng.choice(
            ["10", "192", "172", str(rng.randint(11, 223)), str(rng.randint(11, 223))]
        )
        if first == "192":
            return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if first == "172":
            return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    if r < 0.75:
        return ":".join(["2001", "db8", *groups[2:]])
    if r < 0.85:
        return f"2001:db8:{groups[2]}::{groups[6]}:{groups[7]}"
    if r < 0.93:
        return f"fe80::{groups[4]}:{groups[5][:2]}ff:fe{groups[6][:2]}:{groups[7]}"
    return f"2a02:{groups[1]}:{groups[2]}:{groups[3]}::{groups[7]}".upper()


# ---------------------------------------------------------------- things that are not PII


def _hex(n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def isbn() -> str:
    body = "978" + rng.choice(["84", "85", "0", "1", "972", "607"])
    body += digits(12 - len(body))
    check = str((10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body)) % 10) % 10)
    n = body + check
    return rng.choice([n, f"{n[:3]}-{n[3:5]}-{n[5:8]}-{n[8:12]}-{n[12]}", f"ISBN {n}"])


FILLERS = {
    "order": lambda lang: rng.choice(
        [
            f"#{digits(6)}",
            f"2024-{digits(6)}",
            f"{digits(3)}-{digits(7)}-{digits(7)}",
            f"PED-2024-{digits(5)}",
            f"A{digits(8)}",
            f"#{digits(5)}-{digits(2)}",
        ]
    ),
    "track": lambda lang: rng.choice(
        [
            f"1Z{_hex(6).upper()}{digits(10)}",
            f"LX{digits(9)}BR",
            f"CP{digits(9)}ES",
            f"RR{digits(9)}PT",
            digits(12),
            f"JD{digits(18)}",
        ]
    ),
    "invoice": lambda lang: rng.choice(
        [
            f"INV-2024-{digits(5)}",
            f"FAC/2024/{digits(4)}",
            f"F2024-{digits(5)}",
            f"NF-e {digits(6)}",
            f"{digits(4)}/{digits(2)}",
        ]
    ),
    "date": lambda lang: rng.choice(
        [
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.choice(['2023', '2024', '2025'])}",
            f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            {"en": "March 15, 2024", "es": "15 de marzo de 2024", "pt": "15 de março de 2024"}[
                lang
            ],
            f"{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d}.2024",
        ]
    ),
    "amount": lambda lang: rng.choice(
        {
            "en": [
                f"${rng.randint(10, 3000):,}.{digits(2)}",
                f"USD {rng.randint(10, 900)}.00",
                f"£{rng.randint(5, 400)}.99",
            ],
            "es": [
                f"{rng.randint(10, 2000)},{digits(2)} €",
                f"$ {rng.randint(1, 99)}.{digits(3)} CLP",
                f"MXN {rng.randint(100, 20000):,}.00",
            ],
            "pt": [
                f"R$ {rng.randint(10, 5000)},{digits(2)}",
                f"{rng.randint(5, 900)},{digits(2)} €",
                f"R${rng.randint(1, 9)}.{digits(3)},00",
            ],
        }[lang]
    ),
    "isbn": lambda lang: isbn(),
    "sku": lambda lang: rng.choice(
        [
            f"SKU {digits(3)}-{digits(3)}-{digits(4)}",
            f"P/N {digits(2)}-{digits(4)}-{digits(4)}",
            f"REF. {digits(3)} {digits(3)} {digits(3)}",
            f"modelo {digits(4)}-{digits(4)}",
            f"item #{digits(3)}.{digits(3)}.{digits(2)}",
        ]
    ),
    "version": lambda lang: rng.choice(
        [
            f"v{rng.randint(1, 12)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}",
            f"{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 30)}-beta.{rng.randint(1, 5)}",
            f"10.0.{rng.randint(17000, 22631)}.{rng.randint(100, 4000)}",
            f"Chrome/124.0.{rng.randint(6000, 6400)}.{rng.randint(10, 200)}",
            f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
            f"2024.{rng.randint(1, 12):02d}.{rng.randint(1, 9)}",
        ]
    ),
    "uuid": lambda lang: f"{_hex(8)}-{_hex(4)}-4{_hex(3)}-{rng.choice('89ab')}{_hex(3)}-{_hex(12)}",
    "git": lambda lang: rng.choice([_hex(7), _hex(40), _hex(10)]),
    "postcode": lambda lang: rng.choice(
        {
            "en": [digits(5, "123456789"), f"{digits(5, '123456789')}-{digits(4)}", "SW1A 1AA"],
            "es": [
                f"{rng.choice(['28', '08', '41', '46'])}{digits(3)}",
                f"C{digits(4)}DKE",
                digits(7, "2345678"),
                f"0{digits(4)}",
            ],
            "pt": [f"{digits(5)}-{digits(3)}", f"{rng.randint(1000, 4999)}-{digits(3)}"],
        }[lang]
    ),
    "ts": lambda lang: (
        f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z"
    ),
    "mac": lambda lang: ":".join(_hex(2).upper() for _ in range(6)),
    "ticket": lambda lang: rng.choice([f"#{digits(5)}", f"CS-{digits(6)}", f"INC{digits(7)}"]),
    "pin": lambda lang: digits(6),
    "ms": lambda lang: str(rng.randint(12, 4800)),
    "prnum": lambda lang: str(rng.randint(100, 9999)),
}
GENERATORS = {
    "CARD": card, "IBAN": iban, "DNI": dni, "NIE": nie, "CURP": curp, "RFC": rfc, "CPF": cpf,
    "CNPJ": cnpj, "SSN": ssn, "CUIT": cuit, "RUT": rut,
}  # fmt: skip
CHECKSUM = tuple(GENERATORS)


def value(slot: str, lang: str) -> tuple[str, str | None]:
    """The text for a slot and its label (None: not PII)."""
    if slot == "EMAIL":
        return email(lang), slot
    if slot == "PHONE":
        return phone(lang), slot
    if slot == "IP":
        return ip(), slot
    if slot == "RUTK" or (slot == "RUT" and rng.random() < 0.25):
        return rut(want_k=True), "RUT"
    if slot in GENERATORS:
        return GENERATORS[slot](), slot
    if slot.startswith("bad_"):
        kind = slot[4:]
        return clean(lambda: GENERATORS[kind](valid=False)), None
    return clean(lambda: FILLERS[slot](lang)), None


def fill(template: str, lang: str) -> dict:
    out: list[str] = []
    entities = []
    pos = 0
    length = 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out.append(template[pos : m.start()])
        length += m.start() - pos
        text, label = value(m.group(1), lang)
        if label:
            entities.append({"label": label, "start": length, "end": length + len(text)})
        out.append(text)
        length += len(text)
        pos = m.end()
    out.append(template[pos:])
    text = "".join(out)
    for e in entities:
        assert text[e["start"] : e["end"]].strip() == text[e["start"] : e["end"]], e
    return {"text": text, "lang": lang, "entities": entities}


# ---------------------------------------------------------------- templates

FRAMES = {
    "en": [
        "Hi team, quick one: {M}. Thanks!",
        "Customer called about the late delivery of order {order}; {M}",
        "{M}",
        "[CRM note {date}] Spoke to the client, identity verified. {M}. Follow-up booked for next week.",
        "Hello,\n\nI'm writing about invoice {invoice} for {amount}. {M}\n\nBest regards,\nJohn",
        "user> hey, {M}\nagent> thanks, checking now",
        "Ticket {ticket}: {M} (customer says it is urgent)",
        "ok so {M} lol sorry for the typos",
        "Please update my profile ({M}) — the old details are not valid anymore.",
        "As discussed on the phone yesterday, {M}. Let me know if you need anything else.",
        "Re: account verification\n{M}",
        "Good afternoon, my parcel with tracking {track} never arrived. {M}",
    ],
    "es": [
        "Hola, buenas. {M}. Gracias de antemano.",
        "Buenos días, os escribo por el pedido {order}. {M}",
        "{M}",
        "[Nota CRM {date}] Llamó la clienta, se verifica identidad. {M}. Queda pendiente devolución de {amount}.",
        "Estimados:\n\nAdjunto la factura {invoice}. {M}\n\nUn saludo,\nJavier",
        "cliente> hola {M}\nagente> perfecto, lo reviso",
        "Incidencia {ticket}: {M} (dice que es urgente)",
        "oye {M} perdón las faltas jaja",
        "Por favor actualicen mis datos ({M}), los anteriores ya no sirven.",
        "Como hablamos ayer por teléfono, {M}. Quedo atenta.",
        "Asunto: alta de cliente\n{M}",
        "Buenas tardes, no me llega el paquete con seguimiento {track}. {M}",
    ],
    "pt": [
        "Olá, tudo bem? {M}. Obrigado!",
        "Bom dia, estou escrevendo sobre o pedido {order}. {M}",
        "{M}",
        "[Nota CRM {date}] Cliente ligou, identidade confirmada. {M}. Reembolso de {amount} pendente.",
        "Prezados,\n\nSegue a nota fiscal {invoice}. {M}\n\nAtenciosamente,\nRafael",
        "cliente> oi {M}\natendente> beleza, vou verificar",
        "Chamado {ticket}: {M} (cliente diz que é urgente)",
        "então {M} desculpa os erros kkk",
        "Por favor atualizem meu cadastro ({M}), o antigo não vale mais.",
        "Conforme falamos ontem por telefone, {M}. Fico no aguardo.",
        "Assunto: cadastro de cliente\n{M}",
        "Boa tarde, o pacote com rastreio {track} não chegou. {M}",
    ],
}

MENTIONS = {
    "EMAIL": {
        "en": [
            "my email is {X}",
            "{X}",
            "email me at {X}",
            "reach me on {X} please",
            "E-mail: {X}",
            "contact {X}",
            "send it to {X}",
        ],
        "es": [
            "mi correo es {X}",
            "{X}",
            "escríbeme a {X}",
            "correo electrónico: {X}",
            "mándalo a {X} porfa",
            "mail {X}",
        ],
        "pt": ["meu e-mail é {X}", "{X}", "manda pra {X}", "E-mail: {X}", "pode responder em {X}"],
    },
    "PHONE": {
        "en": [
            "my number is {X}",
            "call me on {X}",
            "{X}",
            "phone: {X}",
            "you can text me at {X} after 5pm",
            "mobile {X}",
        ],
        "es": [
            "mi teléfono es el {X}",
            "llámame al {X}",
            "{X}",
            "tel. {X}",
            "mi cel es {X}",
            "me pueden escribir por WhatsApp al {X}",
        ],
        "pt": [
            "meu telefone é {X}",
            "me liga no {X}",
            "{X}",
            "tel: {X}",
            "meu zap é {X}",
            "telemóvel {X}",
        ],
    },
    "CARD": {
        "en": [
            "my card number is {X}",
            "card: {X} exp 09/27",
            "{X}",
            "I paid with {X} but it was declined",
            "charge it to {X}",
            "the full card number is {X}",
        ],
        "es": [
            "mi tarjeta es la {X}",
            "pagué con la tarjeta {X} y me cobraron dos veces",
            "{X}",
            "nº de tarjeta: {X} cad. 11/26",
            "cárguenlo a la {X}",
        ],
        "pt": [
            "meu cartão é {X}",
            "paguei com o cartão {X} e foi recusado",
            "{X}",
            "número do cartão: {X} validade 03/28",
            "cobra no {X}",
        ],
    },
    "IBAN": {
        "en": [
            "my IBAN is {X}",
            "please refund to {X}",
            "{X}",
            "bank account (IBAN): {X}",
            "wire it to {X}, beneficiary J. Smith",
        ],
        "es": [
            "mi IBAN es {X}",
            "devuélvanme el dinero a la cuenta {X}",
            "{X}",
            "cuenta: {X}",
            "domiciliar los recibos en {X}",
        ],
        "pt": [
            "o meu IBAN é {X}",
            "reembolso para a conta {X}",
            "{X}",
            "IBAN: {X}",
            "podem transferir para {X}",
        ],
    },
    "IP": {
        "en": [
            "my IP is {X}",
            "the request came from {X}",
            "{X}",
            "login blocked from {X} again",
            "whitelist {X} please",
            "server at {X} is down",
        ],
        "es": [
            "mi IP es {X}",
            "el acceso vino desde {X}",
            "{X}",
            "bloqueado el login desde {X}",
            "añadid {X} a la lista blanca",
            "el servidor {X} no responde",
        ],
        "pt": [
            "meu IP é {X}",
            "o acesso veio de {X}",
            "{X}",
            "login bloqueado a partir de {X}",
            "liberem o {X} no firewall",
            "o servidor {X} caiu",
        ],
    },
    "DNI": {
        "en": [
            "my Spanish ID (DNI) is {X}",
            "DNI {X}",
            "{X}",
            "ID number: {X}",
            "the NIF on the invoice should be {X}",
        ],
        "es": [
            "mi DNI es {X}",
            "DNI: {X}",
            "{X}",
            "con NIF {X}",
            "el titular tiene DNI nº {X}",
            "documento {X}",
        ],
        "pt": ["o meu DNI espanhol é {X}", "DNI {X}", "{X}", "NIF {X}"],
    },
    "NIE": {
        "en": ["my NIE is {X}", "foreigner ID (NIE): {X}", "{X}", "NIE number {X}"],
        "es": [
            "mi NIE es {X}",
            "NIE: {X}",
            "{X}",
            "tarjeta de residencia con NIE {X}",
            "el NIE del inquilino es {X}",
        ],
        "pt": ["o meu NIE é {X}", "NIE: {X}", "{X}", "número de estrangeiro (NIE) {X}"],
    },
    "CURP": {
        "en": ["my CURP is {X}", "CURP: {X}", "{X}", "Mexican ID (CURP) {X}"],
        "es": ["mi CURP es {X}", "CURP: {X}", "{X}", "con CURP {X}", "la CURP de mi hijo es {X}"],
    },
    "RFC": {
        "en": ["RFC {X}", "my tax ID (RFC) is {X}", "{X}", "invoice to RFC: {X}"],
        "es": [
            "mi RFC es {X}",
            "RFC: {X}",
            "{X}",
            "factura a nombre de RFC {X}",
            "con RFC {X} y régimen 612",
        ],
    },
    "CPF": {
        "en": ["my CPF is {X}", "CPF: {X}", "{X}", "Brazilian tax ID (CPF) {X}"],
        "pt": [
            "meu CPF é {X}",
            "CPF: {X}",
            "{X}",
            "CPF do titular {X}",
            "nota no CPF {X} por favor",
        ],
    },
    "CNPJ": {
        "en": ["company CNPJ {X}", "CNPJ: {X}", "{X}", "the supplier's CNPJ is {X}"],
        "pt": [
            "CNPJ da empresa {X}",
            "CNPJ: {X}",
            "{X}",
            "emitir a nota para o CNPJ {X}",
            "nosso CNPJ é {X}",
        ],
    },
    "SSN": {
        "en": [
            "my SSN is {X}",
            "SSN: {X}",
            "{X}",
            "social security number {X}",
            "last time I gave you my social, {X}",
        ],
        "es": ["mi número de seguro social es {X}", "SSN: {X}", "{X}", "mi social (SSN) {X}"],
    },
    "CUIT": {
        "en": ["CUIT {X}", "Argentine tax ID (CUIT): {X}", "{X}", "the company's CUIT is {X}"],
        "es": [
            "mi CUIT es {X}",
            "CUIT: {X}",
            "{X}",
            "CUIL {X}",
            "facturar a CUIT {X}",
            "razón social con CUIT nº {X}",
        ],
    },
    "RUT": {
        "en": ["RUT {X}", "Chilean ID (RUT): {X}", "{X}", "my RUT is {X}"],
        "es": [
            "mi RUT es {X}",
            "RUT: {X}",
            "{X}",
            "RUN {X}",
            "boleta a nombre de RUT {X}",
            "rut {X}",
        ],
    },
}
PER_KIND = {  # texts per language that feature the kind (one more may ride along)
    "EMAIL": {"en": 9, "es": 9, "pt": 9}, "PHONE": {"en": 10, "es": 10, "pt": 10},
    "CARD": {"en": 9, "es": 9, "pt": 9}, "IBAN": {"en": 8, "es": 10, "pt": 10},
    "IP": {"en": 9, "es": 9, "pt": 9}, "DNI": {"en": 8, "es": 16, "pt": 6},
    "NIE": {"en": 8, "es": 14, "pt": 6}, "CURP": {"en": 10, "es": 20}, "RFC": {"en": 10, "es": 20},
    "CPF": {"en": 10, "pt": 22}, "CNPJ": {"en": 10, "pt": 20}, "SSN": {"en": 20, "es": 12},
    "CUIT": {"en": 10, "es": 20}, "RUT": {"en": 10, "es": 22},
}  # fmt: skip
JOIN = {
    "en": [", ", " and ", "; also ", " / "],
    "es": [", ", " y ", "; además ", " / "],
    "pt": [", ", " e ", "; também ", " / "],
}

MULTI = {
    "en": [
        "Name: Sarah Miller\nEmail: {EMAIL}\nPhone: {PHONE}\nSSN: {SSN}\nCard: {CARD}\nZIP: {postcode}",
        "{ts} WARN auth failed user={EMAIL} src={IP} attempts=5 req={uuid}",
        "{ts} INFO payment ok card={CARD} amount={amount} order={order} ip={IP}",
        "Hi, I moved to Madrid last year, my NIE is {NIE} and my wife's DNI is {DNI}. Our joint account: {IBAN}. Call {PHONE}.",
        "Vendor onboarding — Brazil entity CNPJ {CNPJ}, legal rep CPF {CPF}, contact {EMAIL}",
        "LatAm payroll export: MX employee RFC {RFC} / CURP {CURP}; AR contractor CUIT {CUIT}; CL contractor RUT {RUTK}",
        "From: {EMAIL}\nTo: {EMAIL}\nSubject: refund\n\nPlease send the {amount} back to {IBAN}. My phone is {PHONE}.",
        "Customer {PHONE} / {EMAIL} reported fraud on {CARD} from IP {IP} (app {version})",
    ],
    "es": [
        "Nombre: Lucía Fernández\nDNI: {DNI}\nCorreo: {EMAIL}\nTeléfono: {PHONE}\nIBAN: {IBAN}\nCP: {postcode}",
        "{ts} ERROR login fallido usuario={EMAIL} ip={IP} intentos=3",
        "Alta proveedor MX: RFC {RFC}, CURP del representante {CURP}, tel {PHONE}, correo {EMAIL}",
        "Datos de facturación AR — CUIT {CUIT}, tarjeta {CARD}, pedido {order}",
        "Chile: cliente con RUT {RUTK}, fono {PHONE}, mail {EMAIL}, IP de registro {IP}",
        "De: {EMAIL}\nPara: {EMAIL}\nAsunto: devolución\n\nHola, mi NIE es {NIE}; devuelvan {amount} a {IBAN}. Gracias.",
        "nota: cliente llama desde {PHONE}, da DNI {DNI} y tarjeta {CARD}, pedido {order} del {date}",
        "Trabajo en EE.UU., mi SSN es {SSN} y mi correo {EMAIL}, el RUT chileno ya no lo uso ({RUT})",
    ],
    "pt": [
        "Nome: João Silva\nCPF: {CPF}\nE-mail: {EMAIL}\nTelefone: {PHONE}\nCEP: {postcode}",
        "{ts} WARN tentativa de login usuario={EMAIL} origem={IP}",
        "Cadastro fornecedor: CNPJ {CNPJ}, responsável CPF {CPF}, contato {PHONE}",
        "De: {EMAIL}\nPara: {EMAIL}\nAssunto: estorno\n\nOlá, paguei com {CARD} o pedido {order}; por favor devolvam {amount} para {IBAN}.",
        "Cliente de Lisboa, telemóvel {PHONE}, IBAN {IBAN}, e-mail {EMAIL}",
        "nota: cliente ligou do {PHONE}, informou CPF {CPF} e cartão {CARD}, pedido {order} de {date}",
        "Moro em Madri agora, meu NIE é {NIE}; o e-mail continua {EMAIL}",
        "Log {ts} pagamento aprovado cartao={CARD} ip={IP} versao={version}",
    ],
}
MULTI_PER_LANGUAGE = 12

NOT_PII = {
    "en": [
        "Your order {order} has shipped! Tracking number: {track}. Estimated delivery {date}.",
        "Invoice {invoice} — total due {amount} by {date}.",
        "Can you check {isbn}? The library system says it doesn't exist.",
        "Upgraded from {version} to {version}, now the app crashes on start.",
        "commit {git} fixes the race in the scheduler (see PR #{prnum})",
        "request_id={uuid} status=500 latency_ms={ms}",
        "Ship to 500 Market St, San Francisco CA {postcode}",
        "Replacement part {sku} is back in stock, {amount} each.",
        "The device MAC is {mac}, firmware {version}.",
        "Meeting moved to {date}; dial-in code {pin}.",
        "Case {ticket} closed on {date}, refund of {amount} issued for order {order}.",
        "Order {order} contains 3 items, weight 2.35 kg, {sku}.",
    ],
    "es": [
        "Tu pedido {order} ya está en camino. Número de seguimiento: {track}. Entrega estimada: {date}.",
        "Factura {invoice}: importe total {amount}, vencimiento {date}.",
        "¿Me podéis buscar el {isbn}? No aparece en el catálogo.",
        "Actualicé de {version} a {version} y ahora la app se cierra sola.",
        "el commit {git} rompe el build, revertidlo por favor (PR {prnum})",
        "request_id={uuid} estado=502 latencia={ms}ms",
        "Enviar a calle de Alcalá 45, {postcode} Madrid",
        "La referencia {sku} vuelve a estar disponible por {amount}.",
        "MAC del router: {mac}, firmware {version}",
        "Reunión movida al {date}, código de sala {pin}.",
        "Incidencia {ticket} cerrada el {date}; abonados {amount} del pedido {order}.",
        "El envío {track} salió del almacén el {date} con el pedido {order}.",
    ],
    "pt": [
        "Seu pedido {order} foi enviado! Código de rastreio: {track}. Previsão de entrega {date}.",
        "Nota fiscal {invoice}: valor total {amount}, vencimento {date}.",
        "Vocês conseguem achar o {isbn}? Não aparece no catálogo.",
        "Atualizei da {version} para a {version} e agora o app fecha sozinho.",
        "o commit {git} quebrou o build, revertam por favor (PR {prnum})",
        "request_id={uuid} status=503 latencia={ms}ms",
        "Entregar na Av. Paulista 1000, CEP {postcode}",
        "A peça {sku} voltou ao estoque por {amount}.",
        "MAC do roteador: {mac}, firmware {version}",
        "Reunião remarcada para {date}, código da sala {pin}.",
        "Chamado {ticket} encerrado em {date}; estorno de {amount} do pedido {order}.",
        "O envio {track} saiu do centro de distribuição em {date}.",
    ],
}
NOT_PII_PER_LANGUAGE = 30
BAD_PER_KIND_LANGUAGE = 5


def mention(kind: str, lang: str, slot: str) -> str:
    return rng.choice(MENTIONS[kind][lang]).replace("{X}", "{" + slot + "}")


def build() -> list[dict]:
    rows = []
    for kind, per_lang in PER_KIND.items():
        for lang, n in per_lang.items():
            for _ in range(n):
                m = mention(kind, lang, kind)
                if rng.random() < 0.3:
                    other = rng.choice([k for k in MENTIONS if lang in MENTIONS[k] and k != kind])
                    m += rng.choice(JOIN[lang]) + mention(other, lang, other)
                rows.append(fill(rng.choice(FRAMES[lang]).replace("{M}", m), lang))
    for lang, templates in MULTI.items():
        for i in range(MULTI_PER_LANGUAGE):
            rows.append(fill(templates[i % len(templates)], lang))
    # hard negatives: wrong check digits, then numbers that only look like PII
    for kind in CHECKSUM:
        for lang in MENTIONS[kind]:
            for _ in range(BAD_PER_KIND_LANGUAGE):
                m = mention(kind, lang, "bad_" + kind)
                rows.append(fill(rng.choice(FRAMES[lang]).replace("{M}", m), lang))
    for lang, templates in NOT_PII.items():
        for i in range(NOT_PII_PER_LANGUAGE):
            rows.append(fill(templates[i % len(templates)], lang))
    rng.shuffle(rows)
    return rows


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    labels = Counter(e["label"] for r in rows for e in r["entities"])
    langs = Counter(r["lang"] for r in rows)
    negatives = Counter(r["lang"] for r in rows if not r["entities"])
    print(
        f"{len(rows)} texts {dict(langs)}; {sum(negatives.values())} without PII {dict(negatives)}"
    )
    print(dict(sorted(labels.items())))
    for label in LABELS:
        assert labels[label] >= 25, label
    assert sum(negatives.values()) >= 150


if __name__ == "__main__":
    main()
