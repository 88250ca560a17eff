#!/usr/bin/env bash
# Refreshes hdfs: helm upgrade with the newly rendered values (pods roll when they changed).
# Run by paiplan with cwd = the rendered copy of this deploy dir, KUBECONFIG set,
# and PAIPLAN_SERVICE / PAIPLAN_WORKSPACE / PAIPLAN_ACTION in the environment.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
# service.env is rendered from this service's config (NAMESPACE, READY_TIMEOUT, ...).
# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-hdfs}"

echo "$SERVICE: upgrading the release with the new values"
exec bash ./start.sh
