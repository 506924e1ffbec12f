"""Context cues: the words before a candidate that make it more (a word of its kind) or
less likely (a word naming another identifier, or something that is not personal data),
in English, Spanish and Portuguese, and the nearest one found."""

from __future__ import annotations

import re

from pasarela.guards.pii.kinds import Kind

CONTEXT_WINDOW = 40
"""Characters before a match searched for context words: a form label and its colon, or the
few words of "my card number is"."""
ANTI_CONTEXT_PENALTY = 0.3
"""Taken from a weakly validated reading when the nearest cue announces something else: a
national-format phone (0.55) or an IPv4 (0.65) after "pedido" or "versión" falls below 0.5."""
BOOST: dict[Kind, float] = {
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


def nearest_cue(words: list[bytes], kind: str, weak: bool, sentence: int = 0) -> str | None:
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


SENTENCE_END = re.compile(r"[0-9][A-Za-z]*[.;!?](?=\s)|[.;!?](?=\s+[A-Z(¿¡])|\n")
"""The end of a sentence: a line break, a stop before a capital, or a stop right after a
value ("el pedido A9138. 450-87-0455"); not an abbreviation's stop ("REF. 518 112 458")."""
