#!/usr/bin/env bash
# SSH bootstrap benchmark: K sshd nodes (tests/ssh/sshd_harness.h via the
# sshd_nodes tool), each bootstrapped with the same steps by
#   (1) paiplan's SshPool/SshTransport (ssh_bench: one thread per node),
#   (2) Ansible (ansible-playbook, forks = K, pipelining, no fact gathering),
#   (3) plain parallel OpenSSH (ssh mkdir, scp, ssh run+marker; one background
#       job per node, then `wait`).
# Steps: mkdir /var/lib/paiplan/pkg, upload a 100 KiB package and bootstrap.sh,
# run it (sha256 of the package, a role file), write /var/lib/paiplan/node.json
# by atomic rename. Every run is verified on the host side (each node's own
# /var/lib/paiplan) and the nodes are wiped between runs.
#
# Usage: tests/bench/ssh_bench.sh BUILD_DIR [K...]     (default K: 10 50; REPS=3)
# Needs root (sshd in mount namespaces), /usr/sbin/sshd, ansible-playbook.
set -euo pipefail
BUILD=${1:?usage: ssh_bench.sh BUILD_DIR [K...]}
shift
SIZES=("$@")
[ $# -eq 0 ] && SIZES=(10 50)
REPS=${REPS:-3}
BUILD=$(cd "$BUILD" && pwd)
MAXK=0
for k in "${SIZES[@]}"; do [ "$k" -gt "$MAXK" ] && MAXK=$k; done

WORK=$(mktemp -d /tmp/paiplan-sshbench-XXXXXX)
NODES_PID=
cleanup() {
  if [ -n "$NODES_PID" ]; then kill "$NODES_PID" 2>/dev/null || true; wait "$NODES_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BUILD/sshd_nodes" --dir "$WORK/nodes" --nodes "$MAXK" > "$WORK/nodes.out" 2>&1 &
NODES_PID=$!
for _ in $(seq 1 600); do grep -q '^ready' "$WORK/nodes.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^ready' "$WORK/nodes.out" || { cat "$WORK/nodes.out"; exit 1; }
KEY=$WORK/nodes/client/id_ed25519
KH=$WORK/nodes/known_hosts
PORT=$(head -1 "$WORK/nodes/nodes.tsv" | cut -f3)

head -c 102400 /dev/urandom > "$WORK/package.bin"
cat > "$WORK/bootstrap.sh" <<'EOS'
#!/bin/sh
set -e
cd /var/lib/paiplan/pkg
sha256sum package.bin > package.sha256
mkdir -p /var/lib/paiplan/etc
echo "$PAIPLAN_HOSTNAME $PAIPLAN_ROLE" > /var/lib/paiplan/etc/role
EOS

wipe() { for i in $(seq 0 $((MAXK - 1))); do rm -rf "$WORK/nodes/node-$i/varlib/"*; done; }
verify() {  # K: every node has its marker, role and package checksum
  local k=$1 i
  for i in $(seq 0 $((k - 1))); do
    local v=$WORK/nodes/node-$i/varlib
    if ! [ -s "$v/node.json" ] || ! [ -s "$v/etc/role" ] || ! [ -s "$v/pkg/package.sha256" ]; then
      echo "verify: node $i incomplete" >&2
      return 1
    fi
  done
}
now() { date +%s.%N; }

run_paiplan() {  # K
  head -n "$1" "$WORK/nodes/nodes.tsv" > "$WORK/nodes$1.tsv"
  "$BUILD/ssh_bench" --nodes "$WORK/nodes$1.tsv" --key "$KEY" --known-hosts "$KH" \
    --package "$WORK/package.bin" --script "$WORK/bootstrap.sh" > "$WORK/paiplan.out"
}

run_ansible() {  # K
  local k=$1 i
  {
    echo "[nodes]"
    for i in $(seq 0 $((k - 1))); do echo "node$i ansible_host=127.0.0.$((i + 2)) ansible_port=$PORT"; done
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
    - file: {path: /var/lib/paiplan/pkg, state: directory, mode: "0755"}
    - copy: {src: "$WORK/package.bin", dest: /var/lib/paiplan/pkg/package.bin, mode: "0644"}
    - copy: {src: "$WORK/bootstrap.sh", dest: /var/lib/paiplan/pkg/bootstrap.sh, mode: "0755"}
    - command: /var/lib/paiplan/pkg/bootstrap.sh
      environment: {PAIPLAN_HOSTNAME: "{{ inventory_hostname }}", PAIPLAN_ROLE: worker}
    - copy:
        content: '{"hostname":"{{ inventory_hostname }}","role":"worker"}'
        dest: /var/lib/paiplan/node.json
        mode: "0644"
EOC
  ANSIBLE_CONFIG=$WORK/ansible.cfg ansible-playbook -i "$WORK/inventory.ini" "$WORK/playbook.yml" \
    > "$WORK/ansible.out" 2>&1 || { tail -30 "$WORK/ansible.out" >&2; return 1; }
}

run_openssh() {  # K
  local k=$1 i pids=()
  local o=(-F /dev/null -o UserKnownHostsFile="$KH" -o StrictHostKeyChecking=yes -o BatchMode=yes -i "$KEY")
  for i in $(seq 0 $((k - 1))); do
    (
      h=127.0.0.$((i + 2))
      ssh "${o[@]}" -p "$PORT" "root@$h" 'mkdir -p /var/lib/paiplan/pkg' &&
        scp -q "${o[@]}" -P "$PORT" "$WORK/package.bin" "$WORK/bootstrap.sh" "root@$h:/var/lib/paiplan/pkg/" &&
        ssh "${o[@]}" -p "$PORT" "root@$h" "chmod 755 /var/lib/paiplan/pkg/bootstrap.sh &&
          PAIPLAN_HOSTNAME=node$i PAIPLAN_ROLE=worker /var/lib/paiplan/pkg/bootstrap.sh &&
          printf '{\"hostname\":\"node$i\",\"role\":\"worker\"}' > /var/lib/paiplan/.node.json.tmp &&
          mv -f /var/lib/paiplan/.node.json.tmp /var/lib/paiplan/node.json"
    ) > "$WORK/openssh-$i.out" 2>&1 &
    pids+=($!)
  done
  local rc=0 p
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return $rc
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| K | method | wall s (median of $REPS) | runs | ratio to paiplan |"
echo "|---|---|---|---|---|"
for k in "${SIZES[@]}"; do
  declare -A med=()
  for method in paiplan openssh ansible; do
    times=()
    for _ in $(seq 1 "$REPS"); do
      wipe
      t0=$(now)
      "run_$method" "$k"
      t1=$(now)
      verify "$k"
      times+=("$(echo "$t1 - $t0" | bc -l)")
    done
    med[$method]=$(printf '%s\n' "${times[@]}" | median)
    runs=$(printf '%.2f ' "${times[@]}")
    ratio=$(echo "${med[$method]} / ${med[paiplan]}" | bc -l)
    printf '| %s | %s | %.2f | %s| %.1fx |\n' "$k" "$method" "${med[$method]}" "$runs" "$ratio"
  done
  unset med
done
echo
echo "nodes: $MAXK sshd on 127.0.0.2..$((MAXK + 1)):$PORT; $(nproc) cores; $(ansible-playbook --version 2>/dev/null | awk 'NR == 1'); load average $(cut -d" " -f1-3 /proc/loadavg); $(ssh -V 2>&1)"
