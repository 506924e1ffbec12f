"""Precision and recall of the PII and secrets detectors on their evaluation sets, and what a
scan of a realistic 2 KB text costs (``.venv/bin/python benchmarks/guards_pii_eval.py``).

The sets are ``tests/data/guards/pii_eval.jsonl`` and ``secrets_eval.jsonl``, built by
``tests/data/guards/make_pii_eval.py`` before the detectors were tuned. A labelled entity is
found when a finding of the same label, scoring at least ``THRESHOLD`` (a guard's default),
overlaps it; a finding is a true positive when it overlaps an entity of its label, a false
positive otherwise (a finding of a label that the text does not hold counts against precision
even when it overlaps another entity). ``tests/unit/guards/test_pii.py`` asserts the
acceptance targets on the same figures: recall and precision ≥ 0.95 over the checksum-
validated kinds, overall and per language.

``--set`` picks the PII sets: ``shipped`` (the above, the figures as they always were),
``heldout`` (``pii_heldout.jsonl``, built by ``make_pii_heldout.py``: written blind, by someone
who saw neither the detector nor the first set, with hard negatives: wrong check digits and
numbers that only look like PII), ``both`` (the default: those two), ``test`` or ``all``.
The held-out set was measured once blind (recall 0.904 on the checksum kinds); the formats it
showed the detector missing (lower-case letters, a space before a DNI's letter, spaced
CUITs, undashed RUTs…) were then taught to the detector, so it is a development set now.
``test`` (``pii_test.jsonl``, ``make_pii_test.py``) is the final one: written blind by
another writer after that, measured once per change of the rules, never used to tune them.
Both are scored with the same rules and tables, plus the share of their PII-free texts that
get any finding. With ``heldout``, ``both`` or ``all`` the content detector
(``ContentDetector(categories=CATEGORIES)``) is scored on ``content_eval.jsonl``
(``make_content_eval.py``, also written blind): a positive text is caught when a finding
scoring at least ``THRESHOLD`` carries its category's name upper-cased (``VIOLENCE``); a
benign text is a false positive when it gets any such finding; recall per category and the
false-positive rate on ordinary and on hard benign texts, per language. The test and content
sets must never be used to tune a detector.

The cost is the p50 and p99 of ``scan`` over ``RUNS`` calls on ``SAMPLE_2KB``, a support
ticket in Spanish, English and Portuguese with a few identifiers, order numbers, dates and
amounts in it; the budget for the three detectors together is 500 µs at p99.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pasarela.guards.content import CATEGORIES, ContentDetector
from pasarela.guards.pii import PiiDetector
from pasarela.guards.secrets import SecretsDetector
from pasarela.types import Detector

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "guards"
THRESHOLD = 0.5
RUNS = 5000
CHECKSUM_LABELS = ("CARD", "IBAN", "DNI", "NIE", "CURP", "RFC", "CPF", "CNPJ", "SSN", "CUIT", "RUT")
"""The kinds whose validation is a check digit (or, for the SSN, its issuing rules): the
acceptance targets are on these."""

SAMPLE_2KB = """Ticket #48213 — abierto el 12/03/2024 a las 09:41 (prioridad alta)

Cliente: Hola, buenas tardes. Les escribo porque el pedido 2024-118734 todavía no llegó y ya \
pasaron más de diez días hábiles. En la web dice "en preparación" desde el lunes. Pagué con la \
tarjeta 4539 1488 0343 6467 y el cargo de 1.249,90 € ya aparece en mi cuenta. Mi correo es \
lucia.fernandez@correo.es y mi teléfono 612 345 678, por si necesitan contactarme. Para la \
factura uso el NIF 12345678Z.

Agente: Hola Lucía, gracias por escribirnos. Veo el pedido: el paquete salió del almacén de \
Getafe el 14/03 con el número de seguimiento 1Z999AA10123456784, pero el transportista lo \
devolvió por una dirección incompleta (falta el piso). ¿Puede confirmarme la dirección \
completa y el código postal (28013)?

Cliente: Claro: calle de Alcalá 45, 3º B, 28014 Madrid. Perdón, el código era 28014. Otra \
cosa: me cobraron dos veces el envío (4,95 € cada uno). ¿Pueden devolverme uno a la cuenta \
ES91 2100 0418 4502 0005 1332?

Agente: Sin problema. He solicitado el reembolso de 4,95 € (referencia REF-2024-0031). \
Tardará entre 3 y 5 días. Le he enviado un e-mail de confirmação también.

Customer (English follow-up): Thanks! One more thing, my husband's order \
#112-3456789-0123456 shipped to the US office, he can be reached at (415) 555-0132 during \
business hours. The app version is 5.12.3 on Android 14, build 2024.03.1.

Cliente (pt): Olá, também tenho uma conta no Brasil com o CPF 123.456.789-09; a compra de \
R$ 349,90 no dia 15/03/2024 não apareceu no histórico. O protocolo do atendimento é \
20240315-7781. Obrigado pela ajuda e pela paciência, equipe!

Agente: Perfeito, registrado. Qualquer dúvida, responda a este mensaje. Saludos, equipo de \
soporte. Gracias de nuevo por la ayuda, quedo atento a la respuesta, buen día."""
SAMPLE_2KB = (SAMPLE_2KB * 2)[:2048]


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    lang: str
    entities: tuple[tuple[str, int, int], ...]


def load(name: str) -> list[Example]:
    """One evaluation set (``pii_eval.jsonl`` or ``secrets_eval.jsonl``)."""
    rows = []
    with (DATA / name).open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            entities = tuple((e["label"], e["start"], e["end"]) for e in row["entities"])
            rows.append(Example(row["text"], row["lang"], entities))
    return rows


@dataclass(slots=True)
class Counts:
    """Entities found and missed, findings right and wrong."""

    found: int = 0
    missed: int = 0
    right: int = 0
    wrong: int = 0

    @property
    def recall(self) -> float:
        total = self.found + self.missed
        return self.found / total if total else 1.0

    @property
    def precision(self) -> float:
        total = self.right + self.wrong
        return self.right / total if total else 1.0


@dataclass(slots=True)
class Report:
    """Counts overall, per label and per language, and the errors for a look."""

    overall: Counts = field(default_factory=Counts)
    by_label: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_lang: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    errors: list[str] = field(default_factory=list)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(
    detector: Detector,
    examples: Iterable[Example],
    labels: Sequence[str] | None = None,
    threshold: float = THRESHOLD,
) -> Report:
    """Scores ``detector`` on ``examples``, counting only ``labels`` (all when None)."""
    report = Report()
    for ex in examples:
        keep = (lambda label: True) if labels is None else (lambda label: label in labels)
        gold = [(lab, s, e) for lab, s, e in ex.entities if keep(lab)]
        found = [f for f in detector.scan(ex.text) if f.score >= threshold and keep(f.label)]
        buckets = (report.overall, report.by_lang[ex.lang])
        for label, start, end in gold:
            hit = any(f.label == label and _overlaps((f.start, f.end), (start, end)) for f in found)
            for c in (*buckets, report.by_label[label]):
                if hit:
                    c.found += 1
                else:
                    c.missed += 1
            if not hit:
                report.errors.append(f"missed {label} {ex.text[start:end]!r} in {ex.text!r}")
        for f in found:
            right = any(
                f.label == label and _overlaps((f.start, f.end), (start, end))
                for label, start, end in gold
            )
            for c in (*buckets, report.by_label[f.label]):
                if right:
                    c.right += 1
                else:
                    c.wrong += 1
            if not right:
                report.errors.append(
                    f"false {f.label} {ex.text[f.start : f.end]!r} ({f.score}) in {ex.text!r}"
                )
    return report


@dataclass(frozen=True, slots=True)
class ContentExample:
    text: str
    lang: str
    category: str | None
    hard: bool


def load_content(name: str = "content_eval.jsonl") -> list[ContentExample]:
    with (DATA / name).open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return [ContentExample(r["text"], r["lang"], r["category"], r["hard"]) for r in rows]


@dataclass(slots=True)
class Rate:
    """Texts that got a finding out of texts seen."""

    hit: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hit += hit
        self.total += 1

    def cell(self) -> str:
        return f"{self.hit / self.total:.3f} ({self.hit}/{self.total})" if self.total else "–"


LANGS = ("en", "es", "pt")


def evaluate_content(
    detector: Detector, examples: Iterable[ContentExample], threshold: float = THRESHOLD
) -> tuple[str, list[str]]:
    """Recall per category and false-positive rate on benign texts, overall and per
    language, as two markdown tables; and the misses and false hits for a look."""
    recall: dict[str, dict[str, Rate]] = defaultdict(lambda: defaultdict(Rate))
    fpr: dict[str, dict[str, Rate]] = defaultdict(lambda: defaultdict(Rate))
    errors = []
    for ex in examples:
        labels = [f.label for f in detector.scan(ex.text) if f.score >= threshold]
        if ex.category is not None:
            hit = ex.category.upper() in labels
            for row in (ex.category, "**all positives**"):
                for col in ("all", ex.lang):
                    recall[row][col].add(hit)
            if not hit:
                errors.append(f"missed {ex.category} (found {labels}) in {ex.text!r}")
        else:
            hit = bool(labels)
            for row in ("hard" if ex.hard else "ordinary", "**all benign**"):
                for col in ("all", ex.lang):
                    fpr[row][col].add(hit)
            if hit:
                kind = "hard" if ex.hard else "ordinary"
                errors.append(f"false {labels} on {kind} {ex.text!r}")
    head = "| | all | " + " | ".join(LANGS) + " |\n|---|---:|" + "---:|" * len(LANGS)
    out = ["### Content, recall per category (caught / positive texts)", "", head]
    for row in (*sorted(c for c in recall if not c.startswith("*")), "**all positives**"):
        cells = [recall[row][col].cell() for col in ("all", *LANGS)]
        out.append(f"| {row} | " + " | ".join(cells) + " |")
    out += ["", "### Content, false-positive rate on benign texts (flagged / texts)", "", head]
    for row in ("ordinary", "hard", "**all benign**"):
        cells = [fpr[row][col].cell() for col in ("all", *LANGS)]
        out.append(f"| {row} | " + " | ".join(cells) + " |")
    return "\n".join(out), errors


def flagged_clean(
    detector: Detector, examples: Iterable[Example], threshold: float = THRESHOLD
) -> str:
    """How many of the texts that hold no PII get any finding, overall and per language."""
    rates: dict[str, Rate] = defaultdict(Rate)
    for ex in examples:
        if not ex.entities:
            hit = any(f.score >= threshold for f in detector.scan(ex.text))
            rates["all"].add(hit)
            rates[ex.lang].add(hit)
    cells = ", ".join(f"{k} {rates[k].cell()}" for k in ("all", *LANGS))
    return f"PII-free texts (hard negatives) with any finding: {cells}"


def table(title: str, report: Report) -> str:
    lines = [f"### {title}", "", "| | recall | precision | entities | findings |"]
    lines.append("|---|---:|---:|---:|---:|")
    rows = [("**all**", report.overall)]
    rows += [(f"lang {k}", v) for k, v in sorted(report.by_lang.items())]
    rows += [(k, v) for k, v in sorted(report.by_label.items())]
    for name, c in rows:
        lines.append(
            f"| {name} | {c.recall:.3f} | {c.precision:.3f} | {c.found + c.missed} | "
            f"{c.right + c.wrong} |"
        )
    return "\n".join(lines)


def cost(scan: Callable[[str], object], text: str, runs: int = RUNS) -> tuple[float, float]:
    """p50 and p99 of one call, in microseconds. The objects alive before (the evaluation
    sets, the reports) are frozen out of the garbage collector first, so that a full
    collection of this script's heap is not counted as a scan's cost."""
    gc.collect()
    gc.freeze()
    for _ in range(200):
        scan(text)
    times = []
    clock = time.perf_counter_ns
    for _ in range(runs):
        t0 = clock()
        scan(text)
        times.append(clock() - t0)
    times.sort()
    return times[len(times) // 2] / 1000, times[int(len(times) * 0.99)] / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--errors", action="store_true", help="print every miss and false hit")
    parser.add_argument(
        "--set",
        choices=("shipped", "heldout", "both", "test", "all"),
        default="both",
        help="which PII evaluation set (held-out also scores the content set)",
    )
    args = parser.parse_args()

    pii = PiiDetector()
    secrets = SecretsDetector()
    content = ContentDetector(categories=CATEGORIES)
    reports = []
    if args.set in ("shipped", "both", "all"):
        pii_rows = load("pii_eval.jsonl")
        reports += [
            ("PII, checksum-validated kinds", evaluate(pii, pii_rows, CHECKSUM_LABELS)),
            ("PII, e-mail, phone, IP", evaluate(pii, pii_rows, ("EMAIL", "PHONE", "IP"))),
            ("Secrets", evaluate(secrets, load("secrets_eval.jsonl"))),
        ]
    held = load("pii_heldout.jsonl")
    if args.set in ("heldout", "both", "all"):
        reports += [
            ("PII held-out, checksum-validated kinds", evaluate(pii, held, CHECKSUM_LABELS)),
            ("PII held-out, e-mail, phone, IP", evaluate(pii, held, ("EMAIL", "PHONE", "IP"))),
        ]
    final = load("pii_test.jsonl")
    if args.set in ("test", "all"):
        reports += [
            ("PII test, checksum-validated kinds", evaluate(pii, final, CHECKSUM_LABELS)),
            ("PII test, e-mail, phone, IP", evaluate(pii, final, ("EMAIL", "PHONE", "IP"))),
        ]
    for title, report in reports:
        print(table(title, report), end="\n\n")
        if args.errors:
            print("\n".join(report.errors), end="\n\n")
    if args.set in ("test", "all"):
        print("test set: " + flagged_clean(pii, final), end="\n\n")
    if args.set in ("heldout", "both", "all"):
        print("held-out set: " + flagged_clean(pii, held), end="\n\n")
        tables, errors = evaluate_content(content, load_content())
        print(tables, end="\n\n")
        if args.errors:
            print("\n".join(errors), end="\n\n")

    print(f"### Cost of one scan of a {len(SAMPLE_2KB)}-character ticket ({args.runs} runs)\n")
    print("| detector | p50 µs | p99 µs |\n|---|---:|---:|")
    total50 = total99 = 0.0
    for name, detector in (("pii", pii), ("secrets", secrets), ("content (all)", content)):
        p50, p99 = cost(detector.scan, SAMPLE_2KB, args.runs)
        total50 += p50
        total99 += p99
        print(f"| {name} | {p50:.0f} | {p99:.0f} |")
    print(f"| **sum** | {total50:.0f} | {total99:.0f} |")


if __name__ == "__main__":
    main()
