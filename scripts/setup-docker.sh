#!/usr/bin/env bash
# Make a Docker engine usable for the container tests: install docker.io and debootstrap,
# start dockerd if it is not answering, and build the local base image (no registry is
# reachable here, so nothing can be pulled). Idempotent: each step is skipped when done.
# Needs root (or sudo) for the parts that are missing.
set -euo pipefail

BASE_IMAGE="${OPENENV_MCP_BASE_IMAGE:-openenv-mcp-base:bookworm}"
SUITE="${OPENENV_MCP_BASE_SUITE:-bookworm}"
DOCKERD_LOG="${DOCKERD_LOG:-/var/log/openenv-mcp-dockerd.log}"
WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-60}"

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

log() { printf 'setup-docker: %s\n' "$*"; }

install_packages() {
    local need=()
    command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
    command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
    if [ ${#need[@]} -eq 0 ]; then
        log "packages present: dockerd, debootstrap"
        return
    fi
    log "installing: ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

start_engine() {
    if docker info >/dev/null 2>&1; then
        log "engine already running"
        return
    fi
    log "starting dockerd (log: $DOCKERD_LOG)"
    $sudo sh -c "nohup dockerd >'$DOCKERD_LOG' 2>&1 &"
    local waited=0
    until docker info >/dev/null 2>&1; do
        if [ "$waited" -ge "$WAIT_SECONDS" ]; then
            log "dockerd did not answer within ${WAIT_SECONDS}s; last log lines:"
            tail -n 20 "$DOCKERD_LOG" >&2 || true
            exit 1
        fi
        sleep 1
        waited=$((waited + 1))
    done
    log "engine up after ${waited}s"
}

# The Debian mirror this machine's apt already uses: deb822 `.sources` first, then sources.list.
debian_mirror() {
    local file uri
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        uri=$(awk -v suite="$SUITE" '
            /^[[:space:]]*$/ { if (u != "" && s) { print u; exit } u = ""; s = 0; next }
            /^URIs:/ { u = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) s = 1 }
            END { if (u != "" && s) print u }
        ' "$file" | head -n 1)
        if [ -n "$uri" ]; then
            echo "$uri"
            return
        fi
    done
    if [ -f /etc/apt/sources.list ]; then
        uri=$(awk -v suite="$SUITE" '
            $1 == "deb" { i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == suite) { print $i; exit } }
        ' /etc/apt/sources.list)
        if [ -n "$uri" ]; then
            echo "$uri"
            return
        fi
    fi
    log "no apt source for suite '$SUITE' found in /etc/apt" >&2
    return 1
}

build_base_image() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        log "base image $BASE_IMAGE present"
        return
    fi
    local mirror root
    mirror=$(debian_mirror)
    root=$(mktemp -d /tmp/openenv-mcp-rootfs.XXXXXX)
    trap '$sudo rm -rf "$root"' RETURN
    log "debootstrap $SUITE from $mirror (about a minute)"
    $sudo debootstrap --variant=minbase --include=python3,python3-venv "$SUITE" "$root" "$mirror" >/dev/null
    $sudo rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    $sudo tar -C "$root" -c . | docker import - "$BASE_IMAGE" >/dev/null
    log "built $BASE_IMAGE"
}

install_packages
start_engine
build_base_image
