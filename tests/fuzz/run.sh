#!/usr/bin/env bash
# Builds paiplan with clang, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer (its own build directory), then runs every fuzz
# target for FUZZ_SECONDS over its seeds and the corpus earlier runs grew.
#
#   bash tests/fuzz/run.sh                 # 30 s per target
#   FUZZ_SECONDS=20 bash tests/fuzz/run.sh # what CI runs (.ci/run)
#   FUZZ_SECONDS=600 bash tests/fuzz/run.sh yaml_fuzz jinja_fuzz
#
# Exit 0 when no target crashed, leaked, hung (-timeout per input) or ran out
# of memory (-rss_limit_mb); otherwise 1, with the reproducer's path. Keep a
# reproducer as a regression: copy it to tests/fuzz/regressions/TARGET/ (the
# normal suite replays it: FuzzReplay.TARGET).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${FUZZ_BUILD:-build-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-30}
CXX_FUZZ=${FUZZ_CXX:-clang++-16}
ALL=(yaml_fuzz workspace_fuzz jinja_fuzz planfile_fuzz state_fuzz kubeconfig_fuzz kube_response_fuzz)
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=("${ALL[@]}")

# ccache, when installed, as in tests/run.sh (a repeated CI run rebuilds nothing).
if command -v ccache >/dev/null 2>&1 && [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ]; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi
command -v "$CXX_FUZZ" >/dev/null || { echo "fuzz: $CXX_FUZZ not found (apt-get install clang-16 libclang-rt-16-dev)" >&2; exit 1; }
# A new build directory gets no tests (faster); tests/sanitizers.sh's keeps its own.
tests_opt=()
[ -f "$BUILD/CMakeCache.txt" ] || tests_opt=(-DPAIPLAN_TESTS=OFF)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$CXX_FUZZ" \
  -DPAIPLAN_FUZZ=ON "${tests_opt[@]}" >/dev/null
cmake --build "$BUILD" -j2 --target "${TARGETS[@]}"

dict_for() {
  case "$1" in
    yaml_fuzz|workspace_fuzz|kubeconfig_fuzz) echo tests/fuzz/dicts/yaml.dict ;;
    jinja_fuzz) echo tests/fuzz/dicts/jinja.dict ;;
    *) echo tests/fuzz/dicts/json.dict ;;
  esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
printf '%-20s %8s %10s %8s %s\n' target seconds execs corpus result
for t in "${TARGETS[@]}"; do
  corpus="$BUILD/corpus/$t"; artifacts="$BUILD/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  inputs=(tests/fuzz/seeds/"$t")
  [ -d tests/fuzz/regressions/"$t" ] && inputs+=(tests/fuzz/regressions/"$t")
  log="$BUILD/$t.log"
  # The target is under tests/ when the build directory has the tests too (tests/sanitizers.sh's).
  bin="$BUILD/$t"; [ -x "$bin" ] || bin="$BUILD/tests/$t"
  if "$bin" "$corpus" "${inputs[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -dict="$(dict_for "$t")" -artifact_prefix="$artifacts" \
      -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result="FAILED (log: $log; reproducer: $(ls "$artifacts" | head -1))"
    failed+=("$t")
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  printf '%-20s %8s %10s %8s %s\n' "$t" "$SECONDS_EACH" "${execs:-?}" "$(ls "$corpus" | wc -l)" "$result"
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: ${#TARGETS[@]} targets ran ${SECONDS_EACH} s each without a crash"
