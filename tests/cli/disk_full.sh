#!/usr/bin/env bash
# A disk that fills up while a run, an ensemble or a sweep writes its file:
# exit 2 with the reason, no crash at exit (HDF5's exit handler used to
# segfault closing the failed file), nothing left in the folder.
# Needs root for a small tmpfs (CI runs as root); skipped, saying so, otherwise.
set -u
bin=$(realpath "$1"); src=$(cd "$2" && pwd)
full=$(mktemp -d)
if ! mount -t tmpfs -o size=3m pcnsim-disk-full "$full" 2>/dev/null; then
  rmdir "$full"; echo "SKIP: cannot mount a small tmpfs (not root)"; exit 0
fi
trap 'umount "$full"; rmdir "$full"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
check() {  # name, exit code
  [ "$2" -eq 2 ] || fail "$1: exit $2 (expected 2): $(tail -c 400 "$tmp/err")"
  grep -q "No space left on device" "$tmp/err" || fail "$1: no reason given: $(cat "$tmp/err")"
  grep -q "internal error" "$tmp/err" && fail "$1: internal error"
  [ -z "$(ls "$full")" ] || fail "$1: left behind: $(ls "$full")"
}
tmp=$(mktemp -d); trap 'umount "$full"; rmdir "$full"; rm -rf "$tmp"' EXIT
"$bin" run "$src/scenarios/baseline.yaml" --out "$full/run.h5" --quiet >/dev/null 2>"$tmp/err"; check run $?
"$bin" run "$src/scenarios/baseline.yaml" --replicates 2 --out "$full/ensemble.h5" --quiet >/dev/null 2>"$tmp/err"
check ensemble $?
# Room for all but the last few KiB of a sweep's file.
"$bin" sweep "$src/tests/data/sweep-small.yaml" --out "$tmp/probe.h5" --quiet >/dev/null 2>&1 || fail "sweep probe"
size_kib=$(( $(stat -c %s "$tmp/probe.h5") / 1024 ))
free_kib=$(df -k "$full" | tail -1 | awk '{print $4}')
dd if=/dev/zero of="$full/filler" bs=1k count=$(( free_kib - size_kib / 2 )) 2>/dev/null
"$bin" sweep "$src/tests/data/sweep-small.yaml" --out "$full/sweep.h5" --quiet >/dev/null 2>"$tmp/err"; rc=$?
rm -f "$full/filler"; check sweep $rc
echo "a disk filling up mid-write: run, ensemble and sweep exit 2 with the reason, no crash, nothing left"
