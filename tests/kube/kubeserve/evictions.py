"""Draining a node: pods bound to nodes (spec.nodeName, the field selector
kubectl drain lists them with), the policy/v1 eviction subresource of pods
honouring PodDisruptionBudgets (minAvailable / maxUnavailable, integer or
percentage, over the pods their selector matches), pod deletion after an
optional grace period (admin /pod-grace) and Node deletion.

What the real API server answers, kept here: an eviction that a budget
allows deletes the pod and answers 201 with a Success Status; one it does
not allow answers 429 TooManyRequests, "Cannot evict pod as it would violate
the pod's disruption budget.", with a DisruptionBudget cause naming the
budget; a pod covered by two budgets is a 500. With no kubelet here, a pod
counts as healthy unless it is terminating, its phase is not Running (when
set), or its Ready condition (when set) is not True.
"""

import math
import threading

from .common import ApiError, not_found, now_rfc3339
from .discovery import BY_PLURAL

POD_GRACE = {"seconds": 0.0}  # admin /pod-grace: evicted pods linger this long, terminating


def field_value(obj, path):
    """The value at dotted `path` of obj ("spec.nodeName"), "" when absent."""
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    return "" if cur is None else str(cur)


def selector_matches(selector, labels):
    """A LabelSelector (matchLabels + matchExpressions) over a labels dict."""
    if not isinstance(selector, dict):
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e.get("key"), e.get("operator"), set(e.get("values") or [])
        if (op == "In" and labels.get(key) not in values) or \
           (op == "NotIn" and labels.get(key) in values) or \
           (op == "Exists" and key not in labels) or \
           (op == "DoesNotExist" and key in labels):
            return False
    return True


def healthy(pod):
    if pod["metadata"].get("deletionTimestamp"):
        return False
    status = pod.get("status") or {}
    if status.get("phase") not in (None, "Running"):
        return False
    for c in status.get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return True


def scaled(value, total):
    """An IntOrString budget value: an int, or "N%" of total rounded up."""
    if isinstance(value, str) and value.endswith("%"):
        return int(math.ceil(total * int(value[:-1]) / 100.0))
    return int(value)


def budget_check(store, namespace, pod):
    """None when evicting `pod` is allowed, else the ApiError to answer."""
    labels = pod["metadata"].get("labels") or {}
    budgets = [b for (ns, _), b in sorted(store.tables["poddisruptionbudgets"].items())
               if ns == namespace and selector_matches((b.get("spec") or {}).get("selector"), labels)]
    if not budgets:
        return None
    if len(budgets) > 1:
        return ApiError(500, "InternalError", "This pod has more than one PodDisruptionBudget, "
                        "which the eviction subresource does not support.")
    pdb = budgets[0]
    spec = pdb.get("spec") or {}
    selected = [p for (ns, _), p in store.tables["pods"].items() if ns == namespace and
                selector_matches(spec.get("selector"), p["metadata"].get("labels") or {}) and
                not p["metadata"].get("deletionTimestamp")]
    current = sum(1 for p in selected if healthy(p))
    # The pods' controllers would expect as many pods as the budget ever
    # covered (evicted pods are not recreated here).
    status = pdb.get("status") or {}
    expected = max(len(selected), int(status.get("expectedPods") or 0))
    if "minAvailable" in spec:
        desired = scaled(spec["minAvailable"], expected)
    else:
        desired = expected - scaled(spec.get("maxUnavailable", 0), expected)
    allowed = max(current - desired, 0) if healthy(pod) else max(current - desired, 1)
    store.install(BY_PLURAL["poddisruptionbudgets"], (namespace, pdb["metadata"]["name"]),
                  dict(pdb, status={"expectedPods": expected, "currentHealthy": current,
                                    "desiredHealthy": desired, "disruptionsAllowed": allowed,
                                    "observedGeneration": pdb["metadata"].get("generation", 1)}))
    if allowed > 0:
        return None
    return ApiError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's "
                    "disruption budget.",
                    {"causes": [{"reason": "DisruptionBudget",
                                 "message": "The disruption budget %s needs %d healthy pods and has "
                                            "%d currently" % (pdb["metadata"]["name"], desired,
                                                              current)}]})


def evict(api, req, pod):
    """POST .../pods/NAME/eviction (the store lock is held)."""
    if req.method != "POST":
        raise ApiError(405, "MethodNotAllowed", "method %s not allowed on pods/eviction" % req.method)
    if pod is None:
        raise not_found("pods", req.name)
    body = req.body if isinstance(req.body, dict) else {}
    if (body.get("metadata") or {}).get("name", req.name) != req.name:
        raise ApiError(400, "BadRequest", "name in URL does not match name in Eviction object")
    store = api.store
    store.stats["evictions"] = store.stats.get("evictions", 0) + 1
    err = budget_check(store, req.namespace, pod)
    if err:
        store.stats["evictions_refused"] = store.stats.get("evictions_refused", 0) + 1
        raise err
    if not req.dry_run:
        delete_pod(store, (req.namespace, req.name), pod)
    return 201, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                 "code": 201}


def delete_pod(store, key, pod):
    """Removes the pod now, or marks it terminating for POD_GRACE seconds."""
    grace = POD_GRACE["seconds"]
    if grace <= 0:
        store.tables["pods"].pop(key, None)
        store.next_rv()
        return
    meta = dict(pod["metadata"], deletionTimestamp=now_rfc3339(),
                deletionGracePeriodSeconds=int(math.ceil(grace)))
    store.install(BY_PLURAL["pods"], key, dict(pod, metadata=meta))
    uid = pod["metadata"]["uid"]

    def gone():
        with store.lock:
            cur = store.tables["pods"].get(key)
            if cur is not None and cur["metadata"]["uid"] == uid:
                store.tables["pods"].pop(key, None)
                store.next_rv()

    t = threading.Timer(grace, gone)
    t.daemon = True
    t.start()


def delete_node(api, req, node):
    """DELETE /api/v1/nodes/NAME: the Node object goes (its pods stay bound, as
    in a real cluster until the pod garbage collector runs)."""
    if not req.dry_run:
        api.store.stats["deletes"] += 1
        api.store.tables["nodes"].pop(req.name, None)
        api.store.next_rv()
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
            "details": {"name": req.name, "kind": "nodes", "uid": node["metadata"]["uid"]}}
