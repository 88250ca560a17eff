#!/usr/bin/env python3
"""The API test server's object storage, server-side apply, dry-run,
deletion and simulated controller, cross-checked with the real kubectl.

    python3 tests/kube/serve_test.py      (ctest: kube_serve_objects)
"""

import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.realpath(__file__))

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels: {app: web, app.kubernetes.io/managed-by: paiplan}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
"""


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="serve-test-")
        self.proc = subprocess.Popen([os.path.join(HERE, "serve"), "--dir", self.dir,
                                      "--nodes", "n1,n2,n3", "--ready-delay", "0.2"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            if os.path.exists(os.path.join(self.dir, "kubeconfig")):
                break
            time.sleep(0.1)
        with open(os.path.join(self.dir, "admin-url")) as f:
            self.admin = f.read().strip()
        with open(os.path.join(self.dir, "server-url")) as f:
            self.url = f.read().strip()
        with open(os.path.join(self.dir, "token")) as f:
            self.token = f.read().strip()
        self.ctx = ssl.create_default_context(cafile=os.path.join(self.dir, "certs", "ca.crt"))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(20)
        shutil.rmtree(self.dir, ignore_errors=True)

    def kubectl(self, *args, check=True, stdin=None):
        cmd = ["kubectl", "--kubeconfig", os.path.join(self.dir, "kubeconfig"), "--cache-dir",
               os.path.join(self.dir, "kcache"), "--request-timeout=30s"] + list(args)
        p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError("%s failed: %s%s" % (" ".join(args), p.stdout, p.stderr))
        return p

    def call(self, method, path, body=None, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": "Bearer " + self.token, "Content-Type": ctype})
        try:
            with urllib.request.urlopen(req, context=self.ctx) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def admin_post(self, path):
        urllib.request.urlopen(urllib.request.Request(self.admin + path, data=b"", method="POST"))

    def stats(self):
        with urllib.request.urlopen(self.admin + "/stats") as r:
            return json.loads(r.read())


def apply_path(name, manager, extra=""):
    return ("/apis/apps/v1/namespaces/default/deployments/%s?fieldManager=%s%s" %
            (name, manager, extra))


class ServeObjectsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()

    @classmethod
    def tearDownClass(cls):
        cls.s.stop()

    def get(self, name="web"):
        return json.loads(self.s.kubectl("get", "deploy", name, "-o", "json",
                                         "--show-managed-fields").stdout)

    def test_apply_scale_conflict_force(self):
        s = self.s
        s.kubectl("apply", "--server-side", "--validate=false", "--field-manager=paiplan",
                  "-f", "-", stdin=DEPLOY)
        s.kubectl("rollout", "status", "deploy/web", "--timeout=20s")
        live = self.get()
        self.assertEqual(live["status"]["readyReplicas"], 2)
        managers = {(m["manager"], m["operation"]) for m in live["metadata"]["managedFields"]}
        self.assertIn(("paiplan", "Apply"), managers)
        s.kubectl("scale", "deploy/web", "--replicas=5")
        self.assertEqual(self.get()["spec"]["replicas"], 5)
        code, body = s.call("PATCH", apply_path("web", "paiplan"), DEPLOY,
                            "application/apply-patch+yaml")
        self.assertEqual(code, 409, body)
        self.assertEqual(body["details"]["causes"][0]["field"], ".spec.replicas")
        self.assertIn('conflict with "kubectl"', body["message"])
        p = s.kubectl("apply", "--server-side", "--validate=false", "--field-manager=paiplan",
                      "-f", "-", stdin=DEPLOY, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(".spec.replicas", p.stderr)
        code, body = s.call("PATCH", apply_path("web", "paiplan", "&force=true&dryRun=All"),
                            DEPLOY, "application/apply-patch+yaml")
        self.assertEqual((code, body["spec"]["replicas"]), (200, 2))
        self.assertEqual(self.get()["spec"]["replicas"], 5, "dry-run must not store")
        code, body = s.call("PATCH", apply_path("web", "paiplan", "&force=true"), DEPLOY,
                            "application/apply-patch+yaml")
        self.assertEqual((code, self.get()["spec"]["replicas"]), (200, 2))
        owners = [m for m in self.get()["metadata"]["managedFields"] if m["manager"] == "kubectl"]
        self.assertEqual(owners, [], "a forced apply takes the field back")

    def test_apply_removes_fields_it_no_longer_sets(self):
        s = self.s
        cm = {"apiVersion": "v1", "kind": "ConfigMap",
              "metadata": {"name": "c1", "labels": {"x": "1"}}, "data": {"a": "1", "b": "2"}}
        path = "/api/v1/namespaces/default/configmaps/c1?fieldManager=paiplan"
        self.assertEqual(s.call("PATCH", path, json.dumps(cm), "application/apply-patch+yaml")[0], 201)
        s.kubectl("patch", "cm", "c1", "--type=merge", "-p", '{"data":{"c":"3"}}')
        del cm["data"]["b"]
        code, body = s.call("PATCH", path, json.dumps(cm), "application/apply-patch+yaml")
        self.assertEqual(code, 200)
        self.assertEqual(body["data"], {"a": "1", "c": "3"}, "b dropped, kubectl's c kept")
        diff = s.kubectl("diff", "--server-side", "--field-manager=paiplan", "-f", "-",
                         stdin=json.dumps(dict(cm, data={"a": "9"}, metadata=dict(
                             cm["metadata"], namespace="default"))), check=False)
        self.assertEqual(diff.returncode, 1, diff.stderr)
        self.assertIn('+  a: "9"', diff.stdout)

    def test_selectors_pagination_and_delete_propagation(self):
        s = self.s
        for i in range(5):
            cm = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": "p%d" % i, "labels": {"sel": "yes" if i % 2 else "no"}}}
            s.call("PATCH", "/api/v1/namespaces/default/configmaps/p%d?fieldManager=t" % i,
                   json.dumps(cm), "application/apply-patch+yaml")
        code, page = s.call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=sel%3Dyes"
                            "&limit=1")
        self.assertEqual([i["metadata"]["name"] for i in page["items"]], ["p1"])
        cont = urllib.parse.quote(page["metadata"]["continue"])
        code, page = s.call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=sel%3Dyes"
                            "&limit=1&continue=" + cont)
        self.assertEqual([i["metadata"]["name"] for i in page["items"]], ["p3"])
        s.call("POST", "/api/v1/namespaces", json.dumps({"metadata": {"name": "gone"}}))
        s.call("PATCH", "/api/v1/namespaces/gone/configmaps/x?fieldManager=t", json.dumps(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}),
            "application/apply-patch+yaml")
        s.kubectl("delete", "namespace", "gone")
        self.assertEqual(s.call("GET", "/api/v1/namespaces/gone/configmaps/x")[0], 404)

    def test_broken_workload_shows_pods_and_events(self):
        s = self.s
        s.admin_post("/break?resource=daemonsets&namespace=default&name=exp&reason=CrashLoopBackOff")
        ds = DEPLOY.replace("Deployment", "DaemonSet").replace("name: web", "name: exp") \
            .replace("  replicas: 2\n", "")
        s.kubectl("apply", "--server-side", "--validate=false", "-f", "-", stdin=ds)
        p = s.kubectl("rollout", "status", "ds/exp", "--timeout=2s", check=False)
        self.assertNotEqual(p.returncode, 0)
        pods = json.loads(s.kubectl("get", "pods", "-l", "app=web", "-o", "json").stdout)["items"]
        self.assertTrue(pods)
        waiting = pods[0]["status"]["containerStatuses"][0]["state"]["waiting"]
        self.assertEqual(waiting["reason"], "CrashLoopBackOff")
        events = json.loads(s.kubectl("get", "events", "-o", "json").stdout)["items"]
        self.assertIn("BackOff", {e["reason"] for e in events})
        status = self.get_ds("exp")["status"]
        self.assertEqual((status["desiredNumberScheduled"], status["numberReady"]), (3, 0))
        s.kubectl("delete", "ds", "exp")
        pods = json.loads(s.kubectl("get", "pods", "-o", "json").stdout)["items"]
        self.assertEqual(pods, [], "owned pods are deleted with their DaemonSet")

    def get_ds(self, name):
        return json.loads(self.s.kubectl("get", "ds", name, "-o", "json").stdout)

    def test_job_completes_and_pvc_binds(self):
        s = self.s
        s.kubectl("apply", "--server-side", "--validate=false", "-f", "-", stdin="""
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: default}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: busybox}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: default}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
""")
        s.kubectl("wait", "--for=condition=Complete", "job/once", "--timeout=20s")
        s.kubectl("wait", "--for=jsonpath={.status.phase}=Bound", "pvc/data", "--timeout=20s")


if __name__ == "__main__":
    if not shutil.which("kubectl"):
        print("kubectl not found on PATH: the cross-check cannot run")
        sys.exit(1)
    unittest.main()
