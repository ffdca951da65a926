"""A real, throwaway PostgreSQL server for the database tests.

The tests talk to a real server rather than a mock because what they check (types, encodings,
the SQL the code sends) is decided by the server. Each server gets a fresh data directory, a
free port on 127.0.0.1 and settings that trade durability for speed; it is stopped and its files
removed when the test (or session) using it is done, whether it passed or not.

initdb, pg_ctl and postgres refuse to run as root, so when the tests run as root (CI containers)
they run as the unprivileged ``postgres`` user (``nobody`` when there is none).
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
USER = "custreport"
DATABASE = "custreport_test"
NOT_FOUND = ("no PostgreSQL server programs (initdb, pg_ctl, postgres) found in CUSTREPORT_PG_BIN, on PATH "
             "or in /usr/lib/postgresql/*/bin: run `make test-tools` (as root) or `apt-get install postgresql`")
LOG_LINES = 20   # of a program's complaints and of the server's log, shown when it does not start


def find_postgres_bin() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres: the one CUSTREPORT_PG_BIN names, else
    initdb's on PATH, else the newest /usr/lib/postgresql/<version>/bin (where Debian keeps them,
    off PATH); None when none holds all three."""
    candidates = []
    if os.environ.get("CUSTREPORT_PG_BIN"):
        candidates.append(Path(os.environ["CUSTREPORT_PG_BIN"]))
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)   # through a symlink to the real folder
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True)
    return next((folder for folder in candidates if all(
        os.access(folder / name, os.X_OK) for name in SERVER_PROGRAMS)), None)


def _version(bin_folder: Path) -> tuple[int, ...]:
    """/usr/lib/postgresql/9.6/bin -> (9, 6): so that 16 sorts after 9.6."""
    return tuple(int(part) for part in bin_folder.parent.name.split(".") if part.isdigit())


@contextmanager
def throwaway_postgres(folder: Path) -> Iterator[str]:
    """Start a PostgreSQL server with an empty database and yield its SQLAlchemy URL
    (``postgresql+psycopg://custreport@127.0.0.1:<port>/custreport_test``, no password).

    The server's files (data directory, log, unix socket) live in a fresh folder made in
    ``folder``; as root, in the system's temporary folder instead, since the unprivileged user
    the server then runs as cannot reach inside pytest's folders (their parents are private to
    root). The server is stopped and that folder removed on leaving, even on an error. Fails the
    test, with the reason, when there is no PostgreSQL or the server does not start.
    """
    bin_folder = find_postgres_bin()
    if bin_folder is None:
        pytest.fail(NOT_FOUND, pytrace=False)
    account = _unprivileged_account() if os.geteuid() == 0 else None
    # As root: under /tmp, as pytest's folders sit in root-only (0700) folders the account cannot pass.
    server = Path(tempfile.mkdtemp(prefix="custreport-pg-", dir=None if account else folder))
    try:
        if account:   # theirs, for initdb to make the data directory and the server its socket in
            os.chown(server, account.pw_uid, account.pw_gid)
        data, log, port = server / "data", server / "server.log", _free_port()
        _run(account, server, bin_folder / "initdb", "--pgdata", data, "--username", USER, "--auth=trust",
             "--encoding=UTF8", "--locale=C", "--no-sync")
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {shlex.quote(str(server))} "
                   "-c fsync=off -c full_page_writes=off -c synchronous_commit=off")
        try:
            _run(account, server, bin_folder / "pg_ctl", "start", "--wait", "--timeout", "30",
                 "--pgdata", data, "--log", log, "-o", options)
            try:
                with psycopg.connect(host="127.0.0.1", port=port, user=USER, dbname="postgres",
                                     autocommit=True) as db:
                    db.execute(f"CREATE DATABASE {DATABASE}")
            except psycopg.Error as error:
                pytest.fail(f"PostgreSQL: creating the database {DATABASE} failed: {error}", pytrace=False)
            yield f"postgresql+psycopg://{USER}@127.0.0.1:{port}/{DATABASE}"
        finally:
            _run(account, server, bin_folder / "pg_ctl", "stop", "--wait", "--mode", "immediate", "--pgdata", data,
                 check=False)
    finally:
        shutil.rmtree(server, ignore_errors=True)


def _unprivileged_account() -> pwd.struct_passwd:
    """The account to run the server as when the tests run as root: ``postgres`` (made by
    Debian's package), else ``nobody``."""
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return pwd.getpwnam("nobody")


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(account: pwd.struct_passwd | None, server: Path, program: Path, *args, check: bool = True) -> None:
    """Run a server program, as ``account`` when given (without root's groups), in the server's
    folder (which that account can enter). When ``check``, a failure fails the test with the
    program's complaints and the end of the server's log."""
    as_account = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []} if account else {}
    result = subprocess.run([program, *args], cwd=server, capture_output=True, text=True, **as_account)
    if check and result.returncode != 0:
        log = server / "server.log"
        tail = log.read_text(errors="replace").splitlines()[-LOG_LINES:] if log.exists() else []
        pytest.fail("\n".join([f"PostgreSQL: {program.name} failed (exit {result.returncode})",
                               *result.stderr.strip().splitlines()[-LOG_LINES:], *tail]), pytrace=False)
