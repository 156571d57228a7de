"""Settings of the nenkg server, resolved inside factories: argument > environment (``NENKG_*``) > default.

Nothing is read at import time; :meth:`Settings.resolve` reads the environment when it is called.

>>> Settings.resolve(environ={"NENKG_PORT": "9000"}, host="0.0.0.0").port
9000
>>> Settings.resolve(environ={"NENKG_PORT": "9000"}, port=8001).port
8001
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

ENV_PREFIX = "NENKG_"


class Settings(BaseModel):
    """What the server needs to know; every field can come from ``NENKG_<FIELD>`` in upper case."""

    model_config = {"frozen": True}

    store: str | None = Field(None, description="Store location: a folder (Oxigraph) or a SPARQL URL; "
                              "unset means graph.store's default (the user data folder).")
    host: str = Field("127.0.0.1", description="Interface to listen on.")
    port: int = Field(8000, ge=0, le=65535, description="TCP port.")
    query_timeout: float = Field(20.0, gt=0, description="Wall-clock seconds a query may run.")
    max_results: int = Field(10_000, ge=1, description="Rows (or triples) a query may return.")
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Largest request body accepted.")
    max_query_chars: int = Field(200_000, ge=100, description="Longest query text accepted.")
    max_depth: int = Field(64, ge=4, description="Deepest bracket nesting accepted in a query.")
    max_operators: int = Field(2_000, ge=10, description="Most operator symbols accepted in a query.")
    workers: int = Field(2, ge=1, le=16, description="Query worker processes (2 measured best on 2 cores).")
    worker_memory_mb: int = Field(3072, ge=256, description="Address-space limit of one worker (MiB).")

    @classmethod
    def resolve(cls, environ: Mapping[str, str] | None = None, **arguments: Any) -> Settings:
        """Build settings from ``arguments`` (``None`` values ignored), then the environment,
        then the defaults."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            key = ENV_PREFIX + name.upper()
            if key in environ:
                values[name] = environ[key]
        values.update({k: v for k, v in arguments.items() if v is not None})
        return cls.model_validate(values)
