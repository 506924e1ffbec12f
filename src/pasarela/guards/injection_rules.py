"""The prompt-injection rule table: ``Rule`` and its loader from ``data/injection_rules.yaml``.

The table is data, not code, so that a person can read, review and extend the vocabulary
without reading Python: adding a Spanish verb is a one-word change in one named list, and a diff
of the file shows exactly which phrases a change teaches the detector. ``load_rules`` checks
the file as it reads it, so a mistake names its rule instead of surfacing as a wrong match.

The file has two sections (its header comment says the same at more length):

- ``vocabulary``: named lists of words, phrases or regex fragments. A rule's ``starts`` may name
  a list (each item is one start); a tail splices a list as ``<name>``, which becomes the group
  ``(?:item|item|...)``.
- ``rules``: one mapping per rule, in order: ``family``, ``weight`` in (0, 1], ``starts`` (a
  vocabulary name, a list, or a product) and an optional ``tail`` regex.

A product, ``{product: [part, ...]}``, is every combination of one item per part (the first
part varying slowest) joined by single spaces, an empty item adding nothing; a part is a list or
a single string. It may stand for a rule's starts or for an item of a vocabulary list.

Loading the shipped file takes about 90 ms on a cold regex cache (20 ms of YAML parsing with
libyaml, 65 ms compiling each tail and regex start once to validate it), small beside the ~0.9 s
in which ``InjectionDetector`` builds its scanner from the rules, so ``RULES`` loads at import.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pasarela.errors import InvalidRequest
from pasarela.safe_yaml import read_yaml

__all__ = ["RULES", "RULES_PATH", "Rule", "load_rules"]

RULES_PATH = Path(__file__).parent / "data" / "injection_rules.yaml"
"""The shipped rule table."""

_NAME = re.compile(r"[a-z][a-z0-9_]*")
# ``<name>``, but not ``\<name>`` (a literal) nor a named group ``(?P<name>``.
_PLACEHOLDER = re.compile(r"(?<!\\)(?<!\(\?P)<([a-z][a-z0-9_]*)>")
_WORD_START = re.compile(r"[a-z0-9]")
_REGEX_SYNTAX = re.compile(r"\(\?|[\\?*+{\[|]")
_RULE_KEYS = frozenset({"family", "weight", "starts", "tail"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One phrase family: any of ``starts`` followed by ``tail``.

    Each start's first word is its head, a literal the scanner looks for; the rest of a start
    and the tail are regular expressions over the folded text in which a space stands for a
    word separator and ``~N`` (after a word, no space) for up to N more words. The head list
    makes the scan fast: one pass over a trie of all heads, the tails tried only where a head
    is.
    """

    family: str
    weight: float
    starts: tuple[str, ...]
    tail: str = ""


def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    """The rules in ``path`` (the shipped table by default), in file order.

    Raises ``ValueError`` naming the file, the rule (its index and family) or vocabulary list,
    and the problem: an unknown placeholder or vocabulary name, a weight outside (0, 1], empty
    starts, a regex that does not compile, or an entry of the wrong shape.
    """
    path = RULES_PATH if path is None else path
    try:
        documents = read_yaml(path.read_text(encoding="utf-8"), str(path))
    except InvalidRequest as exc:
        raise ValueError(exc.message) from exc
    if len(documents) != 1:
        raise ValueError(f"{path}: expected one YAML document, found {len(documents)}")
    doc = documents[0].value
    if not isinstance(doc, Mapping) or not set(doc) <= {"vocabulary", "rules"}:
        raise ValueError(f"{path}: expected a mapping with 'vocabulary' and 'rules' only")
    vocabulary = _vocabulary(doc.get("vocabulary") or {}, path)
    groups = {name: "(?:" + "|".join(items) + ")" for name, items in vocabulary.items()}
    entries = doc.get("rules")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: 'rules' must be a non-empty list")
    return tuple(
        _rule(entry, vocabulary, groups, f"{path}: rule {index}")
        for index, entry in enumerate(entries)
    )


def _vocabulary(raw: object, path: Path) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{path}: 'vocabulary' must be a mapping of names to lists")
    vocabulary: dict[str, tuple[str, ...]] = {}
    for name, items in raw.items():
        where = f"{path}: vocabulary {name!r}"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(f"{where}: a name is lower case letters, digits and _")
        if not isinstance(items, list) or not items:
            raise ValueError(f"{where}: expected a non-empty list")
        vocabulary[name] = _items(items, where)
    return vocabulary


def _items(items: list[object], where: str) -> tuple[str, ...]:
    """A list of strings and products, the products expanded in place."""
    out: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            out.extend(_product(item, where))
        elif isinstance(item, str) and item:
            out.append(item)
        else:
            raise ValueError(f"{where}: item {item!r} is not a non-empty string or a product")
    return tuple(out)


def _product(spec: Mapping[object, object], where: str) -> list[str]:
    parts = spec.get("product")
    if set(spec) != {"product"} or not isinstance(parts, list) or not parts:
        raise ValueError(f"{where}: a product is {{product: [part, ...]}}, got {dict(spec)!r}")
    pools: list[list[str]] = []
    for part in parts:
        pool = part if isinstance(part, list) else [part]
        if not pool or not all(isinstance(word, str) for word in pool):
            raise ValueError(f"{where}: a product's part is a string or a list of strings")
        pools.append(pool)
    return [" ".join(word for word in combo if word) for combo in itertools.product(*pools)]


def _rule(
    entry: object,
    vocabulary: Mapping[str, tuple[str, ...]],
    groups: Mapping[str, str],
    where: str,
) -> Rule:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: expected a mapping with family, weight, starts, tail")
    family = entry.get("family")
    if not isinstance(family, str) or not _NAME.fullmatch(family):
        raise ValueError(f"{where}: family {family!r} is not a lower-case name")
    where = f"{where} ({family})"
    if unknown := set(entry) - _RULE_KEYS:
        raise ValueError(f"{where}: unknown keys {sorted(map(str, unknown))}")
    weight = entry.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise ValueError(f"{where}: weight {weight!r} is not in (0, 1]")
    starts = _starts(entry.get("starts"), vocabulary, where)
    tail = _tail(entry.get("tail", ""), groups, where)
    for start in starts:
        # A start that begins with a symbol is literal, and so is one with no regex syntax.
        if _WORD_START.match(start) and _REGEX_SYNTAX.search(start):
            _compile(start, f"{where}: start {start!r}")
    return Rule(family, float(weight), starts, tail)


def _starts(raw: object, vocabulary: Mapping[str, tuple[str, ...]], where: str) -> tuple[str, ...]:
    if isinstance(raw, str):
        if raw not in vocabulary:
            raise ValueError(f"{where}: unknown vocabulary name {raw!r} in starts")
        starts = vocabulary[raw]
    elif isinstance(raw, Mapping):
        starts = tuple(_product(raw, where))
    elif isinstance(raw, list):
        starts = _items(raw, where)
    else:
        raise ValueError(f"{where}: starts must be a vocabulary name, a list or a product")
    if not starts or not all(starts):
        raise ValueError(f"{where}: empty starts")
    return starts


def _tail(raw: object, groups: Mapping[str, str], where: str) -> str:
    if not isinstance(raw, str):
        raise ValueError(f"{where}: tail {raw!r} is not a string")
    for name in _PLACEHOLDER.findall(raw):
        if name not in groups:
            raise ValueError(f"{where}: unknown placeholder <{name}> in tail")
    tail = _PLACEHOLDER.sub(lambda m: groups[m.group(1)], raw)
    _compile(tail, f"{where}: tail")
    return tail


def _compile(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"{where} is not a valid regex: {exc}") from exc


RULES: tuple[Rule, ...] = load_rules()
"""The built-in rules; ``InjectionDetector(extra_rules=...)`` adds to them."""
