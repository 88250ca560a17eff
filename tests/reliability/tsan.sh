#!/usr/bin/env bash
# ThreadSanitizer over paiplan's concurrent core: the scheduler and executor
# (worker pool, group commits), the state store's GroupCommitter, the SSH
# pool against real sshd, and the parallel apply end-to-end tests (the
# paiplan binary itself is built with TSan, so the integration tests run it
# under TSan too). Its own build directory; results in tests/bench/RESULTS.md.
#
#   bash tests/reliability/tsan.sh          # exit 1 on any data race or TSan error
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${TSAN_BUILD:-build-tsan}
TESTS=(scheduler_test executor_test state_test ssh_test integration_test ssh_e2e_test)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAIPLAN_TSAN=ON >/dev/null
cmake --build "$BUILD" -j2 --target paiplan "${TESTS[@]}"
# halt_on_error: the first race fails the test that hit it, with both stacks.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4"
# Only the binaries built above have tests; the others are registered as
# *_NOT_BUILT placeholders, and FuzzReplay.* / shell tests are not about threads.
ctest --test-dir "$BUILD" -j2 --timeout 1800 --output-on-failure -E "NOT_BUILT|FuzzReplay|quickstart|etcd_e2e" || {
  echo "tsan: failures above (a 'WARNING: ThreadSanitizer' block names the race)" >&2; exit 1; }
echo "tsan: no data race in ${TESTS[*]}"
