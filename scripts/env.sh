# The project's environment: every Make target and test uses it; `source scripts/env.sh` to run
# `pulumi` by hand in examples/*. Values already set in the environment win.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
export PROJECT_ROOT

# The pinned toolchain (CLI, Python language host, `pulumi` package); see scripts/toolchain.sh.
export PULUMI_VERSION="v3.259.0"
export TOOLS="${TOOLS:-$PROJECT_ROOT/.tools}"
export THIRD_PARTY="${THIRD_PARTY:-$PROJECT_ROOT/../shared/third_party}"
export VENV="${VENV:-$PROJECT_ROOT/.venv}"
export PYTHON="$VENV/bin/python"
export PULUMI_HOME="${PULUMI_HOME:-$TOOLS/pulumi-home}"
export PROVISIONING_LOG_DIR="${PROVISIONING_LOG_DIR:-$TOOLS/logs}"
case ":$PATH:" in
    *":$TOOLS/bin:"*) ;;
    *) export PATH="$TOOLS/bin:$VENV/bin:$PATH" ;;
esac

# State: Pulumi's DIY backend in a git-ignored folder of the project (no login, no cloud account).
# Teams point PULUMI_BACKEND_URL at postgres://… or a bucket instead.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PROJECT_ROOT/.state}"
mkdir -p "$PROJECT_ROOT/.state"

# DEV ONLY: a well-known passphrase for the local secrets provider, so that demos and tests run unattended.
# It protects nothing. Set PULUMI_CONFIG_PASSPHRASE (or use a real secrets provider) for anything you keep.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-dev-only-not-a-secret}"

# No update checks (they carry the CLI's telemetry), no plugin downloads, no interactive prompts.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_SELF_MANAGED_STATE_NO_LEGACY_WARNING=true
export PULUMI_SKIP_CONFIRMATIONS=true

# Parallelism: the engine runs at most --parallel resource operations at once, by default 4 × CPUs (8 on two
# CPUs), so a fleet of servers boots in waves of 8. PULUMI_PARALLEL is that default for up, preview, refresh
# and destroy; 64 unless already set (`pulumi up --parallel N` still wins).
export PULUMI_PARALLEL="${PULUMI_PARALLEL:-64}"
