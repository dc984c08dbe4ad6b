#!/usr/bin/env bash
# Creates the Python environment of rxrl's Gymnasium bridge (`make('gymnasium:ID')`):
#
#   npm run setup:bridge            # .venv-bridge/ in rxrl's folder
#   bash scripts/setup-bridge.sh DIR  # a venv elsewhere (then set RXRL_PYTHON=DIR/bin/python)
#
# It makes a virtual environment with python3's venv module and installs the pinned packages
# below into it, so the bridge never depends on what someone installed by hand. rxrl finds
# `.venv-bridge/bin/python` by itself (after --python / $RXRL_PYTHON).
#
# Offline machines: pip reads the local wheel store configured in pip.conf by itself; it first
# tries the unreachable public index, which `--retries 0 --timeout 5` keeps short.
#
# Idempotent: a venv that already imports the pinned versions is left alone (a second run takes
# about a second). Environment: RXRL_BRIDGE_PYTHON (the python3 that creates the venv, default
# python3), RXRL_BRIDGE_PACKAGES (pip requirement specifiers, default below).
set -euo pipefail

die() {
  printf '\nsetup:bridge FAILED: %s\n' "$*" >&2
  exit 1
}

cd "$(dirname "$0")/.."
VENV=${1:-.venv-bridge}
PYTHON=${RXRL_BRIDGE_PYTHON:-python3}
# gymnasium[mujoco] brings mujoco, imageio and packaging, which the MuJoCo envs import;
# [classic-control] brings pygame, which draws the classic envs' rgb_array frames; h5py writes
# D4RL-layout HDF5 files in the dataset tests.
PACKAGES=${RXRL_BRIDGE_PACKAGES:-"gymnasium[classic-control,mujoco]==1.3.0 mujoco==3.14.0 numpy h5py"}
START=$(date +%s)

command -v "$PYTHON" >/dev/null || die "'$PYTHON' is not on PATH (Debian: apt-get install -y python3 python3-venv), or set RXRL_BRIDGE_PYTHON"

check() {
  "$VENV/bin/python" - <<'EOF'
import sys
import gymnasium, numpy
try:
    import os
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    pg = pygame.version.ver
except ImportError:
    pg = "not installed"
try:
    import h5py
    h5 = h5py.__version__
except ImportError:
    h5 = "not installed"
try:
    import mujoco
    mj = mujoco.__version__
except ImportError:
    mj = "not installed"
print(f"python {sys.version.split()[0]}, gymnasium {gymnasium.__version__}, mujoco {mj}, pygame {pg}, h5py {h5}, numpy {numpy.__version__}")
gymnasium.make("CartPole-v1").reset(seed=0)
EOF
}

# Up to date when it imports the pinned gymnasium (and mujoco, pygame and h5py, when the default packages are wanted).
if [ -x "$VENV/bin/python" ] && out=$(check 2>/dev/null) && [[ "$out" == *"gymnasium 1.3.0"* ]] &&
  { [ -n "${RXRL_BRIDGE_PACKAGES:-}" ] || [[ "$out" == *"mujoco 3.14.0"* && "$out" != *"not installed"* ]]; }; then
  echo "setup:bridge: $VENV ready: $out"
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup:bridge: creating $VENV with $($PYTHON --version 2>&1)"
  "$PYTHON" -m venv "$VENV" || die "could not create a venv with $PYTHON (Debian: apt-get install -y python3-venv)"
fi

echo "setup:bridge: pip install $PACKAGES (pip tries the public index first; offline that costs a few seconds)"
# shellcheck disable=SC2086 # PACKAGES is a list of specifiers
"$VENV/bin/python" -m pip install --disable-pip-version-check --retries 0 --timeout 5 $PACKAGES ||
  die "pip could not install $PACKAGES into $VENV (is the package index or the local wheel store reachable?)"

out=$(check) || die "$VENV/bin/python cannot import gymnasium after the install (see above)"
echo "setup:bridge: $VENV ready: $out ($(($(date +%s) - START)) s)"
