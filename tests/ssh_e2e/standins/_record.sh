#!/usr/bin/env bash
# Sourced by every stand-in: records the call. Not a program.
: "${STANDIN_CLUSTER:?the test sets STANDIN_CLUSTER}"
standin_root="${PAIPLAN_NODE_ROOT:?the test sets PAIPLAN_NODE_ROOT}"
standin_name="$(basename "$0")"
echo "${PAIPLAN_HOSTNAME:-?} $standin_name $*" >> "$STANDIN_CLUSTER/calls.log"
standin_now() { cat "$STANDIN_CLUSTER/clock"; }
