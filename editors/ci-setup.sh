#!/usr/bin/env bash
# Install the real editors the tests drive: Emacs with eglot, Chromium for code-server,
# and the VS Code extension's build (which fetches code-server and Node 24 from npm).
# Neovim comes from PyPI with the test extras. Needs root (apt-get).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  python3 python3-venv python3-pip emacs-nox elpa-eglot chromium libkrb5-dev >/dev/null

if [ -x "$here/vscode/scripts/ci-setup.sh" ] || [ -f "$here/vscode/scripts/ci-setup.sh" ]; then
  bash "$here/vscode/scripts/ci-setup.sh"
fi
