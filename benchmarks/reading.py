"""Reading the corpus: structure found and time taken per paper (readers, segmentation, NER).

    python -m benchmarks.reading [corpus_dir] [report.md]

Prints (and writes, when a path is given) a Markdown report: for each paper its size, the best of
five read times (decode + tables + sections + sentences), the recogniser's time on the whole text,
the numbers of sections, sentences, tables and table rows, and the entity mentions per vocabulary
family outside references, affiliations, declarations and furniture.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from loaders.ner import Recogniser
from loaders.readers import read_document
from loaders.sections import SKIPPED_KINDS

ROOT = Path(__file__).resolve().parents[1]


def _best(runs: int, action: object) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def report(corpus: Path) -> str:
    start = time.perf_counter()
    recogniser = Recogniser.from_ontology()
    load = time.perf_counter() - start
    lines = [
        "# Reading the corpus",
        "",
        f"Recogniser built from the ontology in {load * 1000:.0f} ms ({len(recogniser.terms)} terms).",
        "",
        "| paper | bytes | read ms | NER ms | sections | sentences | tables | rows | mentions (body) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    families: dict[str, Counter[str]] = {}
    for path in sorted(corpus.glob("*.txt")):
        document = read_document(path)
        read_s = _best(5, lambda path=path: read_document(path))
        ner_s = _best(3, lambda document=document: recogniser.find(document.text))
        mentions = recogniser.find(document.text)
        body = [m for m in mentions
                if (section := document.section_at(m.start)) is None or section.kind not in SKIPPED_KINDS]
        families[path.stem[:3]] = Counter(m.family for m in body)
        lines.append(
            f"| {path.stem} | {path.stat().st_size} | {read_s * 1000:.0f} | {ner_s * 1000:.0f} | "
            f"{len(document.sections)} | {len(document.sentences)} | {len(document.tables)} | "
            f"{sum(len(t.rows) for t in document.tables)} | {len(mentions)} ({len(body)}) |"
        )
    names = sorted({name for counter in families.values() for name in counter},
                   key=lambda name: -sum(counter[name] for counter in families.values()))
    lines += ["", "Mentions per family outside references, affiliations, declarations and furniture:", "",
              "| family | " + " | ".join(families) + " |", "|---|" + "---:|" * len(families)]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(str(counter[name]) for counter in families.values()) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    corpus = Path(argv[0]) if argv else ROOT / "corpus"
    text = report(corpus)
    print(text)
    if len(argv) > 1:
        Path(argv[1]).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
