#!/usr/bin/env bash
# Every Catch2 test case must be exactly one ctest entry that runs it. A name
# that catch_discover_tests cannot pass through (a ';' splits it in two) gives
# entries that match nothing; this check fails on any difference, listing it.
# Usage: inventory.sh PCNSIM_TESTS CTEST (run in the tests build directory).
set -euo pipefail
tests_binary=$1 ctest=$2
# Catch2 2.x exits with the number of cases listed, so its status is not an error.
listing=$("$tests_binary" --list-test-names-only || true)
cases=$(printf '%s\n' "$listing" | sed '/^$/d' | sort)
# The ctest entries that run the Catch2 binary (script tests run other commands).
entries=$("$ctest" --show-only=json-v1 | /usr/bin/python3 -c '
import json, os, sys
binary = os.path.realpath(sys.argv[1])
for test in json.load(sys.stdin)["tests"]:
    command = test.get("command") or [""]
    if os.path.realpath(command[0]) == binary:
        print(test["name"])
' "$tests_binary" | sort)
n_cases=$(printf '%s\n' "$cases" | grep -c . || true)
n_entries=$(printf '%s\n' "$entries" | grep -c . || true)
if [ "$cases" != "$entries" ]; then
  echo "inventory: $n_cases Catch2 test cases but $n_entries ctest entries that run them"
  diff <(printf '%s\n' "$cases") <(printf '%s\n' "$entries") | sed 's/^</  case only:/; s/^>/  entry only:/' | grep -E 'only:' || true
  exit 1
fi
if [ "$n_cases" -lt 80 ]; then
  echo "inventory: only $n_cases Catch2 test cases were listed"
  exit 1
fi
echo "inventory: $n_cases Catch2 test cases, one ctest entry each"
