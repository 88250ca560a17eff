"""The OpenAPI v3 documents kubectl reads before it writes: only what tells
kubectl that the server validates fields itself (the PATCH operation of
every kind takes the `fieldValidation` query parameter), so `kubectl apply`
(client- or server-side) and `kubectl create -f` validate server-side as
against a real cluster, instead of failing "failed to download openapi".
No schemas are served: the server does not check field names."""

from .discovery import RESOURCES


def _gv_key(group, version):
    return "api/" + version if not group else "apis/%s/%s" % (group, version)


def _gv_doc(group, version):
    """One group version's document: a PATCH path per kind."""
    paths = {}
    for r in RESOURCES:
        if (r.group, r.version) != (group, version):
            continue
        ns = "namespaces/{namespace}/" if r.namespaced else ""
        path = "/%s/%s%s/{name}" % (_gv_key(group, version), ns, r.plural)
        paths[path] = {"patch": {
            "operationId": "patch" + r.kind,
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": r.kind},
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}},
                           {"name": "fieldManager", "in": "query", "schema": {"type": "string"}},
                           {"name": "dryRun", "in": "query", "schema": {"type": "string"}},
                           {"name": "force", "in": "query", "schema": {"type": "boolean"}}],
            "responses": {"200": {"description": "OK"}}}}
    return {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.32.0"},
            "paths": paths, "components": {}}


def openapi(parts):
    """(code, body) for /openapi/v3[/<group version>], or None."""
    if parts[:2] != ["openapi", "v3"]:
        return None
    gvs = sorted({(r.group, r.version) for r in RESOURCES})
    if len(parts) == 2:
        return 200, {"paths": {_gv_key(g, v): {"serverRelativeURL": "/openapi/v3/%s?hash=%s%s" % (
            _gv_key(g, v), "0" * 8, (g or "core").replace(".", ""))} for g, v in gvs}}
    key = "/".join(parts[2:])
    for g, v in gvs:
        if key == _gv_key(g, v):
            return 200, _gv_doc(g, v)
    return None
