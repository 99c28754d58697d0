#!/usr/bin/env bash
# The references in docs/ are generated from the code; they must be current:
# the scenario reference from the parameter declarations, the output schema
# from the output registry.
set -eu
bin=$1; src=$2
stale=0
check() {  # file, command...
  local file=$1; shift
  if ! diff <("$bin" "$@") "$src/$file" >/dev/null; then
    echo "$file is stale: run  build/release/pcnsim $* > $file"
    stale=1
  else
    echo "$file is current"
  fi
}
check docs/scenario-reference.md params --markdown
check docs/output-schema.md outputs --markdown
exit $stale
