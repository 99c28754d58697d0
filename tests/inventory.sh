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
# ctest -N prints "  Test  #12: name"; the script tests are cli.*, python.*, inventory.*.
entries=$("$ctest" -N | sed -n 's/^ *Test *#[0-9]*: //p' | grep -vE '^(cli|python|inventory)\.' | sort || true)
n_cases=$(printf '%s\n' "$cases" | grep -c .)
n_entries=$(printf '%s\n' "$entries" | grep -c . || true)
if [ "$cases" != "$entries" ]; then
  echo "inventory: $n_cases Catch2 test cases but $n_entries ctest entries"
  diff <(printf '%s\n' "$cases") <(printf '%s\n' "$entries") | sed 's/^</  case only:/; s/^>/  entry only:/' | grep -E 'only:' || true
  exit 1
fi
if [ "$n_cases" -lt 80 ]; then
  echo "inventory: only $n_cases Catch2 test cases were listed"
  exit 1
fi
echo "inventory: $n_cases Catch2 test cases, one ctest entry each"
