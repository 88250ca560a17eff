"""HTTP plumbing: the API handler (TLS, authentication, injected hangs,
Table output, watch streams) and the admin handler (test switches)."""

import http.server
import json
import ssl
import time
import urllib.parse

from .common import ApiError, parse_field_selector, parse_selector, status_body
from .discovery import to_table
from .evictions import POD_GRACE
from . import faults
from .objects import Request


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "paiplan-kube-test"
    api = None          # set in main
    tokens = {}         # token -> "ok" | "expired" | "readonly"
    log_file = None

    def setup(self):
        # The TLS handshake runs here, in the request thread, so a slow or
        # failing client never blocks accept().
        try:
            self.request.settimeout(30)
            self.request.do_handshake()
        except (ssl.SSLError, OSError) as e:
            self.log("tls handshake failed: %s" % e)
            self.handshake_failed = True
        else:
            self.handshake_failed = False
        super().setup()

    def handle(self):
        if not self.handshake_failed:
            try:
                super().handle()
            except (ssl.SSLError, ConnectionError, TimeoutError):
                pass

    def log(self, text):
        if self.log_file:
            with open(self.log_file, "a") as f:
                f.write(text + "\n")

    def log_message(self, fmt, *args):
        pass

    def authenticate(self):
        """Returns (ok, readonly, error-or-None)."""
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[len("Bearer "):].strip()
            kind = self.tokens.get(token)
            with self.api.store.lock:
                expires = self.api.store.token_expiry.get(token)
            if kind == "expired" or (expires is not None and time.time() >= expires):
                return False, False, "Unauthorized: token expired"
            if kind:
                return True, kind == "readonly", None
            return False, False, "Unauthorized"
        try:
            if self.connection.getpeercert():
                return True, False, None
        except (ValueError, AttributeError):
            pass
        return False, False, "Unauthorized"

    def reply(self, code, body):
        data = (json.dumps(body) if not isinstance(body, str) else body).encode()
        self.send_response(code)
        ctype = "application/json" if not isinstance(body, str) else "text/plain; charset=utf-8"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.write(data)

    def injected_hang(self, path):
        store = self.api.store
        with store.lock:
            store.stats["requests"] += 1
            hang = store.hang
            if hang["count"] > 0 and path.startswith(hang["path"]) and \
                    hang["method"] in ("", self.command):
                hang["count"] -= 1
                store.stats["hung"] += 1
                return hang["seconds"]
        return 0.0

    def serve_api(self):
        # A dry run (?dryRun=All) stores nothing: not counted as a write.
        write = self.command in ("POST", "PUT", "PATCH", "DELETE") and "dryRun=" not in self.path
        if write:
            self.api.store.write_started(+1)
        try:
            self.serve_api_call()
        finally:
            if write:
                self.api.store.write_started(-1)

    def serve_api_call(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        delay = self.injected_hang(url.path)
        if delay:
            self.log("%s %s: hanging %gs (admin /hang)" % (self.command, self.path, delay))
            time.sleep(delay)
        fault = faults.take(self.api.store, self.command, url.path)
        if fault:
            self.log("%s %s: injected %s (admin /fail)" % (self.command, self.path, fault))
            return faults.inject(self, fault)
        ok, readonly, err = self.authenticate()
        if not ok:
            with self.api.store.lock:
                self.api.store.stats["unauthorized"] += 1
            code, body = 401, status_body(401, "Unauthorized", err)
        elif self.command == "GET" and query.get("watch", [""])[0] in ("1", "true"):
            return self.serve_watch(url.path, query)
        else:
            code, body = self.call_api(url.path, query, raw, readonly)
        self.log("%s %s -> %d (accept=%s, ctype=%s)" % (
            self.command, self.path, code, self.headers.get("Accept", ""),
            self.headers.get("Content-Type", "")))
        self.reply(code, body)

    def call_api(self, path, query, raw, readonly):
        try:
            code, body = self.api.handle(self.command, path, query, raw,
                                         self.headers.get("Content-Type", ""), readonly,
                                         self.headers.get("User-Agent", ""))
            if "as=Table" in self.headers.get("Accept", "") and self.command == "GET" and \
                    code == 200 and isinstance(body, dict) and body.get("kind") not in (
                        "APIResourceList", "APIGroupList", "APIVersions", "APIGroup", "Scale"):
                parts = [p for p in path.split("/") if p]
                req = Request("GET", parts, query, None, "", "")
                body = to_table(req.resource, body, query.get("includeObject", ["Metadata"])[0])
            return code, body
        except ApiError as e:
            return e.code, status_body(e.code, e.reason, e.message, e.details)

    def serve_watch(self, path, query):
        """A watch stream: polls the store and sends JSON events, chunked,
        until timeoutSeconds (at most 60) or the client goes away."""
        try:
            req = Request("GET", [p for p in path.split("/") if p], query, None, "", "")
        except ApiError as e:
            return self.reply(e.code, status_body(e.code, e.reason, e.message, e.details))
        preds = parse_selector(query.get("labelSelector", [""])[0])
        fpreds = parse_field_selector(query.get("fieldSelector", [""])[0])
        since = int(query.get("resourceVersion", ["0"])[0] or 0)
        deadline = time.time() + min(float(query.get("timeoutSeconds", ["60"])[0] or 60), 60)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        seen = None
        try:
            while time.time() < deadline:
                with self.api.store.lock:
                    now = {k: o for k, o in self.api.table(req).items()
                           if all(p(o["metadata"].get("labels", {})) for p in preds)
                           and all(p(o) for p in fpreds)}
                events = []
                for k, o in sorted(now.items(), key=lambda kv: str(kv[0])):
                    rv = int(o["metadata"]["resourceVersion"])
                    if rv > since and (seen is None or seen.get(k) != rv):
                        events.append(("MODIFIED" if seen is None or k in seen else "ADDED", o))
                for k in sorted(set(seen or {}) - set(now), key=str):
                    events.append(("DELETED", gone.get(k)))
                for typ, o in events:
                    if o is not None:
                        self.chunk(json.dumps({"type": typ, "object": o}) + "\n")
                seen = {k: int(o["metadata"]["resourceVersion"]) for k, o in now.items()}
                gone = now
                time.sleep(0.1)
            self.wfile.write(b"0\r\n\r\n")
        except (ConnectionError, ssl.SSLError, OSError):
            pass
        self.close_connection = True

    def chunk(self, text):
        data = text.encode()
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = serve_api


class AdminHandler(http.server.BaseHTTPRequestHandler):
    """Plain-HTTP test switches (see the usage text of tests/kube/serve)."""
    protocol_version = "HTTP/1.1"
    store = None
    controller = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, body):
        data = json.dumps(body, sort_keys=True).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/stats":
            with self.store.lock:
                return self.reply(200, dict(self.store.stats))
        self.reply(404, {"error": "unknown admin path"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with self.store.lock:
            if not self.switch(url.path, q):
                return self.reply(404, {"error": "unknown admin path"})
        self.reply(200, {"ok": True})

    def switch(self, path, q):
        s, c = self.store, self.controller
        if path == "/reset-stats":
            for k in s.stats:
                s.stats[k] = 0
        elif path == "/nodes":
            for name in filter(None, q.get("names", "").split(",")):
                if name not in s.nodes:
                    s.add_node(name)
        elif path == "/conflict":
            s.conflicts[(q.get("namespace", "default"), q.get("name", ""))] = int(q.get("count", "1"))
        elif path == "/hang":
            s.hang = {"seconds": float(q.get("seconds", "1")), "count": int(q.get("count", "1")),
                      "path": q.get("path", ""), "method": q.get("method", "")}
        elif path == "/fail":
            faults.configure(s, q)
        elif path == "/expire-continue":
            s.expire_continue = int(q.get("count", "1"))
        elif path == "/tokens" and q.get("token"):
            Handler.tokens[q["token"]] = q.get("kind", "ok")
            s.token_expiry[q["token"]] = time.time() + float(q.get("expires-in", "3600"))
        elif path == "/pod-grace":
            POD_GRACE["seconds"] = float(q.get("seconds", "0"))
        elif path == "/ready-delay":
            c.delay = float(q.get("seconds", "0"))
        elif path == "/break":
            c.broken[(q.get("resource", "deployments"), q.get("namespace", "default"),
                      q.get("name", ""))] = q.get("reason", "CrashLoopBackOff")
        elif path == "/heal":
            c.broken.pop((q.get("resource", "deployments"), q.get("namespace", "default"),
                          q.get("name", "")), None)
        else:
            return False
        return True
