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
from typing import Any

from pydantic import model_validator

from pasarela.guards.base import Guard, GuardChain
from pasarela.guards.pseudonym import Pseudonymizer
from pasarela.spec import REDACTABLE, DetectorType, GuardSpec, GuardsSpec
from pasarela.types import JSON, Detector

__all__ = [
    "REDACTABLE",
    "DetectorType",
    "GuardConfig",
    "GuardsConfig",
    "chain",
    "detector",
    "parse",
    "walk_strings",
]


class GuardConfig(GuardSpec):
    """A guard as a manifest declares it: ``spec.GuardSpec``, and its PII kinds and content
    categories must exist (the detector is built, and kept, to find out)."""

    @model_validator(mode="after")
    def _known(self) -> GuardConfig:
        if self.type in ("pii", "content"):  # unknown kinds or categories fail here
            detector(self.type, self.kinds, self.deny, self.categories)
        return self


class GuardsConfig(GuardsSpec):
    """An endpoint's ``guards`` section as a manifest declares it (``GuardConfig`` items)."""

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
    configs: Sequence[GuardSpec], pseudonymizer: Pseudonymizer | None = None
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


def parse(raw: GuardsSpec | Mapping[str, JSON] | None) -> GuardsSpec:
    """An endpoint's ``guards`` section: a typed one (``EndpointSpec.guards``, validated when
    the spec was built) as it is; a mapping checked in full (ValueError, from pydantic, when
    malformed); None: no guards."""
    if isinstance(raw, GuardsSpec):
        return raw
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
