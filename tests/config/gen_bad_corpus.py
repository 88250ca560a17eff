#!/usr/bin/python3
"""Writes the bad-input corpus tests/testdata/bad/<case>/ (run by BadInputCorpusTest).

Each case is a small workspace derived from one valid base workspace with one
thing broken, plus expect.json:

  {"exit": 1,                 # expected exit code of `paiplan -C CASE validate`
   "args": [],                # extra global flags (e.g. --allow-missing)
   "expect": [{"file": "layout.yaml", "line": 7, "words": ["duplicate", "hostname"]}]}

Every expectation means: stderr has a diagnostic line naming `file:line:`
(line 0: the file without a line) whose message and hint contain every word
(case-insensitive). The corpus is committed; rerun this script after editing
it:  /usr/bin/python3 tests/config/gen_bad_corpus.py
"""
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "testdata", "bad")

PAIPLAN = """service-paths: [services]
kubernetes:
  enabled: false
"""

MASTER = """  - hostname: m1
    hostip: 192.0.2.1
    machine-type: std
    k8s-role: master
    pai-master: "true"
"""

WORKER = """  - hostname: w1
    hostip: 192.0.2.2
    machine-type: std
    k8s-role: worker
    pai-worker: "true"
"""

SKU = """machine-sku:
  std:
    mem: 16Gi
    cpu:
      vcore: 4
"""


def layout(*machines, sku=SKU):
    return sku + "machine-list:\n" + "".join(machines)


LAYOUT = layout(MASTER, WORKER)

CLUSTER_SERVICE = """template-list:
  - cluster.cfg
start-script: start.sh
stop-script: stop.sh
deploy-rules:
  - in: pai-master
"""

WEB_SERVICE = """prerequisite:
  - cluster
start-script: start.sh
deploy-rules:
  - in: pai-worker
"""

BASE = {
    "paiplan.yaml": PAIPLAN,
    "layout.yaml": LAYOUT,
    "services-configuration.yaml": "cluster:\n  common:\n    cluster-id: demo\n",
    "services/cluster/deploy/service.yaml": CLUSTER_SERVICE,
    "services/cluster/deploy/cluster.cfg.template": "id={{ cluster_cfg['cluster']['common']['cluster-id'] }}\n",
    "services/cluster/deploy/start.sh": "#!/bin/bash\necho start\n",
    "services/cluster/deploy/stop.sh": "#!/bin/bash\necho stop\n",
    "services/cluster/config/cluster.yaml": "common:\n  cluster-id: default\n  data-path: /datastorage\n",
    "services/web/deploy/service.yaml": WEB_SERVICE,
    "services/web/deploy/start.sh": "#!/bin/bash\necho start\n",
}


CASES = []


def case(name, files, expect, exit_code=1, args=None):
    CASES.append((name, files, expect, exit_code, args or []))


def e(file, line, *words, column=None):
    x = {"file": file, "line": line, "words": list(words)}
    if column is not None:
        x["column"] = column
    return x


L = "layout.yaml"
P = "paiplan.yaml"
SC = "services-configuration.yaml"
CS = "services/cluster/deploy/service.yaml"
WS = "services/web/deploy/service.yaml"

# --- malformed YAML -------------------------------------------------------
case("yaml_bad_indent", {L: SKU + "machine-list:\n  - hostname: m1\n    hostip: 192.0.2.1\n   machine-type: std\n"},
     [e(L, 9, "invalid YAML", "expected '-' indicator", "block collection that starts at line 7", "indentation")])
case("yaml_unclosed_quote", {L: layout(MASTER.replace("hostname: m1", 'hostname: "m1'), WORKER)},
     [e(L, 11, "invalid YAML", "quote opened at line 7")])
case("yaml_tab_indent", {L: SKU + "machine-list:\n  - hostname: m1\n\thostip: 192.0.2.1\n"},
     [e(L, 8, "invalid YAML", "tab", "indent with spaces")])
case("yaml_unclosed_flow", {P: "service-paths: [services\nkubernetes:\n  enabled: false\n"},
     [e(P, 2, "invalid YAML", "flow sequence that starts at line 1", "close the bracket")])
# yaml-cpp 0.7 never returns on these 19 bytes (found by tests/fuzz/yaml_fuzz);
# libyaml's own error is reported and yaml-cpp never sees the text.
case("yaml_cpp_endless_loop", {L: ", -c9100r\nap- --o:-"},
     [e(L, 1, "invalid YAML", "did not find expected node content", "value is missing")])
case("yaml_duplicate_key_layout", {L: layout(MASTER + "    hostname: m2\n", WORKER)},
     [e(L, 12, "duplicate key", "hostname", "machine-list[0]")])
case("yaml_duplicate_key_service", {CS: CLUSTER_SERVICE + "start-script: other.sh\n"},
     [e(CS, 7, "duplicate key", "start-script")])
case("yaml_duplicate_top_key", {SC: "cluster:\n  a: 1\ncluster:\n  b: 2\n"},
     [e(SC, 3, "duplicate key", "cluster")])
case("yaml_multi_document", {L: LAYOUT + "---\n" + LAYOUT},
     [e(L, 17, "2 YAML documents", "---")])
case("yaml_invalid_utf8", {L: layout(MASTER.replace("pai-master", "pai-m\xff"), WORKER)},
     [e(L, 11, "UTF-8", "0xff")])
case("yaml_invalid_utf8_truncated", {SC: "cluster:\n  name: caf\xc3"},
     [e(SC, 2, "UTF-8")])
case("yaml_nonscalar_key", {SC: "? [a, b]\n: {x: 1}\n"},
     [e(SC, 1, "key", "string")])
case("yaml_empty_layout", {L: ""}, [e(L, 1, "empty", "examples")])
case("yaml_comment_only_layout", {L: "# nothing here yet\n"}, [e(L, 1, "empty")])
case("yaml_empty_service_yaml", {CS: ""}, [e(CS, 1, "empty", "start-script")])
case("yaml_top_level_list", {L: "- hostname: m1\n- hostname: w1\n"},
     [e(L, 1, "expected a map", "list")])
case("yaml_top_level_scalar", {P: "just some text\n"}, [e(P, 1, "expected a map", "string")])
case("yaml_service_top_level_list", {WS: "- start.sh\n"}, [e(WS, 1, "expected a map", "list")])

# --- layout.yaml: schema --------------------------------------------------
case("layout_unknown_top_key", {L: LAYOUT + "machine-skus:\n  big: {}\n"},
     [e(L, 17, "unknown key", "machine-skus", "machine-sku")])
case("layout_missing_machine_list", {L: SKU}, [e(L, 1, "missing", "machine-list")])
case("layout_missing_machine_sku", {L: "machine-list:\n" + MASTER}, [e(L, 1, "missing", "machine-sku")])
case("layout_empty_machine_list", {L: SKU + "machine-list: []\n"}, [e(L, 6, "machine-list", "item")])
case("layout_missing_hostip", {L: layout(MASTER.replace("    hostip: 192.0.2.1\n", ""), WORKER)},
     [e(L, 7, "missing", "hostip", "machine-list[0]")])
case("layout_missing_role", {L: layout(MASTER, WORKER.replace("    k8s-role: worker\n", ""))},
     [e(L, 12, "missing", "k8s-role")])
case("layout_bad_role", {L: layout(MASTER, WORKER.replace("k8s-role: worker", "k8s-role: boss"))},
     [e(L, 15, "k8s-role", "master", "worker", "proxy", "boss")])
case("layout_sshport_string", {L: layout(MASTER + "    sshport: twenty-two\n", WORKER)},
     [e(L, 12, "sshport", "integer", "twenty-two")])
case("layout_sshport_out_of_range", {L: layout(MASTER, WORKER + "    sshport: 70000\n")},
     [e(L, 17, "sshport", "65535", "70000")])
case("layout_sshport_zero", {L: layout(MASTER + "    sshport: 0\n", WORKER)}, [e(L, 12, "sshport", "1")])
case("layout_sshport_quoted", {L: layout(MASTER + '    sshport: "22"\n', WORKER)},
     [e(L, 12, "sshport", "integer", "string")])
case("layout_hostname_int", {L: layout(MASTER.replace("hostname: m1", "hostname: 1234"), WORKER)},
     [e(L, 7, "hostname", "string", "1234")])
case("layout_hostname_pattern", {L: layout(MASTER.replace("hostname: m1", "hostname: -m1-"), WORKER)},
     [e(L, 7, "hostname", "-m1-")])
case("layout_hostip_empty", {L: layout(MASTER.replace("hostip: 192.0.2.1", 'hostip: ""'), WORKER)},
     [e(L, 8, "hostip", "empty")])
case("layout_sku_not_map", {L: "machine-sku: [std]\nmachine-list:\n" + MASTER},
     [e(L, 1, "machine-sku", "map")])
case("layout_label_value_huge", {L: layout(MASTER + '    note: "' + "x" * (1 << 20) + '"\n', WORKER)},
     [e(L, 12, "note", "4096")])
case("layout_hostname_huge", {L: layout(MASTER.replace("hostname: m1", "hostname: " + "h" * (1 << 20)), WORKER)},
     [e(L, 7, "hostname")])
case("layout_label_value_map", {L: layout(MASTER, WORKER + "    gpu:\n      count: 4\n")},
     [e(L, 17, "gpu", "map")])
case("layout_invalid_label_key", {L: layout(MASTER + '    "bad key!": "true"\n', WORKER)},
     [e(L, 12, "bad key!", "label key")])

# --- layout.yaml: semantics -----------------------------------------------
case("layout_dup_hostname", {L: layout(MASTER, WORKER.replace("hostname: w1", "hostname: m1"))},
     [e(L, 12, "duplicate hostname", "m1", "line 7")])
case("layout_dup_hostip", {L: layout(MASTER, WORKER.replace("192.0.2.2", "192.0.2.1"))},
     [e(L, 13, "duplicate hostip", "192.0.2.1", "line 8")])
case("layout_dup_nodename", {L: layout(MASTER, WORKER + "    nodename: 192.0.2.1\n")},
     [e(L, 17, "duplicate nodename", "192.0.2.1")])
case("layout_unknown_sku", {L: layout(MASTER, WORKER.replace("machine-type: std", "machine-type: gpu"))},
     [e(L, 14, "gpu", "machine-sku", "std")])
case("layout_no_master", {L: layout(MASTER.replace("k8s-role: master", "k8s-role: worker"), WORKER)},
     [e(L, 6, "master")])

# --- paiplan.yaml -----------------------------------------------------------
case("paiplan_unknown_key", {P: PAIPLAN + "enable-services: [cluster]\n"},
     [e(P, 4, "unknown key", "enable-services", "enabled-services")])
case("paiplan_unknown_nested_key", {P: PAIPLAN + "ssh:\n  port: 2222\n"},
     [e(P, 5, "unknown key", "ssh", "port", "known-hosts")])
case("paiplan_bad_backend", {P: PAIPLAN + "state:\n  backend: redis\n"},
     [e(P, 5, "backend", "lmdb", "etcd", "redis")])
case("paiplan_parallelism_zero", {P: PAIPLAN + "parallelism: 0\n"}, [e(P, 4, "parallelism", "1")])
case("paiplan_parallelism_float", {P: PAIPLAN + "parallelism: 2.5\n"}, [e(P, 4, "parallelism", "integer")])
case("paiplan_enabled_not_list", {P: PAIPLAN + "enabled-services: cluster\n"},
     [e(P, 4, "enabled-services", "list", "cluster")])
case("paiplan_enabled_undefined", {P: PAIPLAN + "enabled-services:\n  - cluster\n  - web\n  - nosuch\n"},
     [e(P, 7, "nosuch", "not defined", "cluster, web")])
case("paiplan_strict_host_keys_no", {P: PAIPLAN + "ssh:\n  strict-host-keys: no\n"},
     [e(P, 5, "strict-host-keys", "accept-new", "false")])
case("paiplan_allow_missing_string", {P: PAIPLAN + 'allow-missing-prerequisites: "yes"\n'},
     [e(P, 4, "allow-missing-prerequisites", "boolean")])

# --- services-configuration.yaml -------------------------------------------
case("svccfg_top_list", {SC: "- cluster\n"}, [e(SC, 1, "expected a map", "list")])
KC = "kubernetes-configuration.yaml"
case("kubecfg_unknown_top_key", {KC: "kubernetes:\n  cluster-dns: 10.254.0.10\nload-balance-ip: 10.0.0.1\n"},
     [e(KC, 3, "load-balance-ip")])
case("kubecfg_section_not_map", {KC: "kubernetes: 10.254.0.10\n"}, [e(KC, 1, "kubernetes", "string")])
case("kubecfg_dns_not_string", {KC: "kubernetes:\n  cluster-dns: [10.254.0.10]\n"}, [e(KC, 2, "cluster-dns", "list")])
case("kubecfg_dns_not_ipv4", {KC: "kubernetes:\n  cluster-dns: 10.254.0\n"}, [e(KC, 2, "cluster-dns", "IPv4")])
case("kubecfg_storage_backend", {KC: "kubernetes:\n  storage-backend: etcd4\n"}, [e(KC, 2, "storage-backend", "etcd3")])
case("kubecfg_ip_range_not_cidr", {KC: "kubernetes:\n  service-cluster-ip-range: 10.254.0.0\n"},
     [e(KC, 2, "service-cluster-ip-range", "CIDR")])
RD = "k8s-role-definition.yaml"
case("roledef_role_undefined", {RD: "component_list:\n  master:\n  - name: apiserver\n"},
     [e(L, 15, "w1", "k8s-role 'worker'", "component_list")])
case("roledef_unknown_role", {RD: "component_list:\n  master: []\n  worker: []\n  gpu: []\n"},
     [e(RD, 4, "gpu")])
case("layout_dup_etcdid", {L: layout(MASTER + "    etcdid: etcd1\n", WORKER.replace("k8s-role: worker", "k8s-role: master") + "    etcdid: etcd1\n")},
     [e(L, 18, "duplicate etcdid", "etcd1", "line 12")])
case("layout_dashboard_not_true", {L: layout(MASTER + "    dashboard: yes\n", WORKER)},
     [e(L, 12, "dashboard")])
case("layout_docker_data_relative", {L: layout(MASTER + "    docker-data: var/docker\n", WORKER)},
     [e(L, 12, "docker-data", "absolute")])
case("svccfg_service_scalar", {SC: "cluster: 5\n"}, [e(SC, 1, "cluster", "map", "5")])
case("svccfg_bad_service_name", {SC: "cluster: {}\n'web ui': {}\n"}, [e(SC, 2, "web ui")])
case("svccfg_unknown_service_warning", {SC: "cluster: {}\nclsuter: {}\n"},
     [e(SC, 2, "clsuter", "not an enabled service")], exit_code=0)

# --- service.yaml -----------------------------------------------------------
case("service_unknown_key", {WS: WEB_SERVICE + "start_script: start.sh\n"},
     [e(WS, 6, "unknown key", "start_script", "start-script")])
case("service_script_int", {WS: WEB_SERVICE.replace("start-script: start.sh", "start-script: 5")},
     [e(WS, 3, "start-script", "string", "5")])
case("service_missing_start_script", {WS: WEB_SERVICE.replace("start.sh", "run.sh")},
     [e(WS, 3, "start-script", "run.sh", "neither a file", "template-list")])
case("service_script_template_not_listed",
     {WS: WEB_SERVICE.replace("start.sh", "run.sh"), "services/web/deploy/run.sh.template": "echo {{ 1 }}\n"},
     [e(WS, 3, "start-script", "run.sh", "run.sh.template exists", "add 'run.sh' to template-list")])
case("service_missing_stop_script", {CS: CLUSTER_SERVICE.replace("stop.sh", "halt.sh")},
     [e(CS, 4, "stop-script", "halt.sh")])
case("service_missing_template", {CS: CLUSTER_SERVICE.replace("  - cluster.cfg\n", "  - cluster.cfg\n  - extra.cfg\n")},
     [e(CS, 3, "template", "extra.cfg.template", "does not exist")])
case("service_prereq_not_list", {WS: WEB_SERVICE.replace("prerequisite:\n  - cluster", "prerequisite: cluster")},
     [e(WS, 1, "prerequisite", "list", "cluster")])
case("service_deploy_rule_unknown_label", {WS: WEB_SERVICE.replace("in: pai-worker", "in: gpu-node")},
     [e(WS, 5, "gpu-node", "no machine", "layout.yaml")])
case("service_deploy_rule_both", {WS: WEB_SERVICE.replace("  - in: pai-worker\n", "  - in: pai-worker\n    notin: pai-master\n")},
     [e(WS, 5, "deploy-rules[0]", "in", "notin")])
case("service_deploy_rule_empty", {WS: WEB_SERVICE.replace("  - in: pai-worker\n", "  - {}\n")},
     [e(WS, 5, "deploy-rules[0]", "in", "notin")])
case("service_deploy_rule_bad_key", {WS: WEB_SERVICE.replace("  - in: pai-worker\n", "  - on: pai-worker\n")},
     [e(WS, 5, "unknown key", "on", "notin")])
case("service_upgraded_script_warning", {WS: WEB_SERVICE + "upgraded-script: upgraded.sh\n"},
     [e(WS, 6, "upgraded-script", "never run", "not supported", "start-script 'start.sh' again")], exit_code=0)
case("service_config_top_list", {"services/cluster/config/cluster.yaml": "- a\n- b\n"},
     [e("services/cluster/config/cluster.yaml", 1, "expected a map", "list")])
case("service_config_bad_yaml", {"services/cluster/config/cluster.yaml": "common:\n  cluster-id: 'x\n"},
     [e("services/cluster/config/cluster.yaml", 2, "invalid YAML", "never closed", "closing quote")])

# --- prerequisites and the graph ---------------------------------------------
case("prereq_missing", {WS: WEB_SERVICE.replace("  - cluster\n", "  - cluster\n  - storage\n")},
     [e(WS, 3, "storage", "no service path", "--allow-missing")])
case("prereq_missing_allowed", {WS: WEB_SERVICE.replace("  - cluster\n", "  - cluster\n  - storage\n")},
     [e(WS, 3, "storage", "--allow-missing")], exit_code=0, args=["--allow-missing"])
# Errors of different stages are all reported by one run: a schema error in
# layout.yaml does not hide a service's missing prerequisite.
case("multi_layout_role_and_prereq_missing",
     {L: layout(MASTER, WORKER.replace("k8s-role: worker", "k8s-role: boss")),
      WS: WEB_SERVICE.replace("  - cluster\n", "  - cluster\n  - storage\n")},
     [e(L, 15, "k8s-role", "boss", column=15), e(WS, 3, "storage", "no service path", column=5)])
case("multi_layout_role_and_cycle",
     {L: layout(MASTER, WORKER.replace("k8s-role: worker", "k8s-role: boss")),
      CS: "prerequisite: [web]\n" + CLUSTER_SERVICE},
     [e(L, 15, "k8s-role", "boss"), e(WS, 2, "cycle", "cluster → web → cluster")])
case("prereq_not_enabled", {P: PAIPLAN + "enabled-services: [web]\n"},
     [e(WS, 2, "cluster", "not enabled", "enabled-services")])
case("cycle_2", {CS: "prerequisite: [web]\n" + CLUSTER_SERVICE},
     [e(WS, 2, "cycle", "cluster → web → cluster", CS)])
case("cycle_3", {
    "services/a/deploy/service.yaml": "prerequisite: [c]\nstart-script: s.sh\n",
    "services/a/deploy/s.sh": "true\n",
    "services/b/deploy/service.yaml": "prerequisite: [a]\nstart-script: s.sh\n",
    "services/b/deploy/s.sh": "true\n",
    "services/c/deploy/service.yaml": "prerequisite: [b]\nstart-script: s.sh\n",
    "services/c/deploy/s.sh": "true\n",
}, [e("services/b/deploy/service.yaml", 1, "cycle", "a → b → c → a")])
case("cycle_self", {CS: "prerequisite: [cluster]\n" + CLUSTER_SERVICE},
     [e(CS, 1, "cycle", "cluster → cluster")])

# --- files missing -------------------------------------------------------------
case("missing_layout", {L: None}, [e(L, 0, "not found", "-C")])


def write_case(name, files, expect, exit_code, args):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    merged = dict(BASE)
    merged.update(files)
    for rel, text in sorted(merged.items()):
        if text is None:
            continue
        p = os.path.join(d, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        data = text.encode("latin-1") if any(0x80 <= ord(c) <= 0xff for c in text) else text.encode()
        with open(p, "wb") as f:
            f.write(data)
    with open(os.path.join(d, "expect.json"), "w") as f:
        json.dump({"exit": exit_code, "args": args, "expect": expect}, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    names = [c[0] for c in CASES]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        sys.exit("duplicate case names: %s" % sorted(dupes))
    os.makedirs(OUT, exist_ok=True)
    for entry in os.listdir(OUT):
        if os.path.isdir(os.path.join(OUT, entry)) and entry not in names:
            shutil.rmtree(os.path.join(OUT, entry))
    for c in CASES:
        write_case(*c)
    print("%d cases in %s" % (len(CASES), os.path.normpath(OUT)))


if __name__ == "__main__":
    main()
