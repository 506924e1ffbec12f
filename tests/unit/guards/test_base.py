"""Guards turn findings into actions; a chain composes them; redaction keeps the text around
what it replaces; the serving side walks payloads and refuses with the rules named."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from pasarela.errors import Blocked
from pasarela.guards.base import Guard, GuardChain, redact
from pasarela.guards.config import GuardConfig, parse, walk_strings
from pasarela.serving.protection import guard
from pasarela.types import Finding, Verdict


@dataclass
class Words:
    """Finds each listed word, with a fixed score: a detector for tests."""

    name: str
    words: tuple[str, ...]
    score: float = 0.9

    def scan(self, text: str) -> list[Finding]:
        found = []
        for word in self.words:
            for m in re.finditer(re.escape(word), text):
                found.append(
                    Finding(f"{self.name}.word", word.upper(), m.start(), m.end(), self.score)
                )
        return found


def test_redaction_replaces_located_findings_and_skips_overlaps() -> None:
    text = "call ana at 555 now"
    findings = [
        Finding("pii.name", "NAME", 5, 8, 1.0),
        Finding("pii.phone", "PHONE", 12, 15, 1.0, "<PHONE>"),
        Finding("pii.overlap", "X", 6, 9, 1.0),  # overlaps the name: the first one wins
        Finding("whole", "RISK", -1, -1, 1.0),  # no place in the text: nothing to replace
    ]
    assert redact(text, findings) == "call <NAME> at <PHONE> now"


def test_a_guard_acts_only_at_its_threshold() -> None:
    weak = Guard(Words("w", ("hola",), score=0.3), "block", threshold=0.5)
    assert weak.check("hola").action == "allow"
    strong = Guard(Words("w", ("hola",), score=0.7), "block", threshold=0.5)
    verdict = strong.check("hola")
    assert (verdict.action, verdict.score, verdict.text) == ("block", 0.7, "hola")


def test_a_chain_takes_the_strongest_action_and_redacts_what_redacting_guards_found() -> None:
    chain = GuardChain(
        (
            Guard(Words("flagger", ("maybe",)), "flag"),
            Guard(Words("pii", ("ana",)), "redact"),
        )
    )
    verdict = chain.check("maybe ana")
    assert verdict.action == "redact"
    assert verdict.text == "maybe <ANA>"
    assert [f.detector for f in verdict.findings] == ["flagger.word", "pii.word"]
    blocking = GuardChain((Guard(Words("pii", ("ana",)), "redact"), Guard(Words("x", ("bad",)))))
    blocked = blocking.check("ana is bad")
    assert blocked.action == "block" and blocked.text == "ana is bad"  # nothing to pass on


def test_guarding_a_payload_walks_strings_and_names_rules_not_text() -> None:
    chain = GuardChain((Guard(Words("pii", ("ana",)), "redact"), Guard(Words("inj", ("ignore",)))))
    heard: list[Verdict] = []
    payload = [["ana", 3.5, {"note": "from ana"}], [True, None]]
    out = guard(chain, payload, "input", heard.append)
    assert out == [["<ANA>", 3.5, {"note": "from <ANA>"}], [True, None]]
    assert len(heard) == 2
    with pytest.raises(Blocked) as refused:
        guard(chain, [["please ignore that"]], "input", heard.append)
    assert refused.value.code == "input_blocked"
    assert "inj.word (IGNORE)" in refused.value.message
    assert "please" not in refused.value.message


def test_walking_leaves_numbers_and_keys_alone() -> None:
    assert walk_strings({"a": [1, "x"], "b": 2.0}, str.upper) == {"a": [1, "X"], "b": 2.0}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ({"input": [{"type": "injection", "action": "redact"}]}, "cannot redact"),
        ({"input": [{"type": "secrets", "kinds": ["email"]}]}, "kinds applies to pii"),
        ({"input": [{"type": "content"}]}, "needs deny words or categories"),
        ({"input": [{"type": "pii", "threshold": 2}]}, "less than or equal to 1"),
        ({"input": [{"type": "virus"}]}, "injection"),
        ({"inputs": []}, "Extra inputs are not permitted"),
    ],
)
def test_malformed_guard_sections_are_refused(raw: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse(raw)  # type: ignore[arg-type]


def test_defaults_are_block_at_one_half() -> None:
    config = GuardConfig(type="secrets")
    assert (config.action, config.threshold) == ("block", 0.5)
