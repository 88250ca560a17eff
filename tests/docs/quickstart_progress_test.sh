#!/usr/bin/env bash
# The quickstart's build progress (a line per stage with a percentage) and
# its per-run work folder and log, printed first (two runs: two folders).
# The runs stop at step 2 (--paiplan names no binary), before starting anything.
# usage: quickstart_progress_test.sh SOURCE_DIR
set -euo pipefail
src="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
tmp="$(mktemp -d /tmp/paiplan-qs-test.XXXXXX)"
dirs=()
trap 'rm -rf "$tmp" "${dirs[@]}"' EXIT

# The progress filter, on Makefile generator output.
BUILD_LOG="$tmp/build.log"
eval "$(sed -n '/^  progress() {/,/^  }/p' "$src/examples/quickstart/run.sh")"
printf '%s\n' '[  2%] Building CXX object CMakeFiles/pp_base.dir/engine/base/fs.cc.o' \
  '[  4%] Building CXX object CMakeFiles/pp_base.dir/engine/base/sha256.cc.o' \
  '[  6%] Linking CXX static library libpp_base.a' \
  '[ 41%] Building CXX object CMakeFiles/pp_config.dir/engine/config/workspace.cc.o' \
  'In file included from x.cc:1:' \
  '[100%] Linking CXX executable paiplan' | progress > "$tmp/progress.txt"
expected=$'  build [  2%] pp_base\n  build [ 41%] pp_config\n  build [100%] paiplan'
[ "$(cat "$tmp/progress.txt")" = "$expected" ] || { cat "$tmp/progress.txt"; fail "progress lines"; }
grep -q "In file included" "$BUILD_LOG" || fail "the compiler output is not kept in the build log"

for run in 1 2; do
  set +e
  bash "$src/examples/quickstart/run.sh" --no-install --paiplan "$tmp/no-such-paiplan" > "$tmp/run$run.txt" 2>&1
  rc=$?
  set -e
  [ "$rc" = 1 ] || { cat "$tmp/run$run.txt"; fail "run $run: expected exit 1 at the missing binary, got $rc"; }
  first="$(head -1 "$tmp/run$run.txt")"
  [[ $first == "work folder: /tmp/paiplan-quickstart."* ]] || { cat "$tmp/run$run.txt"; fail "the work folder is not printed first"; }
  dir="${first#work folder: }"
  dirs+=("$dir")
  sed -n 2p "$tmp/run$run.txt" | grep -q "^log:  *$dir/quickstart.log" || fail "the log is not printed second"
  grep -q "no paiplan binary" "$dir/quickstart.log" || fail "the run's log does not hold its output"
done
[ "${dirs[0]}" != "${dirs[1]}" ] || fail "two runs shared one work folder"
echo "quickstart progress and per-run folders OK"
