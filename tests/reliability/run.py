#!/usr/bin/env python3
"""Fault-injection suite: what paiplan survives, in figures.

    python3 tests/reliability/run.py [--trials 100] [--machines 1950] [--services 25]
                                     [--only kill9,enospc,concurrent,etcd,sshd,api] [--seed N]

Needs a built paiplan (BUILD, default build/; the sshd scenario also
BUILD/tests/sshd_nodes), etcd for the etcd scenario, kubectl for the api
scenario, and root for the ENOSPC scenario (it mounts a small tmpfs) and the
sshd scenario (sshd nodes in mount namespaces). Prints a Markdown
table for tests/bench/RESULTS.md and exits 1 if any trial failed.
"""
import argparse
import os
import random
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import Table  # noqa: E402
import remote  # noqa: E402
import scenarios  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--machines", type=int, default=1950)
    ap.add_argument("--services", type=int, default=25)
    ap.add_argument("--only", default="kill9,enospc,concurrent,etcd,sshd,api")
    ap.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "little"))
    a = ap.parse_args()
    print(f"seed {a.seed}", flush=True)
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="paiplan-reliability-")
    table = Table()
    only = set(a.only.split(","))
    try:
        if "kill9" in only:
            table.add("kill -9 during apply", *scenarios.kill9(work, rng, a.trials, a.machines, a.services))
        if "enospc" in only:
            table.add("state disk full mid-apply", *scenarios.enospc(work, rng, max(3, a.trials // 10), 400, 5))
        if "concurrent" in only:
            table.add("two applies at once", *scenarios.concurrent(work, rng, max(5, a.trials // 5)))
        if "etcd" in only:
            table.add("etcd killed and restarted mid-apply",
                      *scenarios.etcd_restart(work, rng, max(3, a.trials // 10), 300, 5))
        if "sshd" in only:
            table.add("sshd killed mid-upload or mid-command during an apply",
                      *remote.sshd_kill(work, rng, max(4, a.trials // 5)))
        if "api" in only:
            table.add("API server answering 500 / 503 or resetting connections during an apply",
                      *remote.api_faults(work, rng, max(6, a.trials // 3)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(table.markdown())
    sys.exit(1 if any(r[2] for r in table.rows) else 0)


if __name__ == "__main__":
    main()
