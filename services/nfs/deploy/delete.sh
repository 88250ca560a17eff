#!/usr/bin/env bash
# Deletes nfs: removes the claim and the volume (files on the NFS server are kept: Retain).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# Reads service.env, sets SERVICE; the shared functions (_lib/kube.sh, copied here by paiplan).
# shellcheck source=/dev/null
source ./_lib/kube.sh

kube_delete nfs-pvc.yaml nfs-pv.yaml
echo "$SERVICE: deleted (the exported files themselves are untouched)"
