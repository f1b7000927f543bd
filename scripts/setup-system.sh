#!/usr/bin/env bash
# Install what openenv-mcp needs from the system: bubblewrap (the sandbox), Node.js (test clients),
# Chromium (the playground's browser tests drive Debian's build through Playwright: a browser
# download cannot work here) and uv (the installer). Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail

need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/lib/chromium/chromium ] || command -v chromium >/dev/null 2>&1 || need+=(chromium)
# Debian and Ubuntu refuse `pip install` into the system Python (PEP 668, "externally managed"):
# uv goes into a virtual environment of its own through pipx instead.
if ! command -v uv >/dev/null 2>&1 && ! command -v pipx >/dev/null 2>&1; then
    need+=(pipx)
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

if [ ${#need[@]} -eq 0 ]; then
    echo "system packages present: bwrap, node, npm, chromium"
else
    echo "installing: ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1; then
    # On the PATH of every user and of scripts run next (.ci/run), not only in ~/.local/bin.
    home="${PIPX_HOME:-/opt/pipx}" bin="${PIPX_BIN_DIR:-/usr/local/bin}"
    echo "installing uv with pipx into $home, linked from $bin"
    $sudo env PIPX_HOME="$home" PIPX_BIN_DIR="$bin" pipx install uv >/dev/null
    "$bin/uv" --version
fi
