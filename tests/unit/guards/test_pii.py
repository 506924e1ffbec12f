"""PII detector: each recognizer on valid and wrong check digits and its formats, context
and anti-context, redaction hints, and the evaluation set's acceptance
targets (``benchmarks/guards_pii_eval.py`` prints the same figures as tables)."""

from __future__ import annotations

import pytest
from benchmarks.guards_pii_eval import CHECKSUM_LABELS, Report, evaluate, load

from pasarela.guards.base import Guard, redact
from pasarela.guards.pii import (
    KINDS,
    PiiDetector,
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

DETECTOR = PiiDetector()


def found(text: str, detector: PiiDetector = DETECTOR) -> list[tuple[str, str]]:
    """(label, matched text) of the findings that a default guard (0.5) would act on."""
    return [(f.label, text[f.start : f.end]) for f in detector.scan(text) if f.score >= 0.5]


def score(text: str, label: str) -> float:
    return max((f.score for f in DETECTOR.scan(text) if f.label == label), default=0.0)


# -- check digits --------------------------------------------------------------------------


def test_check_digit_functions_on_published_examples() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("GB82WEST12345698765432") and not iban_valid("GB82WEST12345698765433")
    assert not iban_valid("GB82WEST1234569876543")  # one short of the UK length
    assert dni_letter("12345678") == "Z" and dni_letter("01234567") == "L"
    assert curp_check_digit("BOXW310820HNERXN0") == "9"
    assert rfc_check_digit("GODE561231GR") == "8"  # a person
    assert rfc_check_digit("MAB9307148T") == "4"  # a company: padded to 12 with a space
    assert cpf_valid("52998224725") and not cpf_valid("52998224726")
    assert not cpf_valid("00000000000")
    assert cnpj_valid("11444777000161") and not cnpj_valid("11444777000162")
    assert cuit_valid("20123456786") and cuit_valid("30500010912")
    assert not cuit_valid("99123456786")  # no such type prefix
    assert rut_check_digit("12345678") == "5" and rut_check_digit("10000013") == "K"
    assert ssn_valid("123456789")
    for bad in ("000123456", "666123456", "900123456", "123006789", "123450000", "078051120"):
        assert not ssn_valid(bad), bad


# -- recognizers: valid reported, wrong check digit not --------------------------------------


@pytest.mark.parametrize(
    ("text", "label", "value"),
    [
        ("card 4111 1111 1111 1111 please", "CARD", "4111 1111 1111 1111"),
        ("tarjeta 4111-1111-1111-1111", "CARD", "4111-1111-1111-1111"),
        ("cartão 5555555555554444", "CARD", "5555555555554444"),
        ("amex 3782 822463 10005", "CARD", "3782 822463 10005"),
        ("diners 3056 930902 5904", "CARD", "3056 930902 5904"),
        ("IBAN ES91 2100 0418 4502 0005 1332.", "IBAN", "ES91 2100 0418 4502 0005 1332"),
        ("conta PT50000201231234567890154", "IBAN", "PT50000201231234567890154"),
        ("account GB82 WEST 1234 5698 7654 32 thanks", "IBAN", "GB82 WEST 1234 5698 7654 32"),
        ("DNI 12345678Z", "DNI", "12345678Z"),
        ("dni: 12345678-Z", "DNI", "12345678-Z"),
        ("NIE X1234567L", "NIE", "X1234567L"),
        ("nie Y-1234567-X", "NIE", "Y-1234567-X"),
        ("CURP BOXW310820HNERXN09", "CURP", "BOXW310820HNERXN09"),
        ("RFC GODE561231GR8", "RFC", "GODE561231GR8"),
        ("RFC MAB-930714-8T4", "RFC", "MAB-930714-8T4"),
        ("CPF 529.982.247-25", "CPF", "529.982.247-25"),
        ("cpf 52998224725", "CPF", "52998224725"),
        ("CNPJ 11.444.777/0001-61", "CNPJ", "11.444.777/0001-61"),
        ("cnpj 11444777000161", "CNPJ", "11444777000161"),
        ("SSN 123-45-6789", "SSN", "123-45-6789"),
        ("social security number 123456789", "SSN", "123456789"),
        ("CUIT 20-12345678-6", "CUIT", "20-12345678-6"),
        ("cuil 20123456786", "CUIT", "20123456786"),
        ("RUT 12.345.678-5", "RUT", "12.345.678-5"),
        ("rut 10000013-K", "RUT", "10000013-K"),
        ("mail ana.garcia@correo.es.", "EMAIL", "ana.garcia@correo.es"),
        ("escribe a joão.silva@exemplo.com.br", "EMAIL", "joão.silva@exemplo.com.br"),
        ("teléfono +34 612 345 678", "PHONE", "+34 612 345 678"),
        ("telefone +55 11 91234-5678", "PHONE", "+55 11 91234-5678"),
        ("call (415) 555-0132", "PHONE", "(415) 555-0132"),
        ("celular (11) 91234-5678", "PHONE", "(11) 91234-5678"),
        ("móvil 612 345 678", "PHONE", "612 345 678"),
        ("tel. 91 123 45 67", "PHONE", "91 123 45 67"),
        ("tel 55 1234 5678", "PHONE", "55 1234 5678"),
        ("telefone 21 123 4567", "PHONE", "21 123 4567"),
        ("whatsapp +54 9 11 4123-4567", "PHONE", "+54 9 11 4123-4567"),
        ("IP 203.0.113.7", "IP", "203.0.113.7"),
        ("from 2001:db8:85a3::8a2e:370:7334.", "IP", "2001:db8:85a3::8a2e:370:7334"),
        # the ways people also write them: lower case, a space before the letter, no dash
        ("cuenta es91 2100 0418 4502 0005 1332", "IBAN", "es91 2100 0418 4502 0005 1332"),
        ("conta gb82west12345698765432 obrigado", "IBAN", "gb82west12345698765432"),
        ("mi NIE es x1234567l", "NIE", "x1234567l"),
        ("curp boxw310820hnerxn09", "CURP", "boxw310820hnerxn09"),
        ("rfc gode561231gr8", "RFC", "gode561231gr8"),
        ("DNI nº 12345678 Z", "DNI", "12345678 Z"),
        ("mi dni es 12345678 z", "DNI", "12345678 z"),
        ("CUIL 20 12345678 6", "CUIT", "20 12345678 6"),
        ("mi RUT es 10000013k", "RUT", "10000013k"),
        ("RUT 123456785", "RUT", "123456785"),
        ("WhatsApp al 55-1234-5678", "PHONE", "55-1234-5678"),
        ("llámame al 0034 612 345 678", "PHONE", "0034 612 345 678"),
        ("telemóvel 912345678", "PHONE", "912345678"),
        # a cue word speaks within its sentence: the order number's is not the phone's
        ("Sobre o pedido A91384730. (41) 3988-1849", "PHONE", "(41) 3988-1849"),
        ("host fe80::1ff:fe23:4567:890a", "IP", "fe80::1ff:fe23:4567:890a"),
    ],
)
def test_each_kind_is_found_with_its_exact_span(text: str, label: str, value: str) -> None:
    assert (label, value) in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112",  # Luhn
        "card 9111 1111 1111 1111",  # no network issues 9
        "card 4111 1111 1111 111",  # a Visa is 13, 16 or 19 digits
        "IBAN ES91 2100 0418 4502 0005 1333",  # mod 97
        "IBAN ES91 2100 0418 4502 0005 133",  # Spain's length is 24
        "DNI 12345678A",
        "NIE X1234567A",
        "CURP BOXW310820HNERXN08",
        "CURP BOXW311320HNERXN09",  # month 13
        "RFC GODE561231GR9",
        "CPF 529.982.247-26",
        "CPF 111.111.111-11",  # passes the sums, never issued
        "CNPJ 11.444.777/0001-62",
        "SSN 000-45-6789",
        "SSN 666-45-6789",
        "SSN 912-45-6789",
        "SSN 123-00-6789",
        "SSN 123-45-0000",
        "CUIT 20-12345678-5",
        "RUT 12.345.678-4",
        "IP 256.1.1.1",
        "IP 01.2.3.4",
        "mail ana@@correo.es",
        "icon@2x.png",
    ],
)
def test_look_alikes_with_wrong_check_digits_are_not_reported(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "pedido 2024-118734 del 12/03/2024 por 1.249,90 €",
        "order #112-3456789-0123456 shipped 2024-03-15",
        "tracking 1Z999AA10123456784 and 9400 1000 0000 0000 0000 00",
        "ISBN 978-84-376-0494-7 and 9780306406157",
        "version 1.2.3.4 and build 10.0.19045.2965",
        "SKU TSH-BLU-XL-2291, lote 20231145-3",
        "at 12:30:45 on 00:1A:2B:3C:4D:5E",
        "nfe 3524 0112 3456 7800 0190 5500 1000 0012 3410 0001 2345",
        "R$ 1.234.567,89 e CEP 01310-100",
        "firmware 2.7.1.2 on the router",
        "P/N 26-2780-0984, weight 2.35 kg",
        "Replacement part REF. 518 112 458 is back in stock",
        "son 12345678 z más o menos",  # a letter after a number, no DNI cue: a word
        "social security number 416320000",  # serial 0000: no SSN, and not a phone either
        "cliente ligou, 14200606004",  # 11 digits that no phone plan has
    ],
)
def test_numbers_of_daily_life_are_not_personal_data(text: str) -> None:
    assert found(text) == []


def test_a_card_followed_by_its_expiry_is_still_found() -> None:
    text = "tarjeta 4111 1111 1111 1111 12/27"
    assert found(text) == [("CARD", "4111 1111 1111 1111")]


def test_a_bare_eleven_digit_number_reads_as_what_its_context_says() -> None:
    # 20123456786 is both a valid CUIT and, as digits, a possible phone number
    assert found("CUIT 20123456786") == [("CUIT", "20123456786")]
    assert found("celular 11912345678") == [("PHONE", "11912345678")]


def test_kinds_can_be_chosen() -> None:
    only = PiiDetector(kinds=["email"])
    text = "ana@correo.es, DNI 12345678Z"
    assert found(text, only) == [("EMAIL", "ana@correo.es")]
    assert only.kinds == frozenset({"email"})
    assert PiiDetector().kinds == frozenset(KINDS)
    with pytest.raises(ValueError, match="unknown PII kinds"):
        PiiDetector(kinds=["passport"])


# -- scores: context raises, validation alone suffices for checksum kinds ------------------


def test_context_words_raise_the_score() -> None:
    assert score("tarjeta 4111 1111 1111 1111", "CARD") > score("x 4111 1111 1111 1111", "CARD")
    assert score("mi rut 12345678-5", "RUT") > score("nº 12345678-5", "RUT")
    assert score("SSN 123-45-6789", "SSN") > score("id 123-45-6789", "SSN")
    assert score("teléfono 612 345 678", "PHONE") > score("x 612 345 678", "PHONE")
    assert score("CPF: 529.982.247-25", "CPF") == 1.0


def test_checksum_valid_kinds_score_high_without_context() -> None:
    for text, label in [
        ("x 4111 1111 1111 1111", "CARD"),
        ("x ES91 2100 0418 4502 0005 1332", "IBAN"),
        ("x 12345678Z", "DNI"),
        ("x BOXW310820HNERXN09", "CURP"),
        ("x 529.982.247-25", "CPF"),
        ("x 11.444.777/0001-61", "CNPJ"),
        ("x 12.345.678-5", "RUT"),
    ]:
        assert score(text, label) >= 0.8, text


def test_weak_kinds_need_their_context() -> None:
    assert found("123456789") == []  # nine digits: an SSN only when called one
    assert found("ssn 123456789") == [("SSN", "123456789")]
    assert found("referencia 612 345 678") == []
    assert found("versión 10.1.2.3") == []
    assert found("server 10.1.2.3") == [("IP", "10.1.2.3")]


def test_a_word_naming_another_identifier_lowers_the_score() -> None:
    # a Brazilian RG is printed as a Chilean RUT is: 12.345.678-5 passes the RUT check
    assert score("RUT 12.345.678-5", "RUT") == 1.0
    assert score("RG 12.345.678-5", "RUT") < 0.5


# -- redaction ----------------------------------------------------------------------------


def test_redaction_keeps_format_hints() -> None:
    text = (
        "Card 4111 1111 1111 1111, IBAN ES91 2100 0418 4502 0005 1332, mail ana@correo.es, "
        "DNI 12345678Z, CPF 529.982.247-25, phone +34 612 345 678, IP 203.0.113.7"
    )
    assert redact(text, DETECTOR.scan(text)) == (
        "Card <CARD_LAST4:1111>, IBAN <IBAN:ES**>, mail <EMAIL>, DNI <DNI>, CPF <CPF>, "
        "phone <PHONE>, IP <IP>"
    )


def test_a_redacting_guard_uses_the_hints() -> None:
    verdict = Guard(DETECTOR, action="redact").check("pague con 4111 1111 1111 1111")
    assert verdict.action == "redact"
    assert verdict.text == "pague con <CARD_LAST4:1111>"
    assert [f.detector for f in verdict.findings] == ["pii.card"]


# -- the evaluation set: acceptance targets -------------------------------------------------


@pytest.fixture(scope="module")
def checksum_report() -> Report:
    return evaluate(DETECTOR, load("pii_eval.jsonl"), CHECKSUM_LABELS)


def test_eval_set_covers_every_kind_in_three_languages() -> None:
    rows = load("pii_eval.jsonl")
    assert {r.lang for r in rows} == {"en", "es", "pt"}
    counts: dict[str, int] = {}
    for row in rows:
        for label, start, end in row.entities:
            counts[label] = counts.get(label, 0) + 1
            assert 0 <= start < end <= len(row.text)
    for label in CHECKSUM_LABELS:
        assert counts[label] >= 30, label
    for label in ("EMAIL", "PHONE", "IP"):
        assert counts[label] >= 20, label
    assert sum(1 for r in rows if not r.entities) >= 100  # hard negatives


def test_checksum_kinds_meet_the_targets_overall_and_per_language(checksum_report: Report) -> None:
    report = checksum_report
    assert report.overall.recall >= 0.95, report.errors
    assert report.overall.precision >= 0.95, report.errors
    for lang, counts in report.by_lang.items():
        assert counts.recall >= 0.95, (lang, report.errors)
        assert counts.precision >= 0.95, (lang, report.errors)


def test_checksum_kinds_meet_the_targets_per_kind(checksum_report: Report) -> None:
    for label, counts in checksum_report.by_label.items():
        assert counts.recall >= 0.95 and counts.precision >= 0.95, (label, counts)


def test_email_phone_and_ip_on_the_eval_set() -> None:
    report = evaluate(DETECTOR, load("pii_eval.jsonl"), ("EMAIL", "PHONE", "IP"))
    assert report.overall.recall >= 0.9, report.errors
    assert report.overall.precision >= 0.9, report.errors
