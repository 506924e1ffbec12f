"""The injection rules compiled into a scanner: a first regex finds where a rule may start,
a second, per set of rules sharing that start, tries their tails right after it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pasarela.guards.injection_rules import Rule

_SEP = r"[\W_]+"
_TIGHT_SEP = r"[\W_]*"
_GAP = re.compile(r"~(\d+)")
_WORD_START = re.compile(r"[a-z0-9]")
_REGEX_SYNTAX = re.compile(r"\(\?|[\\?*+{\[|]")


def _source(fragment: str, sep: str) -> str:
    """A rule fragment as regex: a space is a separator, ``~N`` up to N more words."""
    # A gap's words keep a real separator even in the tight form: optional separators
    # around optional words would let the regex cut one long word in exponentially many ways.
    with_gaps = _GAP.sub(lambda m: f"(?:{_SEP}[a-z0-9'@$]+){{0,{m.group(1)}}}?", fragment)
    return with_gaps.replace(" ", sep)


def _split_start(start: str) -> tuple[str, str]:
    """A start's literal leading words (what stage 1 looks for) and the rest (regex). A
    start that begins with a symbol (``<|``, ``[inst]``, ``![``) is literal as a whole."""
    if not _WORD_START.match(start):
        return start, ""
    words = start.split(" ")
    literal: list[str] = []
    for word in words:
        if _REGEX_SYNTAX.search(word):
            break
        literal.append(word)
    rest = words[len(literal) :]
    return " ".join(literal), (" " + " ".join(rest)) if rest else ""


def _trie(phrases: Iterable[str], sep: str) -> str:
    """A regex matching any of ``phrases`` (literal words, a space standing for a separator),
    shaped as a trie so that a position that cannot start a phrase fails after a character or
    two. Phrases carry no groups: with a thousand of them, the engine would reset every
    group's marks at each position it tries, which costs more than all the rest."""
    tree: dict[str, Any] = {}
    for phrase in phrases:
        node = tree
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = phrase[-1].isalnum()

    def source(node: dict[str, Any]) -> str:
        branches = [
            (sep if char == " " else re.escape(char)) + source(child)
            for char, child in sorted(node.items())
            if char
        ]
        if "" in node:
            # a word must end here, unless words may run together (tight form)
            branches.append("(?![a-z0-9])" if node[""] and sep == _SEP else "")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return source(tree)


_ANY_SEP = re.compile(r"[\W_]+")


_Plan = tuple[str, Any, dict[str, int], bool]
"""A phrase, its candidate regex's ``match``, its group → rule map, and whether it needs the
slow path."""


@dataclass(frozen=True, slots=True)
class _Candidates:
    """Stage 2 for one set of starts: the rules that may follow, as one regex matched right
    after the phrase, each alternative a named group ``g<n>`` (strongest rule first)."""

    regex: re.Pattern[str]
    group_rule: dict[str, int]


class RuleScanner:
    """The compiled rules.

    Stage 1 is one regex, a trie of every start's literal words (``ignore``, ``you are``,
    ``a partir de ahora``), after a separator character: one pass in C finds each place
    where a rule may match, and which phrase is there. Stage 2 tries, right after that
    phrase, the tails of the rules that start with it, compiled once per distinct set of
    rules (every verb of a list shares one). Only stage-1 hits cost Python time, and
    multi-word literal starts keep them rare in ordinary text.
    """

    __slots__ = (
        "_candidates",
        "_entries",
        "_hosts",
        "_literals",
        "_plans",
        "_prefixes",
        "_stage1",
        "_symbols",
        "_tight",
        "_tight_candidates",
        "_tight_parts",
        "_words",
        "rules",
    )

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        entries: dict[str, list[tuple[int, str]]] = {}
        for rule_id, rule in enumerate(rules):
            for start in rule.starts:
                literal, rest = _split_start(start)
                if (rule_id, rest) not in entries.setdefault(literal, []):
                    entries[literal].append((rule_id, rest))
        # A phrase that extends another ("you are now" / "you are") hides it in stage 1:
        # stage 2 tries the shorter one's rules too, from where it ends.
        self._prefixes = {
            phrase: [p for p in entries if p != phrase and phrase.startswith(p + " ")]
            for phrase in entries
        }
        self._entries = {
            phrase: tuple(sorted(items, key=lambda e: (-rules[e[0]].weight, e[0], e[1])))
            for phrase, items in entries.items()
        }
        self._candidates: dict[tuple[tuple[int, str], ...], _Candidates] = {}
        self._literals: dict[tuple[str, bool], re.Pattern[str]] = {}
        self._tight_candidates: dict[tuple[tuple[int, str], ...], _Candidates] = {}
        for key in self._entries.values():
            if key not in self._candidates:
                self._candidates[key] = self._compile_candidates(key, _SEP)
        word = [p for p in entries if _WORD_START.match(p)]
        symbol = [p for p in entries if not _WORD_START.match(p)]
        # Stage 1 says where a phrase is, not which: a word phrase is known by its letters
        # and digits alone (separators vary: "you're", "youre"), a symbol phrase by its text.
        self._words: dict[str, list[str]] = {}
        for phrase in word:
            self._words.setdefault(_ANY_SEP.sub("", phrase), []).append(phrase)
        self._symbols: dict[str, Sequence[str]] = {phrase: [phrase] for phrase in symbol}
        first_words = {phrase.split(" ")[0] for phrase in word}
        self._hosts = frozenset(
            phrase for phrase in word if any(w in first_words for w in phrase.split(" ")[1:])
        )
        # Per phrase key (a symbol phrase's text, a word phrase's letters and digits), what
        # stage 2 does: each phrase's candidate regex, its rule map, and whether the phrase
        # needs the slow path (it holds or extends another phrase).
        self._plans: dict[str, tuple[_Plan, ...]] = {}
        for phrase_key, phrases in [*self._words.items(), *self._symbols.items()]:
            self._plans[phrase_key] = tuple(
                (
                    phrase,
                    self._candidates[self._entries[phrase]].regex.match,
                    self._candidates[self._entries[phrase]].group_rule,
                    phrase in self._hosts or bool(self._prefixes[phrase]),
                )
                for phrase in phrases
            )
        self._stage1 = self._compile_stage1(word, symbol, _SEP)
        self._tight: re.Pattern[str] | None = None
        self._tight_parts = (word, symbol)

    def _compile_candidates(self, key: tuple[tuple[int, str], ...], sep: str) -> _Candidates:
        group_rule: dict[str, int] = {}
        alternatives = []
        for rule_id, rest in key:
            name = f"g{len(group_rule)}"
            group_rule[name] = rule_id
            alternatives.append(
                f"(?P<{name}>{_source(rest, sep)}{_source(self.rules[rule_id].tail, sep)})"
            )
        return _Candidates(re.compile("|".join(alternatives)), group_rule)

    @staticmethod
    def _compile_stage1(word: list[str], symbol: list[str], sep: str) -> re.Pattern[str]:
        # Symbol phrases stand alone and word phrases come after one separator character, so
        # every top-level alternative starts with a literal or a class: the engine skips in C
        # to the next separator or symbol. Symbols go first: "[system](#" must not be read as
        # the word "system" after "[". (The scanner puts a space before the text, so a phrase
        # at offset 0 has its separator too.)
        firsts = sorted({phrase[0] for phrase in symbol})
        parts = [
            re.escape(first) + "(?:" + _trie([p[1:] for p in symbol if p[0] == first], sep) + ")"
            for first in firsts
        ]
        if word:
            parts.append(f"[^a-z0-9](?:{_trie(word, sep)})")
        return re.compile("|".join(parts))

    def stage1(self, tight: bool) -> re.Pattern[str]:
        if not tight:
            return self._stage1
        if self._tight is None:
            self._tight = self._compile_stage1(*self._tight_parts, _TIGHT_SEP)
        return self._tight

    def matches(self, text: str, tight: bool) -> list[tuple[int, int, int]]:
        """``(rule, start, end)`` of every rule match in ``text`` (a folded form)."""
        if tight:
            return self._matches_tight(text)
        padded = " " + text
        stage1 = self._stage1
        plans = self._plans
        found: list[tuple[int, int, int]] = []
        hits = list(stage1.finditer(padded))
        n = 0
        while n < len(hits):
            hit = hits[n]
            n += 1
            matched = hit.group()
            plan = plans.get(matched)  # a symbol phrase
            start = hit.start()
            if plan is None:  # a word phrase, after its separator
                start += 1
                word = matched[1:]
                plan = plans.get(word if word.isalnum() else _ANY_SEP.sub("", word))
                if plan is None:
                    continue
            elif not matched[-1].isalnum():
                # the symbol's last character is the separator of a word right after it
                # ("<system>Assistant, approve…"), which finditer has consumed
                after = stage1.match(padded, hit.end() - 1)
                if after is not None:
                    hits.insert(n, after)
            end = hit.end()
            for phrase, match_at, group_rule, special in plan:
                if special:
                    self._special(phrase, padded, start, end, hits, n, found)
                    continue
                match = match_at(padded, end)
                if match is not None:
                    found.append((group_rule[match.lastgroup or ""], start - 1, match.end() - 1))
        return found

    def _special(
        self,
        phrase: str,
        padded: str,
        start: int,
        end: int,
        hits: list[re.Match[str]],
        n: int,
        found: list[tuple[int, int, int]],
    ) -> None:
        """A phrase that holds another (``ahora eres`` holds ``eres``: finditer resumes after
        it, so look inside) or extends a shorter one (``you are now``: try ``you are``'s rules
        from where it ends)."""
        if phrase in self._hosts:
            inner = self._stage1.search(padded, start + 1, end + 40)
            if inner is not None and inner.start() < end:
                hits.insert(n, inner)
        for candidate_phrase, at in self._stage2_starts(phrase, padded, start, end, False):
            candidates = self._candidates[self._entries[candidate_phrase]]
            match = candidates.regex.match(padded, at)
            if match is not None:
                rule = candidates.group_rule[match.lastgroup or ""]
                found.append((rule, start - 1, max(match.end(), at) - 1))

    def _matches_tight(self, text: str) -> list[tuple[int, int, int]]:
        """``matches`` for joined spaced-out letters (rare): search from every phrase."""
        padded = " " + text
        stage1 = self.stage1(True)
        found: list[tuple[int, int, int]] = []
        position = 0
        while (hit := stage1.search(padded, position)) is not None:
            matched = hit.group()
            start = hit.start()
            phrases: Sequence[str] | None = self._symbols.get(matched)
            if phrases is None:
                start += 1
                phrases = self._words.get(_ANY_SEP.sub("", matched[1:]), ())
            position = start + 1
            for phrase in phrases:
                for candidate_phrase, at in self._stage2_starts(
                    phrase, padded, start, hit.end(), True
                ):
                    candidates = self._candidates_for(self._entries[candidate_phrase], True)
                    match = candidates.regex.match(padded, at)
                    if match is not None:
                        rule = candidates.group_rule[match.lastgroup or ""]
                        found.append((rule, start - 1, max(match.end(), at) - 1))
        return found

    def _candidates_for(self, key: tuple[tuple[int, str], ...], tight: bool) -> _Candidates:
        if not tight:
            return self._candidates[key]
        if key not in self._tight_candidates:
            self._tight_candidates[key] = self._compile_candidates(key, _TIGHT_SEP)
        return self._tight_candidates[key]

    def _stage2_starts(
        self, phrase: str, padded: str, start: int, end: int, tight: bool
    ) -> list[tuple[str, int]]:
        """Where stage 2 starts for ``phrase`` and for each shorter phrase it extends."""
        starts = [(phrase, end)]
        for shorter in self._prefixes[phrase]:
            key = (shorter, tight)
            literal = self._literals.get(key)
            if literal is None:  # compiled once: building the trie costs more than matching
                literal = re.compile(_trie([shorter], _TIGHT_SEP if tight else _SEP))
                self._literals[key] = literal
            match = literal.match(padded, start)
            if match is not None:
                starts.append((shorter, match.end()))
        return starts
