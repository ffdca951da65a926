"""`custreport update` as a schedule runs it: the first run, then runs with nothing new.

    .venv/bin/python benchmarks/bench_update.py [--customers 3000] [--regions all] [--repeats 3]

In a scratch project (benchmarks/_work/update) with the demo's raw files and the shipped
recipients, mail sent to an SMTP server on 127.0.0.1 (aiosmtpd) that keeps nothing: the
first update ingests, renders every region (and each recipient's language) and sends; each
later one finds the raw files, params and code unchanged, renders nothing and sends nothing. Prints the seconds of
each, and what the unchanged runs did (they must ingest nothing, render 0 regions, send 0).
Target: an update with nothing new costs seconds, not a render.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from scratch import scratch_project

CLI = str(Path(sys.executable).parent / "custreport")


class Sink:
    """An SMTP server's handler that accepts every message and keeps none."""

    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def smtp_server() -> tuple[object, int]:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


def update(work: Path, regions: str, env: dict) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([CLI, "update", "--period", "latest", "--regions", regions],
                            cwd=work, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"update failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-2000:]}")
    return seconds, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--regions", default="all")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work = scratch_project("update", notebooks=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("CUSTREPORT_")}
    controller, port = smtp_server()
    env |= {"CUSTREPORT_HOME": str(work), "CUSTREPORT_SMTP_HOST": "127.0.0.1", "CUSTREPORT_SMTP_PORT": str(port),
            "CUSTREPORT_SMTP_SECURITY": "none", "CUSTREPORT_SMTP_FROM": "reports@example.com"}
    subprocess.run([CLI, "demo-data", "--customers", str(args.customers), "--out", str(work / "data" / "raw")],
                   cwd=work, env=env, check=True, capture_output=True)
    first, log = update(work, args.regions, env)
    done = re.search(r"update done: .*", log)
    print(f"{args.customers:,} customers, regions {args.regions}")
    print(f"first update (ingest, render, send):      {first:7.1f} s   {done.group(0) if done else ''}")
    for attempt in range(1, args.repeats + 1):
        seconds, log = update(work, args.regions, env)
        done = re.search(r"update done: .*", log).group(0)
        idle = "ingested: no, regions rendered: 0, messages sent: 0" in done
        print(f"update with nothing new #{attempt}:          {seconds:7.1f} s   "
              f"{'nothing ingested, rendered or sent' if idle else 'DID WORK: ' + done}")
    controller.stop()


if __name__ == "__main__":
    main()
