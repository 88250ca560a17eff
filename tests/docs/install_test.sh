#!/usr/bin/env bash
# `cmake --install` to a temporary prefix, the prefix moved elsewhere, then
# the installed binary run with the source and build trees hidden (a tmpfs
# over each, in a private mount namespace): it finds its catalogue relative
# to itself, PAIPLAN_HOME overrides it, --version says where it looks.
# usage: install_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src="$1" build="$2"
tmp="$(mktemp -d /tmp/paiplan-install-test.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "cmake --install"; }
for f in bin/paiplan share/paiplan/services/_roles/worker/bootstrap.sh share/paiplan/services/grafana/deploy/service.yaml \
         share/paiplan/schemas/layout.schema.json share/doc/paiplan/docs/install.md; do
  [ -e "$tmp/prefix/$f" ] || fail "not installed: PREFIX/$f"
done
mv "$tmp/prefix" "$tmp/moved"                       # relocatable: bin and share move together
cp -r "$src/examples/local" "$tmp/ws"               # a workspace that does not live in the sources
rm -rf "$tmp/ws/roles/master"                        # the master machine gets the built-in role package
printf 'kubernetes: {enabled: false}\n' >> "$tmp/ws/paiplan.yaml"
mkdir -p "$tmp/home"
cp -r "$tmp/moved/share/paiplan" "$tmp/home/"

# In a private mount namespace, hide the trees the binary came from.
unshare -m --propagation private bash -s "$src" "$build" "$tmp" <<'INNER'
set -euo pipefail
src="$1" build="$2" tmp="$3"
fail() { echo "FAIL: $*" >&2; exit 1; }
mount -t tmpfs none "$src"
[ "$build" = "${build#"$src"/}" ] && mount -t tmpfs none "$build"
[ ! -e "$src/services" ] || fail "the source tree is still visible"
bin="$tmp/moved/bin/paiplan"
out="$("$bin" --version)"
echo "$out"
[ "$(echo "$out" | head -1 | cut -d' ' -f1)" = paiplan ] || fail "--version does not start with 'paiplan <version>'"
echo "$out" | grep -qx "home $tmp/moved/share/paiplan (from the binary's location)" || fail "--version: wrong home"
"$bin" -C "$tmp/ws" --no-color validate || fail "validate with the installed catalogue"
"$bin" -C "$tmp/ws" --no-color plan > "$tmp/plan.txt" || { cat "$tmp/plan.txt"; fail "plan with the installed catalogue"; }
grep -q "node.local-master" "$tmp/plan.txt" || { cat "$tmp/plan.txt"; fail "the master is not planned"; }
# PAIPLAN_HOME wins; an empty home has no catalogue, so the master has no role package.
mkdir -p "$tmp/empty/services"
PAIPLAN_HOME="$tmp/home/paiplan" "$bin" --version | grep -qx "home $tmp/home/paiplan (from PAIPLAN_HOME)" || fail "PAIPLAN_HOME ignored"
PAIPLAN_HOME="$tmp/home/paiplan" "$bin" -C "$tmp/ws" validate > /dev/null || fail "validate with PAIPLAN_HOME"
if PAIPLAN_HOME="$tmp/empty" "$bin" -C "$tmp/ws" validate > "$tmp/empty.txt" 2>&1; then
  cat "$tmp/empty.txt"; fail "PAIPLAN_HOME without a catalogue still found the built-in master role"
fi
grep -q "k8s-role 'master' has no role package" "$tmp/empty.txt" || { cat "$tmp/empty.txt"; fail "wrong error"; }
echo "installed binary OK without the source tree"
INNER
