#!/usr/bin/env bash
# Recorder for paiplan's integration tests (tests/integration/). Every test
# service script is a one-line wrapper:
#   exec /bin/bash "$PAIPLAN_WORKSPACE/testlib/record.sh" ACTION
# It runs in the service's rendered working copy (cwd), as paiplan runs it.
#
# Log ($PAIPLAN_TEST_LOG, default $PAIPLAN_WORKSPACE/calls.log), one line per
# event, appended with a single write (atomic for lines this short):
#   <service> <action> <start-ns> -        <cfg> <pid> begin
#   <service> <action> <start-ns> <end-ns> <cfg> <pid> ok|fail
# <cfg> hashes the rendered files of the working copy (what the service was
# configured with); times are `date +%s%N`.
#
# Switches: files under $PAIPLAN_WORKSPACE/control/, named <svc>.<action>.X
# (or all.<action>.X for every service):
#   .sleep  seconds (fractional ok) to sleep before finishing
#   .echo   print the rendered files (secrets included) to stdout
#   .wait   wait (at most 60 s) until <svc>.<action>.release exists: a gate
#           the test opens when it is ready (no guessing how long to sleep)
#   .fail   exit 1 after sleeping/echoing
#   .failtimes  N: exit 1 on the first N calls of <svc>.<action> (counted in
#           <svc>.<action>.count), then succeed: a flaky script
#   .encode print each rendered file base64-encoded and percent-encoded (as
#           a script passing a secret on in a Secret or a URL would)
#   .env    write PAIPLAN_ACTION, PAIPLAN_SERVICE, PAIPLAN_WORKSPACE and
#           KUBECONFIG (or "<unset>") as NAME=VALUE lines to <svc>.<action>.envout
#   .hang   ignore SIGTERM, start a child that also ignores it, write
#           "<pid> <pgid> <child-pid>" to <svc>.<action>.pids and wait forever
set -uo pipefail
action="${1:?usage: record.sh ACTION}"
svc="${PAIPLAN_SERVICE:?PAIPLAN_SERVICE is not set}"
ws="${PAIPLAN_WORKSPACE:?PAIPLAN_WORKSPACE is not set}"
ctl="$ws/control"
log="${PAIPLAN_TEST_LOG:-$ws/calls.log}"
t0="$(date +%s%N)"

cfg="$(find . -maxdepth 1 -type f ! -name '*.sh' ! -name service.yaml -print | LC_ALL=C sort |
  while read -r f; do echo "$f"; cat "$f"; done | sha256sum | cut -c1-12)"
echo "$svc $action $t0 - $cfg $$ begin" >> "$log"

switch() {  # switch NAME: path of the control file for this call, or empty
  local f
  for f in "$ctl/$svc.$action.$1" "$ctl/all.$action.$1"; do
    if [[ -e "$f" ]]; then echo "$f"; return; fi
  done
}

if f="$(switch sleep)" && [[ -n "$f" ]]; then sleep "$(cat "$f")"; fi
if f="$(switch wait)" && [[ -n "$f" ]]; then
  for ((i = 0; i < 1200; ++i)); do
    [[ -e "$ctl/$svc.$action.release" ]] && break
    sleep 0.05
  done
fi
if f="$(switch echo)" && [[ -n "$f" ]]; then
  for r in $(find . -maxdepth 1 -type f ! -name '*.sh' ! -name service.yaml | LC_ALL=C sort); do
    echo "--- $r"; cat "$r"; echo
  done
fi
if f="$(switch encode)" && [[ -n "$f" ]]; then
  for r in $(find . -maxdepth 1 -type f ! -name '*.sh' ! -name service.yaml | LC_ALL=C sort); do
    echo "--- $r base64: $(base64 -w0 < "$r")"
    echo "--- $r url: $(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read()))' "$r")"
  done
fi
if f="$(switch hang)" && [[ -n "$f" ]]; then
  trap '' TERM
  sleep 100000 &
  echo "$$ $(ps -o pgid= -p $$ | tr -d ' ') $!" > "$ctl/$svc.$action.pids"
  wait
  wait
fi
if f="$(switch env)" && [[ -n "$f" ]]; then
  for v in PAIPLAN_ACTION PAIPLAN_SERVICE PAIPLAN_WORKSPACE KUBECONFIG; do
    echo "$v=${!v-<unset>}"
  done > "$ctl/$svc.$action.envout"
fi
status=ok
if f="$(switch fail)" && [[ -n "$f" ]]; then status=fail; fi
if f="$(switch failtimes)" && [[ -n "$f" ]]; then
  count_file="$ctl/$svc.$action.count"
  n="$(cat "$count_file" 2>/dev/null || echo 0)"
  echo "$((n + 1))" > "$count_file"
  if ((n < $(cat "$f"))); then status=fail; fi
fi
echo "$svc $action $t0 $(date +%s%N) $cfg $$ $status" >> "$log"
echo "$svc: $action $status (config $cfg)"
[[ "$status" == ok ]]
