"""``nenkg query`` and the ``serve`` command's settings, on the NICE-NEC excerpt store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from api.cli import main
from api.settings import Settings


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_named_query_as_table(excerpt_store: Path) -> None:
    code, out = run("query", "outcomes_of_study", "--param", "study=NICE-NEC", "--store", str(excerpt_store))
    assert code == 0, out
    assert out.splitlines()[0].split()[:3] == ["study", "studyLabel", "populationLabel"]
    assert "13.9" in out and "(3 rows)" in out


def test_sparql_text_as_json_and_csv(excerpt_store: Path) -> None:
    query = "SELECT ?v WHERE { ?o nenkg:hasEndpoint nenkg:OverallSurvival ; nenkg:value ?v }"
    code, out = run("query", query, "--format", "json", "--store", str(excerpt_store))
    assert code == 0 and json.loads(out)["results"]["bindings"][0]["v"]["value"] == "13.9"
    code, out = run("query", query, "--format", "csv", "--store", str(excerpt_store))
    assert list(csv.DictReader(io.StringIO(out))) == [{"v": "13.9"}]


def test_construct_prints_turtle(excerpt_store: Path) -> None:
    code, out = run("query", "CONSTRUCT WHERE { ?s nenkg:studyName ?n }", "--store", str(excerpt_store))
    assert code == 0 and 'nenkg:studyName "NICE-NEC"' in out


def test_user_errors_are_one_line(excerpt_store: Path) -> None:
    code, out = run("query", "significant_prognostic_factors", "-p", "alpha=abc", "--store", str(excerpt_store))
    assert code == 1 and "alpha" in out and "Traceback" not in out
    code, out = run("query", "SELECT * WHERE { SERVICE <http://e.org/> { ?s ?p ?o } }", "--store",
                    str(excerpt_store))
    assert code == 1 and "SERVICE is disabled" in out
    code, out = run("query", "SELECT * WHERE {", "--store", str(excerpt_store))
    assert code == 1 and "error" in out.lower()
    code, out = run("query", "outcomes_of_study", "-p", "nope", "--store", str(excerpt_store))
    assert code == 2 and "NAME=VALUE" in out


def test_list() -> None:
    code, out = run("query", "--list")
    assert code == 0 and "outcomes_of_study [study=NICE-NEC]" in out


def test_settings_resolution_order() -> None:
    env = {"NENKG_PORT": "9001", "NENKG_QUERY_TIMEOUT": "5", "NENKG_STORE": "/data/store"}
    settings = Settings.resolve(environ=env, port=9002)
    assert (settings.port, settings.query_timeout, settings.store) == (9002, 5.0, "/data/store")
    assert Settings.resolve(environ={}).port == 8000
