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
FUZZERS=(yaml_fuzz workspace_fuzz jinja_fuzz planfile_fuzz state_fuzz kubeconfig_fuzz kube_response_fuzz)
REPLAYS=("${FUZZERS[@]/%/_replay}")
# ccache, when installed, as in tests/run.sh (a repeated CI run rebuilds nothing).
if command -v ccache >/dev/null 2>&1 && [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi
start=$(date +%s)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_FUZZ" \
  -DPAIPLAN_FUZZ=ON -DPAIPLAN_TESTS=ON >/dev/null
cmake --build "$BUILD" -j2 --target "${targets[@]}" "${REPLAYS[@]}" "${FUZZERS[@]}"
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
