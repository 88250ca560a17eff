"""The in-memory object store: one table per resource, one lock, one global
resourceVersion counter, and paginated LISTs with label/field selectors.

Stored objects are never mutated in place: every write installs new dicts,
so a reader may serialise an object it got under the lock after releasing it.
"""

import base64
import json
import threading

from .common import ApiError, now_rfc3339, parse_field_selector, parse_selector
from .discovery import RESOURCES


class Store:
    def __init__(self):
        self.lock = threading.Lock()
        self.rv = 100
        self.tables = {r.plural: {} for r in RESOURCES}
        self.nodes = self.tables["nodes"]            # name -> object
        self.namespaces = self.tables["namespaces"]  # name -> object
        self.configmaps = self.tables["configmaps"]  # (ns, name) -> object
        self.conflicts = {}                  # (ns, name) -> remaining injected conflicts
        self.hang = {"seconds": 0.0, "count": 0, "path": "", "method": ""}  # admin /hang
        self.expire_continue = 0             # admin /expire-continue
        self.token_expiry = {}               # token -> unix time it expires (admin /tokens)
        self.stats = {"requests": 0, "node_list_requests": 0, "node_list_pages": 0,
                      "patches": 0, "configmap_puts": 0, "unauthorized": 0,
                      "hung": 0, "expired_continue": 0, "object_list_requests": 0,
                      "object_list_pages": 0, "object_gets": 0, "applies": 0,
                      "dry_run_applies": 0, "deletes": 0, "writes": 0,
                      "max_concurrent_writes": 0}
        self.writes_in_flight = 0            # POST/PUT/PATCH/DELETE being served now
        for ns in ("default", "kube-system", "kube-public"):
            self.add_namespace(ns)

    def write_started(self, delta):
        """Counts API writes in flight (+1 / -1) and the most seen at once."""
        with self.lock:
            self.writes_in_flight += delta
            self.stats["max_concurrent_writes"] = max(self.stats["max_concurrent_writes"],
                                                      self.writes_in_flight)

    def next_rv(self):
        self.rv += 1
        return str(self.rv)

    def meta(self, name, namespace=None):
        meta = {"name": name, "uid": "%08x-0000-4000-8000-%012x" % (self.rv, self.rv),
                "resourceVersion": self.next_rv(), "creationTimestamp": now_rfc3339()}
        if namespace:
            meta["namespace"] = namespace
        return meta

    _meta = meta  # older name

    def add_namespace(self, name, labels=None):
        meta = self.meta(name)
        meta["labels"] = dict(labels or {}, **{"kubernetes.io/metadata.name": name})
        self.namespaces[name] = {"kind": "Namespace", "apiVersion": "v1", "metadata": meta,
                                 "spec": {"finalizers": ["kubernetes"]},
                                 "status": {"phase": "Active"}}
        return self.namespaces[name]

    def add_node(self, name):
        meta = self.meta(name)
        meta["labels"] = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                          "kubernetes.io/arch": "amd64"}
        self.nodes[name] = {
            "kind": "Node", "apiVersion": "v1", "metadata": meta, "spec": {},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "message": "kubelet is posting ready status",
                                       "lastHeartbeatTime": meta["creationTimestamp"],
                                       "lastTransitionTime": meta["creationTimestamp"]}],
                       "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "paiplan test node",
                                    "containerRuntimeVersion": "none://0", "kernelVersion": "0",
                                    "operatingSystem": "linux", "architecture": "amd64"},
                       "addresses": [{"type": "InternalIP", "address": "127.0.0.1"},
                                     {"type": "Hostname", "address": name}]}}

    def install(self, resource, key, obj):
        """Stores `obj` (a new dict) with a new resourceVersion."""
        obj["metadata"] = dict(obj["metadata"], resourceVersion=self.next_rv())
        self.tables[resource.plural][key] = obj
        return obj

    # ---- LIST (caller holds the lock)

    def list_page(self, objects, query, kind, api_version="v1"):
        """One page of a LIST: sorted by key, `limit` + opaque `continue`."""
        preds = parse_selector(query.get("labelSelector", [""])[0])
        fpreds = parse_field_selector(query.get("fieldSelector", [""])[0])
        keys = sorted(objects, key=self._key_str)
        token = query.get("continue", [""])[0]
        if token and self.expire_continue > 0:
            self.expire_continue -= 1
            self.stats["expired_continue"] += 1
            raise ApiError(410, "Expired", "The provided continue parameter is too old to display "
                           "a consistent list result. You can start a new list without the "
                           "continue parameter.")
        if token:
            try:
                start = json.loads(base64.urlsafe_b64decode(token.encode()).decode())["start"]
            except Exception:
                raise ApiError(400, "BadRequest", "continue key is not valid: invalid continue token")
            keys = [k for k in keys if self._key_str(k) > start]
        limit = int(query.get("limit", ["0"])[0] or 0)
        items, cont = [], ""
        for i, key in enumerate(keys):
            obj = objects[key]
            if not all(p(obj["metadata"].get("labels", {})) for p in preds):
                continue
            if not all(p(obj) for p in fpreds):
                continue
            if limit and len(items) == limit:
                cont = base64.urlsafe_b64encode(json.dumps(
                    {"start": self._key_str(keys[i - 1])}).encode()).decode()
                break
            items.append({k: v for k, v in obj.items() if k not in ("kind", "apiVersion")})
        meta = {"resourceVersion": str(self.rv)}
        if cont:
            meta["continue"] = cont
        return {"kind": kind, "apiVersion": api_version, "metadata": meta, "items": items}

    @staticmethod
    def _key_str(key):
        return "/".join(key) if isinstance(key, tuple) else key
