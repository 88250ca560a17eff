"""Routing and the generic object operations: LIST/GET/POST/PUT/PATCH/DELETE
of every registered resource, the scale and status subresources, dry-run
and deletion with propagation to owned objects and namespace contents.
Server-side apply itself is in fields.py."""

import base64
import copy
import json

import yaml

from .common import (ApiError, configmap_errors, invalid, label_errors, merge_patch, name_errors,
                     no_route, not_found)
from .discovery import BY_PATH, BY_PLURAL, discovery
from .evictions import delete_node, evict
from .fields import record_update, server_side_apply

PATCH_TYPES = ("application/merge-patch+json", "application/strategic-merge-patch+json",
               "application/apply-patch+yaml", "application/json-patch+json")
VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


class Request:
    """One API request, parsed: resource, namespace, name, subresource."""

    def __init__(self, method, parts, query, body, ctype, user_agent):
        self.method, self.query, self.body, self.ctype = method, query, body, ctype
        self.dry_run = "All" in query.get("dryRun", [])
        self.manager = query.get("fieldManager", [""])[0] or user_agent.split("/")[0] or "unknown"
        self.force = query.get("force", ["false"])[0] == "true"
        if parts[:2] == ["api", "v1"]:
            group, version, rest = "", "v1", parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise no_route()
        self.namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces" and (group, version, rest[2]) in BY_PATH:
            self.namespace, rest = rest[1], rest[2:]
        if not rest or (group, version, rest[0]) not in BY_PATH or len(rest) > 3:
            raise no_route()
        self.resource = BY_PATH[(group, version, rest[0])]
        self.name = rest[1] if len(rest) > 1 else None
        self.sub = rest[2] if len(rest) > 2 else ""
        if self.sub and self.sub not in self.resource.subresources:
            raise no_route()
        if self.namespace and not self.resource.namespaced:
            raise no_route()

    def key(self, name=None):
        name = name or self.name
        return (self.namespace, name) if self.resource.namespaced else name


def parse_body(raw, ctype):
    if not raw:
        return None
    if ctype == "application/apply-patch+yaml":
        try:
            return yaml.safe_load(raw.decode())
        except yaml.YAMLError as e:
            raise ApiError(400, "BadRequest", "error decoding YAML: %s" % e)
    if not ctype.endswith("json"):
        raise ApiError(415, "UnsupportedMediaType",
                       "the body of the request was in an unknown format - accepted media "
                       "types include: application/json, application/merge-patch+json, "
                       "application/strategic-merge-patch+json, application/apply-patch+yaml")
    try:
        return json.loads(raw)
    except ValueError as e:
        raise ApiError(400, "BadRequest", "invalid JSON body: %s" % e)


def spec_of(obj):
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "kind", "apiVersion")}


class Api:
    """Routes one request to the store; returns (http code, JSON body)."""

    def __init__(self, store):
        self.store = store

    def handle(self, method, path, query, body_bytes, content_type, readonly, user_agent=""):
        parts = [p for p in path.split("/") if p]
        if method == "GET":
            fixed = discovery(parts)
            if fixed is not None:
                return fixed
        ctype = content_type.split(";")[0].strip()
        req = Request(method, parts, query, None, ctype, user_agent)
        if method != "GET" and readonly:
            r = req.resource
            raise ApiError(403, "Forbidden",
                           '%s%s is forbidden: User "paiplan-readonly" cannot %s resource "%s" '
                           'in API group "%s"' % (r.plural, ' "%s"' % req.name if req.name else "",
                                                  VERBS.get(method, method.lower()), r.plural,
                                                  r.group), {"name": req.name or "", "kind": r.plural})
        req.body = parse_body(body_bytes, ctype)
        with self.store.lock:
            return self.dispatch(req)

    def table(self, req):
        objects = self.store.tables[req.resource.plural]
        if req.namespace is None or not req.resource.namespaced:
            return objects
        return {k: v for k, v in objects.items() if k[0] == req.namespace}

    def dispatch(self, req):
        s, r = self.store, req.resource
        if req.namespace is not None and req.namespace not in s.namespaces:
            if req.method == "GET" or req.method == "DELETE":
                raise not_found("namespaces", req.namespace)
            raise ApiError(404, "NotFound", 'namespaces "%s" not found' % req.namespace,
                           {"name": req.namespace, "kind": "namespaces"})
        if req.name is None:
            if req.method == "GET":
                self.count_list(req)
                return 200, s.list_page(self.table(req), req.query, r.kind + "List",
                                        r.group_version)
            if req.method == "POST":
                return 201, self.create(req, req.body)
            raise ApiError(405, "MethodNotAllowed", "method %s not allowed on a list" % req.method)
        objects = s.tables[r.plural]
        cur = objects.get(req.key())
        if req.sub == "eviction":
            return evict(self, req, cur)
        if req.method == "GET":
            s.stats["object_gets"] += 1
            if cur is None:
                raise not_found(r.plural, req.name)
            return 200, to_scale(cur) if req.sub == "scale" else cur
        if req.method == "DELETE":
            if cur is None:
                raise not_found(r.plural, req.name)
            return 200, self.delete(req, cur)
        if req.method == "PUT":
            return 200, self.replace(req, cur)
        if req.method == "PATCH":
            return self.patch(req, cur)
        raise ApiError(405, "MethodNotAllowed", "method %s not allowed" % req.method)

    def count_list(self, req):
        stats = self.store.stats
        first = not req.query.get("continue", [""])[0]
        if req.resource.plural == "nodes":
            stats["node_list_pages"] += 1
            stats["node_list_requests"] += first
        else:
            stats["object_list_pages"] += 1
            stats["object_list_requests"] += first

    # ---- validation and storing

    def check(self, resource, obj, name):
        if not isinstance(obj, dict):
            raise ApiError(400, "BadRequest", "request body must be an object")
        err = name_errors(name) or label_errors(obj.get("metadata", {}).get("labels"))
        if not err and resource.kind == "ConfigMap":
            err = configmap_errors(obj)
        if err:
            raise invalid(resource.kind, name, resource.plural, err)
        kind = obj.get("kind")
        if kind and kind != resource.kind:
            raise ApiError(400, "BadRequest", "the kind %s of the object does not match the "
                           "resource %s" % (kind, resource.plural))

    def store_object(self, req, key, new, old):
        """Validates, fills server fields, records ownership; installs unless dry-run."""
        r = req.resource
        name = new["metadata"]["name"]
        self.check(r, new, name)
        new["kind"], new["apiVersion"] = r.kind, r.group_version
        if r.kind == "Secret":
            fold_string_data(new)
        default_strategy(new)
        canonical_quantities(new)
        meta = new["metadata"]
        for fixed in ("uid", "creationTimestamp"):
            if old and fixed in old["metadata"]:
                meta[fixed] = old["metadata"][fixed]
        if r.namespaced:
            meta["namespace"] = req.namespace
        if "spec" in new or r.kind in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
            gen = old["metadata"].get("generation", 1) if old else 1
            if old and spec_of(old) != spec_of(new):
                gen += 1
            meta["generation"] = gen
        if old and "status" in old and "status" not in new:
            new["status"] = old["status"]
        if req.dry_run:
            self.store.stats["dry_run_applies"] += 1
            meta.setdefault("resourceVersion", old["metadata"]["resourceVersion"] if old else "")
            return new
        self.store.stats["writes"] += 1
        return self.store.install(r, key, new)

    def create(self, req, body):
        s, r = self.store, req.resource
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "request body must be an object")
        name = (body.get("metadata") or {}).get("name", "")
        if r.plural in ("namespaces", "nodes"):
            err = name_errors(name)
            if err:
                raise ApiError(422, "Invalid", '%s "%s" is invalid: metadata.name: %s' % (
                    r.kind, name, err))
        if req.key(name) in s.tables[r.plural]:
            raise ApiError(409, "AlreadyExists", '%s "%s" already exists' % (r.plural, name),
                           {"name": name, "kind": r.plural})
        if r.plural == "nodes" and not req.dry_run:
            s.add_node(name)
            return s.nodes[name]
        new = copy.deepcopy(body)
        meta = dict(s.meta(name, req.namespace if r.namespaced else None))
        for k in ("labels", "annotations", "ownerReferences"):
            if body.get("metadata", {}).get(k):
                meta[k] = body["metadata"][k]
        new["metadata"] = meta
        if r.plural == "namespaces":
            new.setdefault("spec", {"finalizers": ["kubernetes"]})
            new["status"] = {"phase": "Active"}
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = name
        record_update(r, None, new, req.manager)
        return self.store_object(req, req.key(name), new, None)

    def replace(self, req, cur):
        s, r, body = self.store, req.resource, req.body
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "request body must be an object")
        if r.plural == "configmaps":
            s.stats["configmap_puts"] += 1
        if cur is None:
            raise not_found(r.plural, req.name)
        key = req.key()
        if s.conflicts.get(key, 0) > 0:  # admin /conflict: a concurrent writer wins the race
            s.conflicts[key] -= 1
            cur = dict(cur)
            cur["data"] = dict(cur.get("data") or {}, concurrent=str(s.rv))
            cur = s.install(r, key, cur)
        body_name = (body.get("metadata") or {}).get("name", req.name)
        if body_name != req.name:
            raise ApiError(400, "BadRequest", "the name of the object (%s) does not match the "
                           "name on the URL (%s)" % (body_name, req.name))
        want_rv = (body.get("metadata") or {}).get("resourceVersion", "")
        if want_rv and want_rv != cur["metadata"]["resourceVersion"]:
            raise stale(r.plural, req.name)
        if req.sub == "status":
            new = dict(cur, status=body.get("status", {}))
            return self.store_object(req, key, new, cur)
        new = copy.deepcopy(body)
        new.pop("status", None)
        meta = {k: v for k, v in cur["metadata"].items() if k not in ("labels", "annotations")}
        for k in ("labels", "annotations"):
            if (body.get("metadata") or {}).get(k):
                meta[k] = body["metadata"][k]
        new["metadata"] = meta
        record_update(r, cur, new, req.manager)
        return self.store_object(req, key, new, cur)

    def patch(self, req, cur):
        s, r, body = self.store, req.resource, req.body
        if req.ctype not in PATCH_TYPES or req.ctype == "application/json-patch+json":
            raise ApiError(415, "UnsupportedMediaType",
                           "the body of the request was in an unknown format - accepted media "
                           "types include: " + ", ".join(PATCH_TYPES[:3]))
        if not isinstance(body, dict):
            raise ApiError(400, "BadRequest", "patch body must be a JSON object")
        if req.ctype == "application/apply-patch+yaml":
            return self.apply(req, cur)
        if cur is None:
            raise not_found(r.plural, req.name)
        s.stats["patches"] += 1
        want_rv = (body.get("metadata") or {}).get("resourceVersion")
        if want_rv and want_rv != cur["metadata"]["resourceVersion"]:
            raise stale(r.plural, req.name)
        if req.sub == "scale":
            replicas = (body.get("spec") or {}).get("replicas")
            new = copy.deepcopy(cur)
            if replicas is not None:
                new["spec"]["replicas"] = replicas
            record_update(r, cur, new, req.manager, "scale")
            return 200, to_scale(self.store_object(req, req.key(), new, cur))
        new = merge_patch(cur, body)
        if req.sub == "status":
            new = dict(cur, status=new.get("status", {}))
        new["metadata"] = dict(new.get("metadata") or {}, name=req.name)
        record_update(r, cur, new, req.manager, req.sub)
        return 200, self.store_object(req, req.key(), new, cur)

    def apply(self, req, cur):
        r, body = req.resource, req.body
        if not req.query.get("fieldManager", [""])[0]:
            raise ApiError(400, "BadRequest", "PATCH /%s: fieldManager is required for apply "
                           "requests" % r.plural)
        meta = body.get("metadata") or {}
        if meta.get("name", req.name) != req.name:
            raise ApiError(400, "BadRequest", "the name of the object (%s) does not match the "
                           "name on the URL (%s)" % (meta.get("name"), req.name))
        if body.get("kind") != r.kind or body.get("apiVersion") != r.group_version:
            raise ApiError(400, "BadRequest", "apply: kind/apiVersion %s %s do not match %s %s" % (
                body.get("kind"), body.get("apiVersion"), r.kind, r.group_version))
        applied = copy.deepcopy(body)
        applied.setdefault("metadata", {})["name"] = req.name
        applied["metadata"].pop("namespace", None)
        self.store.stats["applies"] += 1
        new = server_side_apply(r, cur, applied, req.manager, req.force)
        if cur is None:
            server = self.store.meta(req.name, req.namespace if r.namespaced else None)
            new["metadata"] = dict(server, **new["metadata"])
            if r.plural == "namespaces":
                new["status"] = {"phase": "Active"}
        code = 201 if cur is None else 200
        return code, self.store_object(req, req.key(), new, cur)

    def delete(self, req, cur):
        r = req.resource
        if r.plural == "nodes":
            return delete_node(self, req, cur)
        if not req.dry_run:
            self.store.stats["deletes"] += 1
            self.remove(r, req.key(), cur)
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "details": {"name": req.name, "kind": r.plural, "uid": cur["metadata"]["uid"]}}

    def remove(self, resource, key, obj):
        """Deletes obj, what it owns (ownerReferences) and, for a namespace, its contents."""
        self.store.tables[resource.plural].pop(key, None)
        uid = obj["metadata"]["uid"]
        for plural, table in self.store.tables.items():
            res = BY_PLURAL[plural]
            for k, o in list(table.items()):
                owned = any(ref.get("uid") == uid for ref in o["metadata"].get("ownerReferences", []))
                inside = resource.plural == "namespaces" and res.namespaced and k[0] == key
                if owned or inside:
                    self.remove(res, k, o)


def stale(plural, name):
    return ApiError(409, "Conflict", 'Operation cannot be fulfilled on %s "%s": the object has '
                    'been modified; please apply your changes to the latest version and try '
                    'again' % (plural, name), {"name": name, "kind": plural})


# The update strategy the real API server defaults (`kubectl rollout status` reads it).
STRATEGY_FIELD = {"Deployment": "strategy", "DaemonSet": "updateStrategy", "StatefulSet": "updateStrategy"}


def default_strategy(obj):
    field, spec = STRATEGY_FIELD.get(obj.get("kind")), obj.get("spec")
    if field and isinstance(spec, dict) and not spec.get(field):
        spec[field] = {"type": "RollingUpdate"}


def canonical_quantities(obj):
    """Container resources in their canonical form, as the API server stores
    them: a whole number of millis as units ("1000m" -> "1")."""
    pod = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    for c in pod.get("containers") or []:
        for part in ("requests", "limits"):
            q = (c.get("resources") or {}).get(part)
            for k, v in (q.items() if isinstance(q, dict) else []):
                if isinstance(v, str) and v.endswith("m") and v[:-1].isdigit() and int(v[:-1]) % 1000 == 0:
                    q[k] = str(int(v[:-1]) // 1000)


def fold_string_data(secret):
    """The API server stores stringData as base64 data."""
    string_data = secret.pop("stringData", None) or {}
    if string_data:
        data = dict(secret.get("data") or {})
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        secret["data"] = data


def to_scale(obj):
    st = obj.get("status", {})
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: obj["metadata"][k] for k in ("name", "namespace", "uid",
                                                         "resourceVersion", "creationTimestamp")
                         if k in obj["metadata"]},
            "spec": {"replicas": obj.get("spec", {}).get("replicas", 1)},
            "status": {"replicas": st.get("replicas", 0),
                       "selector": ",".join("%s=%s" % kv for kv in sorted(
                           obj.get("spec", {}).get("selector", {}).get("matchLabels", {}).items()))}}
