#!/usr/bin/env bash
# Configures and builds the optimised preset (build/release), then the explorer
# page (web/dist, served by `pcnsim serve`) when npm is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
if command -v npm >/dev/null 2>&1; then
  # web/dist is generated: the d3 modules pinned in web/package-lock.json, bundled by esbuild.
  # npm ci only when the lock file changed since the last install (it is the slow part).
  (cd web
   if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
     npm ci --no-audit --no-fund --loglevel=error
   fi
   npm run --silent build)
else
  echo "build: npm not found, explorer page (web/dist) not built (scripts/setup.sh installs nodejs and npm)"
fi
