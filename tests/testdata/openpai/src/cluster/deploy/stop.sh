#!/bin/bash
rm -f "$PAIPLAN_WORKSPACE/cluster.started"
