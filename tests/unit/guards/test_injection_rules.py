"""The injection rule table's file format and its loader's checks."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

from pasarela import guards
from pasarela.guards.injection_rules import RULES, RULES_PATH, Rule, load_rules


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_shipped_table_loads_with_every_family() -> None:
    families = {rule.family for rule in RULES}
    assert families >= {
        "override",
        "role",
        "exfiltration",
        "data_exfil",
        "delimiter",
        "jailbreak",
        "indirect",
        "obfuscation",
    }
    assert len(RULES) > 200
    assert all(0 < rule.weight <= 1 and rule.starts for rule in RULES)
    # Every placeholder was spliced: no ``<name>`` is left in a tail.
    assert not [rule.tail for rule in RULES if re.search(r"(?<!\\)<[a-z][a-z0-9_]*>", rule.tail)]


def test_the_shipped_table_lives_in_the_package_data_beside_the_corpus() -> None:
    assert RULES_PATH.parent == Path(guards.__file__).parent / "data"
    assert (RULES_PATH.parent / "injection_corpus.txt").is_file()
    assert load_rules() == RULES


def test_the_shipped_file_reads_alike_without_libyaml() -> None:
    # load_rules falls back to the pure-Python parser, which reads some plain scalars
    # (``pre-?defined`` in a flow list) differently from libyaml.
    text = RULES_PATH.read_text(encoding="utf-8")
    assert yaml.load(text, Loader=yaml.SafeLoader) == yaml.load(text, Loader=yaml.CSafeLoader)


def test_one_rule_from_a_custom_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        r"""
        vocabulary:
          fill: [the, all]
          verbs: [ignore, 'no hagas caso (?:a|de)']
        rules:
          # a comment is allowed anywhere
          - family: override
            weight: 0.9
            starts: verbs
            tail: '(?: <fill>)* rules\s*:'
        """,
    )
    assert load_rules(path) == (
        Rule("override", 0.9, ("ignore", "no hagas caso (?:a|de)"), r"(?: (?:the|all))* rules\s*:"),
    )


def test_products_lists_and_literal_angle_brackets(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        r"""
        vocabulary:
          show: [tell, {product: [[can you, could you], share]}]
        rules:
          - family: role
            weight: 1
            starts: {product: [en, ['', el], modo, [dios, dan]]}
          - family: exfiltration
            weight: 0.5
            starts: show
            tail: ' \<show> <show>'
          - family: delimiter
            weight: 0.7
            starts: ['<|', '![']
        """,
    )
    role, exfiltration, delimiter = load_rules(path)
    assert role == Rule(
        "role", 1.0, ("en modo dios", "en modo dan", "en el modo dios", "en el modo dan")
    )
    assert exfiltration.starts == ("tell", "can you share", "could you share")
    assert exfiltration.tail == r" \<show> (?:tell|can you share|could you share)"
    assert delimiter.starts == ("<|", "![")  # a start that begins with a symbol is literal


_RULE = """
vocabulary:
  verbs: [ignore, forget]
rules:
  - family: override
    weight: 0.5
    starts: verbs
  - family: jailbreak
    {field}
"""


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("weight: 0.5\n    starts: verbs\n    tail: ' <verb>'", r"unknown placeholder <verb>"),
        ("weight: 0.5\n    starts: verb", r"unknown vocabulary name 'verb'"),
        ("weight: 0\n    starts: verbs", r"weight 0 is not in \(0, 1\]"),
        ("weight: 1.5\n    starts: verbs", r"weight 1.5 is not in \(0, 1\]"),
        ("weight: true\n    starts: verbs", r"weight True is not in \(0, 1\]"),
        ("weight: 0.5\n    starts: []", r"empty starts"),
        ("weight: 0.5\n    starts: {product: [a, []]}", r"a product's part"),
        ("weight: 0.5\n    starts: verbs\n    tail: ' (?:rules'", r"tail is not a valid regex"),
        ("weight: 0.5\n    starts: ['ignore (?:all']", r"start 'ignore \(\?:all' is not a valid"),
        ("weight: 0.5\n    starts: verbs\n    tails: ' x'", r"unknown keys \['tails'\]"),
    ],
)
def test_a_mistake_names_the_rule_and_the_problem(tmp_path: Path, field: str, message: str) -> None:
    path = _write(tmp_path, _RULE.format(field=field))
    with pytest.raises(ValueError, match=rf"rule 1 \(jailbreak\): .*{message}"):
        load_rules(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules: []", r"'rules' must be a non-empty list"),
        ("rule: []", r"expected a mapping with 'vocabulary' and 'rules' only"),
        ("vocabulary: {Verbs: [x]}\nrules: []", r"vocabulary 'Verbs': a name is lower case"),
        ("vocabulary: {verbs: []}\nrules: []", r"vocabulary 'verbs': expected a non-empty list"),
        ("rules: [{family: override, weight: 0.5", r"not valid YAML"),
    ],
)
def test_a_malformed_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        load_rules(_write(tmp_path, text))
