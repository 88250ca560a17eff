#!/bin/bash
set -e
grep -q uri= portal.conf
echo started > "$PAIPLAN_WORKSPACE/web-portal.started"
