#!/bin/bash
# Benchmark (not a test), GitHub issue 4: paiplan plan/apply vs Terraform on
# the same DAG, same machine, one run.
#
#   tests/bench/engine_bench.sh [BUILD_DIR]
#
# Environment (defaults in brackets):
#   SIZES      machine counts for paiplan            ["1000 5000 10000"]
#   TF_SIZES   machine counts Terraform also runs     ["1000 10000"]
#   SERVICES   services per workspace                 [20]
#   PAR        paiplan apply --parallelism            [10, Terraform's default]
#   RUNS       repetitions of each paiplan plan (min) [3]
#   TF_EXEC=1  Terraform's node/service resources also run a shell command
#              (local-exec), as paiplan's do: equal work per action
#   TF_TIMEOUT seconds per Terraform step             [600]; SIGINT then,
#              SIGKILL 60 s later (a stopping Terraform may hang on its state)
#   KEEP=1     keep the workspaces
#   BENCH_TMP  where workspaces and Terraform dirs go                [/tmp]
#              (e.g. /dev/shm: tmpfs, no disk allocator, fsync is free)
#
# For each N: examples/gen_layout.py writes N machines x SERVICES services with
# `transport: local` (a machine is a directory under .paiplan/local-nodes/) and
# trivial service scripts; the workspace gets its own roles/ whose bootstrap.sh
# and clean.sh only echo. Terraform gets the same DAG, written from
# `paiplan graph` by tests/bench/terraform/gen_tf.py (terraform_data resources,
# built-in, no provider download; a CLI config with an empty filesystem mirror
# keeps `terraform init` off the network). Steps, each timed with
# /usr/bin/time -f "%e %M" (wall s, peak RSS KiB):
#   apply    first apply of the whole DAG (paiplan: apply --auto-approve;
#            terraform: apply -auto-approve)
#   noop     plan right after it (expects no changes; both refresh)
#   change   plan after one service's config changed (paiplan: an override in
#            services-configuration.yaml; terraform: the same two resources'
#            triggers), expects exactly 2 changes
# CPU is user+sys of the process and the children it waited for (scripts).
# Prints a Markdown table. Needs /usr/bin/time (Debian package `time`),
# terraform on PATH, /usr/bin/python3.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build-bench}
bin=$build/paiplan
[ -x "$bin" ] || { echo "no paiplan in $build; build it: cmake -S $root -B $build -DCMAKE_BUILD_TYPE=Release -DPAIPLAN_TESTS=OFF && cmake --build $build -j2 --target paiplan" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "install the 'time' package (apt-get install time)" >&2; exit 1; }
read -r -a sizes <<< "${SIZES:-1000 5000 10000}"
read -r -a tf_sizes <<< "${TF_SIZES:-1000 10000}"
services=${SERVICES:-20}
par=${PAR:-10}
runs=${RUNS:-3}
tf_timeout=${TF_TIMEOUT:-600}
py=/usr/bin/python3
unset KUBECONFIG  # no Kubernetes: paiplan manages nodes, renders and services
work=$(mktemp -d "${BENCH_TMP:-/tmp}/pp_engine_bench_XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

# Terraform: no network at all (no providers are needed for terraform_data).
cat > "$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$work/no-providers"
    include = ["*/*/*"]
  }
  direct {
    exclude = ["*/*/*"]
  }
}
disable_checkpoint = true
EOF
export TF_CLI_CONFIG_FILE=$work/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# read_time FILE: sets T_WALL, T_CPU (user+sys s), T_RSS (MiB) from the last
# line of a /usr/bin/time -f "%e %U %S %M" output file.
read_time() {
  local u s rss
  read -r T_WALL u s rss < <(tail -n 1 "$1")
  T_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
  T_RSS=$(awk -v k="$rss" 'BEGIN{printf "%.0f", k/1024}')
}

# timed OUT_FILE CMD... : runs CMD, stdout+stderr to OUT_FILE.log; sets
# T_WALL, T_CPU, T_RSS and T_RC.
timed() {
  local out=$1
  shift
  set +e
  /usr/bin/time -o "$out.time" -f "%e %U %S %M" "$@" > "$out.log" 2>&1
  T_RC=$?
  set -e
  read_time "$out.time"
}

# Best (minimum wall) of RUNS plans; expects exit code $2 (detailed exit code).
pp_plan() {
  local ws=$1 want=$2 tag=$3 best_w="" best_r="" best_c=""
  for i in $(seq "$runs"); do
    timed "$work/$tag-$i" "$bin" -C "$ws" --no-color plan --detailed-exitcode
    if [ "$T_RC" != "$want" ]; then
      echo "paiplan plan ($tag) exited $T_RC, expected $want:" >&2
      tail -n 20 "$work/$tag-$i.log" >&2
      exit 1
    fi
    if [ -z "$best_w" ] || awk -v a="$T_WALL" -v b="$best_w" 'BEGIN{exit !(a<b)}'; then
      best_w=$T_WALL best_r=$T_RSS best_c=$T_CPU
    fi
  done
  T_WALL=$best_w T_RSS=$best_r T_CPU=$best_c
}

ratio() {  # terraform / paiplan
  awk -v t="$1" -v p="$2" 'BEGIN{ if (t == "" || p <= 0) print "—"; else if (t/p < 10) printf "%.1f×", t/p; else printf "%.0f×", t/p }'
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A R  # results: R[n,step,tool]="wall rss"
declare -A ACTIONS
for n in "${sizes[@]}"; do
  ws=$work/ws-$n
  $py "$root/examples/gen_layout.py" --machines "$n" --services "$services" --out "$ws" --transport local > /dev/null
  for role in master worker; do
    mkdir -p "$ws/roles/$role"
    printf '#!/bin/sh\necho "bootstrap $PAIPLAN_ROLE $PAIPLAN_HOSTNAME"\n' > "$ws/roles/$role/bootstrap.sh"
    printf '#!/bin/sh\necho "clean $PAIPLAN_ROLE $PAIPLAN_HOSTNAME"\n' > "$ws/roles/$role/clean.sh"
  done
  "$bin" -C "$ws" --no-color graph > "$work/graph-$n.dot" 2> /dev/null

  # paiplan: first apply, no-op plan, one-change plan.
  timed "$work/pp-apply-$n" "$bin" -C "$ws" --no-color apply --auto-approve --parallelism "$par"
  if [ "$T_RC" != 0 ]; then
    echo "paiplan apply failed at N=$n:" >&2
    tail -n 20 "$work/pp-apply-$n.log" >&2
    exit 1
  fi
  R[$n,apply,pp]="$T_WALL $T_CPU $T_RSS"
  ACTIONS[$n]=$(sed -n 's/^Apply complete! Actions: \([0-9]*\) done.*/\1/p' "$work/pp-apply-$n.log")
  pp_plan "$ws" 0 "pp-noop-$n"
  R[$n,noop,pp]="$T_WALL $T_CPU $T_RSS"
  cp "$ws/services-configuration.yaml" "$work/svc-conf-$n.orig"
  printf 'svc-0001:\n  value: changed-by-engine-bench\n' >> "$ws/services-configuration.yaml"
  pp_plan "$ws" 2 "pp-change-$n"
  grep -q "Plan: 0 to add, 2 to change, 0 to destroy." "$work/pp-change-$n-1.log" \
    || { echo "unexpected one-change plan at N=$n:" >&2; grep '^Plan:' "$work/pp-change-$n-1.log" >&2; exit 1; }
  R[$n,change,pp]="$T_WALL $T_CPU $T_RSS"

  # Terraform: same DAG.
  if [[ " ${tf_sizes[*]} " != *" $n "* ]]; then continue; fi
  tf=$work/tf-$n
  $py "$root/tests/bench/terraform/gen_tf.py" --out "$tf" ${TF_EXEC:+--exec} < "$work/graph-$n.dot" > /dev/null
  (cd "$tf" && terraform init -input=false -no-color > "$work/tf-init-$n.log" 2>&1) \
    || { echo "terraform init failed:" >&2; cat "$work/tf-init-$n.log" >&2; exit 1; }
  tfrun() { (cd "$tf" && exec /usr/bin/time -o "$1.time" -f "%e %U %S %M" timeout -s INT -k 60 "$tf_timeout" terraform "${@:2}") > "$1.log" 2>&1; }
  tfstep() {  # STEP WANT_RC ARGS...
    local step=$1 want=$2
    shift 2
    set +e
    tfrun "$work/tf-$step-$n" "$@"
    T_RC=$?
    set -e
    read_time "$work/tf-$step-$n.time"
    # 124: timed out (SIGINT); 137: still running 60 s after it, killed.
    if [ "$T_RC" = 124 ] || [ "$T_RC" = 130 ] || [ "$T_RC" = 137 ]; then
      R[$n,$step,tf]="dnf"
      return 1
    fi
    if [ "$T_RC" != "$want" ]; then
      echo "terraform $step exited $T_RC, expected $want:" >&2
      tail -n 20 "$work/tf-$step-$n.log" >&2
      exit 1
    fi
    R[$n,$step,tf]="$T_WALL $T_CPU $T_RSS"
  }
  if tfstep apply 0 apply -auto-approve -input=false -no-color; then
    if tfstep noop 0 plan -detailed-exitcode -input=false -no-color; then :; fi
    $py "$root/tests/bench/terraform/gen_tf.py" --out "$tf" ${TF_EXEC:+--exec} --bump render.svc-0001/svc-0001.yaml \
      --bump service.svc-0001 < "$work/graph-$n.dot" > /dev/null
    if tfstep change 2 plan -detailed-exitcode -input=false -no-color; then
      grep -q "Plan: 2 to add, 0 to change, 2 to destroy." "$work/tf-change-$n.log" \
        || { echo "unexpected terraform one-change plan:" >&2; grep '^Plan:' "$work/tf-change-$n.log" >&2; exit 1; }
    fi
  else
    R[$n,noop,tf]="skipped" R[$n,change,tf]="skipped"
  fi
done

echo
echo "paiplan $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') ($build), $(terraform version | head -n 1),"
echo "$(nproc) CPUs ($(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $services services, paiplan --parallelism $par, terraform -parallelism 10 (default)"
echo "workspaces on $(df -T "$work" | awk 'NR==2{print $1" ("$2")"}'); load average at start: $load0; at end: $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
echo
echo "| machines | step | paiplan wall s | paiplan CPU s | paiplan RSS MiB | terraform wall s | terraform CPU s | terraform RSS MiB | terraform / paiplan wall | terraform / paiplan CPU |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  for step in apply noop change; do
    read -r pw pc pr <<< "${R[$n,$step,pp]}"
    tfv=${R[$n,$step,tf]:-}
    tw="" tc="" trr=""
    case "$tfv" in
      "") tcell="not run" ;;
      dnf) tcell="did not finish in ${tf_timeout} s" ;;
      skipped) tcell="skipped (apply did not finish)" ;;
      *) read -r tw tc trr <<< "$tfv"; tcell=$tw ;;
    esac
    case $step in
      apply) label="first apply: ${ACTIONS[$n]} actions, $(awk -v a="${ACTIONS[$n]}" -v w="$pw" 'BEGIN{printf "%.0f", a/w}') actions/s" ;;
      noop) label="no-op plan" ;;
      change) label="one-change plan" ;;
    esac
    echo "| $n | $label | $pw | $pc | $pr | $tcell | ${tc:-—} | ${trr:-—} | $(ratio "$tw" "$pw") | $(ratio "$tc" "$pc") |"
  done
done
