#!/usr/bin/env bash
# `make policy`: `pulumi preview --policy-pack` of every example against a local Custom Cloud (record hosts),
# each in a scratch copy with its own file:// state, so the repository is left as it was. Fails if any does.
set -euo pipefail
: "${PROJECT_ROOT:?source scripts/env.sh first (make policy does)}"

scratch="$(mktemp -d)"
cloud_pid=""
cleanup() {
    if [ -n "$cloud_pid" ]; then kill "$cloud_pid" 2>/dev/null || true; wait "$cloud_pid" 2>/dev/null || true; fi
    rm -rf "$scratch"
}
trap cleanup EXIT

provisioning cloud serve --port 0 --hosts record --lifecycle immediate --state "$scratch/cloud.db" \
    >"$scratch/serve.log" 2>&1 &
cloud_pid=$!
url=""
for _ in $(seq 200); do
    url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/v1' "$scratch/serve.log" || true)"
    [ -n "$url" ] && break
    kill -0 "$cloud_pid" 2>/dev/null || { cat "$scratch/serve.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$url" ] || { echo "policy: the local Custom Cloud did not start" >&2; exit 1; }
key="$(provisioning cloud key --state "$scratch/cloud.db")"
ssh-keygen -q -t ed25519 -N '' -C policy-check -f "$scratch/ssh-key"
pack="$(provisioning policy path)"
export PULUMI_BACKEND_URL="file://$scratch/state" PULUMI_CONFIG_PASSPHRASE=policy-check-only
mkdir -p "$scratch/state"

failed=()
for example in "$PROJECT_ROOT"/examples/*/; do
    name="$(basename "$example")"
    project="$(sed -n 's/^name: *//p' "$example/Pulumi.yaml" | head -1)"
    work="$scratch/examples/$name"
    mkdir -p "$work" && cp -r "$example". "$work/" && rm -f "$work"/Pulumi.*.yaml
    (
        cd "$work"
        pulumi stack init policy --non-interactive >/dev/null
        pulumi config set custom-cloud:apiUrl "$url"
        printf '%s' "$key" | pulumi config set --secret custom-cloud:apiKey
        # What the examples require of their users: an SSH key pair, passwords and tokens.
        pulumi config set "$project:sshPublicKey" "$(cat "$scratch/ssh-key.pub")"
        pulumi config set --secret "$project:sshPrivateKey" <"$scratch/ssh-key"
        pulumi config set --secret "$project:adminPassword" "policy-check-$RANDOM$RANDOM"
        pulumi config set --secret "$project:token" "policy-check-$RANDOM$RANDOM"
        pulumi config set --secret "$project:databasePassword" "policy-check-$RANDOM$RANDOM"
        # a cluster's config object (examples/web-stack): its required fields
        if [ -f "$work/__main__.py" ] && grep -q 'require_object("cluster")' "$work/__main__.py"; then
            pulumi config set --path "$project:cluster.app_name" policy
        fi
        # a TypeScript example (docs/typescript.md): a venv with provisioning (made once) that its Pulumi.yaml
        # points at, its npm packages, the component package added; its cluster object is camelCase
        if [ -f "$work/package.json" ]; then
            provisioning package setup --venv "$scratch/package-venv" --project .
            npm install --no-audit --no-fund --prefer-offline
            pulumi package add "$("$scratch/package-venv/bin/python" -c \
                'import provisioning.components.package as p; print(p.plugin_dir())')" --non-interactive
            pulumi config set --path "$project:cluster.appName" policy
        fi
    ) >"$work/setup.log" 2>&1 || { cat "$work/setup.log" >&2; exit 1; }
    echo "==> policy: pulumi preview --policy-pack of examples/$name"
    if ! (cd "$work" && pulumi preview --non-interactive --policy-pack "$pack" >"$work/preview.log" 2>&1); then
        cat "$work/preview.log"
        failed+=("$name")
    else
        grep -E '^ *(Policies|✅|❌|- \[)' "$work/preview.log" || true
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "policy: the pack refused examples: ${failed[*]}" >&2
    exit 1
fi
echo "==> policy: every example passes the pack"
