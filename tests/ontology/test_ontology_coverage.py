"""Alignment coverage on the real corpus graph: the vocabulary the four papers use is mapped."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.coverage import mapping_coverage, unmapped_terms, used_terms
from graph.store import OxigraphStore


@pytest.mark.slow
def test_at_least_95_percent_of_used_terms_carry_an_external_match(corpus_store_path: Path) -> None:
    store = OxigraphStore(corpus_store_path, read_only=True)
    try:
        coverage = mapping_coverage(store)
        used = used_terms(store)
        assert len(used) >= 20, used  # the corpus graph does use the vocabulary
        mapped, total = coverage["all"]
        assert total == len(used)
        core_mapped, core_total = coverage["core"]
        assert core_total >= 15 and core_mapped / core_total >= 0.95, (coverage, unmapped_terms(store))
        # every family, recruitment statuses included (no shipped resource has ids for them)
        assert mapped / total >= 0.9, (coverage, unmapped_terms(store))
        for family, (hit, count) in coverage.items():
            assert 0 <= hit <= count, family
    finally:
        store.close()
