#!/bin/bash
rm -f "$PAIPLAN_WORKSPACE/web-portal.started"
