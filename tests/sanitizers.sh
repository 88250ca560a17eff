#!/usr/bin/env bash
# The sanitizer stage of CI (issue 18): one clang 16 build with
# AddressSanitizer, UndefinedBehaviorSanitizer (findings abort), LeakSanitizer
# and libFuzzer's coverage (build-fuzz/), in which
#   1. the unit tests run: the readers of untrusted input (base, template,
#      config, state, script, kube client) and the concurrent core
#      (scheduler, executor, planner); then the fuzz replays; then
#   2. every fuzz target runs FUZZ_SECONDS over its corpus (tests/fuzz/run.sh).
#
#   bash tests/sanitizers.sh                       # what CI runs (.ci/run)
#   SANITIZER_UNIT=all bash tests/sanitizers.sh    # the whole suite (whole tree)
#
# These unit test binaries do not run the paiplan binary, so the stage builds
# the libraries (which the fuzz targets need anyway) and these tests, not the
# whole tree. SANITIZER_UNIT=all builds everything and runs every test,
# end-to-end ones included (the paiplan binary then runs under ASan too);
# tests/bench/RESULTS.md has the figures of both.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD:-build-fuzz}
CXX_FUZZ=${FUZZ_CXX:-clang++-16}
UNIT=(base_test template_test config_test state_test script_test kube_test scheduler_test executor_test planner_test)
targets=("${UNIT[@]}")
[ "${SANITIZER_UNIT:-}" = all ] && targets=(all)
REPLAYS=(yaml_fuzz_replay workspace_fuzz_replay jinja_fuzz_replay planfile_fuzz_replay
         state_fuzz_replay kubeconfig_fuzz_replay kube_response_fuzz_replay)
start=$(date +%s)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_FUZZ" \
  -DPAIPLAN_FUZZ=ON -DPAIPLAN_TESTS=ON >/dev/null
cmake --build "$BUILD" -j2 --target "${targets[@]}" "${REPLAYS[@]}"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
built=$(date +%s)
if [ "${SANITIZER_UNIT:-}" = all ]; then
  ctest --test-dir "$BUILD" -j2 --timeout 900 --output-on-failure
else
  # Tests of binaries not built here are *_NOT_BUILT placeholders; the
  # shell and node tests run the paiplan binary, which is not built here.
  ctest --test-dir "$BUILD" -j2 --timeout 900 --output-on-failure \
    -E "NOT_BUILT|quickstart|install_relocated|etcd_e2e|docs_cli_reference|review_browser_test|BadInputCorpus"
fi
tested=$(date +%s)
FUZZ_SECONDS=${FUZZ_SECONDS:-20} FUZZ_BUILD="$BUILD" FUZZ_CXX="$CXX_FUZZ" bash tests/fuzz/run.sh
end=$(date +%s)
echo "sanitizers: build $((built - start)) s, unit suite $((tested - built)) s, fuzzing $((end - tested)) s"
