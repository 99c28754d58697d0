#!/usr/bin/env python3
"""Mutation check: does the test suite notice when the model is wrong?

Each mutation below is a one-line change to the model that a careful reviewer
would call a bug (a payment's sign flipped, a term of affinity dropped, a
switch ignored). For each, the script applies it to a scratch copy of the
working tree, rebuilds, runs every Catch2 test case and reports whether the
suite killed it (some case failed) and whether it failed for the right reason
(one of the cases whose assertions are about that very thing failed).

Not part of CI: a full pass rebuilds once per mutation (about 15 minutes on
2 cores). Run it after changing tests or mechanisms:

    scripts/mutate.py                 # every mutation
    scripts/mutate.py participation_sign cd_payment_doubled   # some
    scripts/mutate.py --list          # names only

Exit status: 0 when every mutation was killed for the right reason, 1 if any
survived or was killed only by an unrelated case, 2 on a setup problem.
A mutation whose text is not found exactly once in its file is a setup
problem: the model changed, so update the mutation.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name: (file, original text, mutated text, what it breaks, test cases that must catch it)
MUTATIONS = {
    "participation_sign": (
        "models/funding.cpp",
        "w[participation] = weekly_amount(participation_rate * weighted, fy);",
        "w[participation] = weekly_amount(-participation_rate * weighted, fy);",
        "the participation payment is paid with its sign flipped",
        ["every DES payment line pays its dated rate to the penny",
         "the payment lines a user reads from the file are the recomputed ones"]),
    "cd_payment_doubled": (
        "models/funding.cpp",
        "w[clinical_director] = weekly_amount(cd_rate * list, fy);",
        "w[clinical_director] = weekly_amount(2 * cd_rate * list, fy);",
        "the clinical-director payment per patient is doubled",
        ["every DES payment line pays its dated rate to the penny",
         "the payment lines a user reads from the file are the recomputed ones"]),
    "care_home_premium_per_practice": (
        "models/funding.cpp",
        "beds += p.care_home_beds[m];",
        "beds += p.care_home_beds[m] > 0 ? 1 : 0;",
        "the care-home premium counts homes, not beds",
        ["every DES payment line pays its dated rate to the penny"]),
    "iif_ignores_achievement": (
        "models/service_specs.cpp",
        "paid[net.id] = to_pence(pot * national_pot_share(world, net, funding) * achieved[net.id] / params.indicators);",
        "paid[net.id] = to_pence(pot * national_pot_share(world, net, funding));",
        "the IIF pays the whole share whatever the network achieved",
        ["every DES payment line pays its dated rate to the penny"]),
    "contiguity_always_true": (
        "models/formation.cpp",
        "  if (members.size() <= 1) return true;\n  std::vector<int> stack{members.front()}, seen{members.front()};",
        "  if (true) return true;\n  std::vector<int> stack{members.front()}, seen{members.front()};",
        "is_contiguous() always says yes, so networks may fall apart",
        ["formation invariants hold on synthetic and real populations",
         "every week every signed practice is in exactly one contiguous network"]),
    "reimbursement_rate_ignored": (
        "models/arrs.cpp",
        "const double rate = params_.roles[role].always_fully_reimbursed ? 1.0 : funding_.arrs_reimbursement_rate.at(d);",
        "const double rate = 1.0;",
        "ARRS claims ignore the reimbursement rate (70% in 2019/20)",
        ["ARRS claims are the recomputed staff costs, up to each ceiling, to the penny"]),
    "cost_share_ignored": (
        "models/arrs.cpp",
        "return params_.cost_share_of_maximum * params_.roles[role].max_reimbursable_gbp_per_wte.at(d);",
        "return params_.roles[role].max_reimbursable_gbp_per_wte.at(d);",
        "staff cost the role's maximum, not the cost share of it",
        ["ARRS claims are the recomputed staff costs, up to each ceiling, to the penny"]),
    "arrs_claims_uncapped": (
        "models/arrs.cpp",
        "const Pence claim = std::min(due[n], money[n].ceiling - money[n].claimed);",
        "const Pence claim = due[n];",
        "networks claim beyond their ceiling",
        ["ARRS claims are the recomputed staff costs, up to each ceiling, to the penny"]),
    "affinity_no_federation": (
        "models/relationships.cpp",
        "  if (fi >= 0 && fi == practices_.federation[j]) a += params_.a_fed;\n",
        "",
        "affinity ignores federation ties",
        ["affinity is the sum of its defined terms and ties join federations"]),
    "affinity_no_distance_scale": (
        "models/relationships.cpp",
        "double a = params_.a_dist * std::exp(-distance_km(i, j) / params_.lambda_km);",
        "double a = params_.a_dist * std::exp(-distance_km(i, j));",
        "affinity decays with distance at a fixed 1 km scale, ignoring lambda_km",
        ["affinity is the sum of its defined terms and ties join federations"]),
    "substitution_switch_ignored": (
        "models/gp_workload.cpp",
        "out.substituted[i] = params.substitution ? std::min(substituted, demand) : 0.0;",
        "out.substituted[i] = std::min(substituted, demand);",
        "switching ARRS substitution off changes nothing",
        ["switching substitution off never lowers GP workload"]),
    "switch_cost_ignored": (
        "models/dynamics.cpp",
        "counts.switches += game.improve(players, fp.inertia + dp.switch_cost, dp.max_switch_rounds, &moves);",
        "counts.switches += game.improve(players, fp.inertia, dp.max_switch_rounds, &moves);",
        "practices switch network without paying the switching cost",
        ["every switch raises Phi by more than the inertia plus the switching cost"]),
    "staff_to_wrong_heir": (
        "models/arrs.cpp",
        "    transfer(k, heir);  // with no heir the post ends",
        "    transfer(k, heir >= 0 ? 0 : heir);  // with no heir the post ends",
        "staff of an ended network go to network 0, not to its successor",
        ["staff and clinical directors follow their networks through merges and splits"]),
    "merge_cost_ignored": (
        "models/dynamics.cpp",
        "      double best_gain = dp.merge_cost;\n      for (std::size_t a = 0; a < game.coalitions.size(); ++a) {",
        "      double best_gain = 0.0;\n      for (std::size_t a = 0; a < game.coalitions.size(); ++a) {",
        "networks merge voluntarily for any gain in Phi, ignoring the merge cost",
        ["the merge cost holds back voluntary merges"]),
    "formation_inertia_ignored": (
        "models/formation.cpp",
        "st.improvement_moves = game.improve(players, params.inertia, params.max_improvement_rounds, nullptr);",
        "st.improvement_moves = game.improve(players, 0.0, params.max_improvement_rounds, nullptr);",
        "formation's improvement moves ignore the inertia",
        ["a larger inertia stops the improvement moves sooner"]),
}


def run(cmd, cwd, timeout=None, log=None):
    return subprocess.run(cmd, cwd=cwd, stdout=log or subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)


def failing_cases(junit_path):
    """Names of the test cases that failed, from Catch2's JUnit report."""
    failed = set()
    try:
        tree = ET.parse(junit_path)
    except (ET.ParseError, FileNotFoundError):
        return None
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            # Catch2 names sections "case/section"; the case is the part before the first '/'.
            failed.add(case.attrib.get("name", "").split("/")[0])
    return failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="mutations to apply (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    if args.list:
        for name, (path, _, _, what, _) in MUTATIONS.items():
            print(f"{name:<32} {path:<26} {what}")
        return 0
    unknown = [n for n in args.names if n not in MUTATIONS]
    if unknown:
        print(f"mutate: unknown mutation(s) {', '.join(unknown)}; --list shows them", file=sys.stderr)
        return 2
    names = args.names or list(MUTATIONS)
    for name in names:
        path, original, _, _, _ = MUTATIONS[name]
        count = open(os.path.join(ROOT, path)).read().count(original)
        if count != 1:
            print(f"mutate: {name}: the text to mutate occurs {count} times in {path} (expected once)", file=sys.stderr)
            return 2

    scratch = tempfile.mkdtemp(prefix="pcnsim-mutate-")
    src = os.path.join(scratch, "src")
    build = os.path.join(scratch, "build")
    print(f"mutate: scratch copy of the working tree in {src}")
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("build", ".git", "outputs"))
    os.makedirs(os.path.join(src, "outputs"), exist_ok=True)
    log_path = os.path.join(scratch, "build.log")
    with open(log_path, "w") as log:
        t0 = time.monotonic()
        configure = run(["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=Release", "-DPCNSIM_BUILD_BENCH=OFF",
                         "-DPCNSIM_WITH_MPI=OFF"], src, log=log)
        built = configure.returncode == 0 and run(["cmake", "--build", build, "-j", str(args.jobs), "--target",
                                                   "pcnsim_tests"], src, log=log).returncode == 0
    if not built:
        print(f"mutate: the unmutated tree does not build; see {log_path}", file=sys.stderr)
        return 2
    tests = os.path.join(build, "tests", "pcnsim_tests")
    junit = os.path.join(scratch, "baseline.xml")
    run([tests, "-r", "junit", "-o", junit], os.path.join(build, "tests"), timeout=1800)
    baseline_failures = failing_cases(junit)
    if baseline_failures is None or baseline_failures:
        print(f"mutate: the unmutated suite does not pass: {sorted(baseline_failures or [])}", file=sys.stderr)
        return 2
    print(f"mutate: unmutated build and suite pass ({time.monotonic() - t0:.0f} s)\n")

    results = []
    for name in names:
        path, original, mutated, what, expected = MUTATIONS[name]
        target = os.path.join(src, path)
        text = open(target).read()
        t0 = time.monotonic()
        try:
            open(target, "w").write(text.replace(original, mutated, 1))
            with open(log_path, "a") as log:
                ok = run(["cmake", "--build", build, "-j", str(args.jobs), "--target", "pcnsim_tests"], src,
                         log=log).returncode == 0
            if not ok:
                verdict, failed = "build failed", set()
            else:
                junit = os.path.join(scratch, f"{name}.xml")
                try:
                    run([tests, "-r", "junit", "-o", junit], os.path.join(build, "tests"), timeout=1800)
                    failed = failing_cases(junit) or set()
                    if failed is None:
                        failed = {"(the test binary crashed)"}
                except subprocess.TimeoutExpired:
                    failed = {"(timed out)"}
                right = sorted(set(expected) & failed)
                verdict = ("killed" if right else "killed, wrong reason") if failed else "SURVIVED"
        finally:
            open(target, "w").write(text)
        results.append((name, what, verdict, sorted(failed), expected))
        print(f"{name:<32} {verdict:<22} {time.monotonic() - t0:5.0f} s  {what}")
        for case in sorted(failed):
            mark = "*" if case in expected else " "
            print(f"    {mark} {case}")

    # Leave the scratch build as it was (unmutated), then clean up.
    if not args.keep:
        shutil.rmtree(scratch, ignore_errors=True)
    killed = sum(1 for r in results if r[2] == "killed")
    print(f"\nmutate: {killed} of {len(results)} mutations killed for the right reason "
          "(* marks the cases whose assertions are about the mutated rule)")
    bad = [r for r in results if r[2] != "killed"]
    for name, what, verdict, _, expected in bad:
        print(f"  {name}: {verdict}; expected one of: {'; '.join(expected)}")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
