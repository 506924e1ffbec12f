"""The ``flags`` policy: feature-flag targeting, as OpenFeature and GrowthBook users expect.

Rules are tried in order and the first whose conditions all hold decides: it either serves one
version (reason ``TARGETING_MATCH``) or splits its traffic by weight (reason ``SPLIT``). When no
rule matches, the default version answers (reason ``DEFAULT``)::

    policy:
      type: flags
      default: churn@champion
      segments:
        beta_testers:
          - {attribute: plan, op: in, value: [pro, team]}
          - {attribute: app_version, op: semver_gte, value: "2.3.0"}
      rules:
        - name: staff
          when: [{attribute: email, op: regex, value: '@example\\.com$'}]
          serve: churn@4
        - name: beta
          segment: beta_testers
          split:
            - {target: churn@4, weight: 20}
            - {target: churn@champion, weight: 80}

A split places a request with a ``unit_id`` by a hash of it, salted with the policy's salt and the
rule's name, so a user keeps their version across requests, restarts and replicas, and two rules
split independently; without a ``unit_id`` the injected RNG draws. Conditions are described in
:mod:`pasarela.routing.conditions`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from pasarela.routing.base import PolicyOptions, VersionRef
from pasarela.routing.conditions import Condition, Matcher
from pasarela.routing.hashing import WeightedSplit, position
from pasarela.types import JSON, Decision, RequestContext, VersionId

TARGETING_MATCH = "TARGETING_MATCH"
SPLIT = "SPLIT"
DEFAULT = "DEFAULT"


class SplitTarget(PolicyOptions):
    """One arm of a split: a version and its share of the rule's traffic, in percent."""

    target: VersionRef
    weight: float = Field(gt=0, le=100)


class Rule(PolicyOptions):
    """Who a rule applies to (a segment and/or conditions, all of which must hold) and what it
    serves them (one version, or a weighted split)."""

    name: str = Field(min_length=1)
    """Unique among the rules; also salts the rule's split, so renaming a rule reshuffles it."""
    when: list[Condition] = Field(default_factory=list)
    segment: str | None = None
    """A named entry of the policy's ``segments``."""
    serve: VersionRef | None = None
    split: list[SplitTarget] | None = Field(default=None, min_length=1)
    """Weights in percent, summing to 100."""

    @field_validator("split")
    @classmethod
    def _split(cls, split: list[SplitTarget] | None) -> list[SplitTarget] | None:
        if split is None:
            return None
        total = math.fsum(arm.weight for arm in split)
        if not math.isclose(total, 100.0, abs_tol=1e-9):
            raise ValueError(f"split weights must sum to 100, not {total:g}")
        refs = [arm.target for arm in split]
        if len(set(refs)) != len(refs):
            raise ValueError("each target appears once in a split")
        return split

    @model_validator(mode="after")
    def _one_outcome(self) -> Rule:
        if (self.serve is None) == (self.split is None):
            raise ValueError(f"rule {self.name!r} needs exactly one of 'serve' or 'split'")
        return self

    def targets(self) -> tuple[str, ...]:
        if self.serve is not None:
            return (self.serve,)
        return tuple(arm.target for arm in self.split or ())


class FlagsOptions(PolicyOptions):
    type: Literal["flags"] = "flags"
    default: VersionRef
    """Served when no rule matches."""
    salt: str | None = Field(default=None, min_length=1)
    """Seeds the sticky splits (default ``flags:`` + the default reference); changing it
    reshuffles every unit."""
    segments: dict[str, Annotated[list[Condition], Field(min_length=1)]] = Field(
        default_factory=dict
    )
    """Named condition lists, all of which must hold, that rules refer to by name."""
    rules: list[Rule] = Field(default_factory=list)
    """Tried in order; the first that matches decides."""

    @field_validator("rules")
    @classmethod
    def _rules(cls, rules: list[Rule], info: ValidationInfo) -> list[Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.name in seen:
                raise ValueError(f"rule name {rule.name!r} is used twice; names must be unique")
            seen.add(rule.name)
        segments = info.data.get("segments")
        if segments is None:  # invalid segments are reported on their own
            return rules
        for rule in rules:
            if rule.segment is not None and rule.segment not in segments:
                known = ", ".join(sorted(segments)) or "none"
                raise ValueError(
                    f"rule {rule.name!r} uses unknown segment {rule.segment!r}; known: {known}"
                )
        return rules

    @property
    def split_salt(self) -> str:
        return self.salt if self.salt is not None else f"flags:{self.default}"

    def targets(self) -> tuple[str, ...]:
        refs = [self.default, *(ref for rule in self.rules for ref in rule.targets())]
        return tuple(dict.fromkeys(refs))


@dataclass(frozen=True, slots=True)
class _Serve:
    decision: Decision

    def pick(self, unit_id: str | None, rng: random.Random) -> Decision:
        del unit_id, rng
        return self.decision


@dataclass(frozen=True, slots=True)
class _Split:
    salt: str
    split: WeightedSplit

    def pick(self, unit_id: str | None, rng: random.Random) -> Decision:
        return self.split.at(position(unit_id, self.salt, rng))


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    matchers: tuple[Matcher, ...]
    outcome: _Serve | _Split


class FlagsPolicy:
    """First matching rule serves or splits; otherwise the default.

    >>> options = FlagsOptions(default="m@1", rules=[Rule(name="eu",
    ...     when=[Condition(attribute="region", op="eq", value="eu")], serve="m@2")])
    >>> policy = FlagsPolicy(options, {"m@1": VersionId("m", 1), "m@2": VersionId("m", 2)}, {})
    >>> policy.decide(RequestContext("r1", "churn", attributes={"region": "eu"}), random.Random(0))
    Decision(version=VersionId(model='m', version=2), reason='TARGETING_MATCH')
    """

    Options = FlagsOptions

    def __init__(
        self,
        options: FlagsOptions,
        versions: Mapping[str, VersionId],
        state: Mapping[str, JSON],
    ) -> None:
        del state
        segments = {
            name: tuple(c.compile() for c in conditions)
            for name, conditions in options.segments.items()
        }
        salt = options.split_salt
        self._rules = tuple(
            _CompiledRule(
                (
                    *(segments[rule.segment] if rule.segment else ()),
                    *(c.compile() for c in rule.when),
                ),
                _outcome(rule, versions, f"{salt}:{rule.name}"),
            )
            for rule in options.rules
        )
        self._default = Decision(versions[options.default], DEFAULT)

    def decide(self, request: RequestContext, rng: random.Random) -> Decision:
        attributes = request.attributes
        for rule in self._rules:
            for matches in rule.matchers:
                if not matches(attributes):
                    break
            else:
                return rule.outcome.pick(request.unit_id, rng)
        return self._default


def _outcome(rule: Rule, versions: Mapping[str, VersionId], salt: str) -> _Serve | _Split:
    if rule.serve is not None:
        return _Serve(Decision(versions[rule.serve], TARGETING_MATCH))
    arms = rule.split or []
    return _Split(
        salt, WeightedSplit([(a.weight, Decision(versions[a.target], SPLIT)) for a in arms])
    )
