"""Injected server faults (admin POST /fail), for the client's and apply's
fault tests: the next COUNT API requests whose path starts with PATH (and
whose method is METHOD, when given) are answered with STATUS (500, 503 ...)
as a Kubernetes Status, or, with status=reset, by resetting the TCP
connection (RST, no HTTP answer) as a crashing API server or a proxy would.

    POST /fail?status=503&count=2[&path=/api/v1/nodes][&method=PATCH]
    POST /fail?count=0                                   # off

The rule lives on the store (under its lock, like /hang); counts of what was
injected are in /stats ("failed", "reset").
"""
import socket
import struct

from .common import status_body

REASONS = {500: "InternalError", 502: "BadGateway", 503: "ServiceUnavailable"}


def configure(store, q):
    """Sets the rule from the admin query `q` (called under store.lock)."""
    store.fail_rule = {"status": q.get("status", "503"), "count": int(q.get("count", "1")),
                       "path": q.get("path", ""), "method": q.get("method", "")}
    store.stats.setdefault("failed", 0)
    store.stats.setdefault("reset", 0)


def take(store, method, path):
    """The fault for this request: None, "reset" or an HTTP status."""
    with store.lock:
        rule = getattr(store, "fail_rule", None)
        if not rule or rule["count"] <= 0 or not path.startswith(rule["path"]) or \
                rule["method"] not in ("", method):
            return None
        rule["count"] -= 1
        if rule["status"] == "reset":
            store.stats["reset"] += 1
            return "reset"
        store.stats["failed"] += 1
        return int(rule["status"])


def inject(handler, fault):
    """Answers `handler`'s request with `fault` (from take)."""
    if fault == "reset":
        # SO_LINGER 0: close() sends RST instead of FIN, the client sees a reset.
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True
        handler.connection.close()
        return
    reason = REASONS.get(fault, "InternalError")
    handler.reply(fault, status_body(fault, reason, "injected by the test server (admin /fail)"))
