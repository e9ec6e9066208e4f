#!/usr/bin/env bash
# The main job on the embedded defaults: a local Custom Cloud (state in .state/custom-cloud/) and Pulumi's
# file:// backend (.state/), then `pulumi up` of examples/server. Run it again: the second up changes nothing.
set -euo pipefail
: "${PROJECT_ROOT:?source scripts/env.sh first (make demo does)}"

cloud_dir="$PROJECT_ROOT/.state/custom-cloud"
port="${DEMO_CLOUD_PORT:-8787}"
stack="${DEMO_STACK:-demo}"

# The demo's servers live on the hosts its cloud was first started with: when those change (e.g. machine
# hosts became the default), its earlier state is set aside whole (stacks and cloud) and the demo starts afresh.
hosts_now="$(python -c 'import os; from provisioning.emulator.hosts import resolve_host_backend as r; print(r(os.environ.get("CUSTOM_CLOUD_HOSTS") or "auto")[0])')"
hosts_before="$(cat "$cloud_dir/host-backend" 2>/dev/null || true)"
# a cloud from before this record was kept ran the default of its day: hosts that are no longer made
if [ -z "$hosts_before" ] && [ -e "$cloud_dir/cloud.db" ]; then hosts_before=sandbox; fi
if [ -n "$hosts_before" ] && [ "$hosts_before" != "$hosts_now" ] && [ "$PULUMI_BACKEND_URL" = "file://$PROJECT_ROOT/.state" ]; then
    aside="$PROJECT_ROOT/.state.$hosts_before-hosts.$(date +%Y%m%d%H%M%S)"
    echo "==> demo: the demo's state was made on $hosts_before hosts and the cloud now runs $hosts_now hosts: moved to $aside, starting afresh"
    mv "$PROJECT_ROOT/.state" "$aside" && mkdir -p "$PROJECT_ROOT/.state"
fi
mkdir -p "$cloud_dir" && chmod 700 "$cloud_dir"
echo "$hosts_now" > "$cloud_dir/host-backend"

# The demo project's API key and admin token: made once, kept 0600, never printed.
secret_file() { [ -s "$1" ] || (umask 077; python -c 'import secrets; print(secrets.token_urlsafe(32))' >"$1"); cat "$1"; }
export CUSTOM_CLOUD_BOOTSTRAP_PROJECT=demo
CUSTOM_CLOUD_BOOTSTRAP_KEY="$(secret_file "$cloud_dir/api-key")"
CUSTOM_CLOUD_ADMIN_TOKEN="$(secret_file "$cloud_dir/admin-token")"
export CUSTOM_CLOUD_BOOTSTRAP_KEY CUSTOM_CLOUD_ADMIN_TOKEN

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: 127.0.0.1:$port is in use; set DEMO_CLOUD_PORT to a free port" >&2
    exit 1
fi
echo "==> demo: starting the local Custom Cloud on 127.0.0.1:$port (state: $cloud_dir/cloud.db)"
provisioning cloud serve --port "$port" --state "$cloud_dir/cloud.db" --boot-delay 1 >"$cloud_dir/serve.log" 2>&1 &
cloud_pid=$!
stop_cloud() { kill "$cloud_pid" 2>/dev/null && wait "$cloud_pid" 2>/dev/null || true; }
trap stop_cloud EXIT
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$cloud_pid" 2>/dev/null || { cat "$cloud_dir/serve.log" >&2; exit 1; }
    sleep 0.1
done

host_backend="$(curl -fsS -H "Authorization: Bearer $CUSTOM_CLOUD_ADMIN_TOKEN" "http://127.0.0.1:$port/admin/info" \
    | python -c 'import json,sys; print(json.load(sys.stdin)["host_backend"])')"
echo "==> demo: host backend: $host_backend"

# Selects the example's stack and points it at the local Custom Cloud.
use_example() {
    cd "$PROJECT_ROOT/examples/$1"
    pulumi stack select --create "$stack" --non-interactive >/dev/null
    pulumi config set custom-cloud:apiUrl "http://127.0.0.1:$port/v1" --stack "$stack" --non-interactive
    printf '%s' "$CUSTOM_CLOUD_BOOTSTRAP_KEY" | pulumi config set --secret custom-cloud:apiKey --stack "$stack" --non-interactive
}

use_example server
echo "==> demo: pulumi preview of examples/server (the dry run, with estimated costs)"
pulumi preview --stack "$stack" --non-interactive --diff | grep -E 'estimated_hourly_cost|^ *[+~-] |to (create|update|delete)' || true
echo "==> demo: pulumi up of examples/server"
pulumi up --yes --skip-preview --stack "$stack" --non-interactive

# the examples whose servers are reached over SSH: machine hosts only (record hosts have nothing to reach)
if [ "$host_backend" = machine ]; then
    key="$cloud_dir/demo-ssh-key"
    [ -f "$key" ] || ssh-keygen -q -t ed25519 -N '' -C provisioning-demo -f "$key"

    use_example ssh-servers
    pulumi config set ssh-servers:sshPublicKey "$(cat "$key.pub")" --stack "$stack" --non-interactive
    pulumi config set --secret ssh-servers:sshPrivateKey --stack "$stack" --non-interactive <"$key"
    echo "==> demo: pulumi up of examples/ssh-servers (real SSH into Debian 12 machines: a systemd unit on one, its client on the other)"
    pulumi up --yes --skip-preview --stack "$stack" --non-interactive
    echo "==> demo: the client read from the greeter over the private network: $(pulumi stack output greeting --stack "$stack")"

    use_example database
    pulumi config set database:sshPublicKey "$(cat "$key.pub")" --stack "$stack" --non-interactive
    pulumi config set --secret database:sshPrivateKey --stack "$stack" --non-interactive <"$key"
    # the postgres role's password: made once, kept 0600 beside the cloud's state, never printed
    printf %s "$(secret_file "$cloud_dir/database-password")" | pulumi config set --secret database:adminPassword --stack "$stack" --non-interactive
    echo "==> demo: pulumi up of examples/database (CustomDatabase: PostgreSQL configured over SSH)"
    pulumi up --yes --skip-preview --stack "$stack" --non-interactive
    echo "==> demo: the database's endpoint: $(pulumi stack output endpoint --stack "$stack")"
    echo "==> demo: provisioning status (its health checks, run again now over SSH)"
    provisioning status "$stack" --cwd "$PROJECT_ROOT/examples/database"

    use_example web-stack
    pulumi config set sshPublicKey "$(cat "$key.pub")" --stack "$stack" --non-interactive
    pulumi config set --secret sshPrivateKey --stack "$stack" --non-interactive <"$key"
    # the app's database password: made once, kept 0600 beside the cloud's state, never printed
    printf %s "$(secret_file "$cloud_dir/web-stack-password")" | pulumi config set --secret databasePassword --stack "$stack" --non-interactive
    # a small web stack: web 2, app 2, a database with a streaming replica, monitoring, in 10.0.0.0/16
    for setting in app_name=shop web_tier.replicas=2 app_tier.replicas=2 app_tier.auto_scaling.min_replicas=2 \
        database_tier.high_availability=true monitoring.enabled=true network.vpc_cidr=10.0.0.0/16; do
        pulumi config set --path "cluster.${setting%%=*}" "${setting#*=}" --stack "$stack" --non-interactive
    done
    echo "==> demo: pulumi up of examples/web-stack (load balancer, web and app servers, replicated database, monitoring)"
    pulumi up --yes --skip-preview --stack "$stack" --non-interactive
    web="$(pulumi stack output endpoints --json --stack "$stack" | python -c 'import json,sys; print(json.load(sys.stdin)["web"])')"
    echo "==> demo: the web endpoint (the load balancer): $web"
    echo "==> demo: provisioning status (each tier's health checks, run again now over SSH)"
    provisioning status "$stack" --cwd "$PROJECT_ROOT/examples/web-stack"
    echo "==> demo: requests through the load balancer reach the app servers, which write a visit to the database and count them"
    for _ in 1 2 3 4; do
        curl -ksS --max-time 10 "$web/" | grep -o 'id="[a-z]*">[^<]*' | sed 's/id="\([a-z]*\)">/\1 /' | paste -sd, - | sed 's/^/  /; s/,/, /g'
    done
fi

echo "==> demo: the servers as the Custom Cloud API sees them"
python - "http://127.0.0.1:$port/v1" <<'PY'
import os, sys
import httpx
headers = {"Authorization": f"Bearer {os.environ['CUSTOM_CLOUD_BOOTSTRAP_KEY']}"}
for server in httpx.get(f"{sys.argv[1]}/instances", headers=headers).json()["items"]:
    ssh = f"ssh {server['ssh_host']}:{server['ssh_port']}" if server.get("ssh_host") else "no ssh (record hosts)"
    print(f"  {server['name']:<12} {server['status']:<8} {server['machine_type']:<7} {server['zone']:<11} "
          f"private {server['private_ip']:<11} public {server['public_ip'] or '-':<12} "
          f"${server['hourly_cost']}/h  {ssh}")
PY
echo "==> demo: done. State: $PULUMI_BACKEND_URL and $cloud_dir. Again: make demo (no changes);"
echo "    by hand: source scripts/env.sh; provisioning cloud serve --state $cloud_dir/cloud.db & cd examples/server; pulumi destroy"
