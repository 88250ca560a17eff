"""Errors, validation and label selectors shared by the test server's modules."""

import copy
import datetime
import re


class ApiError(Exception):
    """An API answer other than 2xx: becomes a Status body."""

    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details or {}


def status_body(code, reason, message, details=None):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "details": details or {}, "code": code}


def not_found(resource, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (resource, name),
                    {"name": name, "kind": resource})


def no_route():
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def invalid(kind, name, resource, err):
    """422 Invalid as the real API server sends it: details.causes names the field."""
    field, _, why = err.partition(": ")
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (kind, name, err),
                    {"name": name, "kind": resource,
                     "causes": [{"reason": "FieldValueInvalid", "message": why or err,
                                 "field": field if why else ""}]})


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
CONFIGMAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")


def name_errors(name):
    if not name:
        return "name or generateName is required"
    if len(name) > 253 or not DNS1123_SUBDOMAIN.match(name):
        return ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an alphanumeric character")
    return None


def label_errors(labels):
    for key, value in (labels or {}).items():
        prefix, _, name = key.rpartition("/")
        if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
            return "metadata.labels: Invalid value: %r: prefix part must be a DNS-1123 subdomain" % key
        if len(name) > 63 or not LABEL_NAME.match(name):
            return ("metadata.labels: Invalid value: %r: name part must consist of alphanumeric "
                    "characters, '-', '_' or '.', and must start and end with an alphanumeric "
                    "character" % key)
        if not isinstance(value, str):
            return "metadata.labels: Invalid value: %r: label values must be strings" % key
        if value and (len(value) > 63 or not LABEL_NAME.match(value)):
            return ("metadata.labels: Invalid value: %r: a valid label must be an empty string or "
                    "consist of alphanumeric characters, '-', '_' or '.'" % value)
    return None


def configmap_errors(obj):
    """Why a ConfigMap's data is invalid, or None."""
    for field in ("data", "binaryData"):
        value = obj.get(field) or {}
        if not isinstance(value, dict):
            return "%s: must be a map of strings" % field
        for k, v in value.items():
            if not CONFIGMAP_KEY.match(k):
                return "%s[%s]: Invalid value: %r: a valid config key must consist of " \
                       "alphanumeric characters, '-', '_' or '.'" % (field, k, k)
            if not isinstance(v, str):
                return "%s[%s]: must be a string" % (field, k)
    return None


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch (also used for strategic merge of maps)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):  # strategic-merge directives: not needed here
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def parse_selector(text):
    """Label selector -> list of predicates over a labels dict."""
    preds = []
    for part in re.findall(r"[^,(]+(?:\([^)]*\))?", text or ""):
        part = part.strip()
        if not part:
            continue
        m = re.match(r"^([^\s!=]+)\s+(in|notin)\s+\((.*)\)$", part)
        if m:
            key, op, vals = m.group(1), m.group(2), {v.strip() for v in m.group(3).split(",")}
            if op == "in":
                preds.append(lambda l, k=key, v=vals: l.get(k) in v)
            else:
                preds.append(lambda l, k=key, v=vals: l.get(k) not in v)
        elif "!=" in part:
            key, val = [s.strip() for s in part.split("!=", 1)]
            preds.append(lambda l, k=key, v=val: l.get(k) != v)
        elif "=" in part:
            key, val = [s.strip() for s in re.split("==?", part, maxsplit=1)]
            preds.append(lambda l, k=key, v=val: l.get(k) == v)
        elif part.startswith("!"):
            preds.append(lambda l, k=part[1:].strip(): k not in l)
        else:
            preds.append(lambda l, k=part: k in l)
    return preds


def parse_field_selector(text):
    """metadata.name=X / metadata.namespace=Y (what kubectl's waits use),
    spec.nodeName=N and status.phase=P (what kubectl drain uses)."""
    preds = []
    for part in filter(None, (text or "").split(",")):
        neg = "!=" in part
        key, val = [s.strip() for s in re.split("!=|==?", part, maxsplit=1)]
        if key not in ("metadata.name", "metadata.namespace", "spec.nodeName", "status.phase"):
            raise ApiError(400, "BadRequest", 'field label not supported: %s' % key)
        preds.append(lambda o, f=key.split("."), v=val, n=neg:
                     (((o.get(f[0]) or {}).get(f[1]) or "") == v) != n)
    return preds
