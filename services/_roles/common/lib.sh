#!/usr/bin/env bash
# Shared by the built-in role scripts (sourced, never run). docs/bootstrap.md
# describes what a node needs and the settings below.
#
#   PAIPLAN_BOOTSTRAP_MODE  real (default): install and start Kubernetes.
#                           dry: write the rendered files and print what a
#                           real run would do; nothing is installed. The
#                           explicit opt-in for demos and tests.
#   PAIPLAN_NODE_ROOT       prefix of every file read or written (default /).
#   PAIPLAN_PREFLIGHT_IGNORE  comma list of checks to skip:
#                           os,swap,modules,sysctl,ports,time
# cluster.env (rendered from layout.yaml) gives the versions and addresses.

root="${PAIPLAN_NODE_ROOT:-/}"
root="${root%/}"
mode="${PAIPLAN_BOOTSTRAP_MODE:-real}"
host="${PAIPLAN_HOSTNAME:-$(hostname)}"
# shellcheck source=/dev/null
if [ -f ./cluster.env ]; then . ./cluster.env; fi
# shellcheck source=/dev/null
if [ -f ./endpoint.env ]; then . ./endpoint.env; fi  # masters only
CONTROL_PLANE_ENDPOINT="${CONTROL_PLANE_ENDPOINT:-}"

export FIRST_MASTER="${PAIPLAN_FIRST_MASTER:-}"
log() { echo "[$host] $*"; }
die() { echo "[$host] error: $*" >&2; exit 1; }

case "$mode" in
  real | dry) ;;
  *) die "PAIPLAN_BOOTSTRAP_MODE=$mode: use real or dry" ;;
esac
if [ "$mode" = real ] && [ "${PAIPLAN_TRANSPORT:-}" = local ]; then
  die "transport: local machines are directories on this machine, and the built-in role packages install \
Kubernetes for real: refused. For a demo set paiplan.yaml nodes: {env: {PAIPLAN_BOOTSTRAP_MODE: dry}}, or use \
your own roles/ (docs/bootstrap.md)"
fi

# Runs a command that changes the system; in dry mode only prints it (the
# values of --token and --certificate-key masked).
act() {
  if [ "$mode" = dry ]; then
    local shown=() hide=no a
    for a in "$@"; do
      if [ "$hide" = yes ]; then shown+=("(sensitive)"); else shown+=("$a"); fi
      case "$a" in --token | --certificate-key) hide=yes ;; *) hide=no ;; esac
    done
    echo "dry: would run: ${shown[*]}"
  else
    "$@"
  fi
}

ignored() { case ",${PAIPLAN_PREFLIGHT_IGNORE:-}," in *",$1,"*) return 0 ;; esac; return 1; }

# Writes stdin to $root/$1 (mode $2, default 0644) when the content changed.
put_file() {
  local dst="$root/$1" tmp
  mkdir -p "$(dirname "$dst")"
  tmp="$(mktemp "$dst.XXXXXX")"
  cat > "$tmp"
  chmod "${2:-0644}" "$tmp"
  if [ -f "$dst" ] && cmp -s "$tmp" "$dst"; then rm -f "$tmp"; else mv -f "$tmp" "$dst"; fi
}

preflight() {
  [ "$mode" = dry ] && { log "dry: preflight checks skipped"; return 0; }
  local problems=()
  if ! ignored os; then
    # shellcheck source=/dev/null
    if [ -r "$root/etc/os-release" ]; then . "$root/etc/os-release"; fi
    case "${ID:-unknown}:${VERSION_ID:-}" in
      ubuntu:22.04 | ubuntu:24.04 | debian:12) ;;
      *) problems+=("OS ${ID:-unknown} ${VERSION_ID:-} is not supported (Ubuntu 22.04/24.04, Debian 12)") ;;
    esac
  fi
  if ! ignored swap && [ -r "$root/proc/swaps" ] && [ "$(wc -l < "$root/proc/swaps")" -gt 1 ]; then
    log "swap is on: turning it off (kubelet refuses to run with swap)"
    swapoff -a || problems+=("swap is on and swapoff -a failed")
    sed -i.paiplan '/\sswap\s/s/^/#/' "$root/etc/fstab" 2>/dev/null || true
  fi
  if ! ignored modules; then
    printf 'overlay\nbr_netfilter\n' | put_file etc/modules-load.d/paiplan-k8s.conf
    for m in overlay br_netfilter; do modprobe "$m" || problems+=("kernel module $m cannot be loaded"); done
  fi
  if ! ignored sysctl; then
    printf '%s\n' net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1 net.ipv4.ip_forward=1 \
      | put_file etc/sysctl.d/99-paiplan-k8s.conf
    sysctl --system > /dev/null || problems+=("sysctl --system failed")
    [ "$(sysctl -n net.ipv4.ip_forward 2>/dev/null)" = 1 ] || problems+=("net.ipv4.ip_forward is not 1")
  fi
  if ! ignored ports && [ ! -f "$root/etc/kubernetes/kubelet.conf" ]; then
    for p in "$@"; do
      if ss -ltnH "sport = :$p" 2>/dev/null | grep -q .; then problems+=("port $p is already in use"); fi
    done
  fi
  if ! ignored time && [ "$(timedatectl show -p NTPSynchronized --value 2>/dev/null)" != yes ]; then
    problems+=("the clock is not synchronised (timedatectl: NTPSynchronized != yes); enable systemd-timesyncd or chrony")
  fi
  if [ "${#problems[@]}" -gt 0 ]; then
    for p in "${problems[@]}"; do echo "[$host] preflight failed: $p" >&2; done
    die "fix the above, or skip a check with nodes.env PAIPLAN_PREFLIGHT_IGNORE (docs/bootstrap.md)"
  fi
  log "preflight passed"
}

# containerd (systemd cgroup driver) and kubeadm/kubelet/kubectl pinned to
# KUBERNETES_VERSION from the upstream repository (or PACKAGE_MIRROR).
install_packages() {
  local minor="${KUBERNETES_VERSION#v}" deb_version
  minor="${minor%.*}"
  deb_version="${KUBERNETES_VERSION#v}-*"
  log "installing containerd and Kubernetes $KUBERNETES_VERSION from $PACKAGE_MIRROR"
  [ "$mode" = dry ] && { act apt-get install kubeadm="$deb_version" kubelet="$deb_version" kubectl="$deb_version"; return 0; }
  if [ ! -s "$root/etc/apt/keyrings/paiplan-kubernetes.gpg" ]; then
    mkdir -p "$root/etc/apt/keyrings"
    curl -fsSL "$PACKAGE_MIRROR/core:/stable:/v$minor/deb/Release.key" \
      | gpg --dearmor --yes -o "$root/etc/apt/keyrings/paiplan-kubernetes.gpg"
  fi
  echo "deb [signed-by=/etc/apt/keyrings/paiplan-kubernetes.gpg] $PACKAGE_MIRROR/core:/stable:/v$minor/deb/ /" \
    | put_file etc/apt/sources.list.d/paiplan-kubernetes.list
  DEBIAN_FRONTEND=noninteractive apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --allow-downgrades --allow-change-held-packages \
    containerd "kubeadm=$deb_version" "kubelet=$deb_version" "kubectl=$deb_version"
  apt-mark hold kubeadm kubelet kubectl > /dev/null
  mkdir -p "$root/etc/containerd"
  containerd config default | sed 's/SystemdCgroup = false/SystemdCgroup = true/' | put_file etc/containerd/config.toml
  grep -q 'SystemdCgroup = true' "$root/etc/containerd/config.toml" || die "containerd: could not set SystemdCgroup = true"
  systemctl restart containerd
  systemctl enable --now kubelet
}

# Whether this machine already belongs to the cluster (kubeadm ran before).
joined() { [ -f "$root/etc/kubernetes/kubelet.conf" ]; }

# key=value lines for paiplan ($PAIPLAN_OUTPUTS, docs/outputs.md).
publish() { [ -n "${PAIPLAN_OUTPUTS:-}" ] && echo "$1=$2" >> "$PAIPLAN_OUTPUTS"; return 0; }

# Joins with the credentials paiplan minted on a master for this machine
# (PAIPLAN_JOIN_*; never taken from the state). $@: extra kubeadm flags.
join_cluster() {
  if joined; then log "already joined: kubeadm not run"; return 0; fi
  [ -n "${PAIPLAN_JOIN_JOIN_TOKEN:-}" ] || die "no join credentials (PAIPLAN_JOIN_JOIN_TOKEN): paiplan mints them on a master; is master/join-credentials.sh in the role packages?"
  log "joining the cluster at ${PAIPLAN_JOIN_API_ENDPOINT:-$CONTROL_PLANE_ENDPOINT}"
  act kubeadm join "${PAIPLAN_JOIN_API_ENDPOINT:-$CONTROL_PLANE_ENDPOINT}" --token "$PAIPLAN_JOIN_JOIN_TOKEN" \
    --discovery-token-ca-cert-hash "${PAIPLAN_JOIN_CA_CERT_HASH:-}" --node-name "$NODE_NAME" "$@"
}

# Leaves the cluster: kubeadm reset (a control-plane node also leaves etcd),
# CNI configuration removed, kubelet stopped. Idempotent.
reset_node() {
  if command -v kubeadm > /dev/null || [ "$mode" = dry ]; then act kubeadm reset -f; fi
  rm -rf "$root/etc/cni/net.d/10-paiplan-bridge.conflist" "$root/var/lib/cni/networks/paiplan"
  act systemctl stop kubelet || true
  log "clean done"
}
