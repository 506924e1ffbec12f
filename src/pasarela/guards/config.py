"""An endpoint's guards as declared, and the chains built from them.

```yaml
guards:
  size: {max_rows: 100, max_chars: 8000}     # guards.size: checked before any detector
  input:
    - {type: injection, action: block, threshold: 0.5}
    - {type: pii, action: redact}
    - {type: secrets, action: block}
    - {type: content, action: flag, categories: [violence], deny: [competitor-name]}
  output:
    - {type: pii, action: redact}
    - {type: secrets, action: redact}
```

Detectors are built once per distinct configuration and shared by every endpoint using it
(they are pure and hold only compiled patterns), so a snapshot swap costs nothing here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pasarela.guards.base import Guard, GuardChain
from pasarela.guards.pseudonym import Pseudonymizer
from pasarela.guards.size import SizeConfig
from pasarela.types import JSON, Detector

DetectorType = Literal["injection", "semantic_injection", "pii", "secrets", "content"]
REDACTABLE = {"pii", "secrets", "content"}


class GuardConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: DetectorType
    action: Literal["flag", "redact", "block"] = "block"
    threshold: float = Field(default=0.5, ge=0, le=1)
    """Findings scoring below it are ignored."""
    kinds: tuple[str, ...] | None = None
    """``pii``: which kinds (``email``, ``card``, ``iban``…); all by default."""
    deny: tuple[str, ...] = ()
    """``content``: words or phrases refused (matched without case or accents)."""
    categories: tuple[str, ...] = ()
    """``content``: built-in lexicons (``violence``, ``self_harm``, ``hate``…)."""
    reversible: bool = False
    """``pii`` with ``redact``: replace with ``<EMAIL#token>`` tokens that
    ``PASARELA_PSEUDONYMIZATION_KEY`` can reveal (``pasarela guards reveal``)."""

    @model_validator(mode="after")
    def _fits(self) -> GuardConfig:
        if self.action == "redact" and self.type not in REDACTABLE:
            raise ValueError(f"a {self.type} guard cannot redact: use block or flag")
        if self.kinds is not None and self.type != "pii":
            raise ValueError("kinds applies to pii guards only")
        if (self.deny or self.categories) and self.type != "content":
            raise ValueError("deny and categories apply to content guards only")
        if self.type == "content" and not (self.deny or self.categories):
            raise ValueError("a content guard needs deny words or categories")
        if self.reversible and (self.type != "pii" or self.action != "redact"):
            raise ValueError("reversible applies to pii guards that redact")
        if self.type in ("pii", "content"):  # unknown kinds or categories fail here
            detector(self.type, self.kinds, self.deny, self.categories)
        return self


class GuardsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    size: SizeConfig | None = None
    input: tuple[GuardConfig, ...] = ()
    output: tuple[GuardConfig, ...] = ()


@lru_cache(maxsize=256)
def detector(
    kind: str,
    kinds: tuple[str, ...] | None,
    deny: tuple[str, ...],
    categories: tuple[str, ...],
) -> Detector:
    """The shared detector for one configuration (ValueError for unknown kinds or categories)."""
    if kind == "injection":
        from pasarela.guards.injection import InjectionDetector

        return InjectionDetector()
    if kind == "semantic_injection":
        from pasarela.guards.semantic import SemanticInjectionDetector

        return SemanticInjectionDetector()
    if kind == "pii":
        from pasarela.guards.pii import PiiDetector

        return PiiDetector(kinds)
    if kind == "secrets":
        from pasarela.guards.secrets import SecretsDetector

        return SecretsDetector()
    from pasarela.guards.content import ContentDetector

    return ContentDetector(deny=deny, categories=categories)


def chain(
    configs: Sequence[GuardConfig], pseudonymizer: Pseudonymizer | None = None
) -> GuardChain | None:
    """The chain for these guards, in order; None when there are none. A ``reversible`` guard
    needs the ``pseudonymizer`` (ValueError without one)."""
    if not configs:
        return None
    guards = []
    for c in configs:
        found = detector(c.type, c.kinds, c.deny, c.categories)
        if c.reversible:
            if pseudonymizer is None:
                raise ValueError(
                    "a reversible pii guard needs PASARELA_PSEUDONYMIZATION_KEY on the server"
                )
            found = pseudonymizer.wrap(found)
        guards.append(Guard(found, c.action, c.threshold))
    return GuardChain(tuple(guards))


def parse(raw: Mapping[str, JSON] | None) -> GuardsConfig:
    """An endpoint's ``guards`` section (ValueError, from pydantic, when malformed)."""
    return GuardsConfig.model_validate(raw or {})


def walk_strings(value: Any, check: Any) -> Any:
    """``value`` with every string replaced by ``check(string)`` (lists and dicts walked;
    dict keys left alone). A container holding no string or container comes back as it is,
    not copied: a row of numbers costs one scan."""
    if isinstance(value, str):
        return check(value)
    if isinstance(value, list):
        if not any(isinstance(v, _NESTED) for v in value):
            return value
        return [walk_strings(v, check) for v in value]
    if isinstance(value, dict):
        if not any(isinstance(v, _NESTED) for v in value.values()):
            return value
        return {k: walk_strings(v, check) for k, v in value.items()}
    return value


_NESTED = (str, list, dict)
