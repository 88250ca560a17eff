#!/usr/bin/python3
"""Renders every case of the template conformance corpus with Python Jinja2.

Usage: render_corpus.py CORPUS_DIR            -> JSON list on stdout:
           [{"name": ..., "ok": true, "output": ...} | {"name": ..., "ok": false, "error": ...}]
       render_corpus.py CORPUS_DIR --bench N [PREFIX] -> parses each case (named PREFIX*) once, renders it N times,
           prints {"renders": R, "seconds": S} (cases that fail are skipped).

A case is either NAME.j2 (+ optional NAME.json context) or one line of a *.jsonl
file: {"name": ..., "template": ..., "context": {...}}. Cases are sorted by name.
Fails (exit 2) when jinja2 is missing: the conformance test must not pass without it.
"""
import json
import os
import shlex
import sys
import time

try:
    import jinja2
except ImportError:
    sys.stderr.write("render_corpus.py: python3-jinja2 is not installed for %s\n" % sys.executable)
    sys.exit(2)


def make_env():
    """Jinja2's defaults plus paiplan's own filter shell_quote, defined as
    paiplan documents it: shlex.quote(str(value))."""
    env = jinja2.Environment()
    env.filters["shell_quote"] = lambda v: shlex.quote(str(v))
    return env


ENV = make_env()


def load_cases(corpus):
    cases = []
    for entry in sorted(os.listdir(corpus)):
        path = os.path.join(corpus, entry)
        if entry.endswith(".j2"):
            name = entry[:-3]
            with open(path, encoding="utf-8", newline="") as f:
                text = f.read()
            ctx = {}
            ctx_path = os.path.join(corpus, name + ".json")
            if os.path.exists(ctx_path):
                with open(ctx_path, encoding="utf-8") as f:
                    ctx = json.load(f)
            cases.append((name, text, ctx))
        elif entry.endswith(".jsonl"):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        c = json.loads(line)
                        cases.append((c["name"], c["template"], c.get("context", {})))
    cases.sort(key=lambda c: c[0])
    return cases


def render_all(cases):
    results = []
    for name, text, ctx in cases:
        try:
            out = ENV.from_string(text).render(**ctx)
            results.append({"name": name, "ok": True, "output": out})
        except Exception as e:  # any failure counts as an error outcome
            results.append({"name": name, "ok": False, "error": "%s: %s" % (type(e).__name__, e)})
    return results


def bench(cases, reps, prefix=""):
    templates = []
    for name, text, ctx in cases:
        if not name.startswith(prefix):
            continue
        try:
            t = ENV.from_string(text)
            t.render(**ctx)
            templates.append((t, ctx))
        except Exception:
            pass
    start = time.perf_counter()
    for t, ctx in templates:
        for _ in range(reps):
            t.render(**ctx)
    seconds = time.perf_counter() - start
    return {"renders": len(templates) * reps, "cases": len(templates), "seconds": seconds}


def main():
    cases = load_cases(sys.argv[1])
    if len(sys.argv) > 3 and sys.argv[2] == "--bench":
        print(json.dumps(bench(cases, int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "")))
    else:
        print(json.dumps(render_all(cases)))


if __name__ == "__main__":
    main()
