#!/usr/bin/env bash
# Test status probe: notes how it was run, then records the call (see
# ../../_lib/record.sh); control/t-probe.status.fail makes it fail.
echo "${PAIPLAN_ACTION:-unset} $PWD" >> "$PAIPLAN_WORKSPACE/probe.env"
exec /bin/bash "$PAIPLAN_WORKSPACE/testlib/record.sh" status
