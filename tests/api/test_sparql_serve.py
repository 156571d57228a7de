"""``nenkg serve`` as users (and benchmarks/engines.py start_nenkg) run it: a real process on a real
port answering /sparql on the excerpt store, then stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from graph.virtuoso_server import free_port

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def test_nenkg_serve_answers_sparql(excerpt_store: Path, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/sparql"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--store", str(excerpt_store),
                                    "--port", str(port), "--workers", "1", "--log-level", "warning"],
                                   stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            response = None
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    response = httpx.get(url, params={"query": COUNT}, timeout=30)
                    break
                except httpx.HTTPError:
                    time.sleep(0.3)
            assert response is not None, log.read_text()
            assert response.status_code == 200
            assert response.json()["results"]["bindings"][0]["n"]["value"] == "162"
            assert response.headers["x-content-type-options"] == "nosniff"
            refused = httpx.get(url, params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
            assert refused.status_code == 403
        finally:
            process.terminate()
            process.wait(30)
    assert "GET /sparql" not in log.read_text()  # below info, requests are not logged one by one
