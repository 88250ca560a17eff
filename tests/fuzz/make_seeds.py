#!/usr/bin/env python3
"""Writes tests/fuzz/seeds/<target>/ from the project's own fixtures.

    /usr/bin/python3 tests/fuzz/make_seeds.py

Each target's seeds are inputs in that target's format (see the header of
tests/fuzz/<target>.cc), taken from the test fixtures and golden files, plus
a few written here. The directory is generated: edit this file, not the
seeds. Inputs that once crashed a target live in tests/fuzz/regressions/.
"""
import glob
import hashlib
import json
import os
import shutil

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "tests", "fuzz", "seeds")
MAX_SEED = 64 * 1024


def rel(*parts):
    return os.path.join(ROOT, *parts)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def put(target, data):
    if len(data) > MAX_SEED:
        return
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha256(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def yaml_files():
    pats = ["tests/testdata/**/*.yaml", "examples/**/*.yaml", "services/**/*.yaml"]
    out = []
    for p in pats:
        out += glob.glob(rel(p), recursive=True)
    return sorted(set(out))


def workspaces():
    dirs = sorted(glob.glob(rel("tests/testdata/bad/*/"))) + sorted(glob.glob(rel("examples/*/")))
    for d in dirs:
        if not os.path.exists(os.path.join(d, "layout.yaml")):
            continue
        parts = []
        for name in ["layout.yaml", "services-configuration.yaml", "paiplan.yaml"]:
            p = os.path.join(d, name)
            parts.append(read(p) if os.path.exists(p) else b"")
        svc = sorted(glob.glob(os.path.join(d, "services", "*", "deploy", "service.yaml")))
        parts.append(read(svc[0]) if svc else b"")
        yield b"\0".join(parts)


def templates():
    for f in sorted(glob.glob(rel("tests/template/corpus/*.jsonl"))):
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if not line:
                    continue
                case = json.loads(line)
                ctx = json.dumps(case.get("context", {}))
                yield case["template"].encode() + b"\0" + ctx.encode()
    for j2 in sorted(glob.glob(rel("tests/template/corpus/*.j2"))):
        ctx_path = j2[:-3] + ".json"
        ctx = read(ctx_path) if os.path.exists(ctx_path) else b"{}"
        yield read(j2) + b"\0" + ctx
    for t in sorted(glob.glob(rel("services/**/*.template"), recursive=True)):
        yield read(t)


STATE = {
    "format_version": 1,
    "lineage": "5f0c3d52-7a43-4c4e-9d67-0a8f4c1e2b11",
    "serial": 3,
    "resources": {
        "node.m1": {"kind": "node", "attributes": {"role": "worker", "hash": "abc"}},
        "render.web/a.conf": {"kind": "render", "attributes": {"hash": "def"}},
        "service.web": {"kind": "service", "attributes": {}},
    },
}

KUBECONFIGS = [
    b"""apiVersion: v1
kind: Config
current-context: test
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443", insecure-skip-tls-verify: true}
users:
- name: u
  user: {token: abc}
contexts:
- name: test
  context: {cluster: c, user: u}
""",
    b"""apiVersion: v1
kind: Config
current-context: certs
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443", certificate-authority-data: "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="}
users:
- name: u
  user: {client-certificate-data: "eA==", client-key-data: "eQ==", tokenFile: token}
contexts:
- name: certs
  context: {cluster: c, user: u, namespace: default}
""",
]

KUBE_RESPONSES = [
    (0, {"kind": "NodeList", "metadata": {"resourceVersion": "5", "continue": ""},
         "items": [{"metadata": {"name": "n1", "labels": {"pai-worker": "true"}, "resourceVersion": "4"}}]}),
    (0, {"kind": "NodeList", "metadata": {"continue": "abc"}, "items": []}),
    (0, {"kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default", "resourceVersion": "7",
                                            "labels": {"app.kubernetes.io/managed-by": "paiplan"}},
         "data": {"k": "v"}}),
    (5, {"kind": "Status", "status": "Failure", "reason": "NotFound", "code": 404, "message": "not found"}),
    (6, {"kind": "Status", "status": "Failure", "reason": "Conflict", "code": 409}),
    (7, {"kind": "Status", "status": "Failure", "reason": "Expired", "code": 410}),
    (8, {"kind": "Status", "reason": "Invalid", "code": 422,
         "details": {"causes": [{"field": "metadata.labels", "message": "bad"}]}}),
]


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    for y in yaml_files():
        put("yaml_fuzz", read(y))
    for w in workspaces():
        put("workspace_fuzz", w)
    for t in templates():
        put("jinja_fuzz", t)
    for p in sorted(glob.glob(rel("tests/testdata/plan/*/plan.json"))):
        put("planfile_fuzz", read(p))
    put("state_fuzz", json.dumps(STATE, indent=1).encode())
    put("state_fuzz", json.dumps(dict(STATE, resources={})).encode())
    for k in KUBECONFIGS:
        put("kubeconfig_fuzz", k)
    for status, body in KUBE_RESPONSES:
        put("kube_response_fuzz", bytes([status]) + json.dumps(body).encode())
    for target in sorted(os.listdir(OUT)):
        print(f"{target}: {len(os.listdir(os.path.join(OUT, target)))} seeds")


if __name__ == "__main__":
    main()
