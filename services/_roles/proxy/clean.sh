#!/usr/bin/env bash
# shellcheck disable=SC2154  # root, mode, host and the cluster.env values come from lib.sh
# Cleans a proxy: haproxy stopped and disabled, its configuration removed.
# Idempotent.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# shellcheck source=services/_roles/common/lib.sh
. ./lib.sh
act systemctl disable --now haproxy || true
rm -f "$root/etc/haproxy/haproxy.cfg"
log "clean done"
