#!/usr/bin/env bash
# Nothing lost between processes: two runs started together with the same new
# --out (no --overwrite) leave the first finished file in place and the second
# exits 2 saying so; a run killed with SIGKILL leaves its temporary file, and
# the next run to that output removes it and says so.
set -u
bin=$(realpath "$1"); src=$(cd "$2" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
small=$src/scenarios/synthetic-small.yaml

# Two at once, many times: exactly one writes, the other is told and writes nothing.
for i in 1 2 3 4 5; do
  rm -f race.h5
  "$bin" run "$small" --out race.h5 --quiet >a.txt 2>a.err & a=$!
  "$bin" run "$small" --out race.h5 --quiet >b.txt 2>b.err & b=$!
  wait $a; ra=$?; wait $b; rb=$?
  [ -f race.h5 ] || fail "round $i: no output at all"
  ok=$(( (ra == 0) + (rb == 0) ))
  [ "$ok" -eq 1 ] || fail "round $i: exit codes $ra and $rb (one run must win, the other exit 2)"
  loser=$([ "$ra" -ne 0 ] && echo a || echo b); rl=$([ "$ra" -ne 0 ] && echo $ra || echo $rb)
  [ "$rl" -eq 2 ] || fail "round $i: the second run exited $rl"
  grep -qE "already exists|created by another process" $loser.err || fail "round $i: $(cat $loser.err)"
  [ -z "$(ls race.h5.tmp-* 2>/dev/null)" ] || fail "round $i: temporary files left: $(ls race.h5.tmp-*)"
done

# SIGKILL mid-run leaves the temporary file; the next run removes it and says so.
"$bin" run "$src/scenarios/baseline.yaml" --out killed.h5 --quiet >/dev/null 2>&1 & pid=$!
for _ in $(seq 100); do ls killed.h5.tmp-* >/dev/null 2>&1 && break; sleep 0.02; done
kill -9 $pid; wait $pid 2>/dev/null
stale=$(ls killed.h5.tmp-* 2>/dev/null)
[ -n "$stale" ] || fail "no temporary file to clean up (the run finished before the kill?)"
"$bin" run "$small" --out killed.h5 --quiet >/dev/null 2>next.err || fail "the next run failed: $(cat next.err)"
grep -q "removed .*killed.h5.tmp-.*no longer runs" next.err || fail "the stale file was not reported: $(cat next.err)"
[ -z "$(ls killed.h5.tmp-* 2>/dev/null)" ] || fail "stale temporary file kept"
echo "racing runs keep the first file and the second exits 2; stale temporary files of killed runs are removed"
