#!/usr/bin/env bash
# Acceptance: the calibrated baseline reproduces every simulated target of
# data/targets.yaml within tolerance (exit 0), and a failing target gives exit 1.
set -u
bin=$1; src=$2
cd "$src"
"$bin" validate || { echo "FAIL: validate reported failing targets"; exit 1; }
"$bin" validate --set formation.size_threshold_patients=80000 >/dev/null; rc=$?
[ $rc -eq 1 ] || { echo "FAIL: a mis-calibrated run should exit 1, got $rc"; exit 1; }
echo "validate passes on the baseline and fails (exit 1) on a mis-calibrated run"
