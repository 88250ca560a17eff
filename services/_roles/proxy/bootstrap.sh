#!/usr/bin/env bash
# shellcheck disable=SC2154  # root, mode, host and the cluster.env values come from lib.sh
# Bootstraps a proxy: haproxy in front of every master's API server
# (haproxy.cfg, rendered from layout.yaml). Comes before the first master in
# the plan: the masters are reached through it. Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh

preflight 6443
if [ "$mode" = dry ]; then
  act apt-get install -y haproxy
else
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy
fi
changed=yes
if [ -f "$root/etc/haproxy/haproxy.cfg" ] && cmp -s haproxy.cfg "$root/etc/haproxy/haproxy.cfg"; then changed=no; fi
put_file etc/haproxy/haproxy.cfg < haproxy.cfg
act systemctl enable haproxy
if [ "$changed" = yes ]; then act systemctl restart haproxy; fi
log "proxy bootstrap done (mode $mode)"
