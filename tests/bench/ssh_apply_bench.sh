#!/usr/bin/env bash
# Full `paiplan apply` bootstrapping K sshd nodes, against the same bootstrap
# done by Ansible and by plain parallel OpenSSH, in one run on the same nodes
# (tests/ssh/sshd_harness.h via sshd_nodes). Same steps everywhere:
#   mkdir /var/lib/paiplan/staging, upload a 100 KiB package.bin and
#   bootstrap.sh, run bootstrap.sh there (sha256 of the package + a role file,
#   with PAIPLAN_HOSTNAME / PAIPLAN_ROLE), write /var/lib/paiplan/node.json.
# Methods:
#   apply    `paiplan apply --auto-approve` on a workspace with K machines
#            (roles/{master,worker} = bootstrap.sh + package.bin; no services,
#            kubernetes disabled, parallelism K): loads and validates the
#            workspace, plans (reads every marker over SSH), bootstraps, records
#            each action in the LMDB state, writes per-action logs. Fresh state
#            every run, so it really bootstraps K machines.
#   sshpool  ssh_bench: SshPool + SshTransport alone, one thread per node (the
#            transport without the engine), if BUILD/ssh_bench exists.
#   openssh  per node a background job `ssh mkdir && scp && ssh run+marker`, then wait.
#   ansible  ansible-playbook, forks = K, pipelining, no fact gathering.
# Every run is verified on the host side (each node's marker, role file and
# checksum), and the nodes are wiped between runs.
#
# Usage: tests/bench/ssh_apply_bench.sh BUILD_DIR [K...]   (default K: 10 50)
#   REPS=3 (runs per method, median reported), ANSIBLE_REPS=$REPS (Ansible is slow).
# Needs root (sshd in mount namespaces), /usr/sbin/sshd, ansible-playbook;
# build first: cmake --build BUILD --target paiplan sshd_nodes ssh_bench
set -euo pipefail
BUILD=${1:?usage: ssh_apply_bench.sh BUILD_DIR [K...]}
shift
SIZES=("$@")
[ $# -eq 0 ] && SIZES=(10 50)
REPS=${REPS:-3}
ANSIBLE_REPS=${ANSIBLE_REPS:-$REPS}
BUILD=$(cd "$BUILD" && pwd)
# Tools live in BUILD/ or BUILD/tests/ depending on the CMake layout.
tool() { if [ -x "$BUILD/$1" ]; then echo "$BUILD/$1"; elif [ -x "$BUILD/tests/$1" ]; then echo "$BUILD/tests/$1"; fi; }
PAIPLAN=$(tool paiplan)
SSHD_NODES=$(tool sshd_nodes)
SSH_BENCH=$(tool ssh_bench)
if [ -z "$PAIPLAN" ] || [ -z "$SSHD_NODES" ]; then echo "build paiplan and sshd_nodes in $BUILD first" >&2; exit 1; fi
MAXK=0
for k in "${SIZES[@]}"; do [ "$k" -gt "$MAXK" ] && MAXK=$k; done

WORK=$(mktemp -d /tmp/paiplan-sshapply-XXXXXX)
NODES_PID=
cleanup() {
  if [ -n "$NODES_PID" ]; then kill "$NODES_PID" 2>/dev/null || true; wait "$NODES_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$SSHD_NODES" --dir "$WORK/nodes" --nodes "$MAXK" > "$WORK/nodes.out" 2>&1 &
NODES_PID=$!
for _ in $(seq 1 600); do grep -q '^ready' "$WORK/nodes.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$WORK/nodes.out" || { cat "$WORK/nodes.out"; exit 1; }
KEY=$WORK/nodes/client/id_ed25519
KH=$WORK/nodes/known_hosts
PORT=$(head -1 "$WORK/nodes/nodes.tsv" | cut -f3)

head -c 102400 /dev/urandom > "$WORK/package.bin"
# Works in the directory it was uploaded to (staging/; ssh_bench: pkg/).
cat > "$WORK/bootstrap.sh" <<'EOS'
#!/bin/sh
set -e
root=/var/lib/paiplan
mountpoint -q "$root" || { echo "refusing: $root is not a bench node's private mount" >&2; exit 1; }
cd "$(dirname "$0")"
sha256sum package.bin > package.sha256
mkdir -p "$root/etc"
echo "$PAIPLAN_HOSTNAME $PAIPLAN_ROLE" > "$root/etc/role"
EOS
role() { [ "$1" -eq 0 ] && echo master || echo worker; }

wipe() { for i in $(seq 0 $((MAXK - 1))); do rm -rf "$WORK/nodes/node-$i/varlib/"* "$WORK/nodes/node-$i/varlib/".[!.]* ; done; }
verify() {  # K: every node has its marker, role and package checksum
  local k=$1 i
  for i in $(seq 0 $((k - 1))); do
    local v=$WORK/nodes/node-$i/varlib
    if ! [ -s "$v/node.json" ] || ! [ -s "$v/etc/role" ] ||
      ! { [ -s "$v/staging/package.sha256" ] || [ -s "$v/pkg/package.sha256" ]; }; then
      echo "verify: node $i incomplete" >&2
      return 1
    fi
  done
}
now() { date +%s.%N; }

# ------------------------------------------------------------ paiplan apply
make_workspace() {  # K
  local k=$1 i ws=$WORK/ws$1
  rm -rf "$ws"
  mkdir -p "$ws/services" "$ws/roles/master" "$ws/roles/worker"
  for r in master worker; do cp "$WORK/package.bin" "$WORK/bootstrap.sh" "$ws/roles/$r/"; done
  echo '{}' > "$ws/services-configuration.yaml"
  {
    printf 'machine-sku:\n  SMALL:\n    mem: 8GB\n    cpu:\n      vcore: 4\n    os: ubuntu16.04\nmachine-list:\n'
    for i in $(seq 0 $((k - 1))); do
      printf '  - hostname: node%s\n    hostip: 127.0.0.%s\n    machine-type: SMALL\n    k8s-role: %s\n' \
        "$i" $((i + 2)) "$(role "$i")"
      printf '    sshport: %s\n    username: root\n    keyfile-path: %s\n' "$PORT" "$KEY"
    done
  } > "$ws/layout.yaml"
  printf 'enabled-services: []\nservice-paths:\n  - services\nkubernetes:\n  enabled: false\n' > "$ws/paiplan.yaml"
  printf 'ssh:\n  known-hosts: %s\n  strict-host-keys: yes\nparallelism: %s\n' "$KH" "$k" >> "$ws/paiplan.yaml"
}

run_apply() {  # K
  local ws=$WORK/ws$1
  rm -rf "$ws/.paiplan"
  NO_COLOR=1 "$PAIPLAN" -C "$ws" apply --auto-approve > "$WORK/apply.out" 2>&1 ||
    { tail -30 "$WORK/apply.out" >&2; return 1; }
  grep -q "Apply complete! Actions: $1 done, 0 failed" "$WORK/apply.out" || { tail -30 "$WORK/apply.out" >&2; return 1; }
}

# ------------------------------------------------------------ SshPool alone
run_sshpool() {  # K
  head -n "$1" "$WORK/nodes/nodes.tsv" > "$WORK/nodes$1.tsv"
  "$SSH_BENCH" --nodes "$WORK/nodes$1.tsv" --key "$KEY" --known-hosts "$KH" \
    --package "$WORK/package.bin" --script "$WORK/bootstrap.sh" > "$WORK/sshpool.out"
}

# ------------------------------------------------------------ Ansible
run_ansible() {  # K
  local k=$1 i
  {
    echo "[nodes]"
    for i in $(seq 0 $((k - 1))); do
      echo "node$i ansible_host=127.0.0.$((i + 2)) ansible_port=$PORT node_role=$(role "$i")"
    done
    echo "[nodes:vars]"
    echo "ansible_user=root"
    echo "ansible_ssh_private_key_file=$KEY"
    echo "ansible_ssh_common_args='-F /dev/null -o UserKnownHostsFile=$KH -o StrictHostKeyChecking=yes'"
    echo "ansible_python_interpreter=/usr/bin/python3"
  } > "$WORK/inventory.ini"
  cat > "$WORK/ansible.cfg" <<EOC
[defaults]
forks = $k
host_key_checking = True
gathering = explicit
stdout_callback = default
retry_files_enabled = False
[ssh_connection]
pipelining = True
control_path_dir = $WORK/cp
EOC
  cat > "$WORK/playbook.yml" <<EOC
- hosts: nodes
  gather_facts: false
  tasks:
    - file: {path: /var/lib/paiplan/staging, state: directory, mode: "0755"}
    - copy: {src: "$WORK/package.bin", dest: /var/lib/paiplan/staging/package.bin, mode: "0644"}
    - copy: {src: "$WORK/bootstrap.sh", dest: /var/lib/paiplan/staging/bootstrap.sh, mode: "0755"}
    - command: sh ./bootstrap.sh
      args: {chdir: /var/lib/paiplan/staging}
      environment: {PAIPLAN_HOSTNAME: "{{ inventory_hostname }}", PAIPLAN_ROLE: "{{ node_role }}"}
    - copy:
        content: '{"hostname":"{{ inventory_hostname }}","role":"{{ node_role }}"}'
        dest: /var/lib/paiplan/node.json
        mode: "0644"
EOC
  ANSIBLE_CONFIG=$WORK/ansible.cfg ansible-playbook -i "$WORK/inventory.ini" "$WORK/playbook.yml" \
    > "$WORK/ansible.out" 2>&1 || { tail -30 "$WORK/ansible.out" >&2; return 1; }
}

# ------------------------------------------------------------ parallel OpenSSH
run_openssh() {  # K
  local k=$1 i pids=()
  local o=(-F /dev/null -o UserKnownHostsFile="$KH" -o StrictHostKeyChecking=yes -o BatchMode=yes -i "$KEY")
  for i in $(seq 0 $((k - 1))); do
    (
      h=127.0.0.$((i + 2))
      r=$(role "$i")
      ssh "${o[@]}" -p "$PORT" "root@$h" 'mkdir -p /var/lib/paiplan/staging' &&
        scp -q "${o[@]}" -P "$PORT" "$WORK/package.bin" "$WORK/bootstrap.sh" "root@$h:/var/lib/paiplan/staging/" &&
        ssh "${o[@]}" -p "$PORT" "root@$h" "cd /var/lib/paiplan/staging &&
          PAIPLAN_HOSTNAME=node$i PAIPLAN_ROLE=$r sh ./bootstrap.sh &&
          printf '{\"hostname\":\"node$i\",\"role\":\"$r\"}' > /var/lib/paiplan/.node.json.tmp &&
          mv -f /var/lib/paiplan/.node.json.tmp /var/lib/paiplan/node.json"
    ) > "$WORK/openssh-$i.out" 2>&1 &
    pids+=($!)
  done
  local rc=0 p
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

METHODS=(apply openssh ansible)
[ -n "$SSH_BENCH" ] && METHODS=(apply sshpool openssh ansible)
echo "| K | method | wall s (median) | runs | ratio to apply |"
echo "|---|---|---|---|---|"
for k in "${SIZES[@]}"; do
  make_workspace "$k"
  declare -A med=()
  for method in "${METHODS[@]}"; do
    reps=$REPS
    [ "$method" = ansible ] && reps=$ANSIBLE_REPS
    times=()
    for _ in $(seq 1 "$reps"); do
      wipe
      t0=$(now)
      "run_$method" "$k"
      t1=$(now)
      verify "$k"
      times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    med[$method]=$(printf '%s\n' "${times[@]}" | median)
    runs=$(printf '%.2f ' "${times[@]}")
    ratio=$(echo "${med[$method]} / ${med[apply]}" | bc -l)
    printf '| %s | %s | %.2f | %s| %.2fx |\n' "$k" "$method" "${med[$method]}" "$runs" "$ratio"
  done
  unset med
done
echo
echo "nodes: $MAXK sshd on 127.0.0.2..$((MAXK + 1)):$PORT; $(nproc) cores; $(ansible-playbook --version 2>/dev/null | awk 'NR == 1'); load average $(cut -d" " -f1-3 /proc/loadavg); $(ssh -V 2>&1)"
