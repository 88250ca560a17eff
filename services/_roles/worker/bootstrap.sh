#!/usr/bin/env bash
# Bootstraps a worker node. Idempotent: running it twice changes nothing more.
#
# Safe by default: it only prepares directories and writes the files paiplan
# rendered for this machine under ${PAIPLAN_NODE_ROOT:-/} (a test or a demo
# points PAIPLAN_NODE_ROOT at a scratch directory), and checks prerequisites.
# Installing and starting real services (kubelet) happens only when
# PAIPLAN_REAL_INSTALL=1.
#
# paiplan runs it from the uploaded role package, with PAIPLAN_HOSTNAME and
# PAIPLAN_ROLE set; the rendered *.template files sit beside it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
root="${PAIPLAN_NODE_ROOT:-/}"
host="${PAIPLAN_HOSTNAME:-$(hostname)}"
echo "bootstrap ${PAIPLAN_ROLE:-worker} node $host under $root"

# Prerequisites a real node needs; here they are only reported.
for tool in bash mkdir install; do
  command -v "$tool" >/dev/null || { echo "missing required tool: $tool" >&2; exit 1; }
done
missing=()
for tool in docker systemctl kubelet; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done

for d in etc/paiplan etc/paiplan/kubernetes var/drivers; do
  mkdir -p "$root/$d"
done
# Files rendered for this machine (see the *.template files of this package).
for f in *; do
  [ -f "$f" ] || continue
  case "$f" in
    *.template | *.sh) ;;
    *) install -m 0644 "$f" "$root/etc/paiplan/$f" ;;
  esac
done

# Real install: kubelet (already installed from packages) joins the master.
install_real_services() {
  swapoff -a
  install -m 0644 "$root/etc/paiplan/kubelet.env" /etc/default/kubelet
  install -m 0644 "$root/etc/paiplan/hosts" /etc/hosts.paiplan
  systemctl daemon-reload
  systemctl enable --now kubelet
}

if [ "${PAIPLAN_REAL_INSTALL:-0}" = 1 ]; then
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "PAIPLAN_REAL_INSTALL=1 but missing: ${missing[*]}" >&2
    exit 1
  fi
  install_real_services
else
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "note: ${missing[*]} not found (only needed with PAIPLAN_REAL_INSTALL=1)"
  fi
  echo "dry bootstrap done; set PAIPLAN_REAL_INSTALL=1 to install and start kubelet"
fi
