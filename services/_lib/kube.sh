# shellcheck shell=bash
# The catalogue scripts' shared shell (docs/kubernetes-objects.md, "The
# catalogue's script library"). paiplan copies services/_lib/ into each
# service's working copy (.paiplan/rendered/<service>/_lib/), next to the
# rendered manifests and service.env, so a script sources it the same way
# wherever the working copy is:
#
#   set -euo pipefail
#   cd "$(dirname "${BASH_SOURCE[0]}")"
#   source ./_lib/kube.sh
#
# Sourcing reads service.env (NAMESPACE, READY_TIMEOUT, ...) and sets SERVICE
# (PAIPLAN_SERVICE, else the working copy's name). Objects are written with
# server-side apply under the field manager paiplan-scripts, taking back
# fields someone changed by hand (kubectl scale/edit): the scripts are the
# actuators of their services' manifests.

# shellcheck source=/dev/null
source ./service.env
SERVICE="${PAIPLAN_SERVICE:-$(basename "$PWD")}"
KUBE_FIELD_MANAGER="paiplan-scripts"

# kube_files FILE...: "-f FILE" for each, in KUBE_FILES.
kube_files() {
  KUBE_FILES=()
  local f
  for f in "$@"; do KUBE_FILES+=(-f "$f"); done
}

# ensure_namespace: creates $NAMESPACE when it does not exist yet (a
# server-side apply of the Namespace: idempotent, and JSON on the wire).
ensure_namespace() {
  kubectl get namespace "$NAMESPACE" >/dev/null 2>&1 ||
    kubectl create namespace "$NAMESPACE" --dry-run=client -o yaml |
    kubectl apply --server-side --field-manager="$KUBE_FIELD_MANAGER" -f -
}

# kube_apply FILE...: server-side apply of the files into $NAMESPACE.
kube_apply() {
  kube_files "$@"
  kubectl -n "$NAMESPACE" apply --server-side --field-manager="$KUBE_FIELD_MANAGER" --force-conflicts "${KUBE_FILES[@]}"
}

# kube_changed FILE...: succeeds when applying the files would change the
# cluster (a server-side kubectl diff); fails when it would not.
kube_changed() {
  kube_files "$@"
  local rc=0
  kubectl -n "$NAMESPACE" diff --server-side --field-manager="$KUBE_FIELD_MANAGER" --force-conflicts \
    "${KUBE_FILES[@]}" >/dev/null || rc=$?
  case "$rc" in
    0) return 1 ;;
    1) return 0 ;;
    *) echo "$SERVICE: kubectl diff failed (exit $rc)" >&2; exit 1 ;;
  esac
}

# kube_delete FILE...: deletes the files' objects; absent ones are fine.
kube_delete() {
  kube_files "$@"
  kubectl -n "$NAMESPACE" delete --ignore-not-found --timeout="${READY_TIMEOUT}s" "${KUBE_FILES[@]}"
}

# diagnose APP: what Kubernetes knows about the pods labelled app=APP (for a failed wait).
diagnose() {
  echo "--- $SERVICE: diagnostics for app=$1 in namespace $NAMESPACE ---" >&2
  kubectl -n "$NAMESPACE" get pods -l "app=$1" -o wide >&2 || true
  kubectl -n "$NAMESPACE" describe pods -l "app=$1" >&2 || true
  kubectl -n "$NAMESPACE" get events --sort-by=.lastTimestamp >&2 || true
}

# wait_rollout KIND/NAME APP: waits up to READY_TIMEOUT seconds for a rollout.
wait_rollout() {
  if ! kubectl -n "$NAMESPACE" rollout status "$1" --timeout="${READY_TIMEOUT}s"; then
    echo "$SERVICE: $1 is not ready after ${READY_TIMEOUT}s" >&2
    diagnose "$2"
    exit 1
  fi
}

# wait_complete JOB APP: waits up to READY_TIMEOUT seconds for a Job to complete.
wait_complete() {
  if ! kubectl -n "$NAMESPACE" wait --for=condition=complete "job/$1" --timeout="${READY_TIMEOUT}s"; then
    echo "$SERVICE: job $1 did not complete in ${READY_TIMEOUT}s" >&2
    diagnose "$2"
    exit 1
  fi
}

# start_service KIND/NAME APP FILE...: applies the files, waits for the rollout.
start_service() {
  local target="$1" app="$2"
  shift 2
  ensure_namespace
  kube_apply "$@"
  wait_rollout "$target" "$app"
  echo "$SERVICE: started"
}

# refresh_service KIND/NAME APP CONFIG_FILE... -- FILE...: applies the files
# again; restarts the workload's pods when a configuration file changed
# (they read it only at start).
refresh_service() {
  local target="$1" app="$2" changed=0
  shift 2
  local configs=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do configs+=("$1"); shift; done
  [ "$#" -gt 0 ] && shift
  ensure_namespace
  if [ "${#configs[@]}" -gt 0 ]; then
    if kube_changed "${configs[@]}"; then changed=1; fi
    kube_apply "${configs[@]}"
  fi
  kube_apply "$@"
  if [ "$changed" = 1 ]; then
    echo "$SERVICE: configuration changed, restarting"
    kubectl -n "$NAMESPACE" rollout restart "$target"
  fi
  wait_rollout "$target" "$app"
  echo "$SERVICE: refreshed (configuration changed: $changed)"
}

# stop_service FILE...: deletes the files' objects (persistent data stays).
stop_service() {
  kube_delete "$@"
  echo "$SERVICE: stopped"
}

# run_cleaner FILE NAME: runs the one-shot cleaner DaemonSet NAME (its pods
# labelled app=NAME) until it has rolled out, then removes it.
run_cleaner() {
  kubectl -n "$NAMESPACE" delete --ignore-not-found -f "$1"
  kube_apply "$1"
  wait_rollout "daemonset/$2" "$2"
  kubectl -n "$NAMESPACE" delete --ignore-not-found -f "$1"
}

# run_job FILE NAME: runs the Job NAME (its pods labelled app=NAME) to
# completion, then removes it.
run_job() {
  kubectl -n "$NAMESPACE" delete --ignore-not-found -f "$1"
  kube_apply "$1"
  wait_complete "$2" "$2"
  kubectl -n "$NAMESPACE" delete --ignore-not-found -f "$1"
}

# wait_pod_ready POD APP: waits up to READY_TIMEOUT seconds for a bare pod to be Ready.
wait_pod_ready() {
  if ! kubectl -n "$NAMESPACE" wait --for=condition=Ready "pod/$1" --timeout="${READY_TIMEOUT}s"; then
    echo "$SERVICE: pod $1 is not Ready after ${READY_TIMEOUT}s" >&2
    diagnose "$2"
    exit 1
  fi
}

# wait_bound PVC: waits up to READY_TIMEOUT seconds for a claim to be Bound.
wait_bound() {
  if ! kubectl -n "$NAMESPACE" wait --for=jsonpath='{.status.phase}'=Bound "pvc/$1" --timeout="${READY_TIMEOUT}s"; then
    echo "$SERVICE: claim $1 is not Bound after ${READY_TIMEOUT}s" >&2
    kubectl -n "$NAMESPACE" describe "pvc/$1" >&2 || true
    kubectl -n "$NAMESPACE" get events --sort-by=.lastTimestamp >&2 || true
    exit 1
  fi
}

# Helm releases (hdfs, spark): service.env sets RELEASE, CHART and POD_SELECTOR.
# diagnose_release: the release's status and its pods (for a failed wait).
diagnose_release() {
  echo "--- $SERVICE: diagnostics for $POD_SELECTOR in namespace $NAMESPACE ---" >&2
  helm status "$RELEASE" -n "$NAMESPACE" >&2 || true
  kubectl -n "$NAMESPACE" get pods -l "$POD_SELECTOR" -o wide >&2 || true
  kubectl -n "$NAMESPACE" describe pods -l "$POD_SELECTOR" >&2 || true
  kubectl -n "$NAMESPACE" get events --sort-by=.lastTimestamp >&2 || true
}

# release_start VALUES_FILE: helm upgrade --install (idempotent), then waits
# for the release's pods. A chart directory relative to the workspace wins;
# otherwise CHART is a repository reference.
release_start() {
  command -v helm >/dev/null || { echo "$SERVICE: helm is not installed on this machine" >&2; exit 1; }
  local chart_ref="$CHART"
  if [ -n "${PAIPLAN_WORKSPACE:-}" ] && [ -d "$PAIPLAN_WORKSPACE/$CHART" ]; then
    chart_ref="$PAIPLAN_WORKSPACE/$CHART"
  fi
  if ! helm upgrade --install "$RELEASE" "$chart_ref" -n "$NAMESPACE" --create-namespace \
      -f "$1" --wait --timeout "${READY_TIMEOUT}s"; then
    echo "$SERVICE: release $RELEASE is not ready after ${READY_TIMEOUT}s" >&2
    diagnose_release
    exit 1
  fi
  if ! kubectl -n "$NAMESPACE" wait --for=condition=Ready pod -l "$POD_SELECTOR" --timeout="${READY_TIMEOUT}s"; then
    echo "$SERVICE: pods of $RELEASE are not Ready after ${READY_TIMEOUT}s" >&2
    diagnose_release
    exit 1
  fi
  echo "$SERVICE: started"
}

# release_stop: uninstalls the release when it is installed.
release_stop() {
  if helm status "$RELEASE" -n "$NAMESPACE" >/dev/null 2>&1; then
    helm uninstall "$RELEASE" -n "$NAMESPACE" --wait --timeout "${READY_TIMEOUT}s"
  fi
  echo "$SERVICE: stopped"
}

# wipe_node_data CLEANER_FILE NAME: empties the service's data directory
# (DATA_PATH, a hostPath) on every node with the short-lived cleaner
# DaemonSet NAME, scheduled like the service itself; refuses an empty or
# root path.
wipe_node_data() {
  case "${DATA_PATH:-}" in
    "" | / | /. | /..) echo "$SERVICE: refusing to wipe data path '${DATA_PATH:-}'" >&2; exit 1 ;;
  esac
  run_cleaner "$1" "$2"
}
