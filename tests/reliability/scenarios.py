"""The fault-injection scenarios of tests/reliability/run.py, one function each.

Each returns (trials, failures, notes) and prints a line per failure with
what was seen, so a failure can be replayed (random delays use a seeded
generator; the seed is printed by run.py).
"""
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from common import (bootstrap_runs, copy_workspace, make_workspace, paiplan_binary, run, state_done,
                    unlock_if_needed)


# Actions at once: paiplan's default parallelism (the generated paiplan.yaml
# sets none), so at most this many bootstraps can be cut short by a kill.
IN_FLIGHT = 10


def _apply_popen(ws, env=None):
    e = dict(os.environ, NO_COLOR="1")
    if env:
        e.update(env)
    return subprocess.Popen([paiplan_binary(), "--no-color", "-C", ws, "apply", "--auto-approve"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)


def _wait_quiet(ws, seconds=0.3, limit=15.0):
    """Waits until the bootstrap run log stops growing (orphaned scripts end)."""
    path = os.path.join(ws, "bootstrap-runs.log")
    last, since, start = -1, time.time(), time.time()
    while time.time() - start < limit:
        size = os.path.getsize(path) if os.path.exists(path) else 0
        if size != last:
            last, since = size, time.time()
        elif time.time() - since >= seconds:
            return
        time.sleep(0.05)


def _converge(ws, env=None, attempts=5, wait_lock=0.0):
    """Applies until exit 0. Returns (ok, human_steps, last_result). With
    `wait_lock`, a held lock is waited for (its lease must expire) instead of
    being force-unlocked."""
    human = 0
    r = None
    for _ in range(attempts):
        r = run(ws, "apply", "--auto-approve", env=env)
        if r.returncode == 0:
            return True, human, r
        if not wait_lock and unlock_if_needed(ws, r.stderr, env=env):
            human += 1
            continue
        if "locked" in r.stderr and wait_lock:
            time.sleep(wait_lock)
            continue
        break
    return False, human, r


def _check_converged(ws, machines, done_before, runs_before, env=None):
    """Problems after a convergent apply (empty list: none)."""
    problems = []
    runs = bootstrap_runs(ws)
    for host, n in runs.items():
        if f"node.{host}" in done_before and n != runs_before.get(host, 0):
            problems.append(f"{host}: recorded as done, yet bootstrapped again ({n} runs)")
    missing = machines - len(runs)
    if missing:
        problems.append(f"{missing} machines never bootstrapped")
    p = run(ws, "plan", "--detailed-exitcode", env=env)
    if p.returncode != 0:
        problems.append(f"plan after convergence exited {p.returncode}: {p.stdout[-300:]} {p.stderr[-300:]}")
    return problems, runs


def kill9(work, rng, trials, machines, services):
    """kill -9 of apply at a random moment; the next apply must finish the job."""
    template = make_workspace(os.path.join(work, "kill9-template"), machines, services)
    # Calibrate: how long a whole apply takes here.
    cal = copy_workspace(template, os.path.join(work, "kill9-cal"))
    t0 = time.time()
    r = run(cal, "apply", "--auto-approve")
    full = time.time() - t0
    actions = len(state_done(cal)[0] or [])
    shutil.rmtree(cal)
    if r.returncode != 0:
        return 0, 1, f"calibration apply failed: {r.stderr[-400:]}"
    failures, human, reruns_total, max_reruns = 0, 0, 0, 0
    for i in range(trials):
        ws = copy_workspace(template, os.path.join(work, "kill9-trial"))
        p = _apply_popen(ws)
        time.sleep(rng.uniform(0, full))
        p.send_signal(signal.SIGKILL)
        p.communicate()
        _wait_quiet(ws)
        done, err = state_done(ws)
        if done is None:
            failures += 1
            print(f"  trial {i}: state unreadable after kill -9: {err[-300:]}")
            continue
        runs_before = bootstrap_runs(ws)
        lost = [a for a in done if a.startswith("node.") and runs_before.get(a[5:], 0) == 0]
        ok, h, res = _converge(ws)
        human += h
        if not ok:
            failures += 1
            print(f"  trial {i}: the next apply failed: {res.stderr[-400:]}")
            continue
        problems, runs = _check_converged(ws, machines, done, runs_before)
        reruns = sum(runs.values()) - machines
        reruns_total += reruns
        max_reruns = max(max_reruns, reruns)
        if reruns > IN_FLIGHT:
            problems.append(f"{reruns} bootstraps ran twice, more than the {IN_FLIGHT} actions in flight")
        if lost:
            problems.append(f"recorded but never ran: {lost[:3]}")
        if problems:
            failures += 1
            print(f"  trial {i}: " + "; ".join(problems))
    notes = (f"{actions} actions per apply ({machines} machines, {services} services), whole apply "
             f"{full:.1f} s; bootstraps re-run: {reruns_total} in all, at most {max_reruns} in one trial "
             f"(in flight at the kill); force-unlock needed in {human} trials")
    return trials, failures, notes


def enospc(work, rng, trials, machines, services):
    """The state directory (a small tmpfs of a random size) runs out of space mid-apply."""
    if os.geteuid() != 0:
        return 0, 1, "needs root to mount a tmpfs (CI runs as root)"
    mnt = os.path.join(work, "small-tmpfs")
    os.makedirs(mnt, exist_ok=True)
    failures, recorded, kinds = 0, [], {}
    for i in range(trials):
        # Between 96 and 256 KiB: LMDB fits, 400 machines' records do not, so
        # the disk fills at a different action each time.
        size = rng.choice([96, 128, 160, 192, 224, 256])
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}k,mode=0700", "tmpfs", mnt], check=True)
        try:
            ws = make_workspace(os.path.join(work, f"enospc-{i}"), machines, services,
                                f"state: {{path: {mnt}/state}}\n")
            r = run(ws, "apply", "--auto-approve")
            problems = []
            if r.returncode == 0:
                problems.append(f"apply succeeded although the state could not have fit in {size} KiB")
            elif "is full" not in r.stderr or "state.path" not in r.stderr:
                problems.append(f"error does not say the disk is full and what to do: {r.stderr[-300:]}")
            else:
                line = _first_error_line(r.stderr, 400)
                kind = line[line.index("data.mdb: ") + 10:line.index(";")] if "data.mdb: " in line and ";" in line else line
                kinds[kind] = kinds.get(kind, 0) + 1
            done, err = state_done(ws)
            if done is None:
                problems.append(f"state unreadable after ENOSPC: {err[-300:]}")
                done = set()
            recorded.append(len(done))
            runs_before = bootstrap_runs(ws)
            subprocess.run(["mount", "-o", "remount,size=64m", mnt], check=True)
            ok, _, res = _converge(ws)
            if not ok:
                problems.append(f"apply with space again failed: {res.stderr[-300:]}")
            else:
                more, _ = _check_converged(ws, machines, done, runs_before)
                problems += more
            if problems:
                failures += 1
                print(f"  enospc trial {i} ({size} KiB): " + "; ".join(problems))
        finally:
            subprocess.run(["umount", mnt], check=False)
            shutil.rmtree(os.path.join(work, f"enospc-{i}"), ignore_errors=True)
    seen = ", ".join(f"`{k}` ({n})" for k, n in sorted(kinds.items()))
    notes = (f"state on a tmpfs of 96 to 256 KiB, {machines} machines: every apply stopped with `could not "
             f"record to the state: cannot commit to …/data.mdb: ERROR; the file system holding the state "
             f"(…) is full (… free): make room there, or move the state …`, ERROR being {seen}; "
             f"{min(recorded, default=0)} to "
             f"{max(recorded, default=0)} actions recorded before, all kept; state readable; after a "
             f"remount with space the next apply finished the job")
    return trials, failures, notes


def _first_error_line(text, limit=120):
    for line in text.splitlines():
        if "rror" in line:
            return line.strip()[:limit].replace("|", "/")
    return text.strip().splitlines()[0][:limit] if text.strip() else "(no message)"


def concurrent(work, rng, trials):
    """Two applies started together: one proceeds, the other names the holder."""
    template = make_workspace(os.path.join(work, "concurrent-template"), 30, 2)
    failures = 0
    for i in range(trials):
        ws = copy_workspace(template, os.path.join(work, "concurrent"))
        with open(os.path.join(ws, "roles", "worker", "bootstrap.sh"), "a") as f:
            f.write("sleep 0.05\n")
        a, b = _apply_popen(ws), _apply_popen(ws)
        (ao, ae), (bo, be) = a.communicate(), b.communicate()
        codes = sorted([a.returncode, b.returncode])
        loser_err = ae if a.returncode != 0 else be
        if codes != [0, 1] or "locked by" not in loser_err:
            failures += 1
            print(f"  concurrent trial {i}: exit codes {codes}; loser said: {loser_err[-300:]}")
            continue
        if sum(bootstrap_runs(ws).values()) != 30:
            failures += 1
            print(f"  concurrent trial {i}: machines bootstrapped {sum(bootstrap_runs(ws).values())} times, want 30")
    return trials, failures, "exactly one apply ran; the other exited 1 naming the lock holder"


def _free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Etcd:
    """A real etcd on loopback, restartable on the same data dir and ports."""

    def __init__(self, work):
        self.dir = os.path.join(work, "etcd-data")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.cport, self.pport = _free_ports(2)
        self.proc = None

    def url(self):
        return f"http://127.0.0.1:{self.cport}"

    def start(self):
        peer = f"http://127.0.0.1:{self.pport}"
        self.log = open(os.path.join(os.path.dirname(self.dir), "etcd.log"), "a")
        self.proc = subprocess.Popen(
            ["etcd", "--data-dir", self.dir, "--listen-client-urls", self.url(),
             "--advertise-client-urls", self.url(), "--listen-peer-urls", peer,
             "--initial-advertise-peer-urls", peer, "--initial-cluster", f"default={peer}"],
            stdout=self.log, stderr=self.log)
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", self.cport), timeout=0.2).close()
                time.sleep(0.3)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("etcd did not start")

    def kill(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def etcd_restart(work, rng, trials, machines, services):
    """etcd killed and restarted mid-apply: clear error, nothing lost, lock recovered."""
    if not shutil.which("etcd"):
        return 0, 1, "etcd is not installed (Debian etcd-server)"
    failures, errors = 0, set()
    waited = []
    for i in range(trials):
        etcd = Etcd(work)
        etcd.start()
        try:
            ws = make_workspace(os.path.join(work, "etcd-ws"), machines, services,
                                f"state: {{backend: etcd, endpoints: [\"{etcd.url()}\"], prefix: /rel{i}}}\n")
            p = _apply_popen(ws)
            time.sleep(rng.uniform(0.2, 1.5))
            etcd.kill()
            out, err = p.communicate(timeout=300)
            _wait_quiet(ws)
            if p.returncode == 0:
                errors.add("(apply finished before etcd died)")
            else:
                errors.add(re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", _first_error_line(err, 400)))
                # A clear error: what failed, and what it means for the apply.
                if "could not record to the state" in err and "the apply stopped there" not in err:
                    failures += 1
                    print(f"  etcd trial {i}: the state error does not say what it means: {err[-300:]}")
                if "Couldn't connect" in err and "state.endpoints" not in err:
                    failures += 1
                    print(f"  etcd trial {i}: a refused connection does not say where to look: {err[-300:]}")
            etcd.start()
            done, perr = state_done(ws)
            if done is None:
                failures += 1
                print(f"  etcd trial {i}: state unreadable after restart: {perr[-300:]}")
                continue
            runs_before = bootstrap_runs(ws)
            t0 = time.time()
            ok, human, res = _converge(ws, attempts=20, wait_lock=5.0)
            waited.append(time.time() - t0)
            if not ok or human:
                failures += 1
                print(f"  etcd trial {i}: did not converge without a human (ok={ok}, force-unlock={human}): "
                      f"{res.stderr[-300:]}")
                continue
            problems, _ = _check_converged(ws, machines, done, runs_before)
            if problems:
                failures += 1
                print(f"  etcd trial {i}: " + "; ".join(problems))
        finally:
            etcd.kill()
    notes = (f"errors seen: {'; '.join(sorted(errors))[:600]}; the next apply converged after "
             f"{min(waited or [0]):.0f}-{max(waited or [0]):.0f} s (lock lease expiry)")
    return trials, failures, notes
