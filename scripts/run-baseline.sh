#!/usr/bin/env bash
# README command 1: set up, build, run the baseline on the real England data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
build/release/pcnsim run scenarios/baseline.yaml --out outputs/baseline.h5 --overwrite
