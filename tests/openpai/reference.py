#!/usr/bin/python3
"""Expected rendered files of the OpenPAI-form fixture (tests/testdata/openpai),
computed without paiplan and without its parser adapter.

  reference.py WORKSPACE OUTDIR paiplan|paictl

The context is what the fixture's parsers produce, written out here by hand
from the fixture's YAML files (PyYAML), so a bug in the adapter, the shim or
the cache shows up as a difference. Each template of template-list is
rendered with Python Jinja2 (jinja2.Template(text).render(cluster_cfg=...)).
In paictl mode, the manifests of services with deploy-rules get paictl's
post-processing, written here from its description: yaml.load, the
nodeAffinity term set at spec.template.spec.affinity, yaml.dump(...,
default_flow_style=False). In paiplan mode the manifests of services with deploy-rules
are not written (paiplan's own injection format is tested elsewhere).
Writes OUTDIR/<service>/<file> for every expected file.
"""
import copy
import os
import sys

import jinja2
import yaml


def load(ws, rel):
    with open(os.path.join(ws, rel), encoding="utf-8") as f:
        return yaml.safe_load(f)


def deep_merge(base, over):
    if not isinstance(base, dict) or not isinstance(over, dict):
        return base if over is None else over
    out = dict(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if k in out else v
    return out


def context(ws):
    layout = load(ws, "layout.yaml")
    over = load(ws, "services-configuration.yaml")
    model = {"layout": dict(layout)}
    model["layout"]["machine-list"] = {m["hostname"]: m for m in layout["machine-list"]}

    cluster = copy.deepcopy(load(ws, "src/cluster/config/cluster.yaml"))
    for section, values in over["cluster"].items():
        cluster.setdefault(section, {}).update(values)
    reg = cluster["docker-registry"]
    reg["prefix"] = "%s/%s/" % (reg["domain"], reg["namespace"])
    cluster["common"]["machine-count"] = len(layout["machine-list"])

    zk = dict(load(ws, "src/zoo-keeper/config/zoo-keeper.yaml"))
    zk.update(over["zoo-keeper"])
    zk["servers"] = sorted(({"id": int(m["zkid"]), "host": m["hostip"]}
                            for m in layout["machine-list"] if "zkid" in m), key=lambda s: s["id"])
    zk["quorum"] = ",".join("%s:%d" % (s["host"], zk["client-port"]) for s in zk["servers"])

    shipper = deep_merge(load(ws, "src/log-shipper/config/log-shipper.yaml"), over["log-shipper"])

    portal = dict(load(ws, "src/web-portal/config/web-portal.yaml"))
    portal.update(over["web-portal"])
    portal["checked-before-run"] = True
    master = [m["hostip"] for m in layout["machine-list"] if m.get("pai-master") == "true"][0]
    portal["uri"] = "http://%s:%s" % (master, portal["server-port"])
    portal["zookeeper-quorum"] = zk["quorum"]
    portal["registry"] = reg["prefix"]
    portal["log-target"] = shipper["target"]["host"]

    model.update({"cluster": cluster, "log-shipper": shipper, "web-portal": portal, "zoo-keeper": zk})
    return model


def paictl_post_process(text, rules):
    config = yaml.load(text, yaml.SafeLoader)
    if config is None or not isinstance(config, dict) or config.get("kind") not in (
            "DaemonSet", "Deployment", "StatefulSet", "Pod"):
        return text
    exprs = []
    for rule in rules:
        for op, label in rule.items():
            exprs.append({"operator": "In" if op == "in" else "NotIn", "key": label, "values": ["true"]})
    config["spec"]["template"]["spec"]["affinity"] = {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": exprs}]}}}
    return yaml.dump(config, default_flow_style=False)


def main():
    ws, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    ctx = context(ws)
    for svc in sorted(os.listdir(os.path.join(ws, "src"))):
        service = load(ws, "src/%s/deploy/service.yaml" % svc)
        rules = service.get("deploy-rules") or []
        for name in service.get("template-list") or []:
            with open(os.path.join(ws, "src", svc, "deploy", name + ".template"), encoding="utf-8") as f:
                text = jinja2.Template(f.read()).render(cluster_cfg=ctx)
            processed = rules and "yaml" in name and "delete" not in name
            if mode == "paiplan" and rules and name.endswith((".yaml", ".yml")):
                continue  # paiplan's own injection format (tested by the kubernetes tests)
            if processed:
                text = paictl_post_process(text, rules)
            os.makedirs(os.path.join(out, svc), exist_ok=True)
            with open(os.path.join(out, svc, name), "w", encoding="utf-8", newline="") as f:
                f.write(text)


main()
