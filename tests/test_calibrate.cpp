#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "pcnsim/analysis/calibrate.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/engine/optimise.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"

using namespace pcnsim;
namespace fs = std::filesystem;

namespace {

const std::string kSource = PCNSIM_SOURCE_DIR;
const CalibrationDefaults kDefaults{kSource + "/data/targets.yaml", kSource + "/data/epcn-2019-12-calibration.csv",
                                    kSource + "/data/epcn-history-calibration.csv",
                                    kSource + "/data/pcn-workforce-calibration.csv"};

// A folder of its own, removed afterwards.
struct Scratch {
  fs::path path;
  Scratch() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() / ("pcnsim-calibrate-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

// A calibration of the synthetic country named as if in calibrations/, so that
// `base: ../scenarios/...` resolves as in the real files.
const std::string kFile = kSource + "/calibrations/test-input.yaml";

std::vector<Diagnostic> calibration_problems(const std::string& text) {
  try {
    load_calibration_text(text, kFile, kDefaults);
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

// The problem about `key`, or an empty one.
Diagnostic problem_with(const std::vector<Diagnostic>& problems, const std::string& key) {
  for (const auto& d : problems) {
    if (d.key == key) return d;
  }
  return {};
}

// A membership file of the synthetic country's own 2019 networks (seed 1).
std::string own_membership(const Scratch& scratch) {
  Scenario s = load_scenario(kSource + "/scenarios/synthetic-small.yaml", {{"seed", "1"}});
  s.calendar.end = s.timeline.signup_window_close;
  const RunResult run = run_simulation(s);
  std::string text = "practice_code,pcn_code\n";
  const auto& formed = run.membership.front().network_of;
  for (std::size_t i = 0; i < formed.size(); ++i) {
    if (formed[i] >= 0) text += run.world.practices.code[i] + ",N" + std::to_string(formed[i]) + "\n";
  }
  return scratch.write("own.csv", text);
}

double bowl(const std::vector<double>& u, const std::vector<double>& centre) {
  double s = 0;
  for (std::size_t i = 0; i < u.size(); ++i) s += (u[i] - centre[i]) * (u[i] - centre[i]);
  return s;
}

bool same_record(const OptimiserRecord& a, const OptimiserRecord& b) {
  if (a.evaluations.size() != b.evaluations.size() || a.local.size() != b.local.size() || a.complete != b.complete) {
    return false;
  }
  for (std::size_t i = 0; i < a.evaluations.size(); ++i) {
    const Evaluation &x = a.evaluations[i], &y = b.evaluations[i];
    if (x.phase != y.phase || x.start != y.start || x.index != y.index || x.unit != y.unit || x.loss != y.loss ||
        x.values != y.values) {
      return false;
    }
  }
  for (std::size_t j = 0; j < a.local.size(); ++j) {
    if (a.local[j].lhs_row != b.local[j].lhs_row || a.local[j].evaluations != b.local[j].evaluations ||
        a.local[j].result != b.local[j].result || a.local[j].done != b.local[j].done) {
      return false;
    }
  }
  return true;
}

OptimiserRecord minimise(const Objective& f, const OptimiserSettings& settings, const OptimiserRun& run = {}) {
  Cluster cluster;  // one process: not started by mpirun
  StopRequest stop;
  return optimise(f, settings, run, cluster, stop);
}

}  // namespace

TEST_CASE("calibration loss: weight x ((mean simulated - observed) / allowed)^2, 1 at the edge of tolerance",
          "[calibrate]") {
  CHECK(allowed_deviation(200, 0.05, true) == Approx(10));
  CHECK(allowed_deviation(-200, 0.05, true) == Approx(10));
  CHECK(allowed_deviation(200, 0.05, false) == 0.05);
  CHECK(loss_term(105, 100, 0.05, true, 1) == Approx(1));        // the edge of a relative tolerance
  CHECK(loss_term(110, 100, 0.05, true, 2) == Approx(8));        // two tolerances out, weight 2
  CHECK(loss_term(0.5, 0.58, 0.05, false, 1) == Approx(2.56));   // (-0.08 / 0.05)^2
  CHECK(loss_term(0.58, 0.58, 0.05, false, 3) == 0);
  // NaN on either side, or no room for error: the documented finite penalty.
  CHECK(loss_term(std::nan(""), 1, 0.1, false, 2) == 2 * kNanPenalty);
  CHECK(loss_term(1, std::nan(""), 0.1, false, 1) == kNanPenalty);
  CHECK(loss_term(1, 0, 0.1, true, 1) == kNanPenalty);

  // The mean over seeds is compared, not each seed.
  CalibrationSpec spec;
  spec.seeds = {1, 2};
  CalibrationTarget networks, share;
  networks.row = TargetRow{"formation", "networks", 1250, false, 0.05, true};
  networks.weight = 1;
  share.row = TargetRow{"formation", "share_in_30k_50k", 0.58, false, 0.05, false};
  share.weight = 2;
  spec.targets = {networks, share};
  // [target * seeds + seed]: networks 1250 and 1375 (mean 1312.5, one tolerance
  // of 62.5 out); share 0.53 and 0.53 (one tolerance out, weight 2).
  const TargetSummary s = summarise(spec, TargetValues{{1250, 1375, 0.53, 0.53}, {1250, 0.58}});
  CHECK(s.simulated_mean[0] == Approx(1312.5));
  CHECK(s.simulated_mean[1] == Approx(0.53));
  CHECK(s.term[0] == Approx(1));
  CHECK(s.term[1] == Approx(2));
  CHECK(s.loss == Approx(3));
  // One seed without the metric makes the mean NaN: penalty.
  const TargetSummary missing = summarise(spec, TargetValues{{1250, std::nan(""), 0.58, 0.58}, {1250, 0.58}});
  CHECK(std::isnan(missing.simulated_mean[0]));
  CHECK(missing.loss == Approx(kNanPenalty));
}

TEST_CASE("fold split: deterministic, disjoint, covering, near-equal sizes", "[calibrate]") {
  std::vector<std::string> codes;
  for (int i = 0; i < 68; ++i) codes.push_back("C" + std::to_string(100 + i));
  const auto folds = split_into_folds(codes, 2, 7);
  REQUIRE(folds.size() == 2);
  CHECK(folds[0].size() == 34);
  CHECK(folds[1].size() == 34);
  std::set<std::string> seen;
  for (const auto& f : folds) {
    CHECK(std::is_sorted(f.begin(), f.end()));
    for (const auto& c : f) CHECK(seen.insert(c).second);  // no commissioner in two folds
  }
  CHECK(seen == std::set<std::string>(codes.begin(), codes.end()));  // every commissioner in one
  // A pure function of the set and the seed: input order and repeats do not matter.
  std::vector<std::string> shuffled(codes.rbegin(), codes.rend());
  shuffled.push_back(codes[3]);
  CHECK(split_into_folds(shuffled, 2, 7) == folds);
  CHECK(split_into_folds(codes, 2, 8) != folds);
  // Not the sorted halves: the seeded shuffle mixes the codes.
  CHECK(folds[0] != std::vector<std::string>(codes.begin(), codes.begin() + 34));
  const auto three = split_into_folds(codes, 3, 7);
  CHECK(three[0].size() == 23);
  CHECK(three[1].size() == 23);
  CHECK(three[2].size() == 22);
  CHECK(split_into_folds({"A", "B"}, 5, 1)[4].empty());
  CHECK_THROWS_AS(split_into_folds(codes, 0, 1), std::invalid_argument);
}

TEST_CASE("Latin hypercube starts and local searches find the minimum of a bowl, with every algorithm",
          "[calibrate][optimise]") {
  const std::vector<double> centre = {0.3, 0.72, 0.55};
  for (const auto& algorithm : local_algorithms()) {
    INFO(algorithm);
    OptimiserSettings settings;
    settings.dimensions = 3;
    settings.starts = 12;
    settings.local_starts = 2;
    settings.local = algorithm;
    settings.max_evaluations = 400;
    settings.xtol_rel = 1e-7;
    settings.seed = 5;
    const OptimiserRecord r = minimise([&](const std::vector<double>& u) { return ObjectiveValue{bowl(u, centre), {u[0]}}; },
                                       settings);
    REQUIRE(r.complete);
    REQUIRE(r.local.size() == 2);
    const Evaluation& best = r.evaluations.at(*r.best());
    CHECK(best.phase == Phase::local);
    CHECK(best.loss < 1e-8);
    for (std::size_t i = 0; i < 3; ++i) CHECK(best.unit[i] == Approx(centre[i]).margin(1e-3));
    CHECK(best.values == std::vector<double>{best.unit[0]});  // the objective's values are kept with the point
    // The searches start from the two lowest Latin hypercube points.
    std::vector<std::pair<double, int>> lhs;
    for (const auto& e : r.evaluations) {
      if (e.phase == Phase::lhs) lhs.emplace_back(e.loss, e.start);
    }
    REQUIRE(lhs.size() == 12);
    std::sort(lhs.begin(), lhs.end());
    CHECK(r.local[0].lhs_row == lhs[0].second);
    CHECK(r.local[1].lhs_row == lhs[1].second);
    for (const auto& s : r.local) {
      CHECK(s.done);
      CHECK(s.evaluations <= 400);
    }
  }
}

TEST_CASE("the best of several basins is found from the Latin hypercube's best points", "[calibrate][optimise]") {
  // Two bowls: a shallow one at 0.2 (floor 0.05) and the global one at 0.8 (floor 0).
  const Objective two_bowls = [](const std::vector<double>& u) {
    const double a = 0.05 + bowl(u, {0.2, 0.2}), b = bowl(u, {0.8, 0.8});
    return ObjectiveValue{std::min(a, b), {}};
  };
  OptimiserSettings settings;
  settings.dimensions = 2;
  settings.starts = 16;
  settings.local_starts = 3;
  settings.max_evaluations = 200;
  settings.xtol_rel = 1e-6;
  const OptimiserRecord r = minimise(two_bowls, settings);
  const Evaluation& best = r.evaluations.at(*r.best());
  CHECK(best.loss < 1e-8);
  CHECK(best.unit[0] == Approx(0.8).margin(1e-3));
  CHECK(best.unit[1] == Approx(0.8).margin(1e-3));
}

TEST_CASE("optimiser records are the same with 1 and 2 threads, and after an interruption and replay",
          "[calibrate][optimise]") {
  std::atomic<int> calls{0};
  // Flat steps make ties; the record must break them the same way every time.
  const Objective stepped = [&](const std::vector<double>& u) {
    ++calls;
    const double loss = std::floor(20 * bowl(u, {0.4, 0.6, 0.5})) / 20 + 0.01 * bowl(u, {0.45, 0.55, 0.5});
    return ObjectiveValue{loss, {u[0] + u[1], u[2]}};
  };
  OptimiserSettings settings;
  settings.dimensions = 3;
  settings.starts = 10;
  settings.local_starts = 4;
  settings.local = "neldermead";
  settings.max_evaluations = 60;
  settings.seed = 3;
  OptimiserRun one;
  one.threads = 1;
  OptimiserRun two = one;
  two.threads = 2;
  calls = 0;
  const OptimiserRecord a = minimise(stepped, settings, one);
  const int uninterrupted_calls = calls;
  const OptimiserRecord b = minimise(stepped, settings, two);
  REQUIRE(a.complete);
  CHECK(same_record(a, b));
  CHECK(a.best() == b.best());

  // Stopped after 25 computed evaluations (in the local phase), then resumed by
  // replaying them: the same record, and nothing computed twice.
  OptimiserRun stopped = one;
  stopped.stop_after_evaluations = 25;
  calls = 0;
  const OptimiserRecord part = minimise(stepped, settings, stopped);
  CHECK(calls == 25);
  CHECK_FALSE(part.complete);
  // Each local search's first point is its Latin hypercube point: recorded again, not computed.
  CHECK(part.evaluations.size() == 26);
  OptimiserRun resumed = two;
  resumed.replay = part.evaluations;
  calls = 0;
  const OptimiserRecord whole = minimise(stepped, settings, resumed);
  CHECK(same_record(a, whole));
  CHECK(calls + 25 <= uninterrupted_calls);  // replayed points are not computed again
}

TEST_CASE("checkpoints hold the record so far, in record order", "[calibrate][optimise]") {
  OptimiserSettings settings;
  settings.dimensions = 2;
  settings.starts = 6;
  settings.local_starts = 1;
  settings.max_evaluations = 30;
  OptimiserRun run;
  run.threads = 2;
  run.checkpoint_seconds = 0;
  std::vector<std::size_t> sizes;
  run.checkpoint = [&](const OptimiserRecord& r) {
    for (std::size_t i = 1; i < r.evaluations.size(); ++i) {
      const auto& x = r.evaluations[i - 1];
      const auto& y = r.evaluations[i];
      REQUIRE(std::make_tuple(static_cast<int>(x.phase), x.start, x.index) <
              std::make_tuple(static_cast<int>(y.phase), y.start, y.index));
    }
    sizes.push_back(r.evaluations.size());
  };
  const OptimiserRecord r = minimise(
      [](const std::vector<double>& u) {
        usleep(2000);  // slow enough for checkpoints to see the work in progress
        return ObjectiveValue{bowl(u, {0.5, 0.5}), {}};
      },
      settings, run);
  REQUIRE_FALSE(sizes.empty());
  CHECK(std::is_sorted(sizes.begin(), sizes.end()));
  CHECK(sizes.back() <= r.evaluations.size());
}

TEST_CASE("a calibration file is read with its parameters, targets, seeds and algorithm", "[calibrate]") {
  const CalibrationSpec spec = load_calibration(kSource + "/calibrations/synthetic-small-demo.yaml", kDefaults);
  CHECK(spec.name == "synthetic-small-demo");
  REQUIRE(spec.parameters.size() == 2);
  CHECK(spec.parameters[0].path == "relationships.noise_sd");
  CHECK(spec.parameters[1].distribution == "log_uniform");
  REQUIRE(spec.targets.size() == 5);
  CHECK(spec.targets[4].id() == "formation.practices_mean");
  CHECK(spec.targets[4].weight == 0.5);
  CHECK(spec.targets[0].row.observed == 0.58);
  CHECK(spec.seeds == std::vector<std::int64_t>{1, 2});
  CHECK(spec.algorithm.dimensions == 2);
  CHECK(spec.algorithm.starts == 8);
  CHECK(spec.algorithm.local == "bobyqa");
  CHECK(spec.algorithm.seed == 11);
  CHECK(spec.formation_only);
  CHECK_FALSE(spec.membership);
  REQUIRE(spec.set.size() == 1);
  CHECK(spec.set[0].path == "dynamics.enabled");
  // Unit coordinates map onto the bounds (log-uniform: geometric).
  const auto v = parameter_values(spec, {0.5, 0.5});
  CHECK(v[0] == Approx(0.8));
  CHECK(v[1] == Approx(std::sqrt(0.001 * 0.01)));
  const auto ends = parameter_values(spec, {0.0, 1.0});
  CHECK(ends[0] == 0.1);
  CHECK(ends[1] == 0.01);
}

TEST_CASE("bad calibration files: every problem at once, with file:line and the closest valid name", "[calibrate]") {
  const auto problems = calibration_problems(R"(name: bad
base: ../scenarios/synthetic-small.yaml
desing: 1
parameters:
  - {path: relationships.noise_sb, min: 0.1, max: 1}
  - {path: relationships.a_dist, min: 1, max: 1}
  - {path: relationships.lambda_km, min: 3, max: 2}
  - {path: formation.approve_rural_probability, min: 0.2, max: 1.5}
  - {path: relationships.a_dist, min: 0.1, max: 2}
  - {path: relationships.k_nearest, min: 2, max: 8}
  - {path: formation.inertia, min: 0, max: 1, values: [1, 2]}
targets:
  - {target: formation.netwroks, weight: 1}
  - {target: formation.list_mean, weight: 0}
  - {target: formation.list_mean, weight: 1}
  - {target: nowhere.thing}
seeds: []
algorithm: {start: lhs, starts: 4, local: bobyqua, local_starts: 5, max_evaluations: 0}
)");
  auto expect = [&](const std::string& key, int line, const std::string& text) {
    INFO(key);
    const Diagnostic d = problem_with(problems, key);
    CHECK(d.file == kFile);
    CHECK(d.line == line);
    CHECK_THAT(d.message, Catch::Contains(text));
  };
  expect("desing", 3, "unknown key");
  expect("parameters[0].path", 5, "unknown parameter 'relationships.noise_sb'; did you mean 'relationships.noise_sd'?");
  expect("parameters[1].max", 6, "must be greater than min");
  expect("parameters[2].max", 7, "must be greater than min");
  expect("parameters[3]", 8, "value 1.5 is not valid for 'formation.approve_rural_probability'");
  expect("parameters[4].path", 9, "'relationships.a_dist' is already a parameter");
  expect("parameters[5].path", 10, "is an integer; calibrated parameters must be real numbers");
  expect("parameters[6].values", 11, "unknown key");
  expect("targets[0].target", 13, "unknown target 'formation.netwroks'");
  CHECK_THAT(problem_with(problems, "targets[0].target").message, Catch::Contains("did you mean 'formation.networks'?"));
  expect("targets[1].weight", 14, "must be positive");
  expect("targets[2].target", 15, "'formation.list_mean' is already a target");
  expect("targets[3].target", 16, "unknown target 'nowhere.thing'");
  expect("seeds", 17, "expected a non-empty list of scenario seeds");
  expect("algorithm.local", 18, "unknown local algorithm 'bobyqua'");
  CHECK_THAT(problem_with(problems, "algorithm.local").message, Catch::Contains("did you mean 'bobyqa'?"));
  expect("algorithm.local_starts", 18, "cannot exceed starts (4)");
  expect("algorithm.max_evaluations", 18, "out of range");
  // Nothing else: no complaint twice, none about what is fine.
  CHECK(problems.size() == 16);
}

TEST_CASE("bad calibration files: missing blocks, unknown start, set and parameter clash", "[calibrate]") {
  auto problems = calibration_problems("description: nothing\n");
  CHECK(problem_with(problems, "base").message == "missing: the scenario to calibrate");
  CHECK(problem_with(problems, "parameters").message.find("expected a list of parameters") == 0);
  CHECK(problem_with(problems, "targets").message.find("expected a list of targets") == 0);
  CHECK(problem_with(problems, "seeds").line == 1);
  problems = calibration_problems(R"(base: ../scenarios/synthetic-small.yaml
set: {relationships.noise_sd: 0.5}
parameters: [{path: relationships.noise_sd, min: 0.1, max: 1}]
targets: [{target: formation.networks}]
seeds: [1, 1]
algorithm: {start: sobol}
targets_file: nowhere.yaml
)");
  CHECK(problem_with(problems, "parameters[0].path").message ==
        "'relationships.noise_sd' is fixed by set: calibrate it or fix it, not both");
  CHECK(problem_with(problems, "seeds").message == "seed 1 is listed twice");
  CHECK(problem_with(problems, "seeds").line == 5);
  CHECK_THAT(problem_with(problems, "algorithm.start").message, Catch::Contains("unknown start 'sobol'"));
  bool targets_file_named = false;
  for (const auto& d : problems) targets_file_named = targets_file_named || d.file.find("nowhere.yaml") != std::string::npos;
  CHECK(targets_file_named);
  // Not YAML, not a map.
  CHECK(calibration_problems("a: [").front().message.find("YAML syntax error") == 0);
  CHECK(calibration_problems("- 1\n").front().message == "a calibration file must be a YAML map");
}

TEST_CASE("bad calibration files: membership blocks and inconsistent folds", "[calibrate]") {
  Scratch scratch;
  const std::string membership = own_membership(scratch);
  const std::string head = "base: ../scenarios/synthetic-small.yaml\n"
                           "parameters: [{path: relationships.noise_sd, min: 0.1, max: 1}]\n"
                           "targets: [{target: membership.ari_per_commissioner}]\n"
                           "seeds: [1]\n";
  auto with = [&](const std::string& block) { return calibration_problems(head + "membership: " + block + "\n"); };
  CHECK(with("{file: " + membership + ", commissioners: {fold: 2, folds: 2, seed: 7}}").front().message ==
        "fold 2 does not exist: folds are numbered 0 to 1");
  CHECK(with("{file: " + membership + ", commissioners: {fold: 0, folds: 1}}").front().key ==
        "membership.commissioners.folds");
  CHECK(with("{file: " + membership + ", commissioners: {fold: 0, folds: 11}}").front().message ==
        "11 folds of 10 commissioners would leave a fold empty");
  CHECK(with("{file: " + membership + ", commissioners: {fold: 0}}").front().message ==
        "a fold needs fold and folds (and optionally seed)");
  const auto unknown = with("{file: " + membership + ", commissioners: [C001, C09]}");
  REQUIRE(unknown.size() == 1);
  CHECK(unknown.front().line == 5);
  CHECK(unknown.front().message == "commissioner C09 has no practice in " + membership + "; did you mean 'C009'?");
  CHECK(with("{file: " + membership + ", comissioners: all}").front().message.find("unknown key; did you mean 'commissioners'?") == 0);
  CHECK(with("{file: nowhere.csv}").front().file == kSource + "/calibrations/nowhere.csv");
  // A good fold: the split of the file's commissioners, this fold compared.
  const CalibrationSpec spec = load_calibration_text(
      head + "membership: {file: " + membership + ", commissioners: {fold: 1, folds: 3, seed: 7}}\n", kFile, kDefaults);
  REQUIRE(spec.folds.size() == 3);
  CHECK(spec.file_commissioners.size() == 10);
  CHECK(spec.folds == split_into_folds(spec.file_commissioners, 3, 7));
  CHECK(spec.commissioners == spec.folds[1]);
  // Membership targets without a block use validate's default file, every row.
  const CalibrationSpec defaulted = load_calibration_text(head, kFile, kDefaults);
  REQUIRE(defaulted.membership);
  CHECK(defaulted.membership->file == kDefaults.membership_file);
  CHECK(defaulted.membership->mode == "all");
  CHECK(defaulted.commissioners.empty());
}

TEST_CASE("calibration runs cut at the registration deadline measure what full runs measure", "[calibrate]") {
  Scratch scratch;
  const std::string membership = own_membership(scratch);
  CalibrationSpec cut = load_calibration_text(
      "base: ../scenarios/synthetic-small.yaml\n"
      "parameters: [{path: relationships.noise_sd, min: 0.1, max: 1.5}]\n"
      "targets: [{target: formation.networks}, {target: formation.list_p90}, {target: formation.single_practice_networks},\n"
      "          {target: membership.ari_per_commissioner}, {target: membership.together_nearest},\n"
      "          {target: membership.together_site}]\n"
      "seeds: [1, 2]\n"
      "membership: {file: " + membership + ", commissioners: [C001, C004, C007]}\n",
      kFile, kDefaults);
  REQUIRE(cut.formation_only);
  CalibrationSpec full = cut;
  full.formation_only = false;
  const std::vector<std::vector<std::string>> selections = {cut.commissioners, {}};
  // The base scenario's own pair noise, so that seed 1 forms the file's networks.
  const double own_noise = load_scenario(cut.base).relationships.noise_sd;
  const auto a = measure_targets(cut, {own_noise}, selections);
  const auto b = measure_targets(full, {own_noise}, selections);
  for (std::size_t s = 0; s < 2; ++s) {
    INFO(s);
    for (std::size_t i = 0; i < a[s].simulated.size(); ++i) {
      INFO(i);
      CHECK((a[s].simulated[i] == b[s].simulated[i] || (std::isnan(a[s].simulated[i]) && std::isnan(b[s].simulated[i]))));
    }
    for (std::size_t t = 0; t < a[s].observed.size(); ++t) {
      CHECK((a[s].observed[t] == b[s].observed[t] || (std::isnan(a[s].observed[t]) && std::isnan(b[s].observed[t]))));
    }
  }
  // Seed 1 formed the membership file's networks: perfect agreement there, not with seed 2.
  CHECK(a[0].simulated[3 * 2 + 0] == 1.0);
  CHECK(a[0].simulated[3 * 2 + 1] < 1.0);
  // Synthetic practices have no postcodes: nothing to measure for pairs at one site (NaN).
  CHECK(std::isnan(a[0].observed[5]));
  CHECK(summarise(cut, a[0]).term[5] == kNanPenalty);
}

TEST_CASE("dynamics and workforce targets measure what validate measures, a fold only its commissioners",
          "[calibrate][histories]") {
  const CalibrationSpec spec = load_calibration_text(
      "base: ../scenarios/baseline.yaml\n"
      "parameters: [{path: dynamics.review_per_year, min: 0, max: 1}]\n"
      "targets: [{target: dynamics.moving_share_2021}, {target: dynamics.networks_2023},\n"
      "          {target: workforce.share_none_2022_09}]\n"
      "seeds: [5]\n"
      "membership: {commissioners: {fold: 0, folds: 2, seed: 7}}\n",
      kFile, kDefaults);
  REQUIRE(spec.history);
  REQUIRE(spec.workforce);
  CHECK(!spec.formation_only);
  const double review = 0.4;
  const auto measured = measure_targets(spec, {review}, {{}, spec.folds[0]});
  // The whole file, as validate compares it.
  const RunResult run = run_simulation(calibration_scenario(spec, {review}, 5));
  const HistoryComparison c = compare_histories(run, &*spec.history, &*spec.workforce);
  const char* keys[] = {"dynamics.moving_share_2021", "dynamics.networks_2023", "workforce.share_none_2022_09"};
  for (std::size_t t = 0; t < 3; ++t) {
    INFO(keys[t]);
    CHECK(measured[0].simulated[t] == c.simulated.at(keys[t]));
    CHECK(measured[0].observed[t] == c.real.at(keys[t]));
  }
  // A fold: about half the real networks, and the simulated ones with a member in it.
  CHECK(measured[1].observed[1] > 0.3 * measured[0].observed[1]);
  CHECK(measured[1].observed[1] < 0.7 * measured[0].observed[1]);
  CHECK(measured[1].simulated[1] < 0.7 * measured[0].simulated[1]);
}

TEST_CASE("the fragment extends the base scenario and sets the best values exactly", "[calibrate]") {
  Scratch scratch;
  const CalibrationSpec spec = load_calibration(kSource + "/calibrations/synthetic-small-demo.yaml", kDefaults);
  const std::vector<double> best = {0.1 + 1.0 / 3.0, 0.0012345678901234567};
  const std::string path = (scratch.path / "sub" / "best.yaml").string();
  fs::create_directories(scratch.path / "sub");
  const std::string text = fragment_yaml(spec, best, 0.123456789, path, "pcnsim calibrate demo.yaml --out x.h5");
  CHECK_THAT(text, Catch::Contains("#   pcnsim calibrate demo.yaml --out x.h5\n"));
  CHECK_THAT(text, Catch::Contains("# Loss 0.123457 "));
  CHECK_THAT(text, Catch::Contains("#   --set dynamics.enabled=false\n"));
  CHECK_THAT(text, Catch::Contains("\nrelationships:\n  noise_sd: "));
  scratch.write("sub/best.yaml", text);
  const Scenario s = load_scenario(path);
  CHECK(s.name == "synthetic-small");
  CHECK(s.relationships.noise_sd == best[0]);   // bit for bit
  CHECK(s.formation.g_size == best[1]);
  CHECK(s.dynamics.enabled);                    // `set` is not part of the fragment
  const Scenario with_sets = calibration_scenario(spec, best, 1);
  CHECK(with_sets.relationships.noise_sd == best[0]);
  CHECK_FALSE(with_sets.dynamics.enabled);
}

TEST_CASE("every shipped calibration file loads", "[calibrate]") {
  // They name scenario parameters and targets that must keep existing.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kSource + "/calibrations")) {
    if (entry.path().extension() != ".yaml" || entry.path().filename().string().rfind("test-", 0) == 0) continue;
    INFO(entry.path());
    const CalibrationSpec spec = load_calibration(entry.path().string(), kDefaults);
    CHECK_FALSE(spec.parameters.empty());
    CHECK_FALSE(spec.targets.empty());
    ++files;
  }
  CHECK(files >= 3);
}
