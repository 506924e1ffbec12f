"""Phone numbers in international form: calling codes and the national length of each
country, to tell where a number dialled with '+' (or 00) ends."""

from __future__ import annotations

import re

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


def intl_phone_end(candidate: str) -> int | None:
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
