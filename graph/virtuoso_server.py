"""Start and stop a private OpenLink Virtuoso server, for the tests, the benchmarks and CI.

The Debian package (``virtuoso-opensource``) installs ``virtuoso-t`` but starts nothing in a
container, and its system database is not ours to touch. :class:`VirtuosoServer` writes a private
``virtuoso.ini`` and database in a directory of its own, listens on ``127.0.0.1`` only (free ports
picked at start), and raises the limits whose defaults would change answers silently:
``ResultSetMaxRows`` (10 000 by default: larger results are cut without an error) and the query
time limits. A fresh database has the account ``dba``/``dba``.

>>> VirtuosoServer.available() in (True, False)
True
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

#: Names of the server binary: Debian installs ``virtuoso-t``.
BINARIES = ("virtuoso-t", "virtuoso")
DBA_USER = "dba"
DBA_PASSWORD = "dba"

_INI = """\
[Database]
DatabaseFile    = {db}/virtuoso.db
ErrorLogFile    = {db}/virtuoso.log
LockFile        = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel   = 7
FileExtend      = 200
MaxCheckpointRemap = 2000
Striping        = 0
TempStorage     = TempDatabase

[TempDatabase]
DatabaseFile    = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping        = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
LiteMode             = 0
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 32
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
MaxStaticCursorRows  = 5000
CheckpointAuditTrail = 0
AllowOSCalls         = 0
SchedulerInterval    = 10
; the bulk loader (ld_dir) may read files from here only
DirsAllowed          = ., {db}, {load_dir}
ThreadCleanupInterval = 0
ThreadThreshold      = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize    = 100000
SingleCPU            = 0
PrefixResultNames    = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps        = 64
MaxQueryMem          = 1G
VectorSize           = 1000
MaxVectorSize        = 1000000
AdjustVectorSize     = 0
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 10
; 8 KiB pages: {buffers} buffers = {memory_mb} MiB of page cache
NumberOfBuffers      = {buffers}
MaxDirtyBuffers      = {dirty}

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}
MaxClientConnections = 32
DavRoot              = DAV
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
TempASPXDir          = 0
ServerThreads        = 32
MaxKeepAlives        = 32
KeepAliveTimeout     = 10
HTTPThreadSize       = 280000
HttpPrintWarningsInOutput = 0
Charset              = UTF-8
EnabledGzipContent   = 0

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS  = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT  = 0
SQL_TXN_TIMEOUT    = 0

[SPARQL]
; the default (10000) cuts large results silently
ResultSetMaxRows           = {max_rows}
MaxSortedTopRows           = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = {max_seconds}
DefaultGraph               =
"""


class VirtuosoError(RuntimeError):
    """Virtuoso is missing, or would not start or stop, or refused SQL."""


def isql(address: str, user: str, password: str, sql: str, timeout: float = 600.0) -> str:
    """Run SQL statements on the Virtuoso at ``address`` (host:port of its SQL listener) through
    ``isql-vt``, the client Debian's virtuoso-opensource installs; returns what it printed."""
    client = shutil.which("isql-vt") or shutil.which("isql")
    if client is None:
        raise VirtuosoError("isql-vt is not installed (it comes with virtuoso-opensource)")
    result = subprocess.run([client, address, user, password, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF",
                             "ECHO=OFF", "ERRORS=STDOUT"],
                            input=sql.encode(), capture_output=True, timeout=timeout, check=False)
    output = result.stdout.decode(errors="replace")
    if result.returncode != 0 or "*** Error" in output:
        raise VirtuosoError(f"isql at {address} failed: {output.strip()[:1000]}")
    return output


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for the servers the tests and benchmarks start)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class VirtuosoServer:
    """A Virtuoso process with a private configuration and database in ``directory``.

    Use as a context manager; ``directory=None`` makes (and removes) a temporary one.
    ``memory_mb`` sizes the page cache; ``max_rows`` is the largest result the server returns.
    """

    def __init__(self, directory: Path | None = None, *, memory_mb: int = 256,
                 max_rows: int = 10_000_000, max_seconds: int = 600, start_timeout: float = 120.0) -> None:
        self._own_dir = directory is None
        self.directory = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="nenkg-virtuoso-"))
        self.memory_mb = memory_mb
        self.max_rows = max_rows
        self.max_seconds = max_seconds
        self.start_timeout = start_timeout
        self.http_port = 0
        self.sql_port = 0
        self.process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def binary() -> str | None:
        """The path of the Virtuoso server binary, or ``None`` when it is not installed."""
        return next((path for name in BINARIES if (path := shutil.which(name))), None)

    @classmethod
    def available(cls) -> bool:
        return cls.binary() is not None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        """The anonymous, read-only SPARQL endpoint."""
        return self.base_url + "/sparql"

    @property
    def load_dir(self) -> Path:
        """A directory the server may bulk-load files from (``DirsAllowed``)."""
        return self.directory / "load"

    def start(self) -> VirtuosoServer:
        binary = self.binary()
        if binary is None:
            raise VirtuosoError("Virtuoso is not installed (no virtuoso-t on PATH): "
                                "apt-get install -y virtuoso-opensource")
        db = self.directory / "db"
        db.mkdir(parents=True, exist_ok=True)
        self.load_dir.mkdir(exist_ok=True)
        self.http_port, self.sql_port = free_port(), free_port()
        buffers = self.memory_mb * 1024 // 8
        ini = self.directory / "virtuoso.ini"
        ini.write_text(_INI.format(db=db, load_dir=self.load_dir, sql_port=self.sql_port,
                                   http_port=self.http_port, buffers=buffers, dirty=buffers * 3 // 4,
                                   memory_mb=self.memory_mb, max_rows=self.max_rows,
                                   max_seconds=self.max_seconds), encoding="utf-8")
        log = open(self.directory / "stdout.log", "wb")  # noqa: SIM115 - lives as long as the process
        # +foreground keeps it our child, so that stop() can end it and nothing outlives the tests.
        self.process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=db,
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise VirtuosoError(f"Virtuoso exited at start (code {self.process.returncode}):\n"
                                    + self.log_tail())
            try:
                response = httpx.get(self.sparql_url, params={"query": "ASK {}"}, timeout=5.0)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise VirtuosoError(f"Virtuoso did not answer on {self.sparql_url} within "
                            f"{self.start_timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        texts = []
        for name in ("stdout.log", "db/virtuoso.log"):
            path = self.directory / name
            if path.exists():
                texts.extend(path.read_text(errors="replace").splitlines()[-lines:])
        return "\n".join(texts)

    def isql(self, sql: str, timeout: float = 600.0) -> str:
        """Run SQL statements through ``isql-vt`` as dba (used for the bulk loader)."""
        return isql(f"127.0.0.1:{self.sql_port}", DBA_USER, DBA_PASSWORD, sql, timeout)

    def memory_rss_mb(self) -> float:
        """Resident memory of the server process in MiB (Linux ``/proc``)."""
        if self.process is None:
            return 0.0
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._own_dir:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> VirtuosoServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
