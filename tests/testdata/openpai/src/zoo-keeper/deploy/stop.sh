#!/bin/bash
rm -f "$PAIPLAN_WORKSPACE/zoo-keeper.started"
