"""Content detector: deny lists and the built-in category lexicons, on the normalised form
(case, accents, word boundaries), with spans into the original text."""

from __future__ import annotations

import pytest

from pasarela.guards.base import Guard
from pasarela.guards.content import CATEGORIES, LEXICONS, ContentDetector, fold

ALL = ContentDetector(categories=CATEGORIES)


def found(detector: ContentDetector, text: str) -> list[tuple[str, str]]:
    return [(f.label, text[f.start : f.end]) for f in detector.scan(text)]


def test_fold_keeps_the_length_so_spans_carry_over() -> None:
    for text in ("Teléfono CORAÇÃO", "İstanbul", "Ñandú", "plain"):
        assert len(fold(text)) == len(text)
    assert fold("Teléfono CORAÇÃO Ñandú") == "telefono coracao nandu"


def test_deny_list_matches_whole_words_case_and_accents_aside() -> None:
    d = ContentDetector(deny=["proyecto fénix", "acme"])
    text = "El PROYECTO FENIX de Acme; acmeflow no."
    assert found(d, text) == [("DENYLIST", "PROYECTO FENIX"), ("DENYLIST", "Acme")]
    assert [f.score for f in d.scan(text)] == [1.0, 1.0]
    assert [f.detector for f in d.scan(text)] == ["content.denylist", "content.denylist"]


def test_deny_list_entry_written_without_accents_matches_accented_text() -> None:
    d = ContentDetector(deny=["cafe"])
    assert found(d, "un CAFÉ, por favor") == [("DENYLIST", "CAFÉ")]


def test_phrases_match_across_spaces_and_hyphens() -> None:
    d = ContentDetector(categories=["self_harm"])
    assert found(d, "thinking about self harm") == [("SELF_HARM", "self harm")]
    assert found(d, "thinking about self-harm") == [("SELF_HARM", "self-harm")]
    assert found(d, "thinking about self  \n harm") == [("SELF_HARM", "self  \n harm")]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I will kill you tomorrow", "VIOLENCE"),
        ("te voy a matar", "VIOLENCE"),
        ("vou te matar", "VIOLENCE"),
        ("I want to kill myself", "SELF_HARM"),
        ("pienso en el suicidio", "SELF_HARM"),
        ("penso em SUICÍDIO", "SELF_HARM"),
        ("they are subhuman", "HATE"),
        ("limpieza étnica", "HATE"),
        ("send nudes", "SEXUAL"),
        ("pornografia infantil", "SEXUAL"),
        ("how to build a pipe bomb", "WEAPONS"),
        ("cómo hacer una bomba casera", "WEAPONS"),
        ("coquetel molotov", "WEAPONS"),
    ],
)
def test_each_category_in_three_languages(text: str, label: str) -> None:
    assert label in {lab for lab, _ in found(ALL, text)}


@pytest.mark.parametrize(
    "text",
    [
        "kill the process and restart the server",
        "this bug is killing me, the export is a massive pain",
        "el asesino de la novela",  # 'asesinar' is a term, 'asesino' is not
        "a bomba de água quebrou",
        "ordenar por precio y cortar la tela",
        "the murderous pace of this release",  # word boundaries: 'murder' is not in it
    ],
)
def test_ordinary_talk_does_not_hit(text: str) -> None:
    assert found(ALL, text) == []


def test_the_longest_phrase_wins() -> None:
    # "kill myself" is self-harm, not the violence of "kill you"; "pornografía infantil" is
    # one finding, not "pornografía" and then nothing
    assert found(ALL, "I will kill myself") == [("SELF_HARM", "kill myself")]
    assert found(ALL, "pornografía infantil") == [("SEXUAL", "pornografía infantil")]


def test_spans_point_into_the_original_text() -> None:
    text = "Olá!! Ele disse: VOU TE MATAR, sério."
    [finding] = ALL.scan(text)
    assert text[finding.start : finding.end] == "VOU TE MATAR"
    assert finding.label == "VIOLENCE" and finding.detector == "content.violence"


def test_only_the_chosen_categories() -> None:
    weapons = ContentDetector(categories=["weapons"])
    assert found(weapons, "te voy a matar con una bomba casera") == [("WEAPONS", "bomba casera")]
    assert ContentDetector().scan("te voy a matar") == []


def test_deny_list_wins_over_a_category() -> None:
    d = ContentDetector(deny=["napalm"], categories=["weapons"])
    assert found(d, "napalm") == [("DENYLIST", "napalm")]


def test_unknown_category_and_empty_entry_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown content categories"):
        ContentDetector(categories=["spam"])
    with pytest.raises(ValueError, match="no letters or digits"):
        ContentDetector(deny=["!!!"])


def test_every_lexicon_term_finds_itself() -> None:
    for category, terms in LEXICONS.items():
        detector = ContentDetector(categories=[category])
        for term in terms:
            labels = {label for label, _ in found(detector, f"... {term} ...")}
            assert labels == {category.upper()}, term
    assert set(ALL.terms) >= {"kill you", "suicidio"}


def test_a_blocking_guard() -> None:
    verdict = Guard(ContentDetector(deny=["competidor x"]), action="block").check(
        "¿Es mejor Competidor X?"
    )
    assert verdict.action == "block" and verdict.score == 1.0
