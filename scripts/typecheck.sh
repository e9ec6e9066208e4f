#!/usr/bin/env bash
# mypy (strict) on the package as users import it. The editable install maps sdk/, providers/, … onto
# provisioning.* through an import hook that mypy does not follow, so mypy reads a tree of links instead.
set -euo pipefail
: "${PROJECT_ROOT:?source scripts/env.sh first}"
tree="$TOOLS/typecheck/provisioning"
rm -rf "$TOOLS/typecheck" && mkdir -p "$tree"
ln -s "$PROJECT_ROOT"/src/provisioning/* "$tree/"
for folder in sdk providers components policies emulator; do
    ln -s "$PROJECT_ROOT/$folder" "$tree/$folder"
done
cd "$TOOLS/typecheck" && mypy --config-file "$PROJECT_ROOT/pyproject.toml" -p provisioning
