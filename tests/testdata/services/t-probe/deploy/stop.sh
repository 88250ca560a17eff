#!/usr/bin/env bash
# Test service script: records the call (see ../../_lib/record.sh).
exec /bin/bash "$PAIPLAN_WORKSPACE/testlib/record.sh" stop
