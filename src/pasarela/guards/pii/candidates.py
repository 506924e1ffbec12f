"""Finding candidates: one precompiled expression for everything that starts with a digit,
a '+' or a '(', and scans around each '@' (e-mail) and each '::' (IPv6)."""

from __future__ import annotations

import ipaddress
import re

from pasarela.guards.pii.kinds import Hit

# One pass finds every candidate. Its first character, a digit, '+' or '(', is consumed before
# any lookbehind, so the engine's character-class prefix skips the rest of the text at C speed.
# A digit then opens one of three families: a number that starts there (nothing alphanumeric
# or '.', '-', '/', ',' before it); the digits after the capitals of an IBAN, CURP, RFC or NIE,
# whose start lies behind the match and is put back by ``BACK``; or, when neither matches, the
# rest of the token, consumed whole (no named group) so that none of its digits is tried again.
CANDIDATES = re.compile(
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
BACK = {"iban": 2, "l4": 4, "l3": 3, "nie": 1, "l4s": 5, "l3s": 4, "nies": 2}
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


def emails(text: str) -> list[Hit]:
    out: list[Hit] = []
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
            out.append(Hit("email", start, domain.end(), 0.9, False, "<EMAIL>"))
            at = text.find("@", domain.end())
        else:
            at = text.find("@", at + 1)
    return out


def ipv6_addresses(text: str) -> list[Hit]:
    out: list[Hit] = []
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
        out.append(Hit("ip", start, end, 0.75, False, "<IP>"))
    return out
