"""Apply-level faults of the machines and of the Kubernetes API server, for
tests/reliability/run.py: real sshd nodes killed in the middle of an upload or
a command (tests/ssh/sshd_nodes), and the API test server (tests/kube/serve)
answering 500 and 503 or resetting connections (its admin /fail).

Each scenario returns (trials, failures, notes) like scenarios.py and prints a
line per failure with what was seen.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.request

from common import ROOT, paiplan_binary, run


def _tool(name):
    build = os.path.dirname(paiplan_binary())
    for p in (os.path.join(build, "tests", name), os.path.join(build, name)):
        if os.access(p, os.X_OK):
            return p
    return None


def _wait_for(pred, limit):
    start = time.time()
    while time.time() - start < limit:
        if pred():
            return True
        time.sleep(0.01)
    return False


# --- sshd killed mid-upload and mid-command ---------------------------------

BOOTSTRAP = """#!/bin/sh
# Reliability suite (sshd scenario): marks its start, works a while, then
# records the package's checksum, so the suite can kill sshd in the middle.
set -e
cd "$(dirname "$0")"
mkdir -p /var/lib/paiplan/etc
: > /var/lib/paiplan/etc/bootstrap-started
sleep 1.5
sha256sum package.bin > /var/lib/paiplan/etc/package.sha256
"""


def _stop(proc):
    """Ends a helper this suite started: SIGTERM, SIGKILL after 30 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class SshdNodes:
    """tests/ssh/sshd_nodes: K real sshd nodes, each stoppable and restartable."""

    def __init__(self, work, k):
        binary = _tool("sshd_nodes")
        if binary is None:
            raise RuntimeError("no sshd_nodes next to paiplan (cmake --build BUILD --target sshd_nodes)")
        self.dir = os.path.join(work, "sshd-nodes")
        shutil.rmtree(self.dir, ignore_errors=True)
        self.proc = subprocess.Popen([binary, "--dir", self.dir, "--nodes", str(k)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            self.close()
            raise RuntimeError(f"sshd_nodes did not start: {line}{self.proc.stdout.read()[-500:]}")
        self.nodes = [ln.split("\t") for ln in open(os.path.join(self.dir, "nodes.tsv")).read().split("\n") if ln]
        self.port = int(self.nodes[0][2])
        self.key = os.path.join(self.dir, "client", "id_ed25519")
        self.known_hosts = os.path.join(self.dir, "known_hosts")

    def varlib(self, i):
        return os.path.join(self.dir, f"node-{i}", "varlib")

    def command(self, verb, i):
        self.proc.stdin.write(f"{verb} {i}\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        if answer != f"ok {verb} {i}":
            raise RuntimeError(f"sshd_nodes {verb} {i}: {answer}")

    def wipe(self):
        for i in range(len(self.nodes)):
            v = self.varlib(i)
            for name in os.listdir(v):
                p = os.path.join(v, name)
                shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.remove(p)

    def close(self):
        _stop(self.proc)


def _ssh_workspace(path, nodes, package):
    shutil.rmtree(path, ignore_errors=True)
    for role in ("master", "worker"):
        d = os.path.join(path, "roles", role)
        os.makedirs(d)
        shutil.copy(package, os.path.join(d, "package.bin"))
        with open(os.path.join(d, "bootstrap.sh"), "w") as f:
            f.write(BOOTSTRAP)
    os.makedirs(os.path.join(path, "services"))
    with open(os.path.join(path, "services-configuration.yaml"), "w") as f:
        f.write("{}\n")
    with open(os.path.join(path, "layout.yaml"), "w") as f:
        f.write("machine-sku:\n  SMALL:\n    mem: 8GB\n    cpu:\n      vcore: 4\n    os: ubuntu16.04\n"
                "machine-list:\n")
        for i, ip, _ in nodes.nodes:
            f.write(f"  - hostname: node{i}\n    hostip: {ip}\n    machine-type: SMALL\n"
                    f"    k8s-role: {'master' if i == '0' else 'worker'}\n"
                    f"    sshport: {nodes.port}\n    username: root\n    keyfile-path: {nodes.key}\n")
    with open(os.path.join(path, "paiplan.yaml"), "w") as f:
        f.write("enabled-services: []\nservice-paths:\n  - services\nkubernetes:\n  enabled: false\n"
                f"ssh:\n  known-hosts: {nodes.known_hosts}\n  strict-host-keys: yes\n"
                f"parallelism: {len(nodes.nodes)}\n")
    return path


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _staging_problems(nodes, i, package_sha, package_size):
    """What is half-written on node i: a file under a final name that is not
    the whole package, or a marker that is not JSON."""
    problems = []
    staging = os.path.join(nodes.varlib(i), "staging")
    final = os.path.join(staging, "package.bin")
    if os.path.exists(final):
        size = os.path.getsize(final)
        if size != package_size or _sha256(final) != package_sha:
            problems.append(f"node{i}: staging/package.bin is half-written ({size} of {package_size} bytes)")
    marker = os.path.join(nodes.varlib(i), "node.json")
    if os.path.exists(marker):
        try:
            json.load(open(marker))
        except ValueError:
            problems.append(f"node{i}: node.json is not whole JSON")
    return problems


def _temp_files(nodes, k):
    n = 0
    for i in range(k):
        staging = os.path.join(nodes.varlib(i), "staging")
        if os.path.isdir(staging):
            n += sum(1 for name in os.listdir(staging) if "paiplan-tmp" in name)
    return n


def sshd_kill(work, rng, trials, k=4, package_mib=24):
    """sshd of one machine killed mid-upload or mid-command during an apply."""
    if os.geteuid() != 0:
        return 0, 1, "needs root (sshd nodes run in mount namespaces)"
    nodes = SshdNodes(work, k)
    package = os.path.join(work, "package.bin")
    with open(package, "wb") as f:
        f.write(os.urandom(package_mib << 20))
    package_sha, package_size = _sha256(package), os.path.getsize(package)
    template = _ssh_workspace(os.path.join(work, "sshd-template"), nodes, package)
    failures, seen = 0, {"upload": 0, "command": 0}
    errors, leftovers = set(), 0
    try:
        for t in range(trials):
            mode = "upload" if t % 2 == 0 else "command"
            victim = rng.randrange(k)
            nodes.wipe()
            ws = os.path.join(work, "sshd-trial")
            shutil.rmtree(ws, ignore_errors=True)
            shutil.copytree(template, ws)
            staging = os.path.join(nodes.varlib(victim), "staging")
            started = os.path.join(nodes.varlib(victim), "etc", "bootstrap-started")

            def uploading():
                try:
                    return any(".package.bin.paiplan-tmp-" in n and os.path.getsize(os.path.join(staging, n)) > 0
                               for n in os.listdir(staging))
                except OSError:
                    return False

            p = subprocess.Popen([paiplan_binary(), "--no-color", "-C", ws, "apply", "--auto-approve"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=dict(os.environ, NO_COLOR="1"))
            hit = _wait_for(uploading if mode == "upload" else (lambda: os.path.exists(started)), 120)
            if hit:
                time.sleep(rng.uniform(0, 0.05 if mode == "upload" else 1.0))
                nodes.command("stop", victim)
            out, err = p.communicate(timeout=600)
            problems = []
            if not hit:
                problems.append(f"the {mode} on node{victim} was never seen in progress")
            else:
                seen[mode] += 1
                if p.returncode != 1:
                    problems.append(f"apply exited {p.returncode}, want 1")
                if f"Actions: {k - 1} done, 1 failed" not in out + err:
                    problems.append(f"want 'Actions: {k - 1} done, 1 failed': {(out + err)[-300:]}")
                line = next((ln for ln in err.splitlines() if f"node.node{victim}:" in ln), "")
                if not line:
                    problems.append(f"no error names node.node{victim}: {err[-300:]}")
                else:
                    errors.add(re.sub(r"127\.0\.0\.\d+", "127.0.0.N",
                                      line.split(f"node.node{victim}:", 1)[1].strip().replace(nodes.dir, "DIR"))[:220])
                if os.path.exists(os.path.join(nodes.varlib(victim), "node.json")):
                    problems.append(f"node{victim} has a marker although its bootstrap was cut")
                for i in range(k):
                    if i != victim and not os.path.exists(os.path.join(nodes.varlib(i), "node.json")):
                        problems.append(f"node{i} (not killed) has no marker")
                problems += _staging_problems(nodes, victim, package_sha, package_size)
            nodes.command("start", victim)
            r = run(ws, "apply", "--auto-approve")
            if r.returncode != 0:
                problems.append(f"the next apply failed: {r.stderr[-300:]}")
            elif hit and "Actions: 1 done, 0 failed" not in r.stdout:
                problems.append(f"the next apply did not redo exactly the cut machine: {r.stdout[-200:]}")
            for i in range(k):
                sums = os.path.join(nodes.varlib(i), "etc", "package.sha256")
                if not os.path.exists(sums) or open(sums).read().split()[0] != package_sha:
                    problems.append(f"node{i}: package checksum missing or wrong after the next apply")
            leftovers += _temp_files(nodes, k)
            pl = run(ws, "plan", "--detailed-exitcode")
            if pl.returncode != 0:
                problems.append(f"plan after the next apply exited {pl.returncode}")
            if problems:
                failures += 1
                print(f"  sshd trial {t} ({mode}, node{victim}): " + "; ".join(problems))
    finally:
        nodes.close()
    notes = (f"{k} sshd nodes, {package_mib} MiB package; killed mid-upload {seen['upload']} times, mid-command "
             f"{seen['command']} times; errors seen: {'; '.join(sorted(errors))[:900]}; temporary upload files "
             f"left on the nodes after the next apply: {leftovers}")
    return trials, failures, notes.replace("|", "/")


# --- API server 500 / 503 / connection reset --------------------------------

class KubeServer:
    """tests/kube/serve on loopback, with its admin port."""

    def __init__(self, work, nodes):
        self.dir = os.path.join(work, "kube")
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.log = open(os.path.join(work, "kube-serve.out"), "a")
        self.proc = subprocess.Popen([os.path.join(ROOT, "tests", "kube", "serve"), "--dir", self.dir,
                                      "--nodes", ",".join(nodes)], stdout=self.log, stderr=self.log)
        if not _wait_for(lambda: os.path.exists(os.path.join(self.dir, "kubeconfig")) and
                         os.path.exists(os.path.join(self.dir, "admin-url")), 60):
            self.close()
            raise RuntimeError("tests/kube/serve did not start (see kube-serve.out)")
        self.kubeconfig = os.path.join(self.dir, "kubeconfig")
        self.admin = open(os.path.join(self.dir, "admin-url")).read().strip()

    def post(self, path):
        req = urllib.request.Request(self.admin + path, method="POST", data=b"")
        return json.loads(urllib.request.urlopen(req, timeout=10).read() or b"{}")

    def stats(self):
        return json.loads(urllib.request.urlopen(self.admin + "/stats", timeout=10).read())

    def kubectl(self, *args):
        return subprocess.run(["kubectl", "--kubeconfig", self.kubeconfig, *args], capture_output=True, text=True)

    def close(self):
        _stop(self.proc)
        self.log.close()


KUBE_NODES = ["127.0.0.11", "127.0.0.21", "127.0.0.22"]
# (path prefix, method) pairs the apply of the workspace below sends.
FAULT_TARGETS = [("", ""), ("/api/v1/nodes", ""), ("/api/v1/nodes", "PATCH"), ("/api/v1/nodes", "GET"),
                 ("/api/v1/namespaces/default/configmaps", ""), ("/api/v1/namespaces/default/secrets", "PATCH"),
                 ("/apis/apps/v1", ""), ("/apis/apps/v1/namespaces/default/deployments", "PATCH"),
                 ("/apis/apps/v1/namespaces/default/deployments", "GET"), ("/api/v1/namespaces", "PATCH"),
                 ("/api/v1/namespaces/default/persistentvolumeclaims", "")]


def _kube_workspace(path, server):
    shutil.rmtree(path, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "examples", "local"), path,
                    ignore=shutil.ignore_patterns(".paiplan", "demo-output"))
    shutil.copytree(os.path.join(ROOT, "tests", "drift", "testdata", "web"), os.path.join(path, "services", "web"))
    conf = os.path.join(path, "paiplan.yaml")
    text = open(conf).read().replace("enabled-services:\n", "enabled-services:\n  - web\n", 1)
    text += f"kubernetes:\n  kubeconfig: {server.kubeconfig}\n"
    open(conf, "w").write(text)
    return path


def _wrong_done(ws, server):
    """Addresses recorded as done whose effect the API server does not show."""
    r = run(ws, "state", "pull")
    if r.returncode != 0:
        return [f"state unreadable: {r.stderr[-200:]}"]
    wrong = []
    for addr, rec in json.loads(r.stdout).get("resources", {}).items():
        if rec.get("last_outcome", "") == "failed" or not addr.startswith("object."):
            continue
        _, kind, ns, name = addr.split("/", 3)
        g = server.kubectl("get", kind.lower(), name, "-n", ns, "-o", "json", "--show-managed-fields")
        if g.returncode != 0:
            wrong.append(f"{addr} recorded done but the server has no such object")
            continue
        managers = {m.get("manager") for m in json.loads(g.stdout)["metadata"].get("managedFields", [])}
        if "paiplan" not in managers:
            wrong.append(f"{addr} recorded done but paiplan never applied it (managers {sorted(managers)})")
    return wrong


def api_faults(work, rng, trials):
    """The API server answers 500 / 503 or resets connections during an apply."""
    if not shutil.which("kubectl"):
        return 0, 1, "kubectl is not installed"
    failures, absorbed, failed_clearly, not_reached, injected, most_persistent = 0, 0, 0, 0, 0, 0
    errors = set()
    for t in range(trials):
        server = KubeServer(work, KUBE_NODES)
        try:
            ws = _kube_workspace(os.path.join(work, "api-trial"), server)
            status = rng.choice(["500", "503", "reset"])
            path, method = rng.choice(FAULT_TARGETS)
            # 1000: the fault lasts the whole apply (a server that stays broken).
            count = rng.choice([1, 2, 3, 5, 8, 20, 1000])
            server.post(f"/fail?status={status}&count={count}&path={path}&method={method}")
            r = run(ws, "apply", "--auto-approve")
            st = server.stats()
            n = st.get("failed", 0) + st.get("reset", 0)
            injected += n
            server.post("/fail?count=0")
            problems = []
            if r.returncode not in (0, 1):
                problems.append(f"apply exited {r.returncode}: {r.stderr[-300:]}")
            if count == 1000:
                most_persistent = max(most_persistent, n)
                # Retried within limits: each of the 20 actions (and the plan's
                # observation) tries at most retry-attempts (5) times.
                if n > 5 * 21:
                    problems.append(f"{n} requests met a lasting fault: retries are not bounded")
            if n == 0:
                not_reached += 1
            elif r.returncode == 0:
                absorbed += 1
            else:
                failed_clearly += 1
                line = next((ln.strip() for ln in r.stderr.splitlines() if "rror" in ln), "")
                cause = ("500", "503", "Internal", "Unavailable", "reset", "onnection", "recv", "Failure when")
                if not line or not any(c in r.stderr for c in cause):
                    problems.append(f"the failure does not say what the server did: {r.stderr[-300:]}")
                else:
                    line = re.sub(r" at https://127\.0\.0\.1:\d+", "", line.replace(server.dir, "DIR"))
                    errors.add(re.sub(r"^error: \S+: ", "", line)[:150])
            problems += _wrong_done(ws, server)
            again = run(ws, "apply", "--auto-approve")
            if again.returncode != 0:
                problems.append(f"the next apply (no faults) failed: {again.stderr[-300:]}")
            pl = run(ws, "plan", "--detailed-exitcode")
            if pl.returncode != 0:
                problems.append(f"plan after the next apply exited {pl.returncode}: {pl.stdout[-300:]}")
            problems += _wrong_done(ws, server)
            if problems:
                failures += 1
                print(f"  api trial {t} ({status} x{count} on {path or '/'} {method or 'any'}): " +
                      "; ".join(problems))
        finally:
            server.close()
    notes = (f"{injected} faulty answers injected; {absorbed} applies absorbed them by retrying and finished, "
             f"{failed_clearly} failed with a clear error, {not_reached} never met their fault; a lasting fault "
             f"met at most {most_persistent} requests in one apply; errors seen: "
             f"{' / '.join(sorted(errors))[:900]}")
    return trials, failures, notes.replace("|", "/")
