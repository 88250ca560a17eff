"""What the server serves: the resource registry, discovery documents and
the Table rendering kubectl asks for (`Accept: ...;as=Table`)."""

import base64
import copy
import datetime

ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


class Resource:
    """One served resource type, e.g. apps/v1 deployments."""

    def __init__(self, group, version, plural, kind, namespaced, short=(), subresources=()):
        self.group, self.version, self.plural, self.kind = group, version, plural, kind
        self.namespaced, self.short, self.subresources = namespaced, list(short), set(subresources)

    @property
    def group_version(self):
        return "%s/%s" % (self.group, self.version) if self.group else self.version


RESOURCES = [
    Resource("", "v1", "namespaces", "Namespace", False, ["ns"], ["status"]),
    Resource("", "v1", "nodes", "Node", False, ["no"], ["status"]),
    Resource("", "v1", "persistentvolumes", "PersistentVolume", False, ["pv"], ["status"]),
    Resource("", "v1", "configmaps", "ConfigMap", True, ["cm"]),
    Resource("", "v1", "secrets", "Secret", True),
    Resource("", "v1", "services", "Service", True, ["svc"], ["status"]),
    Resource("", "v1", "serviceaccounts", "ServiceAccount", True, ["sa"]),
    Resource("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ["pvc"], ["status"]),
    Resource("", "v1", "pods", "Pod", True, ["po"], ["status", "eviction"]),
    Resource("", "v1", "events", "Event", True, ["ev"]),
    Resource("apps", "v1", "deployments", "Deployment", True, ["deploy"], ["status", "scale"]),
    Resource("apps", "v1", "statefulsets", "StatefulSet", True, ["sts"], ["status", "scale"]),
    Resource("apps", "v1", "daemonsets", "DaemonSet", True, ["ds"], ["status"]),
    Resource("apps", "v1", "replicasets", "ReplicaSet", True, ["rs"], ["status", "scale"]),
    Resource("batch", "v1", "jobs", "Job", True, [], ["status"]),
    Resource("batch", "v1", "cronjobs", "CronJob", True, ["cj"], ["status"]),
    Resource("rbac.authorization.k8s.io", "v1", "roles", "Role", True),
    Resource("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", True),
    Resource("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", False),
    Resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", False),
    Resource("networking.k8s.io", "v1", "ingresses", "Ingress", True, ["ing"], ["status"]),
    Resource("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True, ["netpol"]),
    Resource("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", True, ["pdb"],
             ["status"]),
    Resource("apiextensions.k8s.io", "v1", "customresourcedefinitions",
             "CustomResourceDefinition", False, ["crd"], ["status"]),
]
BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCES}
BY_PLURAL = {r.plural: r for r in RESOURCES}
GROUPS = sorted({r.group for r in RESOURCES if r.group})

VERSION = {"major": "1", "minor": "32", "gitVersion": "v1.32.0-paiplan-test",
           "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
           "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.23", "compiler": "gc",
           "platform": "linux/amd64"}


def resource_list(group, version):
    out = []
    for r in RESOURCES:
        if (r.group, r.version) != (group, version):
            continue
        entry = {"name": r.plural, "singularName": r.kind.lower(), "namespaced": r.namespaced,
                 "kind": r.kind, "verbs": ALL_VERBS,
                 "storageVersionHash": base64.b64encode(r.plural.encode()).decode()[:11]}
        if r.short:
            entry["shortNames"] = r.short
        out.append(entry)
        for sub in sorted(r.subresources):
            kind = {"scale": "Scale", "eviction": "Eviction"}.get(sub, r.kind)
            out.append({"name": r.plural + "/" + sub, "singularName": "", "namespaced": r.namespaced,
                        "kind": kind, "verbs": ["create"] if sub == "eviction" else ["get", "patch", "update"],
                        **({"group": "autoscaling", "version": "v1"} if sub == "scale" else {}),
                        **({"group": "policy", "version": "v1"} if sub == "eviction" else {})})
    gv = "%s/%s" % (group, version) if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}


def discovery(parts):
    """(code, body) for a discovery path, or None."""
    if parts[:1] == ["openapi"]:
        from .openapi import openapi  # imports this module: resolved at call time
        return openapi(parts)
    if parts == ["version"]:
        return 200, VERSION
    if parts in (["healthz"], ["livez"], ["readyz"]):
        return 200, "ok"
    if parts == ["api"]:
        return 200, {"kind": "APIVersions", "versions": ["v1"],
                     "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                     "serverAddress": "127.0.0.1:443"}]}
    if parts == ["apis"]:
        groups = []
        for g in GROUPS:
            gv = {"groupVersion": g + "/v1", "version": "v1"}
            groups.append({"name": g, "versions": [gv], "preferredVersion": gv})
        return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    if parts == ["api", "v1"]:
        return 200, resource_list("", "v1")
    if len(parts) == 2 and parts[0] == "apis" and parts[1] in GROUPS:
        gv = {"groupVersion": parts[1] + "/v1", "version": "v1"}
        return 200, {"kind": "APIGroup", "apiVersion": "v1", "name": parts[1],
                     "versions": [gv], "preferredVersion": gv}
    if len(parts) == 3 and parts[0] == "apis" and parts[1] in GROUPS and parts[2] == "v1":
        return 200, resource_list(parts[1], "v1")
    return None

# ---------------------------------------------------------------- tables


def age(timestamp):
    try:
        then = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return "<unknown>"
    secs = int((datetime.datetime.now(datetime.timezone.utc) - then).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size:
            return "%d%s" % (secs // size, unit)
    return "%ds" % max(secs, 0)


def col(name, typ="string", fmt="", desc=""):
    return {"name": name, "type": typ, "format": fmt, "description": desc or name, "priority": 0}


def node_cells(obj):
    labels = obj["metadata"].get("labels", {})
    roles = sorted(k.split("/", 1)[1] for k in labels
                   if k.startswith("node-role.kubernetes.io/")) or ["<none>"]
    return [obj["metadata"]["name"], "Ready", ",".join(roles),
            age(obj["metadata"].get("creationTimestamp")),
            obj["status"]["nodeInfo"]["kubeletVersion"]]


def ready_cells(obj):
    st, spec = obj.get("status", {}), obj.get("spec", {})
    want = st.get("desiredNumberScheduled", spec.get("replicas", 1))
    return [obj["metadata"]["name"], "%d/%d" % (st.get("readyReplicas", st.get("numberReady", 0)),
                                               want), age(obj["metadata"].get("creationTimestamp"))]


def name_age(obj):
    return [obj["metadata"]["name"], age(obj["metadata"].get("creationTimestamp"))]


TABLES = {
    "nodes": ([col("Name", fmt="name"), col("Status"), col("Roles"), col("Age"),
               col("Version")], node_cells),
    "configmaps": ([col("Name", fmt="name"), col("Data", "integer"), col("Age")],
                   lambda o: [o["metadata"]["name"], len(o.get("data", {})) +
                              len(o.get("binaryData", {})),
                              age(o["metadata"].get("creationTimestamp"))]),
    "namespaces": ([col("Name", fmt="name"), col("Status"), col("Age")],
                   lambda o: [o["metadata"]["name"], "Active",
                              age(o["metadata"].get("creationTimestamp"))]),
    "pods": ([col("Name", fmt="name"), col("Status"), col("Age")],
             lambda o: [o["metadata"]["name"], pod_status(o),
                        age(o["metadata"].get("creationTimestamp"))]),
}
for _plural in ("deployments", "statefulsets", "daemonsets", "replicasets"):
    TABLES[_plural] = ([col("Name", fmt="name"), col("Ready"), col("Age")], ready_cells)
DEFAULT_TABLE = ([col("Name", fmt="name"), col("Age")], name_age)


def pod_status(pod):
    for cs in pod.get("status", {}).get("containerStatuses", []):
        waiting = cs.get("state", {}).get("waiting")
        if waiting:
            return waiting.get("reason", "Waiting")
    return pod.get("status", {}).get("phase", "Pending")


def to_table(resource, body, include):
    columns, cells = TABLES.get(resource.plural, DEFAULT_TABLE)
    objs = body["items"] if "items" in body else [body]
    rows = []
    for obj in objs:
        row = {"cells": cells(obj)}
        if include == "Object":
            full = copy.deepcopy(obj)
            full.setdefault("kind", resource.kind)
            full.setdefault("apiVersion", resource.group_version)
            row["object"] = full
        elif include != "None":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": obj["metadata"]}
        rows.append(row)
    meta = dict(body.get("metadata", {})) if "items" in body else {
        "resourceVersion": body["metadata"].get("resourceVersion", "")}
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
            "columnDefinitions": columns, "rows": rows}
