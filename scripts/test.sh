#!/usr/bin/env bash
# README command 2: set up, build, run the whole test suite; then the
# sanitizer build (clang, ASan + UBSan): the unit tests and the fuzz
# regression replays under it, and a short bounded fuzzing pass.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --preset release
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize -j "$(nproc)"
ctest --preset sanitize   # the preset leaves out the slow cli.* and python.* tests
scripts/fuzz.sh "${PCNSIM_FUZZ_SECONDS:-15}"
