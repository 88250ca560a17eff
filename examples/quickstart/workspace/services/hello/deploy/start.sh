#!/usr/bin/env bash
# An echo-only service: prints its rendered message.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
cat hello.txt; echo
