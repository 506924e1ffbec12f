"""Prompt-injection detectors on the evaluation sets: recall, false positives, cost.

For each language of ``tests/data/guards/injection_{en,es,pt}.jsonl`` (attacks and benign
texts, hard negatives included), through ``Guard(detector, action="block", threshold=0.5)``:
the number of attacks and benign texts, recall (attacks blocked), false-positive rate (benign
texts blocked) and precision, for the pattern detector (``InjectionDetector``) and, when the
``[ml]`` extra and the model package are installed, for pattern + semantic combined (a text is
blocked when either detector's score reaches 0.5, i.e. the maximum of the two scores). Then the
cost of ``InjectionDetector().scan`` on realistic 2 KB texts (benign requests of each language
joined, one attack in every fourth text): p50 and p99 in microseconds over ``--runs`` calls,
and the semantic detector's cost per call.

``--set`` picks the sets scored: ``shipped`` (the sets above, written alongside the rules),
``heldout`` (``injection_heldout_{en,es,pt}.jsonl``, written blind by someone who never saw the
rules, see ``tests/data/guards/make_injection_heldout.py``), ``both`` (the default: those
two), ``test`` or ``all``. The held-out sets were measured once blind; then the rules were
broadened with them in view, which made them a development set. ``test``
(``injection_test_{en,es,pt}.jsonl``, ``make_injection_test.py``) was written blind by another
writer after that: measure it once per change of the rules and never tune on it. For the
held-out and test sets it also prints recall on plain versus obfuscated attacks, the
false-positive rate on hard negatives versus ordinary benign texts, and recall per technique.
The latency texts always come from the shipped sets. Run with the project's environment:

    .venv/bin/python benchmarks/guards_injection_eval.py [--runs 6000] [--no-semantic]
        [--set {shipped,heldout,both,test,all}]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pasarela.guards.base import Guard
from pasarela.guards.injection import InjectionDetector
from pasarela.types import Detector

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "guards"
LANGUAGES = ("en", "es", "pt")
SETS = {
    "shipped": "injection_{}.jsonl",
    "heldout": "injection_heldout_{}.jsonl",
    "test": "injection_test_{}.jsonl",
}


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    attack: bool
    technique: str
    hard: bool = False

    @property
    def obfuscated(self) -> bool:
        return self.technique.startswith("obf_")


def load(language: str, which: str = "shipped") -> list[Example]:
    """The evaluation set of one language: ``shipped``, ``heldout`` or ``test``."""
    path = DATA / SETS[which].format(language)
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [
        Example(r["text"], bool(r["attack"]), r["technique"], bool(r.get("hard", False)))
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Scores:
    attacks: int
    benign: int
    true_positives: int
    false_positives: int

    @property
    def recall(self) -> float:
        return self.true_positives / self.attacks

    @property
    def false_positive_rate(self) -> float:
        return self.false_positives / self.benign

    @property
    def precision(self) -> float:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 1.0


def blocked(examples: list[Example], guards: list[Guard]) -> list[bool]:
    """Per example: blocked when any guard blocks (the maximum of the scores reaches 0.5)."""
    return [any(g.check(e.text).action == "block" for g in guards) for e in examples]


def evaluate(examples: list[Example], guards: list[Guard]) -> Scores:
    """Blocked when any guard blocks: the maximum of the detectors' scores reaches 0.5."""
    tp = fp = 0
    for example, is_blocked in zip(examples, blocked(examples, guards), strict=True):
        tp += is_blocked and example.attack
        fp += is_blocked and not example.attack
    attacks = sum(e.attack for e in examples)
    return Scores(attacks, len(examples) - attacks, tp, fp)


def realistic_texts(count: int, seed: int = 7) -> list[str]:
    """2 KB texts: benign requests of one language joined by newlines, and in every fourth
    text one attack somewhere in the middle (a document being summarised, say)."""
    rng = random.Random(seed)
    sets = {lang: load(lang) for lang in LANGUAGES}
    texts = []
    for n in range(count):
        examples = sets[LANGUAGES[n % len(LANGUAGES)]]
        benign = [e.text for e in examples if not e.attack]
        attacks = [e.text for e in examples if e.attack]
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < 2048:
            parts.append(rng.choice(benign))
        if n % 4 == 3:
            parts.insert(len(parts) // 2, rng.choice(attacks))
        texts.append("\n".join(parts)[:2048])
    return texts


def timed_calls(call: Callable[[str], object], texts: list[str], runs: int) -> list[float]:
    """The time of each of ``runs`` calls of ``call`` in microseconds, cycling through
    ``texts``, after one warm-up call per text (compiled patterns, caches), the cyclic
    garbage collector off while timing."""
    for text in texts:
        call(text)
    samples = []
    gc.disable()
    try:
        for n in range(runs):
            text = texts[n % len(texts)]
            start = time.perf_counter_ns()
            call(text)
            samples.append((time.perf_counter_ns() - start) / 1000)
    finally:
        gc.enable()
    return samples


def latency_us(detector: Detector, texts: list[str], runs: int) -> tuple[float, float]:
    """p50 and p99 of one ``scan`` call, in microseconds, cycling through ``texts``."""
    samples = sorted(timed_calls(detector.scan, texts, runs))
    return statistics.median(samples), samples[int(0.99 * (len(samples) - 1))]


def rate(flags: list[bool]) -> str:
    """``0.950 (n=40)``: the share of ``flags`` that are true, and how many there are."""
    share = sum(flags) / len(flags) if flags else float("nan")
    return f"{share:.3f} (n={len(flags)})"


def breakdown(detectors: list[tuple[str, list[Guard]]], which: str) -> None:
    """Recall on plain vs obfuscated attacks of a blind set, FPR on ordinary vs hard benign
    texts, then recall per technique, per language and detector."""
    print(f"\n{which} breakdown")
    print(
        f"{'language':<9}{'detector':<20}{'recall plain':>17}{'recall obfusc.':>17}"
        f"{'FPR ordinary':>17}{'FPR hard':>17}"
    )
    per_technique: dict[tuple[str, str, str], list[bool]] = {}
    for language in LANGUAGES:
        examples = load(language, which)
        for name, guards in detectors:
            pairs = list(zip(examples, blocked(examples, guards), strict=True))
            plain = [f for e, f in pairs if e.attack and not e.obfuscated]
            obfuscated = [f for e, f in pairs if e.attack and e.obfuscated]
            ordinary = [f for e, f in pairs if not e.attack and not e.hard]
            hard = [f for e, f in pairs if not e.attack and e.hard]
            print(
                f"{language:<9}{name:<20}{rate(plain):>17}{rate(obfuscated):>17}"
                f"{rate(ordinary):>17}{rate(hard):>17}"
            )
            for e, f in pairs:
                if e.attack:
                    per_technique.setdefault((name, e.technique, language), []).append(f)
    print(f"\n{which} recall per technique")
    print(f"{'detector':<20}{'technique':<16}" + "".join(f"{lang:>15}" for lang in LANGUAGES))
    techniques = sorted({t for _, t, _ in per_technique}, key=lambda t: (t.startswith("obf_"), t))
    for name, _ in detectors:
        for technique in techniques:
            cells = "".join(
                f"{rate(per_technique.get((name, technique, lang), [])):>15}" for lang in LANGUAGES
            )
            print(f"{name:<20}{technique:<16}{cells}")


def semantic_detector() -> Detector | None:
    try:
        from pasarela.guards.semantic import SemanticInjectionDetector

        return SemanticInjectionDetector()
    except ImportError as error:
        print(f"semantic detector unavailable: {error}")
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6000, help="timed scan calls (≥ 5,000)")
    parser.add_argument("--no-semantic", action="store_true", help="skip the semantic detector")
    parser.add_argument(
        "--set",
        choices=("shipped", "heldout", "both", "test", "all"),
        default="both",
        help="evaluation sets to score (default both: shipped and held-out)",
    )
    args = parser.parse_args()

    # timed first, alone: the semantic detector's BLAS threads would compete for the cores
    texts = realistic_texts(60)
    p50, p99 = latency_us(InjectionDetector(), texts, args.runs)

    pattern = Guard(InjectionDetector(), action="block", threshold=0.5)
    semantic = None if args.no_semantic else semantic_detector()
    combined = [pattern] if semantic is None else [pattern, Guard(semantic, "block", 0.5)]

    detectors = [("pattern", [pattern])]
    if semantic is not None:
        detectors.append(("pattern+semantic", combined))
    chosen = {
        "both": ("shipped", "heldout"),
        "all": ("shipped", "heldout", "test"),
    }.get(args.set, (args.set,))

    print(
        f"{'set':<9}{'language':<9}{'detector':<20}"
        f"{'attacks':>8}{'benign':>8}{'recall':>8}{'FPR':>8}{'prec.':>8}"
    )
    for which in chosen:
        for language in LANGUAGES:
            examples = load(language, which)
            for name, guards in detectors:
                s = evaluate(examples, guards)
                print(
                    f"{which:<9}{language:<9}{name:<20}{s.attacks:>8}{s.benign:>8}"
                    f"{s.recall:>8.3f}{s.false_positive_rate:>8.3f}{s.precision:>8.3f}"
                )
    for which in chosen:
        if which != "shipped":
            breakdown(detectors, which)

    label = f"InjectionDetector().scan on 2 KB ({args.runs} calls)"
    print(f"\n{label}: p50 {p50:.0f} µs, p99 {p99:.0f} µs")
    if semantic is not None:
        sample = texts[:12]
        start = time.perf_counter()
        for text in sample:
            semantic.scan(text)
        per_call = (time.perf_counter() - start) / len(sample) * 1000
        print(f"SemanticInjectionDetector().scan on 2 KB: {per_call:.0f} ms per call")


if __name__ == "__main__":
    main()
