"""Fixtures shared across the test packages: the corpus graph, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.build import BuildSummary, build_store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildSummary]:
    """The four bundled papers built (with reasoning) into an embedded store: (path, summary)."""
    target = tmp_path_factory.mktemp("corpus") / "store"
    summary = build_store(CORPUS, target, reason=True)
    return target, summary


@pytest.fixture(scope="session")
def corpus_store_path(corpus_build: tuple[Path, BuildSummary]) -> Path:
    """Path of the built corpus store; open it read-only (several processes may share it)."""
    return corpus_build[0]
