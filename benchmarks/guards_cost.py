"""What every guard together costs on a 2 KB input: the issue's budget is p99 < 1 ms.

The chain is the one an endpoint gets from this manifest section (every detector but the
semantic one, which is for offline screening):

```yaml
guards:
  input:
    - {type: injection, action: block}
    - {type: pii, action: redact}
    - {type: secrets, action: block}
    - {type: content, action: flag, categories: [violence, self_harm, hate]}
```

The texts are 2 KB each: the injection evaluation's realistic texts (benign requests of one
language joined, one attack in every fourth), the PII evaluation's support ticket, and
benign texts with a few identifiers spliced in. ``GuardChain.check`` is timed alone, one
call at a time with the collector off, cycling through the texts; p50, p99 and the
maximum in microseconds, overall and per kind of text. Run with the project's environment:

    .venv/bin/python benchmarks/guards_cost.py [--runs 6000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from guards_injection_eval import realistic_texts, timed_calls
from guards_pii_eval import SAMPLE_2KB
from pasarela.guards.config import chain, parse

SECTION = {
    "input": [
        {"type": "injection", "action": "block"},
        {"type": "pii", "action": "redact"},
        {"type": "secrets", "action": "block"},
        {"type": "content", "action": "flag", "categories": ["violence", "self_harm", "hate"]},
    ]
}
IDENTIFIERS = (
    "lucia.fernandez@correo.es",
    "+34 612 345 678",
    "4539 1488 0343 6467",
    "ES91 2100 0418 4502 0005 1332",
    "123.456.789-09",
    "192.168.10.24",
    "12345678Z",
)


def texts_by_kind(seed: int = 11) -> dict[str, list[str]]:
    rng = random.Random(seed)
    mixed = realistic_texts(60)
    with_pii = []
    for text in mixed[:30]:
        words = text.split(" ")
        for identifier in rng.sample(IDENTIFIERS, 3):
            words.insert(rng.randrange(len(words)), identifier)
        with_pii.append(" ".join(words)[:2048])
    return {"requests": mixed, "requests+pii": with_pii, "ticket": [SAMPLE_2KB]}


def row(name: str, samples: list[float]) -> str:
    samples = sorted(samples)
    p99 = samples[int(0.99 * (len(samples) - 1))]
    return (
        f"{name:<16}{len(samples):>8}{statistics.median(samples):>8.0f}{p99:>8.0f}"
        f"{samples[-1]:>9.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6000, help="timed calls per kind of text")
    args = parser.parse_args()
    guards = chain(parse(SECTION).input)
    assert guards is not None
    print(f"{'texts':<16}{'calls':>8}{'p50 µs':>8}{'p99 µs':>8}{'max µs':>9}")
    every: list[float] = []
    for kind, texts in texts_by_kind().items():
        samples = timed_calls(guards.check, texts, args.runs)
        every.extend(samples)
        print(row(kind, samples))
    print(row("all", every))


if __name__ == "__main__":
    main()
