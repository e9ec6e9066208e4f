#!/usr/bin/env bash
# The main job on the embedded defaults: file:// state under .state/, dev-only passphrase.
set -euo pipefail
: "${PROJECT_ROOT:?source scripts/env.sh first (make demo does)}"
cd "$PROJECT_ROOT/examples/hello"
stack="${DEMO_STACK:-demo}"
pulumi stack select --create "$stack" --non-interactive >/dev/null
pulumi config get token --stack "$stack" >/dev/null 2>&1 \
    || pulumi config set --secret token "$(head -c 18 /dev/urandom | base64)" --stack "$stack" --non-interactive
pulumi config set outDir "$PROJECT_ROOT/.state/demo-out" --stack "$stack" --non-interactive
pulumi up --yes --stack "$stack" --non-interactive
echo "==> demo: state in $PULUMI_BACKEND_URL; run 'source scripts/env.sh; cd examples/hello; pulumi stack output' to look"
