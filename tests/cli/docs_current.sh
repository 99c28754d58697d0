#!/usr/bin/env bash
# The scenario reference in docs/ is generated from the code; it must be current.
set -eu
bin=$1; src=$2
if ! diff <("$bin" params --markdown) "$src/docs/scenario-reference.md"; then
  echo "docs/scenario-reference.md is stale: run  build/release/pcnsim params --markdown > docs/scenario-reference.md"
  exit 1
fi
echo "docs/scenario-reference.md is current"
