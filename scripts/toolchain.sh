#!/usr/bin/env bash
# Installs the pinned Pulumi toolchain into $TOOLS (CLI, Python and Node.js language hosts, shims, command
# plugin). The Node.js host runs TypeScript programs that add the component package (docs/typescript.md).
#
# Order: (1) a pinned `pulumi` already on PATH, (2) the official release archive, (3) a Go build from the
# module proxy (CLI) and from the unmodified upstream sources in $THIRD_PARTY (language host, command plugin).
# Idempotent: once $TOOLS holds the pinned pieces it returns in well under a second.
set -euo pipefail

: "${TOOLS:?TOOLS must be set (scripts/env.sh sets it)}"
: "${PULUMI_VERSION:?}"
: "${THIRD_PARTY:?}"
: "${PYTHON:?PYTHON, the venv python, must be set}"
TOOLCHAIN_DOWNLOAD="${TOOLCHAIN_DOWNLOAD:-auto}"
PULUMI_RELEASE_URL="${PULUMI_RELEASE_URL:-https://get.pulumi.com/releases/sdk/pulumi-${PULUMI_VERSION}-linux-x64.tar.gz}"

BIN="$TOOLS/bin"
BUILD="$TOOLS/build"
mkdir -p "$BIN" "$BUILD" "$PULUMI_HOME"

say() { printf '==> toolchain: %s\n' "$*"; }
fail() { printf 'toolchain: error: %s\n' "$*" >&2; exit 1; }

command_plugin_version() {
    "$PYTHON" - <<'PY'
import importlib.resources, json
meta = importlib.resources.files("pulumi_command").joinpath("pulumi-plugin.json").read_text()
print(json.loads(meta)["version"])
PY
}

cli_ok() { [ -x "$BIN/pulumi" ] && [ "$("$BIN/pulumi" version 2>/dev/null)" = "$PULUMI_VERSION" ]; }
language_host_ok() {
    [ -x "$BIN/pulumi-language-python" ] && [ -x "$BIN/pulumi-language-python-exec" ] \
        && [ -x "$BIN/pulumi-resource-pulumi-python" ]
}
nodejs_host_ok() { [ -x "$BIN/pulumi-language-nodejs" ] && [ "$("$BIN/pulumi-language-nodejs" --version 2>/dev/null)" = "$PULUMI_VERSION" ]; }
plugin_ok() { [ -d "$PULUMI_HOME/plugins/resource-command-v$1" ] && [ -f "$PULUMI_HOME/plugins/resource-command-v$1.lock" ]; }

from_path() {
    local found dir search_path
    search_path="${PATH//$BIN:/}"
    found="$(PATH="$search_path" command -v pulumi || true)"
    [ -n "$found" ] || return 1
    [ "$("$found" version 2>/dev/null)" = "$PULUMI_VERSION" ] || { say "pulumi on PATH ($found) is not $PULUMI_VERSION"; return 1; }
    dir="$(dirname "$found")"
    for piece in pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python; do
        [ -x "$dir/$piece" ] || { say "pulumi on PATH lacks $piece"; return 1; }
        ln -sf "$dir/$piece" "$BIN/$piece"
    done
    if [ -x "$dir/pulumi-language-nodejs" ]; then ln -sf "$dir/pulumi-language-nodejs" "$BIN/pulumi-language-nodejs"; fi
    say "using pulumi $PULUMI_VERSION from $dir"
}

download_wanted() {
    case "$TOOLCHAIN_DOWNLOAD" in
        1|yes|true) return 0 ;;
        0|no|false) return 1 ;;
        # auto: a machine that keeps the third-party sources is one without internet: build there, and
        # never send a request off the machine.
        auto) ! { command -v go >/dev/null && [ -d "$THIRD_PARTY/pulumi-language-python" ]; } ;;
        *) fail "TOOLCHAIN_DOWNLOAD must be auto, yes or no (got '$TOOLCHAIN_DOWNLOAD')" ;;
    esac
}

from_release_archive() {
    download_wanted || return 1
    command -v curl >/dev/null || { say "curl is missing: skipping the release archive"; return 1; }
    say "downloading the release archive $PULUMI_RELEASE_URL"
    local tmp; tmp="$(mktemp -d)"
    if ! curl -fsSL --connect-timeout 10 --max-time 300 "$PULUMI_RELEASE_URL" | tar -xz -C "$tmp"; then
        rm -rf "$tmp"; say "the release archive could not be downloaded"; return 1
    fi
    cp "$tmp"/pulumi/* "$BIN/"
    rm -rf "$tmp"
}

go_env_check() {
    command -v go >/dev/null || fail "Go is not installed: install Go >= 1.25 (e.g. apt-get install golang-go, or the official archive) and run make setup again"
    [ -f "$THIRD_PARTY/pulumi-language-python/main.go" ] \
        || fail "the Python language host sources are missing at $THIRD_PARTY/pulumi-language-python (set THIRD_PARTY=...)"
    [ -f "$THIRD_PARTY/pulumi-command-provider/go.mod" ] \
        || fail "the command plugin sources are missing at $THIRD_PARTY/pulumi-command-provider (set THIRD_PARTY=...)"
}

version_ldflags() { printf -- '-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=%s' "$PULUMI_VERSION"; }

# Builds the sources in $1 from a scratch copy (Go writes into the module folder it builds in).
scratch_copy() {
    local src="$1" dst="$BUILD/$2"
    rm -rf "$dst"; mkdir -p "$dst"
    cp -R "$src"/. "$dst"/
    chmod -R u+w "$dst"
    printf '%s' "$dst"
}

build_cli() {
    local dir="$BUILD/cli"
    mkdir -p "$dir"
    cat >"$dir/go.mod" <<GOMOD
module local/pulumi-cli

go 1.25

replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
GOMOD
    say "building the pulumi CLI $PULUMI_VERSION with Go (about 7 minutes the first time on 2 cores)"
    (cd "$dir" && go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
        && go build -ldflags "$(version_ldflags)" -o "$BIN/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) \
        || fail "the Go build of the pulumi CLI failed (see above)"
}

build_language_host() {
    local dir sdk_dir
    dir="$(scratch_copy "$THIRD_PARTY/pulumi-language-python" language-python)"
    say "building pulumi-language-python from $THIRD_PARTY/pulumi-language-python"
    (cd "$dir" && go build -ldflags "$(version_ldflags)" -o "$BIN/pulumi-language-python" .) \
        || fail "the Go build of pulumi-language-python failed (see above)"
    sdk_dir="$(cd "$BUILD" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
        | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')" \
        || fail "could not download the sdk/v3 module for the shim scripts"
    cp "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$sdk_dir/python/cmd/pulumi-language-python-exec" "$BIN/"
    chmod u+w,+x "$BIN/pulumi-resource-pulumi-python" "$BIN/pulumi-language-python-exec"
}

# The Node.js language host: from the release archive or the pulumi on PATH when they brought it, else built
# from the unmodified sources in $THIRD_PARTY (8 s with the CLI's Go build cache warm). Only programs in
# TypeScript/JavaScript need it: where it cannot be had, setup says so and goes on (Python programs work).
install_nodejs_host() {
    nodejs_host_ok && return 0
    if ! command -v go >/dev/null || [ ! -f "$THIRD_PARTY/pulumi-language-nodejs/main.go" ]; then
        say "warning: no pulumi-language-nodejs $PULUMI_VERSION: TypeScript programs (docs/typescript.md) will not run;"
        say "  it needs Go >= 1.25 (e.g. apt-get install golang-go) and the sources at $THIRD_PARTY/pulumi-language-nodejs"
        return 0
    fi
    local dir
    dir="$(scratch_copy "$THIRD_PARTY/pulumi-language-nodejs" language-nodejs)"
    say "building pulumi-language-nodejs from $THIRD_PARTY/pulumi-language-nodejs"
    (cd "$dir" && go build -ldflags "$(version_ldflags)" -o "$BIN/pulumi-language-nodejs" .) \
        || fail "the Go build of pulumi-language-nodejs failed (see above)"
    nodejs_host_ok || fail "$BIN/pulumi-language-nodejs does not report $PULUMI_VERSION"
}

install_command_plugin() {
    local version="$1" dir
    if ! plugin_ok "$version"; then
        if download_wanted && ! command -v go >/dev/null; then
            "$BIN/pulumi" plugin install resource command "$version"
        else
            go_env_check
            dir="$(scratch_copy "$THIRD_PARTY/pulumi-command-provider" command-provider)"
            say "building pulumi-resource-command $version from $THIRD_PARTY/pulumi-command-provider"
            (cd "$dir" && go build -ldflags "-X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$version" \
                -o "$BUILD/pulumi-resource-command" ./cmd/pulumi-resource-command) \
                || fail "the Go build of pulumi-resource-command failed (see above)"
            "$BIN/pulumi" plugin install resource command "$version" --file "$BUILD/pulumi-resource-command" >/dev/null
        fi
    fi
    plugin_ok "$version" || fail "the command plugin $version is not installed in $PULUMI_HOME"
}

main() {
    local plugin_version
    plugin_version="$(command_plugin_version)"
    if cli_ok && language_host_ok && nodejs_host_ok && plugin_ok "$plugin_version"; then
        say "pulumi $PULUMI_VERSION, its Python and Node.js language hosts and command plugin $plugin_version are in $TOOLS"
        return 0
    fi
    if ! { cli_ok && language_host_ok; }; then
        from_path || from_release_archive || {
            go_env_check
            cli_ok || build_cli
            language_host_ok || build_language_host
        }
    fi
    cli_ok || fail "$BIN/pulumi does not report $PULUMI_VERSION"
    install_nodejs_host
    install_command_plugin "$plugin_version"
    say "ready: $("$BIN/pulumi" version) in $BIN, command plugin $plugin_version"
}

main "$@"
