#!/usr/bin/env bash
# Run the sandbox tests as an unprivileged user, so that the non-root path of every layer is
# proven too (CI runs the whole suite as root first). Needs root: it creates the user
# (default openenv-ci), copies the checkout to a folder that user owns, builds a venv there
# on the system interpreter (root's own may sit in a private folder) from the lock file and
# uv's cache, and runs `pytest -m "sandbox and not root"` as that user. The `root` tests prove
# layers only root can give (a dedicated uid, cgroups, the workspace quota); as another user
# those layers are reported missing, which the layer-report tests check.
# Arguments, if any, replace the default test paths (e.g. `tests/sandbox -x`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -gt 0 ]; then
    TARGETS="$*"
else
    TARGETS="tests/sandbox environments/python environments/terminal tests/test_cli.py"
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "test-unprivileged: run me as root (I create the user and drop to it)" >&2
    exit 2
fi
USER_NAME="${OPENENV_MCP_CI_USER:-openenv-ci}"
PYTHON="${OPENENV_MCP_CI_PYTHON:-/usr/bin/python3}"
if [ ! -x "$PYTHON" ]; then
    echo "test-unprivileged: no $PYTHON for the unprivileged venv; set OPENENV_MCP_CI_PYTHON" >&2
    exit 2
fi
id -u "$USER_NAME" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$USER_NAME"

WORK="$(mktemp -d /tmp/openenv-unprivileged-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
# The checkout's tracked and untracked-but-not-ignored files, as CI and the device runner see them.
git ls-files -z --cached --others --exclude-standard | tar --null -T - -c | tar -C "$WORK" -x
ln -s "$PWD/tests/node/node_modules" "$WORK/tests/node/node_modules" 2>/dev/null || true
(cd "$WORK" && UV_PROJECT_ENVIRONMENT="$WORK/.venv" uv sync --locked --quiet --python "$PYTHON")
chown -R "$USER_NAME:" "$WORK"

echo "test-unprivileged: the sandbox tests as $USER_NAME (uid $(id -u "$USER_NAME")) in $WORK"
setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --init-groups --reset-env \
    env HOME="$WORK" PATH="$WORK/.venv/bin:/usr/bin:/bin" CI="${CI:-}" \
    sh -c "cd '$WORK' && ${OPENENV_MCP_CI_COMMAND:-python -m pytest -m 'sandbox and not root' -p no:cacheprovider} $TARGETS"
