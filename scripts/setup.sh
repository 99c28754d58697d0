#!/usr/bin/env bash
# Installs the Debian 12 packages pcnsim needs (only those missing); safe to re-run.
set -euo pipefail
packages=(build-essential cmake pkg-config git libboost-graph-dev libboost-random-dev libyaml-cpp-dev
          libhdf5-dev libdeflate-dev catch2 libcli11-dev python3 python3-h5py python3-numpy python3-matplotlib python3-yaml
          openmpi-bin libopenmpi-dev bc libnlopt-cxx-dev
          libcpp-httplib-dev nlohmann-json3-dev  # pcnsim serve: HTTP server, JSON
          python3-jinja2 chromium chromium-driver python3-selenium  # the report: template, PDF, browser test
          clang libclang-rt-dev llvm)  # sanitize preset: clang 14, its ASan/UBSan/libFuzzer runtimes, llvm-symbolizer
# The explorer page (web/: npm ci && npm run build bundles its pinned d3 modules
# into web/dist) needs Node.js and npm: the machine's own when it has them (a
# NodeSource Node.js conflicts with Debian's npm package), else Debian's.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup: all packages present"
