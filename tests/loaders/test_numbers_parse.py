"""Numbers, intervals, counts, p-values and effect estimates as printed in the corpus."""

from __future__ import annotations

import pytest

from loaders.numbers import (
    Interval,
    find_count_percents,
    find_estimates,
    find_intervals,
    find_numbers,
    find_p_values,
    find_values_with_interval,
    mask_citations,
    normalise_comparator,
    parse_count_percent,
    parse_interval,
    parse_p_value,
    parse_value_with_interval,
    to_float,
)

ABSTRACT_000 = ("Median PFS was 5.7 months (95%CI: 5.1–9) and median OS 13.9 months (95%CI: 8.3–Not reached), "
                "with a 12-month OS rate of 54.1% (95%CI: 40.2–72.8)")


@pytest.mark.parametrize(
    ("text", "value"),
    [("5.7", 5.7), ("5·7", 5.7), (".002", 0.002), ("−1.5", -1.5), ("0", 0.0), ("100", 100.0)],
)
def test_to_float(text: str, value: float) -> None:
    assert to_float(text) == value


def test_intervals_of_the_000_abstract() -> None:
    found = find_intervals(ABSTRACT_000)
    assert [(i.lower, i.upper, i.upper_nr, i.level, i.kind) for i in found] == [
        (5.1, 9.0, False, 0.95, "ci"), (8.3, None, True, 0.95, "ci"), (40.2, 72.8, False, 0.95, "ci")]
    for interval in found:
        assert ABSTRACT_000[interval.start : interval.end] == interval.text
    assert found[1].text == "95%CI: 8.3–Not reached"


def test_values_with_their_interval() -> None:
    values = find_values_with_interval(ABSTRACT_000)
    assert [(v.value, v.unit, v.interval.lower) for v in values] == [
        (5.7, "months", 5.1), (13.9, "months", 8.3), (54.1, "%", 40.2)]
    median_range = parse_value_with_interval("61 (28–84)")
    assert median_range is not None
    assert (median_range.value, median_range.interval.lower, median_range.interval.upper) == (61, 28, 84)
    assert median_range.interval.kind == "range"
    pfs = parse_value_with_interval("3.4 m (2.8–3.9 m)")
    assert pfs is not None and (pfs.value, pfs.unit, pfs.interval.upper) == (3.4, "m", 3.9)
    follow_up = find_values_with_interval("29.8 months (range: 22.2–37.5+)")[0]
    assert follow_up.interval.kind == "range" and follow_up.interval.upper == 37.5


@pytest.mark.parametrize(
    ("text", "lower", "upper", "upper_nr", "level"),
    [
        ("95% CI: 5.1–9", 5.1, 9.0, False, 0.95),
        ("(95% CI 3–9 m)", 3.0, 9.0, False, 0.95),
        ("95% CI: 2.7–NR", 2.7, None, True, 0.95),
        ("90% CI 1.2 to 3.4", 1.2, 3.4, False, 0.90),
        ("95% CI 1.39-4.72", 1.39, 4.72, False, 0.95),
        ("95% CI, 0.65—0.98", 0.65, 0.98, False, 0.95),
        ("CI 95% 1.1-2.2", 1.1, 2.2, False, 0.95),
        ("28–84", 28.0, 84.0, False, None),
        ("(0–14.4)", 0.0, 14.4, False, None),
    ],
)
def test_interval_formats(text: str, lower: float, upper: float | None, upper_nr: bool, level: float | None) -> None:
    (interval,) = find_intervals(text)
    assert (interval.lower, interval.upper, interval.upper_nr, interval.level) == (lower, upper, upper_nr, level)


def test_interval_cell_with_comma() -> None:
    interval = parse_interval("1.00, 1.02")
    assert isinstance(interval, Interval)
    assert (interval.lower, interval.upper) == (1.0, 1.02)
    assert find_intervals("in 1, 2 or 3 lines") == []  # a list, not a CI


@pytest.mark.parametrize(
    ("text", "count", "percent"),
    [("14 (37.8)", 14, 37.8), ("14 (37.8%)", 14, 37.8), ("49 (43%)", 49, 43.0), ("0 (0)", 0, 0.0),
     ("21 (56.8)", 21, 56.8), ("2 (7.14)", 2, 7.14)],
)
def test_count_percent_cells(text: str, count: int, percent: float) -> None:
    parsed = parse_count_percent(text)
    assert parsed is not None and (parsed.count, parsed.percent) == (count, percent)


def test_count_percent_in_prose() -> None:
    found = find_count_percents("Grade ≥3 toxicities occurred in 23 (60.5%) patients and 12/37 (32.4%) others.")
    assert [(c.count, c.percent, c.denominator) for c in found] == [(23, 60.5, None), (12, 32.4, 37)]
    assert parse_count_percent("3") is not None
    assert parse_count_percent("3.4 m (2.8–3.9 m)") is None


@pytest.mark.parametrize(
    ("text", "value", "comparator"),
    [("P = .002", 0.002, "="), ("p<0.001", 0.001, "<"), ("p-value 0.015", 0.015, "="), ("$p=0.797$", 0.797, "="),
     ("P ≤ 0.05", 0.05, "<="), ("p > = 0.1", 0.1, ">=")],
)
def test_p_values(text: str, value: float, comparator: str) -> None:
    (p,) = find_p_values(text)
    assert (p.value, p.comparator) == (value, comparator)
    assert text[p.start : p.end] == p.text


@pytest.mark.parametrize(("text", "value", "comparator"), [("<0.001", 0.001, "<"), (".002", 0.002, "="),
                                                          ("0.015", 0.015, "="), ("1.0", 1.0, "=")])
def test_p_value_cells(text: str, value: float, comparator: str) -> None:
    p = parse_p_value(text)
    assert p is not None and (p.value, p.comparator) == (value, comparator)
    assert parse_p_value("12.5") is None


def test_hazard_ratio_with_ci_and_p() -> None:
    text = "Elevated LDH (HR 2.58, 95% CI 1.39-4.72, P = .002) were associated with poorer OS"
    (estimate,) = find_estimates(text)
    assert (estimate.measure, estimate.value) == ("HR", 2.58)
    assert estimate.interval is not None and (estimate.interval.lower, estimate.interval.upper) == (1.39, 4.72)
    assert estimate.p is not None and estimate.p.value == 0.002
    assert estimate.text == "HR 2.58, 95% CI 1.39-4.72, P = .002"
    (bracketed,) = find_estimates("female sex (HR = 0.79 (0.65–0.98), p = 0.027)")
    assert bracketed.interval is not None and bracketed.interval.kind == "ci"
    assert bracketed.text == "HR = 0.79 (0.65–0.98), p = 0.027"


@pytest.mark.parametrize(
    ("text", "value", "lower", "upper", "p"),
    [
        ("HR: 0.66; 95% CI: 0.52–0.83; p = 0.002", 0.66, 0.52, 0.83, 0.002),
        ("hazard ratio of 1.44 (95% CI 1.05-1.98, p=0.02)", 1.44, 1.05, 1.98, 0.02),
        ("HR 0.83 [0.66, 1.04]", 0.83, 0.66, 1.04, None),
        ("HR, 1.45; 95% CI, 0.88 to 2.39", 1.45, 0.88, 2.39, None),
    ],
)
def test_estimate_formats(text: str, value: float, lower: float, upper: float, p: float | None) -> None:
    (estimate,) = find_estimates(text)
    assert estimate.value == value and estimate.interval is not None
    assert (estimate.interval.lower, estimate.interval.upper) == (lower, upper)
    assert (estimate.p.value if estimate.p else None) == p


def test_several_estimates_in_one_sentence() -> None:
    text = "Elevated LDH (HR 2.58, 95% CI 1.39-4.72, P = .002) and NLR (HR 1.9, 95% CI 1.1-3.2, P = .03)"
    assert [(e.value, e.p.value if e.p else None) for e in find_estimates(text)] == [(2.58, 0.002), (1.9, 0.03)]


def test_comparators_and_unicode() -> None:
    assert [n.comparator for n in find_numbers("≥ 2, ≤3, ＞55%, > = 4, >=5, <2x, $\\geq 10\\%$")] == [
        ">=", "<=", ">", ">=", ">=", "<", ">="]
    assert normalise_comparator("≧") == ">="
    (pct,) = find_numbers("Ki-67 >55%")
    assert (pct.value, pct.percent, pct.comparator) == (55.0, True, ">")


def test_citation_marks_are_not_numbers() -> None:
    text = "origin^{1,2}. approach³. ratio.<sup>33</sup> prognosis [2–6]. OS 5·7 months"
    assert [n.value for n in find_numbers(text)] == [5.7]
    assert len(mask_citations(text)) == len(text)


def test_gene_and_marker_names_are_not_numbers() -> None:
    assert find_numbers("Ki-67 and PD-L1 in TP53") == []


def test_decimal_comma_percent() -> None:
    found = find_numbers("present in 1 of 14 evaluable patients (2,7% overall, 7,1% of assessed patients)")
    assert [(n.value, n.percent) for n in found] == [(1.0, False), (14.0, False), (2.7, True), (7.1, True)]
    assert [n.value for n in find_numbers("cited in refs 14,15 and 1,234 patients")] == [14.0, 15.0, 1.0, 234.0]
