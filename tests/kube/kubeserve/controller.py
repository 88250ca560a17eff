"""A simulated controller manager: workloads become ready a configurable
delay after each spec change (rolled-out status with observedGeneration),
Jobs complete, PVCs bind. Admin switches break a workload: its pods stay not
ready or crash-loop, with pods and Warning events in the API, as a real
cluster shows them.

Only broken workloads get Pod objects (a healthy DaemonSet on 1,000 nodes
would otherwise mean 1,000 pods per plan in memory)."""

import threading
import time

from .common import now_rfc3339
from .discovery import BY_PLURAL

WORKLOADS = ("deployments", "statefulsets", "daemonsets", "replicasets", "jobs")
# reason -> (container state, last terminated reason, event reason, event message)
BREAKS = {
    "CrashLoopBackOff": ("waiting", "Error", "BackOff", "Back-off restarting failed container"),
    "OOMKilled": ("waiting", "OOMKilled", "BackOff", "Back-off restarting failed container"),
    "ImagePullBackOff": ("waiting", "", "Failed", "Error: ImagePullBackOff"),
    "NotReady": ("running", "", "Unhealthy", "Readiness probe failed: connection refused"),
}


def selects(node, spec):
    """Whether a pod spec's nodeSelector and required nodeAffinity admit `node`."""
    labels = node["metadata"].get("labels", {})
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    terms = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
             .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms")
    if not terms:
        return True
    for term in terms:
        ok = True
        for e in term.get("matchExpressions") or []:
            op, key, vals = e.get("operator"), e.get("key"), e.get("values") or []
            ok = ok and {"In": labels.get(key) in vals, "NotIn": labels.get(key) not in vals,
                         "Exists": key in labels, "DoesNotExist": key not in labels}.get(op, False)
        if ok:
            return True
    return False


def wanted(store, plural, obj):
    spec = obj.get("spec", {})
    if plural == "daemonsets":
        pod_spec = spec.get("template", {}).get("spec", {})
        return sum(1 for n in store.nodes.values() if selects(n, pod_spec))
    if plural == "jobs":
        return spec.get("completions", 1)
    return spec.get("replicas", 1)


def ready_status(plural, obj, n, ready):
    gen = obj["metadata"].get("generation", 1)
    if plural == "daemonsets":
        return {"observedGeneration": gen, "desiredNumberScheduled": n,
                "currentNumberScheduled": n, "updatedNumberScheduled": n, "numberReady": ready,
                "numberAvailable": ready, "numberMisscheduled": 0}
    if plural == "jobs":
        started = obj["metadata"].get("creationTimestamp")
        if ready < n:
            return {"active": n, "startTime": started, "failed": 1}
        return {"succeeded": n, "startTime": started, "completionTime": started,
                "conditions": [{"type": "Complete", "status": "True"}]}
    st = {"observedGeneration": gen, "replicas": n, "updatedReplicas": n, "readyReplicas": ready,
          "availableReplicas": ready}
    if plural == "deployments":
        st["conditions"] = [
            {"type": "Available", "status": "True" if ready >= n else "False",
             "reason": "MinimumReplicasAvailable" if ready >= n else "MinimumReplicasUnavailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]
    if plural == "statefulsets":
        st.update(currentReplicas=n, currentRevision="r%d" % gen, updateRevision="r%d" % gen)
    return st


class Controller:
    def __init__(self, store, delay):
        self.store, self.delay = store, delay
        self.seen = {}          # (plural, key) -> (generation, first seen at)
        self.broken = {}        # (plural, namespace, name) -> reason (admin /break)
        self.stop = threading.Event()

    def start(self):
        t = threading.Thread(target=self.loop, daemon=True)
        t.start()

    def loop(self):
        while not self.stop.wait(0.05):
            with self.store.lock:
                self.step(time.time())

    def step(self, now):
        s = self.store
        for plural in WORKLOADS:
            for key, obj in list(s.tables[plural].items()):
                gen = obj["metadata"].get("generation", 1)
                first = self.seen.get((plural, key))
                if first is None or first[0] != gen:
                    self.seen[(plural, key)] = first = (gen, now)
                if now - first[1] < self.delay:
                    continue
                reason = self.broken.get((plural,) + key)
                n = wanted(s, plural, obj)
                st = ready_status(plural, obj, n, 0 if reason else n)
                if obj.get("status") != st:
                    s.install(BY_PLURAL[plural], key, dict(obj, status=st))
                if reason:
                    self.break_pods(plural, obj, min(n, 3) or 1, reason)
        for key, pvc in list(s.tables["persistentvolumeclaims"].items()):
            if pvc.get("status", {}).get("phase") != "Bound":
                s.install(BY_PLURAL["persistentvolumeclaims"], key,
                          dict(pvc, status={"phase": "Bound"}))

    def break_pods(self, plural, obj, count, reason):
        s, meta = self.store, obj["metadata"]
        state, last, ev_reason, ev_message = BREAKS.get(reason, BREAKS["NotReady"])
        template = obj.get("spec", {}).get("template", {})
        for i in range(count):
            name = "%s-%s" % (meta["name"], "x%d" % i if plural == "daemonsets" else str(i))
            key = (meta["namespace"], name)
            if key in s.tables["pods"]:
                continue
            containers = template.get("spec", {}).get("containers") or [{"name": "main"}]
            statuses = []
            for c in containers:
                cs = {"name": c.get("name", "main"), "ready": False, "restartCount": 5,
                      "image": c.get("image", "")}
                if state == "waiting":
                    cs["state"] = {"waiting": {"reason": reason, "message": "%s: %s" % (
                        reason, ev_message)}}
                else:
                    cs["state"] = {"running": {"startedAt": now_rfc3339()}}
                if last:
                    cs["lastState"] = {"terminated": {"exitCode": 137 if last == "OOMKilled" else 1,
                                                      "reason": last}}
                statuses.append(cs)
            pm = s.meta(name, meta["namespace"])
            pm["labels"] = dict(template.get("metadata", {}).get("labels") or {})
            pm["ownerReferences"] = [{"apiVersion": obj["apiVersion"], "kind": obj["kind"],
                                      "name": meta["name"], "uid": meta["uid"], "controller": True}]
            pod = {"kind": "Pod", "apiVersion": "v1", "metadata": pm,
                   "spec": template.get("spec", {}),
                   "status": {"phase": "Running", "containerStatuses": statuses}}
            s.install(BY_PLURAL["pods"], key, pod)
            self.event(pod, ev_reason, ev_message)

    def event(self, pod, reason, message):
        s, pm = self.store, pod["metadata"]
        name = "%s.%x" % (pm["name"], s.rv)
        em = s.meta(name, pm["namespace"])
        ev = {"kind": "Event", "apiVersion": "v1", "metadata": em,
              "involvedObject": {"kind": "Pod", "name": pm["name"], "namespace": pm["namespace"],
                                 "uid": pm["uid"], "apiVersion": "v1"},
              "reason": reason, "message": message, "type": "Warning", "count": 5,
              "firstTimestamp": now_rfc3339(), "lastTimestamp": now_rfc3339(),
              "source": {"component": "kubelet"}}
        s.install(BY_PLURAL["events"], (pm["namespace"], name), ev)
