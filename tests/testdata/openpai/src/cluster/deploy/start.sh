#!/bin/bash
set -e
grep -q CLUSTER_ID= cluster.env
echo "cluster started" > "$PAIPLAN_WORKSPACE/cluster.started"
