#!/usr/bin/env python3
"""The API test server's draining support (kubeserve/evictions.py): pods
bound to nodes, the eviction subresource honouring PodDisruptionBudgets and
Node deletion, cross-checked with the real `kubectl drain`.

    python3 tests/kube/drain_test.py      (ctest: kube_serve_drain)
"""

import json
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from serve_test import Server  # noqa: E402


def pod(name, node, app, owner_kind="ReplicaSet", extra_meta=""):
    return """apiVersion: v1
kind: Pod
metadata:
  name: %s
  namespace: default
  labels: {app: %s}
  ownerReferences: [{apiVersion: apps/v1, kind: %s, name: %s, uid: "u-%s", controller: true}]
%sspec: {nodeName: %s, containers: [{name: c, image: busybox}]}
""" % (name, app, owner_kind, app, app, extra_meta, node)


DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: default}
spec:
  selector: {matchLabels: {app: agent}}
  template: {metadata: {labels: {app: agent}}, spec: {containers: [{name: c, image: busybox}]}}
"""


def pdb(name, app, rule):
    return """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: %s, namespace: default}
spec: {%s, selector: {matchLabels: {app: %s}}}
""" % (name, rule, app)


class DrainTest(unittest.TestCase):
    def setUp(self):
        self.s = Server()

    def tearDown(self):
        self.s.stop()

    def apply(self, *docs):
        self.s.kubectl("apply", "--validate=false", "-f", "-", stdin="---\n".join(docs))

    def pods(self):
        out = self.s.kubectl("get", "pods", "-o", "json").stdout
        return sorted(p["metadata"]["name"] for p in json.loads(out)["items"])

    def test_kubectl_drain_waits_for_the_budget_then_evicts(self):
        s = self.s
        self.apply(DAEMONSET, pod("agent-n1", "n1", "agent", "DaemonSet"), pod("web-1", "n1", "web"),
                   pod("web-2", "n2", "web"), pdb("web-pdb", "web", "minAvailable: 2"))
        listed = s.kubectl("get", "pods", "--field-selector", "spec.nodeName=n1", "-o", "name").stdout
        self.assertEqual(listed.split(), ["pod/agent-n1", "pod/web-1"])
        refused = s.kubectl("drain", "n1", "--ignore-daemonsets", "--delete-emptydir-data",
                            "--timeout=3s", check=False)
        self.assertNotEqual(refused.returncode, 0)
        self.assertIn("Cannot evict pod as it would violate the pod's disruption budget", refused.stderr)
        self.assertIn("ignoring DaemonSet-managed Pods: default/agent-n1", refused.stderr)
        node = json.loads(s.kubectl("get", "node", "n1", "-o", "json").stdout)
        self.assertTrue(node["spec"]["unschedulable"], "drain cordons first")
        self.assertEqual(self.pods(), ["agent-n1", "web-1", "web-2"])

        s.kubectl("patch", "pdb", "web-pdb", "--type=merge", "-p", '{"spec":{"minAvailable":1}}')
        s.admin_post("/pod-grace?seconds=1")
        done = s.kubectl("drain", "n1", "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=20s")
        self.assertIn("pod/web-1 evicted", done.stdout + done.stderr)
        self.assertEqual(self.pods(), ["agent-n1", "web-2"], "the DaemonSet's pod stays; web-1 is gone")

        s.kubectl("delete", "node", "n1")
        names = s.kubectl("get", "nodes", "-o", "name").stdout.split()
        self.assertEqual(names, ["node/n2", "node/n3"])

    def test_eviction_answers_as_the_api_server_does(self):
        s = self.s
        self.apply(pod("db-1", "n1", "db"), pod("db-2", "n2", "db"), pod("db-3", "n3", "db"),
                   pdb("db-pdb", "db", "maxUnavailable: 34%"))
        path = "/api/v1/namespaces/default/pods/%s/eviction"
        body = lambda n: json.dumps({"apiVersion": "policy/v1", "kind": "Eviction",
                                     "metadata": {"name": n, "namespace": "default"}})
        # 34% of 3 rounds up to 2 unavailable: two evictions pass, the third is refused.
        self.assertEqual(s.call("POST", path % "db-1", body("db-1"))[0], 201)
        self.assertEqual(s.call("POST", path % "db-2", body("db-2"))[0], 201)
        code, status = s.call("POST", path % "db-3", body("db-3"))
        self.assertEqual(code, 429)
        self.assertEqual(status["reason"], "TooManyRequests")
        self.assertEqual(status["details"]["causes"][0]["reason"], "DisruptionBudget")
        self.assertIn("db-pdb needs 1 healthy pods and has 1 currently", status["details"]["causes"][0]["message"])
        self.assertEqual(s.call("POST", path % "gone", body("gone"))[0], 404)
        self.assertEqual(s.call("POST", path % "db-3", body("other"))[0], 400)
        self.apply(pdb("db-pdb2", "db", "minAvailable: 0"))
        code, status = s.call("POST", path % "db-3", body("db-3"))
        self.assertEqual(code, 500)
        self.assertIn("more than one PodDisruptionBudget", status["message"])
        self.assertEqual(self.pods(), ["db-3"])
        self.assertEqual(s.stats()["evictions_refused"], 2)

    def test_a_pod_that_is_not_ready_does_not_count_as_healthy(self):
        s = self.s
        self.apply(pod("q-1", "n1", "q"), pod("q-2", "n2", "q"), pdb("q-pdb", "q", "minAvailable: 1"))
        s.call("PATCH", "/api/v1/namespaces/default/pods/q-2/status",
               json.dumps({"status": {"phase": "Running",
                                      "conditions": [{"type": "Ready", "status": "False"}]}}),
               "application/merge-patch+json")
        body = json.dumps({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "q-1"}})
        code, _ = s.call("POST", "/api/v1/namespaces/default/pods/q-1/eviction", body)
        self.assertEqual(code, 429, "q-1 is the only healthy pod of a budget of 1")
        body = json.dumps({"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "q-2"}})
        code, _ = s.call("POST", "/api/v1/namespaces/default/pods/q-2/eviction", body)
        self.assertEqual(code, 201, "an unhealthy pod may always go")


if __name__ == "__main__":
    if not shutil.which("kubectl"):
        print("kubectl not found on PATH: the cross-check cannot run")
        sys.exit(1)
    unittest.main()
