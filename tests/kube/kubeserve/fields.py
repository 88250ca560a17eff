"""Field ownership and server-side apply (the apply/merge module).

A field is a path of map keys, e.g. ("spec", "replicas"). Leaves are scalars,
lists and empty maps: lists are atomic here (the real server merges some
lists by key, e.g. containers by name; this server owns them whole).
managedFields entries carry their field set in the real `FieldsV1` form
({"f:spec": {"f:replicas": {}}}), so `kubectl get -o yaml` shows them as the
real server does.
"""

import copy

from .common import ApiError, now_rfc3339

# Never owned: identity, server-written metadata and status.
UNOWNED_META = {"name", "namespace", "uid", "resourceVersion", "generation",
                "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp"}
UNOWNED_TOP = {"apiVersion", "kind", "status"}


def leaf_paths(obj, prefix=()):
    """Every owned leaf path of an object (or of a sub-map)."""
    out = set()
    for key, value in obj.items():
        if not prefix and key in UNOWNED_TOP:
            continue
        if prefix == ("metadata",) and key in UNOWNED_META:
            continue
        path = prefix + (key,)
        if isinstance(value, dict) and value:
            out |= leaf_paths(value, path)
        else:
            out.add(path)
    return out


def get_path(obj, path):
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def has_path(obj, path):
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return False
        obj = obj[key]
    return True


def remove_path(obj, path):
    """Removes `path` from `obj` (a private deep copy) and parents left empty."""
    stack = []
    cur = obj
    for key in path[:-1]:
        if not isinstance(cur, dict) or key not in cur:
            return
        stack.append((cur, key))
        cur = cur[key]
    if isinstance(cur, dict):
        cur.pop(path[-1], None)
    for parent, key in reversed(stack):
        if parent[key] == {} and key not in ("metadata", "spec"):
            parent.pop(key)
        else:
            break


def deep_merge(base, overlay):
    """Maps merge key by key; scalars and lists from `overlay` replace."""
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and value:
            deep_merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)


def overlaps(a, b):
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def to_fields_v1(paths):
    root = {}
    for path in sorted(paths):
        cur = root
        for key in path:
            cur = cur.setdefault("f:" + key, {})
    return root


def from_fields_v1(tree, prefix=()):
    out = set()
    for key, sub in (tree or {}).items():
        if not key.startswith("f:"):
            continue  # ".", "k:{...}" and "v:..." entries: lists are atomic here
        path = prefix + (key[2:],)
        below = from_fields_v1(sub, path)
        out |= below or {path}
    return out


def field_text(path):
    return "." + ".".join(path)


class Owners:
    """The managedFields of one object as (manager, operation, subresource) -> paths."""

    def __init__(self, obj):
        self.entries = {}
        self.meta = {}
        for e in (obj or {}).get("metadata", {}).get("managedFields") or []:
            key = (e.get("manager", ""), e.get("operation", "Update"), e.get("subresource", ""))
            self.entries[key] = set(from_fields_v1(e.get("fieldsV1")))
            self.meta[key] = e.get("apiVersion", "v1")

    def encode(self, api_version):
        out = []
        for key in sorted(self.entries):
            paths = self.entries[key]
            if not paths:
                continue
            manager, op, sub = key
            e = {"manager": manager, "operation": op, "apiVersion": self.meta.get(key, api_version),
                 "time": now_rfc3339(), "fieldsType": "FieldsV1", "fieldsV1": to_fields_v1(paths)}
            if sub:
                e["subresource"] = sub
            out.append(e)
        return out

    def conflicts(self, manager, paths, live, applied):
        """[(other manager, api version, path)] whose value the apply would change."""
        found = []
        for key in sorted(self.entries):
            if key[0] == manager and key[1] == "Apply":
                continue
            for owned in sorted(self.entries[key]):
                for p in paths:
                    if overlaps(owned, p) and get_path(live, p) != get_path(applied, p):
                        found.append((key[0], self.meta.get(key, "v1"), p))
                        break
        return found

    def take(self, manager_key, paths, api_version):
        """`manager_key` now owns `paths` alone."""
        for key in self.entries:
            if key != manager_key:
                self.entries[key] = {o for o in self.entries[key]
                                     if not any(overlaps(o, p) for p in paths)}
        self.entries.setdefault(manager_key, set()).update(paths)
        self.meta[manager_key] = api_version

    def owned_by_others(self, manager_key, path):
        return any(overlaps(o, path) for key, owned in self.entries.items()
                   if key != manager_key for o in owned)


def conflict_error(resource, name, found):
    lines = ['conflict with "%s" using %s: %s' % (m, v, field_text(p)) for m, v, p in found]
    message = "Apply failed with %d conflict%s: %s" % (
        len(found), "" if len(found) == 1 else "s", "\n".join(lines))
    causes = [{"reason": "FieldManagerConflict", "message": 'conflict with "%s" using %s' % (m, v),
               "field": field_text(p)} for m, v, p in found]
    return ApiError(409, "Conflict", message, {"name": name, "group": resource.group,
                                               "kind": resource.plural, "causes": causes})


def server_side_apply(resource, live, applied, manager, force):
    """The object after `manager` applies `applied` over `live` (None: absent).

    Fields the manager applied before and leaves out now are removed unless
    another manager owns them; fields another manager owns with a different
    value are a 409 conflict unless `force` (then ownership moves).
    """
    owners = Owners(live)
    key = (manager, "Apply", "")
    new_paths = leaf_paths(applied)
    base = copy.deepcopy(live) if live else {}
    found = owners.conflicts(manager, new_paths, base, applied) if live else []
    if found and not force:
        raise conflict_error(resource, applied["metadata"]["name"], found)
    old_paths = owners.entries.get(key, set())
    for p in sorted(old_paths - new_paths):
        if not owners.owned_by_others(key, p):
            remove_path(base, p)
    deep_merge(base, {k: v for k, v in applied.items() if k != "status"})
    api_version = applied.get("apiVersion", resource.group_version)
    if force:
        owners.take(key, {p for _, _, p in found}, api_version)
    owners.entries[key] = new_paths
    owners.meta[key] = api_version
    base.setdefault("metadata", {})["managedFields"] = owners.encode(api_version)
    return base


def record_update(resource, old, new, manager, subresource=""):
    """Ownership after a non-apply write (PUT, PATCH, scale): the writer owns
    every leaf it changed, and nobody owns a leaf that is gone."""
    owners = Owners(old)
    old_leaves = leaf_paths(old) if old else set()
    new_leaves = leaf_paths(new)
    changed = {p for p in new_leaves if get_path(old or {}, p) != get_path(new, p)}
    gone = old_leaves - new_leaves
    for k in owners.entries:
        owners.entries[k] = {o for o in owners.entries[k] if not any(overlaps(o, g) for g in gone)}
    if changed:
        owners.take((manager, "Update", subresource), changed, resource.group_version)
    new.setdefault("metadata", {})["managedFields"] = owners.encode(resource.group_version)
    return new
