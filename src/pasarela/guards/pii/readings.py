"""Readers: each validates one named group of the candidate expression (check digits, shapes,
lengths) and returns its readings with a base score and a format-keeping replacement."""

from __future__ import annotations

import re

from pasarela.guards.pii.checksums import (
    CURP_STATES,
    IBAN_LENGTHS,
    card_brand_ok,
    cnpj_valid,
    cpf_valid,
    cuit_valid,
    curp_check_digit,
    date_ok,
    dni_letter,
    iban_valid,
    luhn_valid,
    rfc_check_digit,
    rut_check_digit,
    ssn_valid,
)
from pasarela.guards.pii.kinds import Hit, Readings
from pasarela.guards.pii.phones import intl_phone_end

_CURP_SHAPE = re.compile(r"[A-Z][AEIOUX][A-Z]{2}[0-9]{6}[HMX][A-Z]{5}[A-Z0-9][0-9]")


def _digits(s: str) -> str:
    """The digits of a candidate the expression matched (its only other characters are
    these separators)."""
    return s.replace(" ", "").replace("-", "").replace(".", "").replace("/", "")


def _cpf_p(s: str, a: int) -> Readings:
    return [Hit("cpf", a, a + len(s), 0.9, False, "<CPF>")] if cpf_valid(_digits(s)) else []


def _cnpj_p(s: str, a: int) -> Readings:
    ok = cnpj_valid(_digits(s))
    return [Hit("cnpj", a, a + len(s), 0.95, False, "<CNPJ>")] if ok else []


def _rut(s: str, a: int) -> Readings:
    body, dv = _digits(s[:-2]), s[-1].upper()
    if not 7 <= len(body) <= 8 or rut_check_digit(body) != dv:
        return []
    dotted = "." in s  # the way RUTs are printed; undotted, it could be any number-dash-digit
    return [Hit("rut", a, a + len(s), 0.85 if dotted else 0.55, not dotted, "<RUT>")]


def _rut_plain(s: str, a: int) -> Readings:
    """A RUT with no dash before its check digit K (``15551311K``): rarely anything else."""
    body = _digits(s[:-1])
    ok = 7 <= len(body) <= 8 and rut_check_digit(body) == s[-1].upper()
    return [Hit("rut", a, a + len(s), 0.6, False, "<RUT>")] if ok else []


def _dni(s: str, a: int) -> Readings:
    out = []
    letter = s[-1]
    spaced = s[-2:-1] == " "
    if dni_letter(_digits(s[:-1])) == letter.upper():
        if spaced and letter.islower():
            # "llama al 12345678 y pide": a word may follow a number; the DNI needs its cue
            out.append(Hit("dni", a, a + len(s), 0.45, True, "<DNI>"))
        else:
            out.append(Hit("dni", a, a + len(s), 0.75 if spaced else 0.85, False, "<DNI>"))
    if letter in "Kk" and not spaced:  # 12345678-K, 12345678K: a RUT's check digit K too
        out.extend(_rut(s, a) if s[-2] == "-" else _rut_plain(s, a))
    if spaced:  # the number alone may be what a bare number is
        out.extend(_bare(s[:-2], a))
    return out


def _nie(s: str, a: int) -> Readings:
    s = s.upper()
    number = str("XYZ".index(s[0])) + _digits(s[1:-1])  # X, Y, Z stand for 0, 1, 2
    ok = dni_letter(number) == s[-1]
    return [Hit("nie", a, a + len(s), 0.85, False, "<NIE>")] if ok else []


def _ipv4(s: str, a: int) -> Readings:
    for octet in s.split("."):
        if int(octet) > 255 or (len(octet) > 1 and octet[0] == "0"):
            return []
    return [Hit("ip", a, a + len(s), 0.65, True, "<IP>")]


def _ssn(s: str, a: int) -> Readings:
    if not ssn_valid(_digits(s)):
        return []
    dashed = "-" in s  # spaced, 3-2-4 is as often something else
    return [Hit("ssn", a, a + len(s), 0.65 if dashed else 0.45, True, "<SSN>")]


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
            out.append(Hit("card", a, a + len(s), 0.9, False, f"<CARD_LAST4:{s[-4:]}>"))
        if len(s) == 14 and cnpj_valid(s):
            out.append(Hit("cnpj", a, a + len(s), 0.8, False, "<CNPJ>"))
        return out
    groups = s.split(" " if spaced else "-")
    sizes = [len(g) for g in groups]
    if sizes in ([4, 6, 5], [4, 6, 4]):  # Amex, Diners
        d = "".join(groups)
        ok = _card_ok(d)
        return [Hit("card", a, a + len(s), 0.9, False, f"<CARD_LAST4:{d[-4:]}>")] if ok else []
    while len(groups) > 3 and all(size == 4 for size in sizes[:-1]):
        d = "".join(groups)
        if _card_ok(d):
            end = a + sum(sizes) + len(sizes) - 1
            return [Hit("card", a, end, 0.9, False, f"<CARD_LAST4:{d[-4:]}>")]
        groups.pop()
        sizes.pop()
    return []


def _card_ok(d: str) -> bool:
    return 13 <= len(d) <= 19 and card_brand_ok(d) and luhn_valid(d) and d.count(d[0]) != len(d)


def _tel(s: str, a: int) -> Readings:
    if s[3:4] in ("-", ".") and (s[0] in "01" or s[4] in "01"):
        return []  # NANP: area and exchange codes start with 2-9
    return [Hit("phone", a, a + len(s), 0.55, True, "<PHONE>")]


def _tel_weak(s: str, a: int) -> Readings:
    """A Mexican 2-4-4 number with dashes or dots: part numbers look the same, so it needs
    its cue ("WhatsApp", "tel")."""
    return [Hit("phone", a, a + len(s), 0.45, True, "<PHONE>")]


def _bare(s: str, a: int) -> Readings:
    """8 to 11 digits with no separator: CPF or CUIT when 11 and valid; otherwise a phone
    number, an SSN or an undotted RUT only with context (low base scores)."""
    out: Readings = []
    b = a + len(s)
    n = len(s)
    if n == 11:
        if cpf_valid(s):
            out.append(Hit("cpf", a, b, 0.7, False, "<CPF>"))
        if cuit_valid(s):
            out.append(Hit("cuit", a, b, 0.4, True, "<CUIT>"))
    elif n == 9 and ssn_valid(s):
        out.append(Hit("ssn", a, b, 0.3, True, "<SSN>"))
    if n in (8, 9) and rut_check_digit(s[:-1]) == s[-1]:
        out.append(Hit("rut", a, b, 0.2, True, "<RUT>"))
    if n != 11 or _phone11(s):
        out.append(Hit("phone", a, b, 0.35, True, "<PHONE>"))
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
    return [Hit("iban", a, a + end, 0.95, False, f"<IBAN:{country}**>")]


def _letters4(s: str, a: int) -> Readings:
    """Four letters and digits: a CURP (18) or a person's RFC (13)."""
    s = s.upper()
    if len(s) == 18:
        ok = (
            _CURP_SHAPE.fullmatch(s) is not None
            and date_ok(s[4:10])
            and s[11:13] in CURP_STATES
            and curp_check_digit(s[:17]) == s[17]
        )
        return [Hit("curp", a, a + 18, 0.95, False, "<CURP>")] if ok else []
    return _rfc(s, a)


def _rfc(s: str, a: int) -> Readings:
    s = s.upper()
    compact = s.replace("-", "").replace(" ", "")
    if len(compact) - len(s) not in (0, -2):
        return []  # one separator on one side only
    letters = len(compact) - 9
    if not date_ok(compact[letters : letters + 6]):
        return []
    if rfc_check_digit(compact[:-1]) != compact[-1]:
        return []
    return [Hit("rfc", a, a + len(s), 0.85, False, "<RFC>")]


def _intl(s: str, a: int) -> Readings:
    size = intl_phone_end(s[1:])
    return [] if size is None else [Hit("phone", a, a + 1 + size, 0.75, False, "<PHONE>")]


def _intl00(s: str, a: int) -> Readings:
    """An international number dialled with 00 instead of '+' (``0034 612 345 678``)."""
    size = intl_phone_end(s[2:])
    return [] if size is None else [Hit("phone", a, a + 2 + size, 0.6, True, "<PHONE>")]


def _cuit_s(s: str, a: int) -> Readings:
    """A CUIT written 2-8-1 with dashes (the usual way) or spaces (less telling)."""
    ok = cuit_valid(_digits(s))
    score = 0.85 if "-" in s else 0.6
    return [Hit("cuit", a, a + len(s), score, False, "<CUIT>")] if ok else []


def _paren(s: str, a: int) -> Readings:
    return [Hit("phone", a, a + len(s), 0.65, True, "<PHONE>")]


HANDLERS = {
    "cpf_p": _cpf_p, "cnpj_p": _cnpj_p, "rut_d": _rut, "rut_u": _rut, "rut_k": _rut_plain,
    "dni": _dni, "cuit_d": _cuit_s, "ipv4": _ipv4, "ssn": _ssn, "num": _num, "tel": _tel,
    "telw": _tel_weak, "bare": _bare, "intl00": _intl00, "iban": _iban, "l4": _letters4,
    "l4s": _rfc, "l3": _rfc, "l3s": _rfc, "nie": _nie, "nies": _nie, "intl": _intl,
    "paren": _paren,
}  # fmt: skip
