#!/usr/bin/env bash
# Installs everything paiplan needs to build, test and run its demos on a
# Debian 12 machine (as root, or through sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libyaml-cpp-dev libyaml-dev nlohmann-json3-dev libssh-dev libcurl4-openssl-dev libssl-dev liblmdb-dev \
  libcli11-dev libboost-graph-dev libgtest-dev libgmock-dev libvalijson-dev \
  openssh-server openssh-client openssl curl etcd-server etcd-client \
  python3 python3-jinja2 python3-yaml shellcheck graphviz procps util-linux bsdutils iproute2 time ccache
# kubectl cross-checks the Kubernetes API test server; Debian's package is
# kubernetes-client when the machine has no kubectl of its own.
command -v kubectl >/dev/null 2>&1 || $SUDO apt-get install -y --no-install-recommends kubernetes-client || \
  echo "WARNING: kubectl could not be installed: the kubectl cross-check of the API test server will be skipped" >&2
# The HTML plan page is tested in a real browser (tests/review/browser_test.mjs):
# Debian's chromium, driven over the DevTools pipe by node (Debian's nodejs when
# the machine has no node of its own). No browser is downloaded by any test.
$SUDO apt-get install -y --no-install-recommends chromium
command -v node >/dev/null 2>&1 || $SUDO apt-get install -y --no-install-recommends nodejs
# Fuzzing and the sanitizer build (tests/fuzz/run.sh, tests/sanitizers.sh): libFuzzer
# comes with clang; clang 16 is the first whose C++23 mode takes libstdc++ 12's
# std::expected (see tests/fuzz/README.md).
$SUDO apt-get install -y --no-install-recommends clang-16 libclang-rt-16-dev
