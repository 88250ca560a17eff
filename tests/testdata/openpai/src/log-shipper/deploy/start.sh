#!/bin/bash
echo shipping > "$PAIPLAN_WORKSPACE/log-shipper.started"
