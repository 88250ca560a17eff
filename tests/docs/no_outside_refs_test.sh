#!/usr/bin/env bash
# Nothing in the repository may refer to files outside it: no "../shared",
# no paths of the machine it was written on, no DESIGN.md (a file this
# repository does not have; user-facing contracts live in docs/).
# usage: no_outside_refs_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  files() { git ls-files --cached --others --exclude-standard; }
else
  files() { find . -path ./build -prune -o -path ./.git -prune -o -type f -print | sed 's|^\./||'; }
fi
self=tests/docs/no_outside_refs_test.sh
pattern='\.\./shared|/work/(shared|main|wt)\b|DESIGN\.md'
hits=$(files | grep -v -x -e "$self" -e 'build/.*' | while read -r f; do
  [ -f "$f" ] && grep -InHE "$pattern" -- "$f" || true
done)
if [ -n "$hits" ]; then
  echo "references to files outside the repository (point to docs/ instead):"
  echo "$hits"
  exit 1
fi
[ -f docs/workspace.md ] || { echo "docs/workspace.md is missing"; exit 1; }
echo "no outside references"
