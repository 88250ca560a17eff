#!/usr/bin/env bash
# paiplan quickstart: a 3-machine cluster on this one computer, deployed,
# drifted out of band, checked and repaired.
#
#   bash examples/quickstart/run.sh [--no-install] [--build-dir DIR | --paiplan BIN] [--dir DIR]
#
# What it does (on a fresh Debian 12 machine, as root or through sudo):
#   1. installs the dependencies (.ci/install-deps.sh; skipped when they are
#      already there, or with --no-install),
#   2. builds paiplan into build/ of the repository (or --build-dir; reuses an
#      existing build),
#   3. starts three real OpenSSH sshd "machines" on 127.0.0.2-4, each in its own
#      mount namespace with a private /var/lib/paiplan, and the Kubernetes API
#      test server (tests/kube/serve) with the three nodes registered,
#   4. writes a workspace (1 master + 2 workers, 3 small services) and runs
#      paiplan validate, plan, apply,
#   5. changes things behind paiplan's back (removes a node label with kubectl,
#      deletes a bootstrap marker over ssh), and shows paiplan drift finding
#      them (exit 2), plan proposing the repair, apply doing it, drift clean
#      (exit 0).
# Everything it starts is stopped on exit (by pid). Each run gets its own work
# folder (default: a new /tmp/paiplan-quickstart.XXXXXX; --dir DIR to choose,
# recreated) holding the workspace, the machines and quickstart.log (everything
# printed) and build.log (the compiler's output); both are printed at the start.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$REPO/examples/quickstart"
BUILD_DIR="$REPO/build"
QS=""
INSTALL=auto
PAIPLAN=""
# sshd, mount namespaces and bind mounts need root.
if [ "$(id -u)" != 0 ]; then
  exec sudo -E bash "${BASH_SOURCE[0]}" "$@"
fi
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) INSTALL=no ;;
    --install) INSTALL=yes ;;
    --build-dir) BUILD_DIR="$(cd "$2" 2>/dev/null && pwd || echo "$2")"; shift ;;
    --dir) QS="$2"; shift ;;
    --paiplan) PAIPLAN="$2"; shift ;;
    -h | --help) sed -n '2,26p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 1 ;;
  esac
  shift
done
if [ -n "$QS" ]; then
  case "$QS" in /tmp/?* | /var/tmp/?*) ;; *) echo "--dir must be under /tmp or /var/tmp (it is deleted and recreated)" >&2; exit 1 ;; esac
  # A previous run in the same --dir killed with -9 may have left its
  # processes: stop exactly those (their pids are recorded; a pid is only
  # killed if its command line still names that directory).
  if [ -f "$QS/pids" ]; then
    while read -r pid; do
      if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$QS/"; then kill "$pid" 2>/dev/null || true; fi
    done < "$QS/pids"
    sleep 0.5
  fi
  rm -rf "$QS"
  mkdir -p "$QS"
else
  # Its own folder per run: concurrent runs never share files.
  QS="$(mktemp -d /tmp/paiplan-quickstart.XXXXXX)"
fi
LOG="$QS/quickstart.log"
BUILD_LOG="$QS/build.log"
exec > >(tee -a "$LOG") 2>&1
TEE_PID=$!
# Lets tee write the last lines before the script's exit status is seen.
finish_log() { exec >&- 2>&-; wait "$TEE_PID" 2>/dev/null || true; }
trap finish_log EXIT
echo "work folder: $QS"
echo "log:         $LOG (build output: $BUILD_LOG)"


IPS=(127.0.0.2 127.0.0.3 127.0.0.4)
HOSTS=(pai-master pai-worker-0 pai-worker-1)
START=$SECONDS
step() { printf '\n==> %s\n' "$*"; }
# Shows a command as the user would type it, runs it, and prints its exit code.
show() {
  printf '\n$ %s\n' "$*"
  set +e
  "$@"
  RC=$?
  set -e
  echo "[exit code: $RC]"
}
fail() { echo "QUICKSTART FAILED: $*" >&2; exit 1; }
expect_rc() { [ "$RC" = "$1" ] || fail "expected exit code $1, got $RC ($2)"; }

# ------------------------------------------------------------------ 1. deps
step "1/6 dependencies"
need_install() {
  for tool in cmake g++ pkg-config sshd ssh ssh-keygen kubectl openssl unshare mountpoint /usr/bin/python3; do
    [ -x "$tool" ] || command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || return 0
  done
  pkg-config --exists libssh yaml-cpp libcurl lmdb || return 0
  return 1
}
if [ "$INSTALL" = yes ] || { [ "$INSTALL" = auto ] && need_install; }; then
  bash "$REPO/.ci/install-deps.sh"
else
  echo "dependencies present (install them with: bash .ci/install-deps.sh)"
fi

# ------------------------------------------------------------------ 2. build
if [ -n "$PAIPLAN" ]; then
  step "2/6 use the paiplan binary $PAIPLAN (--paiplan: no build)"
else
  step "2/6 build paiplan into $BUILD_DIR"
  if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
    cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  # One line per build stage (library or binary) with how far the build is;
  # the compiler's output goes to $BUILD_LOG.
  progress() {
    local stage="" line pct target
    while IFS= read -r line; do
      printf '%s\n' "$line" >> "$BUILD_LOG"
      if [[ $line =~ ^\[\ *([0-9]+)%\]\ (Building|Linking)\ [A-Z+]+\ (object|static\ library|executable)\ (CMakeFiles/)?([A-Za-z0-9_]+) ]]; then
        pct=${BASH_REMATCH[1]} target=${BASH_REMATCH[5]}
        [ "${BASH_REMATCH[3]}" = "static library" ] && target=${target#lib}
        [ "$target" = "$stage" ] && continue
        stage=$target
        printf '  build [%3s%%] %s\n' "$pct" "$stage"
      fi
    done
  }
  set +e
  cmake --build "$BUILD_DIR" -j2 --target paiplan 2>&1 | progress
  rc=${PIPESTATUS[0]}
  set -e
  [ "$rc" = 0 ] || { tail -40 "$BUILD_LOG" >&2; echo "build failed (log: $BUILD_LOG)" >&2; exit 1; }
  echo "  build [100%] done"
  PAIPLAN="$BUILD_DIR/paiplan"
fi
[ -x "$PAIPLAN" ] || fail "no paiplan binary at $PAIPLAN"
echo "paiplan: $PAIPLAN"

# ------------------------------------------------------------------ 3. machines
step "3/6 start 3 sshd machines and the Kubernetes API test server"
mkdir -p "$QS" /run/sshd /var/lib/paiplan
PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ ${#PIDS[@]} -eq 0 ] || echo "stopped ${#PIDS[@]} processes started by the quickstart (pids ${PIDS[*]})"
  rm -f "$QS/pids"
  finish_log
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
remember() { PIDS+=("$1"); echo "$1" >> "$QS/pids"; }

port_free() {
  /usr/bin/python3 - "$1" "${IPS[@]}" <<'PY'
import socket, sys
port = int(sys.argv[1])
for ip in sys.argv[2:]:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((ip, port))
    except OSError:
        sys.exit(1)
    finally:
        s.close()
PY
}
PORT=2222
while ! port_free "$PORT"; do
  PORT=$((PORT + 1))
  [ "$PORT" -lt 2300 ] || fail "no free port in 2222-2299 on ${IPS[*]}"
done

ssh-keygen -q -t ed25519 -N "" -C paiplan-quickstart -f "$QS/id_ed25519"
cp "$QS/id_ed25519.pub" "$QS/authorized_keys"
chmod 600 "$QS/authorized_keys"
: > "$QS/known_hosts"
for i in 0 1 2; do
  nd="$QS/node-$i"
  mkdir -p "$nd/varlib"
  ssh-keygen -q -t ed25519 -N "" -C "${HOSTS[$i]}" -f "$nd/ssh_host_ed25519_key"
  echo "[${IPS[$i]}]:$PORT $(cut -d' ' -f1,2 "$nd/ssh_host_ed25519_key.pub")" >> "$QS/known_hosts"
  cat > "$nd/sshd_config" <<EOF
Port $PORT
ListenAddress ${IPS[$i]}
AddressFamily inet
HostKey $nd/ssh_host_ed25519_key
PidFile $nd/sshd.pid
AuthorizedKeysFile $QS/authorized_keys
UsePAM no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UseDNS no
PrintMotd no
Subsystem sftp internal-sftp
EOF
  # Own mount namespace: this machine's /var/lib/paiplan is $nd/varlib.
  unshare -m --propagation private /bin/sh -c \
    "mount --bind '$nd/varlib' /var/lib/paiplan && exec /usr/sbin/sshd -D -e -f '$nd/sshd_config'" \
    > "$nd/sshd.log" 2>&1 &
  remember $!
done
banner() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2 && head -c 4 <&3" 2>/dev/null; }
for i in 0 1 2; do
  for _ in $(seq 100); do [ "$(banner "${IPS[$i]}" "$PORT")" = "SSH-" ] && break; sleep 0.1; done
  [ "$(banner "${IPS[$i]}" "$PORT")" = "SSH-" ] || { cat "$QS/node-$i/sshd.log" >&2; fail "sshd on ${IPS[$i]}:$PORT did not start"; }
  echo "machine ${HOSTS[$i]}: sshd on ${IPS[$i]}:$PORT, /var/lib/paiplan -> $QS/node-$i/varlib"
done

"$REPO/tests/kube/serve" --dir "$QS/kube" --nodes "$(IFS=,; echo "${IPS[*]}")" > "$QS/kube.log" 2>&1 &
remember $!
for _ in $(seq 600); do [ -f "$QS/kube/kubeconfig" ] && break; sleep 0.1; done
[ -f "$QS/kube/kubeconfig" ] || { cat "$QS/kube.log" >&2; fail "the Kubernetes API test server did not start"; }
export KUBECONFIG="$QS/kube/kubeconfig"
echo "Kubernetes API test server: $(cat "$QS/kube/server-url") (nodes ${IPS[*]})"

# ------------------------------------------------------------------ 4. workspace
step "4/6 write the workspace $QS/cluster"
WS="$QS/cluster"
mkdir -p "$WS"
cp -r "$HERE/workspace/." "$WS/"
{
  cat <<EOF
# 1 master + 2 workers; each machine is an sshd on this computer.
kubernetes:
  cluster-dns: 10.254.0.10
  load-balance-ip: ${IPS[0]}
  service-cluster-ip-range: 10.254.0.0/16
  storage-backend: etcd3
  docker-registry: docker.io/openpai
  hyperkube-version: v1.9.9
  etcd-version: 3.2.17
  apiserver-version: v1.9.9
  kube-scheduler-version: v1.9.9
  kube-controller-manager-version: v1.9.9
  dashboard-version: v1.8.3
  etcd-data-path: /var/etcd

machine-sku:
  SMALL:
    mem: 4GB
    cpu:
      vcore: 2
    os: debian12

machine-list:
EOF
  for i in 0 1 2; do
    role=worker label='pai-worker: "true"'
    [ "$i" = 0 ] && role=master label='pai-master: "true"'
    cat <<EOF
  - hostname: ${HOSTS[$i]}
    hostip: ${IPS[$i]}
    machine-type: SMALL
    k8s-role: $role
    sshport: $PORT
    username: root
    keyfile-path: $QS/id_ed25519
    $label
EOF
  done
} > "$WS/layout.yaml"
cat > "$WS/paiplan.yaml" <<EOF
enabled-services: [cluster-info, worker-agent, hello]
kubernetes:
  kubeconfig: $QS/kube/kubeconfig
ssh:
  known-hosts: $QS/known_hosts
EOF
echo "layout.yaml: ${HOSTS[*]}; services: cluster-info, worker-agent, hello; roles/ write only under /var/lib/paiplan"

paiplan() { "$PAIPLAN" -C "$WS" --no-color "$@"; }

# ------------------------------------------------------------------ 5. deploy
step "5/6 validate, plan, apply"
show paiplan validate
expect_rc 0 "validate"
show paiplan plan
expect_rc 0 "plan"
show paiplan apply --auto-approve
expect_rc 0 "apply"
show kubectl get nodes -L pai-master,pai-worker
show kubectl get configmaps
show ssh -i "$QS/id_ed25519" -o UserKnownHostsFile="$QS/known_hosts" -p "$PORT" root@"${IPS[1]}" cat /var/lib/paiplan/node.json
show paiplan drift
expect_rc 0 "drift right after apply"

# ------------------------------------------------------------------ 6. drift
step "6/6 drift: change things behind paiplan's back, find them, repair them"
show kubectl label node "${IPS[1]}" pai-worker-
expect_rc 0 "kubectl label"
show ssh -i "$QS/id_ed25519" -o UserKnownHostsFile="$QS/known_hosts" -p "$PORT" root@"${IPS[2]}" rm /var/lib/paiplan/node.json
expect_rc 0 "ssh rm marker"
show paiplan drift --junit "$QS/drift.xml"
expect_rc 2 "drift must find the removed label and the deleted marker"
show paiplan plan --detailed-exitcode
expect_rc 2 "plan must propose the repair"
show paiplan apply --auto-approve
expect_rc 0 "repair apply"
show kubectl get nodes -L pai-worker
show paiplan drift
expect_rc 0 "drift after the repair"

echo
echo "Quickstart complete in $((SECONDS - START)) s: 3 machines bootstrapped over SSH, labelled in Kubernetes,"
echo "drift found (exit 2), repaired by apply, drift clean (exit 0). Workspace kept in $WS."
