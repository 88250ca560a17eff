#!/usr/bin/env bash
# The sanitizer stage of CI (issue 18): one clang 16 build with
# AddressSanitizer, UndefinedBehaviorSanitizer (findings abort), LeakSanitizer
# and libFuzzer's coverage (build-fuzz/), in which
#   1. the unit tests of the readers of untrusted input run (base, template,
#      config, state, script, kube client; then the fuzz replays), then
#   2. every fuzz target runs FUZZ_SECONDS over its corpus (tests/fuzz/run.sh).
#
#   bash tests/sanitizers.sh                       # what CI runs (.ci/run)
#   SANITIZER_UNIT=all bash tests/sanitizers.sh    # also scheduler, executor, planner, plan golden
#
# By default the unit tests of the readers of untrusted input run; the
# scheduler, executor, planner and plan golden tests need SANITIZER_UNIT=all.
# Every test binary depends on the paiplan binary (PAIPLAN_BINARY), so the
# whole tree is built either way: CI (.ci/run) runs only the fuzz stage
# (tests/fuzz/run.sh), see tests/bench/RESULTS.md. The bad-input corpus
# (which runs the binary) is left out here.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD:-build-fuzz}
CXX_FUZZ=${FUZZ_CXX:-clang++-16}
UNIT=(base_test template_test config_test state_test script_test kube_test)
[ "${SANITIZER_UNIT:-}" = all ] && UNIT+=(scheduler_test executor_test planner_test plan_golden_test)
REPLAYS=(yaml_fuzz_replay workspace_fuzz_replay jinja_fuzz_replay planfile_fuzz_replay
         state_fuzz_replay kubeconfig_fuzz_replay kube_response_fuzz_replay)
start=$(date +%s)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_FUZZ" \
  -DPAIPLAN_FUZZ=ON -DPAIPLAN_TESTS=ON >/dev/null
cmake --build "$BUILD" -j2 --target "${UNIT[@]}" "${REPLAYS[@]}"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
built=$(date +%s)
# Tests of binaries not built here are *_NOT_BUILT placeholders; the shell
# tests and the quickstart need the whole tree.
ctest --test-dir "$BUILD" -j2 --timeout 900 --output-on-failure -E "NOT_BUILT|quickstart|etcd_e2e|BadInputCorpus"
tested=$(date +%s)
FUZZ_SECONDS=${FUZZ_SECONDS:-20} FUZZ_BUILD="$BUILD" FUZZ_CXX="$CXX_FUZZ" bash tests/fuzz/run.sh
end=$(date +%s)
echo "sanitizers: build $((built - start)) s, unit suite $((tested - built)) s, fuzzing $((end - tested)) s"
