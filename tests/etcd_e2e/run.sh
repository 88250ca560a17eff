#!/usr/bin/env bash
# End to end with the etcd state backend: a real etcd on 127.0.0.1 (free
# ports), examples/local as the workspace. Checks apply → idempotent plan,
# state list/pull from etcd, nothing written to .paiplan/state, and that a
# second writer gets the lock error while the first holds the lock.
# Usage: run.sh PAIPLAN_BINARY SOURCE_DIR
set -euo pipefail
BIN=$1
SRC=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v etcd >/dev/null || fail "etcd is not installed (Debian package etcd-server)"
TMP=$(mktemp -d)
ETCD_PID=""
cleanup() {
  local rc=$?
  # etcd exits by the signal (status 143): that is the expected end, not a failure.
  if [ -n "$ETCD_PID" ]; then kill "$ETCD_PID" 2>/dev/null || true; wait "$ETCD_PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
# Free ports are picked by binding port 0 and closing; another process may
# take one before etcd binds it, so a start that dies is retried on new ports.
start_etcd() {
  read -r CPORT PPORT < <(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
  rm -rf "$TMP/etcd"
  etcd --data-dir "$TMP/etcd" --listen-client-urls "http://127.0.0.1:$CPORT" \
    --advertise-client-urls "http://127.0.0.1:$CPORT" --listen-peer-urls "http://127.0.0.1:$PPORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$PPORT" --initial-cluster "default=http://127.0.0.1:$PPORT" \
    >"$TMP/etcd.log" 2>&1 &
  ETCD_PID=$!
  for _ in $(seq 300); do
    curl -fsS "http://127.0.0.1:$CPORT/health" >/dev/null 2>&1 && return 0
    kill -0 "$ETCD_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill "$ETCD_PID" 2>/dev/null || true
  wait "$ETCD_PID" 2>/dev/null || true
  ETCD_PID=""
  return 1
}
started=0
for _ in 1 2 3 4 5; do
  if start_etcd; then started=1; break; fi
done
[ "$started" = 1 ] || fail "etcd did not start: $(tail -5 "$TMP/etcd.log")"

WS=$TMP/ws
cp -r "$SRC/examples/local" "$WS"
printf 'state: {backend: etcd, endpoints: ["http://127.0.0.1:%s"], prefix: /paiplan/e2e}\n' "$CPORT" >>"$WS/paiplan.yaml"

"$BIN" -C "$WS" --no-color apply --auto-approve >"$TMP/apply.out" 2>&1 || { cat "$TMP/apply.out"; fail "apply failed"; }
grep -q "Apply complete! Actions: 9 done, 0 failed" "$TMP/apply.out" || { cat "$TMP/apply.out"; fail "unexpected apply summary"; }
[ ! -e "$WS/.paiplan/state" ] || fail "the etcd backend must not create .paiplan/state"

set +e
"$BIN" -C "$WS" plan --detailed-exitcode >"$TMP/plan.out" 2>&1
code=$?
set -e
[ "$code" = 0 ] || { cat "$TMP/plan.out"; fail "plan after apply exited $code, want 0"; }

n=$("$BIN" -C "$WS" state list 2>/dev/null | wc -l)
[ "$n" = 9 ] || fail "state list shows $n resources, want 9"
"$BIN" -C "$WS" state pull 2>/dev/null | python3 -c 'import json,sys
d=json.load(sys.stdin)
assert d["format_version"]==1 and d["serial"]>=1 and len(d["resources"])==9, d.keys()'

# A second writer while the first holds the lock: demo-app's refresh-script
# records its call, then sleeps 3 s; once the call is recorded the apply holds
# the lock, so a state edit (removing an address that is not there, which
# changes nothing either way) must be refused with the lock error.
echo "sleep 3" >>"$WS/services/demo-app/deploy/refresh.sh"
echo "extra: changed" >>"$WS/services/demo-app/config/demo-app.yaml"
"$BIN" -C "$WS" apply --auto-approve >"$TMP/apply2.out" 2>&1 &
APPLY=$!
for _ in $(seq 200); do
  grep -q "^refresh demo-app" "$WS/demo-output/demo-app.log" 2>/dev/null && break
  sleep 0.05
done
grep -q "^refresh demo-app" "$WS/demo-output/demo-app.log" || fail "demo-app was never refreshed: $(cat "$TMP/apply2.out")"
"$BIN" -C "$WS" state rm service.not-there >"$TMP/rm.out" 2>&1 && fail "state rm succeeded while an apply held the lock"
grep -q "state locked by .*apply" "$TMP/rm.out" || fail "expected the lock error, got: $(cat "$TMP/rm.out")"
wait "$APPLY" || { cat "$TMP/apply2.out"; fail "second apply failed"; }
n=$("$BIN" -C "$WS" state list 2>/dev/null | wc -l)
[ "$n" = 9 ] || fail "state list shows $n resources after the second apply, want 9"
echo "1 passed, 0 failed"
