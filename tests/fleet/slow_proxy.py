#!/usr/bin/env python3
"""A TCP proxy that holds the start of every connection, for counting how many
SSH handshakes a client runs at once (tests/fleet/concurrency_ssh_test.cc).

    slow_proxy.py --port P --hold SECONDS --stats FILE LISTEN_IP=TARGET_IP ...

Listens on each LISTEN_IP:P (loopback only) and forwards to TARGET_IP:P. Each
accepted connection is held for SECONDS before the proxy connects to its
target, so the server's SSH banner (and the handshake) waits that long: a
client that bounds its handshakes in flight to N never has more than N
connections held at once. FILE gets {"max_held": M, "connections": C} after
every change (written atomically); FILE.ready appears once listening.
Stopped by signal (the test kills it by pid). Python 3 standard library only.
"""

import argparse
import json
import os
import socket
import threading
import time

lock = threading.Lock()
counts = {"held": 0, "max_held": 0, "connections": 0}


def write_stats(path):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"max_held": counts["max_held"], "connections": counts["connections"]}, f)
    os.replace(tmp, path)


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(conn, target, port, hold, stats):
    with lock:
        counts["held"] += 1
        counts["connections"] += 1
        counts["max_held"] = max(counts["max_held"], counts["held"])
        write_stats(stats)
    time.sleep(hold)
    with lock:
        counts["held"] -= 1
    try:
        up = socket.create_connection((target, port))
    except OSError:
        conn.close()
        return
    threading.Thread(target=pump, args=(conn, up), daemon=True).start()
    pump(up, conn)


def listen(ip, port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((ip, port))
    srv.listen(64)
    return srv


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--hold", type=float, default=0.5)
    p.add_argument("--stats", required=True)
    p.add_argument("pairs", nargs="+", help="LISTEN_IP=TARGET_IP")
    a = p.parse_args()
    servers = []
    for pair in a.pairs:
        ip, target = pair.split("=")
        if not ip.startswith("127.") or not target.startswith("127."):
            p.error("loopback addresses only: " + pair)
        servers.append((listen(ip, a.port), target))
    with lock:
        write_stats(a.stats)
    for srv, target in servers:
        def accept_loop(srv=srv, target=target):
            while True:
                conn, _ = srv.accept()
                threading.Thread(target=serve, args=(conn, target, a.port, a.hold, a.stats), daemon=True).start()
        threading.Thread(target=accept_loop, daemon=True).start()
    open(a.stats + ".ready", "w").close()
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
