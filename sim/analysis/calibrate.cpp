#include "pcnsim/analysis/calibrate.hpp"

#include <boost/random/uniform_int_distribution.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <set>
#include <sstream>
#include <unordered_map>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/kernel/rng.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "pcnsim/engine/spec_file.hpp"
#include "pcnsim/io/writer.hpp"

namespace pcnsim {

namespace fs = std::filesystem;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool has_section_targets(const std::vector<CalibrationTarget>& targets, const char* section) {
  return std::any_of(targets.begin(), targets.end(), [&](const auto& t) { return t.row.section == section; });
}

bool has_membership_targets(const std::vector<CalibrationTarget>& targets) {
  return has_section_targets(targets, "membership");
}

// Commissioner code of every practice of a population, by practice code.
std::unordered_map<std::string, std::string> commissioner_of_practice(const World& world) {
  std::unordered_map<std::string, std::string> out;
  const Practices& p = world.practices;
  for (std::size_t i = 0; i < p.size(); ++i) out.emplace(p.code[i], world.commissioners[p.commissioner[i]].code);
  return out;
}

// The `commissioners:` entry of the membership block (all, a list or a fold);
// false when it cannot be used.
bool read_commissioner_selection(SpecReader& reader, const YAML::Node& commissioners, MembershipSelection& selection,
                                 DiagnosticList& problems) {
  if (!commissioners || (commissioners.IsScalar() && commissioners.Scalar() == "all")) {
    selection.mode = "all";
    return true;
  }
  if (commissioners.IsSequence() && commissioners.size() > 0) {
    selection.mode = "list";
    for (const auto& c : commissioners) {
      std::string code;
      reader.scalar(c, "membership.commissioners", code, 0, 0);
      if (std::find(selection.listed.begin(), selection.listed.end(), code) != selection.listed.end()) {
        reader.complain(c, "membership.commissioners", "commissioner " + code + " is listed twice");
      }
      selection.listed.push_back(code);
    }
    return true;
  }
  if (!commissioners.IsMap()) {
    reader.complain(commissioners, "membership.commissioners",
                    "expected all, a list of commissioner codes, or {fold, folds, seed}");
    return false;
  }
  selection.mode = "fold";
  reader.check_keys(commissioners, "membership.commissioners.", {"fold", "folds", "seed"});
  bool ok = true;
  if (!commissioners["fold"] || !commissioners["folds"]) {
    reader.complain(commissioners, "membership.commissioners", "a fold needs fold and folds (and optionally seed)");
    ok = false;
  }
  const std::size_t before = problems.size();
  reader.scalar(commissioners["folds"], "membership.commissioners.folds", selection.folds, 2, 1000);
  reader.scalar(commissioners["fold"], "membership.commissioners.fold", selection.fold, 0, 999);
  reader.scalar(commissioners["seed"], "membership.commissioners.seed", selection.seed, 0, 9e15);
  ok = ok && problems.size() == before;
  if (ok && selection.fold >= selection.folds) {
    reader.complain(commissioners["fold"], "membership.commissioners.fold",
                    "fold " + std::to_string(selection.fold) + " does not exist: folds are numbered 0 to " +
                        std::to_string(selection.folds - 1));
    ok = false;
  }
  return ok;
}

// The commissioners a list or fold compares: those of the file's practices in
// the base scenario's population (first seed), which is what validate groups by.
void resolve_commissioners(SpecReader& reader, const YAML::Node& commissioners, const MembershipSelection& selection,
                           const Scenario& base, CalibrationSpec& spec, DiagnosticList& problems) {
  World world;
  try {
    build_population(world, base.population, replicate_seed(base, 0));
  } catch (const InputError& e) {  // the base scenario's data files
    for (const auto& d : e.problems()) problems.add(d);
    return;
  }
  const auto commissioner = commissioner_of_practice(world);
  std::set<std::string> found;
  for (const auto& row : spec.real.rows) {
    if (const auto it = commissioner.find(row.practice_code); it != commissioner.end()) found.insert(it->second);
  }
  spec.file_commissioners.assign(found.begin(), found.end());
  if (found.empty()) {
    reader.complain(commissioners, "membership.commissioners",
                    "no practice of " + selection.file + " is in the base scenario's population");
    return;
  }
  if (selection.mode == "list") {
    for (std::size_t i = 0; i < selection.listed.size(); ++i) {
      const std::string& code = selection.listed[i];
      if (found.count(code)) continue;
      const std::string close = closest_match(code, spec.file_commissioners);
      reader.complain(commissioners[i], "membership.commissioners",
                      "commissioner " + code + " has no practice in " + selection.file +
                          (close.empty() ? "" : "; did you mean '" + close + "'?"));
    }
    spec.commissioners = selection.listed;
    std::sort(spec.commissioners.begin(), spec.commissioners.end());
    return;
  }
  if (static_cast<std::size_t>(selection.folds) > found.size()) {
    reader.complain(commissioners["folds"], "membership.commissioners.folds",
                    std::to_string(selection.folds) + " folds of " + std::to_string(found.size()) +
                        " commissioners would leave a fold empty");
    return;
  }
  spec.folds = split_into_folds(spec.file_commissioners, selection.folds, static_cast<std::uint64_t>(selection.seed));
  spec.commissioners = spec.folds[static_cast<std::size_t>(selection.fold)];
}

// Reads the `membership:` block: the file and which commissioners to compare.
void read_membership_block(SpecReader& reader, const YAML::Node& block, CalibrationSpec& spec,
                           const CalibrationDefaults& defaults, const std::optional<Scenario>& base,
                           DiagnosticList& problems) {
  MembershipSelection selection;
  selection.file = defaults.membership_file;
  if (block && !block.IsMap()) {
    reader.complain(block, "membership", "expected a block: file, commissioners");
    return;
  }
  if (block) {
    reader.check_keys(block, "membership.", {"file", "commissioners"});
    if (block["file"]) {
      std::string file;
      reader.scalar(block["file"], "membership.file", file, 0, 0);
      selection.file = reader.relative_path(file);
    }
  }
  const YAML::Node commissioners = block ? block["commissioners"] : YAML::Node(YAML::NodeType::Undefined);
  const bool selection_ok = read_commissioner_selection(reader, commissioners, selection, problems);
  try {
    spec.real = read_membership(selection.file);
  } catch (const InputError& e) {
    for (const auto& d : e.problems()) problems.add(d);
    spec.membership = selection;
    return;
  }
  spec.membership = selection;
  if (selection.mode == "all" || !selection_ok || !base) return;
  resolve_commissioners(reader, commissioners, selection, *base, spec, problems);
}

// Reads the `targets:` list against the rows of the targets file.
void read_targets_block(SpecReader& reader, const YAML::Node& root, CalibrationSpec& spec, DiagnosticList& problems) {
  const YAML::Node targets = root["targets"];
  std::vector<TargetRow> rows;
  try {
    rows = read_targets(spec.targets_file);
  } catch (const InputError& e) {
    for (const auto& d : e.problems()) problems.add(d);
  }
  std::vector<std::string> known;
  for (const auto& r : rows) known.push_back(r.section + "." + r.name);  // read_targets keeps known sections only
  if (!targets || !targets.IsSequence() || targets.size() == 0) {
    reader.complain(targets ? targets : root, "targets",
                    "expected a list of targets ({target: section.name, weight: w} each)");
    return;
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const YAML::Node t = targets[i];
    const std::string where = "targets[" + std::to_string(i) + "]";
    if (!t.IsMap()) {
      reader.complain(t, where, "expected {target: section.name, weight: w}");
      continue;
    }
    reader.check_keys(t, where + ".", {"target", "weight"});
    CalibrationTarget target;
    std::string id;
    reader.scalar(t["target"], where + ".target", id, 0, 0);
    reader.scalar(t["weight"], where + ".weight", target.weight, -std::numeric_limits<double>::max(),
                  std::numeric_limits<double>::max());
    if (!(target.weight > 0)) reader.complain(t["weight"], where + ".weight", "must be positive");
    if (!t["target"]) {
      reader.complain(t, where + ".target", "missing: a row of the targets file, as section.name");
      continue;
    }
    if (rows.empty()) continue;  // the targets file could not be read (reported)
    const auto row = std::find_if(rows.begin(), rows.end(), [&](const TargetRow& r) { return r.section + "." + r.name == id; });
    if (row == rows.end()) {
      const std::string close = closest_match(id, known);
      reader.complain(t["target"], where + ".target",
                      "unknown target '" + id + "' (rows of " + spec.targets_file +
                          " in formation, membership, arrs, clinical_directors, dynamics or workforce)" +
                          (close.empty() ? "" : "; did you mean '" + close + "'?"));
      continue;
    }
    target.row = *row;
    if (!row->observed_from_data && !(allowed_deviation(row->observed, row->tolerance, row->relative) > 0)) {
      reader.complain(t["target"], where + ".target",
                      "'" + id + "' has no room for error (tolerance " + SpecReader::number(row->tolerance) +
                          (row->relative ? " of observed " + SpecReader::number(row->observed) : "") +
                          "): the loss is scaled by it");
    }
    for (const auto& earlier : spec.targets) {
      if (earlier.id() == id) reader.complain(t["target"], where + ".target", "'" + id + "' is already a target");
    }
    spec.targets.push_back(target);
  }
}

// The history (and workforce) files, read when a dynamics (workforce) target is fitted.
void read_history_files(SpecReader& reader, const YAML::Node& root, CalibrationSpec& spec,
                        const CalibrationDefaults& defaults, DiagnosticList& problems) {
  const bool workforce = has_section_targets(spec.targets, "workforce");
  const bool history = workforce || has_section_targets(spec.targets, "dynamics");
  const std::pair<const char*, std::string*> files[] = {{"history_file", &spec.history_file},
                                                        {"workforce_file", &spec.workforce_file}};
  spec.history_file = defaults.history_file;
  spec.workforce_file = defaults.workforce_file;
  for (const auto& [key, file] : files) {
    if (!root[key]) continue;
    reader.scalar(root[key], key, *file, 0, 0);
    *file = reader.relative_path(*file);
  }
  try {
    if (history) spec.history = read_history(spec.history_file);
    if (workforce) spec.workforce = read_workforce(spec.workforce_file);
  } catch (const InputError& e) {
    for (const auto& d : e.problems()) problems.add(d);
  }
}

// Reads the `algorithm:` block.
void read_algorithm_block(SpecReader& reader, const YAML::Node& block, OptimiserSettings& a) {
  if (!block) return;
  if (!block.IsMap()) {
    reader.complain(block, "algorithm", "expected a block: start, starts, local, local_starts, max_evaluations, xtol_rel, ...");
    return;
  }
  reader.check_keys(block, "algorithm.",
                    {"start", "starts", "local", "local_starts", "max_evaluations", "xtol_rel", "initial_step", "seed"});
  std::string start = "lhs";
  reader.scalar(block["start"], "algorithm.start", start, 0, 0);
  if (start != "lhs") {
    reader.complain(block["start"], "algorithm.start", "unknown start '" + start + "'; the start is lhs (a Latin hypercube)");
  }
  reader.scalar(block["starts"], "algorithm.starts", a.starts, 1, 1e6);
  reader.scalar(block["local"], "algorithm.local", a.local, 0, 0);
  const auto& names = local_algorithms();
  if (std::find(names.begin(), names.end(), a.local) == names.end()) {
    const std::string close = closest_match(a.local, names);
    reader.complain(block["local"], "algorithm.local",
                    "unknown local algorithm '" + a.local + "'; must be one of: bobyqa, sbplx, neldermead, cobyla" +
                        (close.empty() ? "" : "; did you mean '" + close + "'?"));
  }
  reader.scalar(block["local_starts"], "algorithm.local_starts", a.local_starts, 0, 1e6);
  if (a.local_starts > a.starts) {
    reader.complain(block["local_starts"], "algorithm.local_starts",
                    "cannot exceed starts (" + std::to_string(a.starts) + "): each local search begins at an LHS point");
  }
  reader.scalar(block["max_evaluations"], "algorithm.max_evaluations", a.max_evaluations, 1, 1e7);
  reader.scalar(block["xtol_rel"], "algorithm.xtol_rel", a.xtol_rel, 1e-15, 1);
  reader.scalar(block["initial_step"], "algorithm.initial_step", a.initial_step, 1e-9, 0.5);
  std::int64_t seed = 1;
  reader.scalar(block["seed"], "algorithm.seed", seed, 0, 9e15);
  a.seed = static_cast<std::uint64_t>(seed);
}

}  // namespace

CalibrationSpec load_calibration(const std::string& path, const CalibrationDefaults& defaults) {
  return load_calibration_text(read_yaml_file(path, "calibration file"), path, defaults);
}

namespace {

// The seeds the loss averages over (the base population, for membership
// folds, is that of the first).
void read_seeds(SpecReader& reader, const YAML::Node& root, CalibrationSpec& spec) {
  if (const YAML::Node seeds = root["seeds"]; seeds && seeds.IsSequence() && seeds.size() > 0) {
    for (const auto& s : seeds) {
      std::int64_t seed = -1;
      reader.scalar(s, "seeds", seed, 0, 9e15);
      if (seed < 0) continue;
      if (std::find(spec.seeds.begin(), spec.seeds.end(), seed) != spec.seeds.end()) {
        reader.complain(s, "seeds", "seed " + std::to_string(seed) + " is listed twice");
      }
      spec.seeds.push_back(seed);
    }
  } else {
    reader.complain(seeds ? seeds : root, "seeds", "expected a non-empty list of scenario seeds to average the loss over");
  }
}

// Parameters: checked like sweep factors, and real numbers only (the local
// search moves continuously), none also fixed by `set`.
void read_parameters(SpecReader& reader, const YAML::Node& root, const std::optional<Scenario>& base,
                     CalibrationSpec& spec) {
  std::optional<FactorBase> factor_base;
  if (base) factor_base = FactorBase{spec.base, spec.set, &*base, parameter_types(*base)};
  reader.each_map_entry(root, "parameters", "expected a list of parameters ({path, min, max} each)",
                        "expected {path, min, max} (and optionally distribution, scale)",
                        [&](const YAML::Node& p, const std::string& where) {
    SweepFactor parameter = read_factor(reader, p, where, FactorValues::not_a_key);
    if (factor_base && !parameter.path.empty()) {
      check_factor_path(reader, p, where, parameter, *factor_base);
      const auto type = factor_base->types.find(parameter.path);
      if (type != factor_base->types.end() && type->second == "integer") {
        reader.complain(p["path"], where + ".path",
                        "'" + parameter.path + "' is an integer; calibrated parameters must be real numbers");
      }
    }
    for (const auto& o : spec.set) {
      if (!parameter.path.empty() && o.path == parameter.path) {
        reader.complain(p["path"], where + ".path", "'" + parameter.path + "' is fixed by set: calibrate it or fix it, not both");
      }
    }
    for (const auto& earlier : spec.parameters) {
      if (!parameter.path.empty() && earlier.path == parameter.path) {
        reader.complain(p["path"], where + ".path", "'" + parameter.path + "' is already a parameter");
      }
    }
    spec.parameters.push_back(std::move(parameter));
  });
}

}  // namespace

CalibrationSpec load_calibration_text(const std::string& text, const std::string& path,
                                      const CalibrationDefaults& defaults) {
  CalibrationSpec spec;
  spec.file = path;
  spec.text = text;
  DiagnosticList problems;
  const YAML::Node root = parse_yaml_map(spec.text, path, "calibration file", problems);
  SpecReader reader(path, problems);
  reader.check_keys(root, "", {"name", "description", "base", "set", "targets_file", "membership", "history_file",
                               "workforce_file", "parameters", "targets", "seeds", "algorithm"});
  reader.name_and_description(root, spec.name, spec.description);
  spec.base = reader.base_path(root, true, "the scenario to calibrate");
  spec.set = reader.overrides(root["set"]);

  read_seeds(reader, root, spec);

  std::optional<Scenario> base;
  if (!spec.base.empty()) {
    try {
      auto overrides = spec.set;
      if (!spec.seeds.empty()) overrides.push_back({"seed", std::to_string(spec.seeds.front())});
      base = load_scenario(spec.base, overrides);
    } catch (const InputError& e) {
      for (const auto& d : e.problems()) problems.add(d);
    }
  }
  spec.base_scenario = base;  // every evaluation starts from it (calibration_scenario)

  read_parameters(reader, root, base, spec);

  spec.targets_file = defaults.targets_file;
  if (root["targets_file"]) {
    std::string file;
    reader.scalar(root["targets_file"], "targets_file", file, 0, 0);
    spec.targets_file = reader.relative_path(file);
  }
  read_targets_block(reader, root, spec, problems);
  if (root["membership"] || has_membership_targets(spec.targets)) {
    read_membership_block(reader, root["membership"], spec, defaults, base, problems);
  }
  read_history_files(reader, root, spec, defaults, problems);
  read_algorithm_block(reader, root["algorithm"], spec.algorithm);
  spec.algorithm.dimensions = spec.parameters.size();
  problems.throw_if_any();
  spec.formation_only = std::all_of(spec.targets.begin(), spec.targets.end(), [](const CalibrationTarget& t) {
    return t.row.section == "formation" || t.row.section == "membership";
  });
  return spec;
}

std::vector<std::vector<std::string>> split_into_folds(std::vector<std::string> commissioners, int folds,
                                                       std::uint64_t seed) {
  if (folds < 1) throw std::invalid_argument("split_into_folds: folds must be at least 1");
  std::sort(commissioners.begin(), commissioners.end());
  commissioners.erase(std::unique(commissioners.begin(), commissioners.end()), commissioners.end());
  // Fisher-Yates with Boost's distribution, whose output is specified (std::'s is not).
  Engine rng = make_stream(seed, "calibration_folds", 0);
  for (std::size_t i = commissioners.size(); i > 1; --i) {
    boost::random::uniform_int_distribution<std::size_t> pick(0, i - 1);
    std::swap(commissioners[i - 1], commissioners[pick(rng)]);
  }
  const auto n = commissioners.size(), k = static_cast<std::size_t>(folds);
  std::vector<std::vector<std::string>> out(k);
  std::size_t at = 0;
  for (std::size_t f = 0; f < k; ++f) {
    const std::size_t size = n / k + (f < n % k ? 1 : 0);
    out[f].assign(commissioners.begin() + static_cast<std::ptrdiff_t>(at),
                  commissioners.begin() + static_cast<std::ptrdiff_t>(at + size));
    std::sort(out[f].begin(), out[f].end());
    at += size;
  }
  return out;
}

double allowed_deviation(double observed, double tolerance, bool relative) {
  return relative ? tolerance * std::fabs(observed) : tolerance;
}

double loss_term(double simulated_mean, double observed, double tolerance, bool relative, double weight) {
  const double allowed = allowed_deviation(observed, tolerance, relative);
  if (std::isnan(simulated_mean) || std::isnan(observed) || !(allowed > 0)) return weight * kNanPenalty;
  const double z = (simulated_mean - observed) / allowed;
  return weight * z * z;
}

TargetSummary summarise(const CalibrationSpec& spec, const TargetValues& values) {
  const std::size_t targets = spec.targets.size(), seeds = spec.seeds.size();
  TargetSummary s;
  for (std::size_t t = 0; t < targets; ++t) {
    double sum = 0;
    for (std::size_t k = 0; k < seeds; ++k) sum += values.simulated[t * seeds + k];  // NaN stays NaN
    const CalibrationTarget& target = spec.targets[t];
    s.simulated_mean.push_back(sum / static_cast<double>(seeds));
    s.observed.push_back(values.observed[t]);
    s.term.push_back(loss_term(s.simulated_mean.back(), s.observed.back(), target.row.tolerance, target.row.relative,
                               target.weight));
    s.loss += s.term.back();
  }
  return s;
}

std::vector<double> parameter_values(const CalibrationSpec& spec, const std::vector<double>& unit) {
  std::vector<double> values(spec.parameters.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const SweepFactor& p = spec.parameters[i];
    values[i] = std::clamp(p.value_at(unit[i]), p.min, p.max);  // log_uniform may round past a bound
  }
  return values;
}

Scenario calibration_scenario(const CalibrationSpec& spec, const std::vector<double>& values, std::int64_t seed) {
  Scenario scenario = spec.base_scenario ? *spec.base_scenario : load_scenario(spec.base, spec.set);
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    set_number(scenario, spec.parameters[i].path, values[i], spec.parameters[i].scale, spec.file + " (calibration)");
  }
  scenario.seed = seed;
  return scenario;
}

namespace {

// The rows of a membership or history file whose practices belong (in this
// run's population) to one of `commissioners`; the rest of the record as it was.
template <class Record>
Record restricted(const Record& real, const World& world, const std::vector<std::string>& commissioners) {
  const auto commissioner = commissioner_of_practice(world);
  Record out = real;
  out.rows.clear();
  for (const auto& row : real.rows) {
    const auto it = commissioner.find(row.practice_code);
    if (it != commissioner.end() && std::binary_search(commissioners.begin(), commissioners.end(), it->second)) {
      out.rows.push_back(row);
    }
  }
  return out;
}

}  // namespace

std::vector<TargetValues> measure_targets(const CalibrationSpec& spec, const std::vector<double>& values,
                                          const std::vector<std::vector<std::string>>& selections) {
  const std::size_t targets = spec.targets.size(), seeds = spec.seeds.size();
  std::vector<TargetValues> out(selections.size(),
                                TargetValues{std::vector<double>(targets * seeds, kNaN), std::vector<double>(targets, 0.0)});
  const bool membership = has_membership_targets(spec.targets);
  std::vector<TargetRow> base_rows;
  for (const auto& t : spec.targets) base_rows.push_back(t.row);
  for (std::size_t k = 0; k < seeds; ++k) {
    Scenario scenario = calibration_scenario(spec, values, spec.seeds[k]);
    // Formation happens at the registration deadline and nothing before it
    // looks further ahead, so the formation and membership metrics of a run
    // cut there are those of the full run (tested); the rest is not needed.
    if (spec.formation_only) scenario.calendar.end = scenario.timeline.signup_window_close;
    const RunResult run = run_simulation(scenario);
    std::vector<TargetRow> rows = base_rows;
    compare_targets(rows, run);  // as validate does
    for (std::size_t s = 0; s < selections.size(); ++s) {
      std::vector<TargetRow> measured = rows;
      if (membership) {
        const MembershipComparison c =
            selections[s].empty() ? compare_membership(run, spec.real)
                                  : compare_membership(run, restricted(spec.real, run.world, selections[s]));
        compare_membership_targets(measured, c);
      }
      if (spec.history) {
        const RealHistory h = selections[s].empty() ? *spec.history : restricted(*spec.history, run.world, selections[s]);
        compare_history_targets(measured, compare_histories(run, &h, spec.workforce ? &*spec.workforce : nullptr));
      }
      for (std::size_t t = 0; t < targets; ++t) {
        out[s].simulated[t * seeds + k] = measured[t].simulated ? measured[t].simulated_value : kNaN;
        // Observed values measured on the file are NaN when there is nothing to measure.
        out[s].observed[t] += (measured[t].observed_from_data && !measured[t].simulated ? kNaN : measured[t].observed) /
                              static_cast<double>(seeds);
      }
    }
  }
  return out;
}

namespace {

// `target` as seen from the folder of `from_file`, so that the two can move
// together (a project checkout); absolute when they share nothing but the root.
std::string relative_to(const std::string& target, const std::string& from_file) {
  std::error_code ec;
  const fs::path t = fs::weakly_canonical(fs::absolute(target), ec);
  const fs::path dir = fs::weakly_canonical(fs::absolute(from_file).parent_path(), ec);
  const bool share_a_folder = std::distance(t.begin(), std::mismatch(t.begin(), t.end(), dir.begin(), dir.end()).first) > 1;
  const fs::path relative = t.lexically_relative(dir);
  return relative.empty() || !share_a_folder ? t.generic_string() : relative.generic_string();
}

// A shell word: as it is when safe, else single-quoted (a quote inside as '\'').
std::string shell_word(const std::string& text) {
  if (text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.=/+-:,") ==
      std::string::npos) {
    return text;
  }
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Parameter paths as nested YAML blocks, in the order of the calibration file.
struct YamlTree {
  std::string value;
  std::vector<std::string> keys;   // of the children, in order
  std::vector<YamlTree> children;  // (a vector may hold an incomplete type; a pair may not)
  void set(const std::string& path, const std::string& v) {
    const auto dot = path.find('.');
    const std::string key = path.substr(0, dot);
    auto at = static_cast<std::size_t>(std::find(keys.begin(), keys.end(), key) - keys.begin());
    if (at == keys.size()) {
      keys.push_back(key);
      children.emplace_back();
    }
    if (dot == std::string::npos) {
      children[at].value = v;
    } else {
      children[at].set(path.substr(dot + 1), v);
    }
  }
  void print(std::ostream& out, int indent) const {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      out << std::string(static_cast<std::size_t>(indent), ' ') << keys[i] << ':';
      if (children[i].keys.empty()) {
        out << ' ' << children[i].value << '\n';
      } else {
        out << '\n';
        children[i].print(out, indent + 2);
      }
    }
  }
};

std::string format_loss(double loss) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", loss);
  return buf;
}

}  // namespace

std::string fragment_yaml(const CalibrationSpec& spec, const std::vector<double>& values, double loss,
                          const std::string& fragment_path, const std::string& command) {
  std::ostringstream out;
  std::string seeds, sets, fixed;
  for (const auto s : spec.seeds) seeds += (seeds.empty() ? "" : ", ") + std::to_string(s);
  YamlTree tree;
  for (std::size_t i = 0; i < spec.parameters.size(); ++i) {
    const std::string text = spec.parameters[i].override_value(values[i], "calibration");
    tree.set(spec.parameters[i].path, text);
    sets += " --set " + shell_word(spec.parameters[i].path + "=" + text);
  }
  for (const auto& o : spec.set) fixed += " --set " + shell_word(o.path + "=" + o.value);
  out << "# The best values of calibration " << spec.name << " (" << spec.file << "), written by\n"
      << "#   " << command << "\n"
      << "# Loss " << format_loss(loss) << " (1 = one target at the edge of its tolerance), mean over seeds " << seeds
      << ".\n";
  if (!fixed.empty()) {
    out << "# While calibrating, these overrides were fixed too (they are not part of this file):\n#  " << fixed << "\n";
  }
  out << "# Run it (pcnsim run THIS.yaml), extend it (extends: THIS.yaml), or give the base scenario\n"
      << "#  " << sets << "\n"
      << "extends: " << relative_to(spec.base, fragment_path) << "\n";
  tree.print(out, 0);
  return out.str();
}

namespace {

// The best parameters' targets on every other fold (out of sample).
struct Holdout {
  std::vector<int> folds;
  std::vector<TargetSummary> summaries;
};

TargetValues values_of(const CalibrationSpec& spec, const Evaluation& e) {
  const std::size_t n = spec.targets.size() * spec.seeds.size();
  return {std::vector<double>(e.values.begin(), e.values.begin() + static_cast<std::ptrdiff_t>(n)),
          std::vector<double>(e.values.begin() + static_cast<std::ptrdiff_t>(n), e.values.end())};
}

namespace {

h5::DatasetOptions opt(std::string units, std::string description) {
  return h5::DatasetOptions{std::move(units), std::move(description), 1, 0};
}

hsize_t hs(std::size_t n) { return static_cast<hsize_t>(n); }

// Attributes, the fitted parameters and the targets.
void write_calibration_setup(h5::File& f, const CalibrationSpec& spec, const OptimiserRecord& record) {
  const std::size_t n = record.evaluations.size();
  const std::optional<std::size_t> best = record.best();
  f.set_attribute("/", "calibration_name", spec.name);
  f.set_attribute("/", "calibration_yaml", spec.text);
  f.set_attribute("/", "local_algorithm", spec.algorithm.local);
  f.set_attribute("/", "complete", static_cast<std::int64_t>(record.complete ? 1 : 0));
  f.set_attribute("/", "evaluations", static_cast<std::int64_t>(n));
  if (best) f.set_attribute("/", "best_loss", record.evaluations[*best].loss);

  write_factor_table(f, spec.parameters,
                     {{{"/parameters/path", "fitted parameter: scenario path (scale(path) multiplies a dated series)"},
                       {"/parameters/min", "lower bound (unit coordinate 0)"},
                       {"/parameters/max", "upper bound (unit coordinate 1)"},
                       {"/parameters/distribution", "how unit coordinates map onto the bounds: uniform or log_uniform"}}});
  std::vector<std::string> ids;
  std::vector<double> weights, tolerances;
  std::vector<std::int32_t> relative;
  for (const auto& t : spec.targets) {
    ids.push_back(t.id());
    weights.push_back(t.weight);
    tolerances.push_back(t.row.tolerance);
    relative.push_back(t.row.relative ? 1 : 0);
  }
  f.write("/targets/name", ids, opt("", "target: section.name of the targets file"));
  f.write("/targets/weight", weights, opt("", "weight of the target in the loss"));
  f.write("/targets/tolerance", tolerances, opt("", "tolerance: the allowed deviation (times |observed| when relative)"));
  f.write("/targets/relative", relative, opt("", "1 = the tolerance is relative to the observed value"));
  f.write("/seeds", std::vector<std::int64_t>(spec.seeds.begin(), spec.seeds.end()), opt("", "scenario seeds of every evaluation"));
}

// Every evaluation: its point, values, simulated targets and loss.
void write_evaluations(h5::File& f, const CalibrationSpec& spec, const OptimiserRecord& record) {
  const std::size_t k = spec.parameters.size(), targets = spec.targets.size(), seeds = spec.seeds.size();
  const std::size_t n = record.evaluations.size();
  std::vector<std::string> phase(n);
  std::vector<std::int32_t> start(n), index(n);
  std::vector<double> unit, value, simulated, mean, observed, loss(n);
  for (std::size_t e = 0; e < n; ++e) {
    const Evaluation& ev = record.evaluations[e];
    phase[e] = to_string(ev.phase);
    start[e] = ev.start;
    index[e] = ev.index;
    loss[e] = ev.loss;
    unit.insert(unit.end(), ev.unit.begin(), ev.unit.end());
    const auto v = parameter_values(spec, ev.unit);
    value.insert(value.end(), v.begin(), v.end());
    const TargetValues tv = values_of(spec, ev);
    const TargetSummary s = summarise(spec, tv);
    simulated.insert(simulated.end(), tv.simulated.begin(), tv.simulated.end());
    mean.insert(mean.end(), s.simulated_mean.begin(), s.simulated_mean.end());
    observed.insert(observed.end(), s.observed.begin(), s.observed.end());
  }
  f.write("/evaluations/phase", phase, opt("", "lhs (a Latin hypercube start) or local (a local search)"));
  f.write("/evaluations/start", start, opt("", "Latin hypercube row, or local search"));
  f.write("/evaluations/index", index, opt("", "evaluation within its local search (0 for lhs)"));
  f.write("/evaluations/unit", unit, {hs(n), hs(k)}, opt("1", "point in the unit cube [evaluation, parameter]"));
  f.write("/evaluations/value", value, {hs(n), hs(k)}, opt("", "parameter values [evaluation, parameter]"));
  f.write("/evaluations/simulated", simulated, {hs(n), hs(targets), hs(seeds)},
          opt("", "simulated value of each target for each seed [evaluation, target, seed]; NaN = not produced"));
  f.write("/evaluations/simulated_mean", mean, {hs(n), hs(targets)},
          opt("", "mean over seeds [evaluation, target]"));
  f.write("/evaluations/observed", observed, {hs(n), hs(targets)},
          opt("", "observed value [evaluation, target] (measured on the membership file for 'real' rows)"));
  f.write("/evaluations/loss", loss, opt("", "sum over targets of weight x ((mean simulated - observed) / allowed)^2"));
}

// Each local search: where it started, how it ended, its best loss.
void write_local_searches(h5::File& f, const OptimiserRecord& record) {
  const std::size_t searches = record.local.size();
  std::vector<std::int32_t> lhs_row(searches), evaluations(searches), done(searches);
  std::vector<std::string> result(searches);
  std::vector<double> search_best(searches, kNaN);
  for (std::size_t j = 0; j < searches; ++j) {
    lhs_row[j] = record.local[j].lhs_row;
    evaluations[j] = record.local[j].evaluations;
    done[j] = record.local[j].done ? 1 : 0;
    result[j] = record.local[j].result;
  }
  for (const auto& ev : record.evaluations) {
    if (ev.phase != Phase::local) continue;
    auto& b = search_best[static_cast<std::size_t>(ev.start)];
    if (std::isnan(b) || ev.loss < b) b = ev.loss;
  }
  f.write("/local/lhs_row", lhs_row, opt("", "the Latin hypercube point each local search started from"));
  f.write("/local/evaluations", evaluations, opt("", "evaluations of each local search"));
  f.write("/local/done", done, opt("", "1 = finished, 0 = interrupted or not started"));
  f.write("/local/result", result, opt("", "why the local search stopped"));
  f.write("/local/best_loss", search_best, opt("", "lowest loss of each local search"));
}

// The best point, the commissioners compared and the held-out folds.
void write_best_and_folds(h5::File& f, const CalibrationSpec& spec, const OptimiserRecord& record,
                          const std::optional<Holdout>& holdout) {
  const std::size_t targets = spec.targets.size();
  const std::optional<std::size_t> best = record.best();
  if (best) {
    const Evaluation& b = record.evaluations[*best];
    const TargetSummary s = summarise(spec, values_of(spec, b));
    f.write("/best/evaluation", std::vector<std::int64_t>{static_cast<std::int64_t>(*best)},
            opt("", "row of /evaluations with the lowest loss (ties: the earliest)"));
    f.write("/best/unit", b.unit, opt("1", "the best point in the unit cube"));
    f.write("/best/value", parameter_values(spec, b.unit), opt("", "the best parameter values (see /parameters/path)"));
    f.write("/best/loss", std::vector<double>{b.loss}, opt("", "the lowest loss"));
    f.write("/best/simulated_mean", s.simulated_mean, opt("", "mean over seeds of each target at the best point"));
    f.write("/best/observed", s.observed, opt("", "observed value of each target"));
    f.write("/best/term", s.term, opt("", "each target's term of the loss"));
  }
  if (spec.membership && spec.membership->mode != "all") {
    f.write("/membership/compared", spec.commissioners, opt("", "commissioners whose practices the membership rows compare"));
  }
  if (!spec.folds.empty()) {
    std::vector<std::string> codes;
    std::vector<std::int32_t> fold_of;
    for (std::size_t g = 0; g < spec.folds.size(); ++g) {
      for (const auto& c : spec.folds[g]) {
        codes.push_back(c);
        fold_of.push_back(static_cast<std::int32_t>(g));
      }
    }
    f.write("/membership/commissioner", codes, opt("", "commissioners of the membership file, by fold"));
    f.write("/membership/fold", fold_of, opt("", "fold of each commissioner"));
  }
  if (holdout) {
    const std::size_t folds = holdout->folds.size();
    std::vector<double> loss_h, mean_h, observed_h, term_h;
    for (const auto& s : holdout->summaries) {
      loss_h.push_back(s.loss);
      mean_h.insert(mean_h.end(), s.simulated_mean.begin(), s.simulated_mean.end());
      observed_h.insert(observed_h.end(), s.observed.begin(), s.observed.end());
      term_h.insert(term_h.end(), s.term.begin(), s.term.end());
    }
    f.write("/holdout/fold", std::vector<std::int32_t>(holdout->folds.begin(), holdout->folds.end()),
            opt("", "the folds not calibrated on"));
    f.write("/holdout/loss", loss_h, opt("", "loss of the best parameters on each held-out fold"));
    f.write("/holdout/simulated_mean", mean_h, {hs(folds), hs(targets)}, opt("", "[fold, target] at the best point"));
    f.write("/holdout/observed", observed_h, {hs(folds), hs(targets)}, opt("", "[fold, target]"));
    f.write("/holdout/term", term_h, {hs(folds), hs(targets)}, opt("", "[fold, target]: each target's term of the loss"));
  }
}

}  // namespace

void write_calibration(const CalibrationSpec& spec, const OptimiserRecord& record, const std::optional<Holdout>& holdout,
                       const std::string& path) {
  write_record(path, "calibration", [&](h5::File& f) {
    write_calibration_setup(f, spec, record);
    write_evaluations(f, spec, record);
    write_local_searches(f, record);
    write_best_and_folds(f, spec, record, holdout);
  });
}

// The evaluations of an earlier output of the same calibration file, to replay.
std::vector<Evaluation> read_replay(const CalibrationSpec& spec, const std::string& path) {
  const h5::File f = open_for_resume(path, "calibration output", "calibration output");
  if (!f.has_attribute("/", "calibration_yaml") || f.string_attribute("/", "calibration_yaml") != spec.text ||
      !f.exists("/evaluations/loss")) {
    throw InputError(Diagnostic{path, 0, 0, "", "--resume: the file is not an output of this calibration file (" + spec.file + ")"});
  }
  const std::size_t k = spec.parameters.size(), width = spec.targets.size() * spec.seeds.size(), targets = spec.targets.size();
  const auto loss = f.read_doubles("/evaluations/loss");
  const auto unit = f.read_doubles("/evaluations/unit");
  const auto simulated = f.read_doubles("/evaluations/simulated");
  const auto observed = f.read_doubles("/evaluations/observed");
  const std::size_t n = loss.size();
  if (unit.size() != n * k || simulated.size() != n * width || observed.size() != n * targets) {
    throw InputError(Diagnostic{path, 0, 0, "", "--resume: the file's evaluations do not match the calibration file"});
  }
  std::vector<Evaluation> out(n);
  for (std::size_t e = 0; e < n; ++e) {
    out[e].loss = loss[e];
    out[e].unit.assign(unit.begin() + static_cast<std::ptrdiff_t>(e * k), unit.begin() + static_cast<std::ptrdiff_t>((e + 1) * k));
    out[e].values.assign(simulated.begin() + static_cast<std::ptrdiff_t>(e * width),
                         simulated.begin() + static_cast<std::ptrdiff_t>((e + 1) * width));
    out[e].values.insert(out[e].values.end(), observed.begin() + static_cast<std::ptrdiff_t>(e * targets),
                         observed.begin() + static_cast<std::ptrdiff_t>((e + 1) * targets));
  }
  return out;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(a), ec) == fs::weakly_canonical(fs::absolute(b), ec);
}

void print_summary(const CalibrationSpec& spec, const OptimiserRecord& record, const std::optional<Holdout>& holdout,
                   const std::string& out, const std::string& fragment) {
  const std::size_t best = *record.best();
  const Evaluation& b = record.evaluations[best];
  const auto count = [](std::size_t n, const std::string& one, const std::string& many = "") {
    return std::to_string(n) + " " + (n == 1 ? one : many.empty() ? one + "s" : many);
  };
  std::printf("calibration %s: %s, %s, %s; %s, %s (%s): %s; results in %s\n", spec.name.c_str(),
              count(spec.parameters.size(), "parameter").c_str(), count(spec.targets.size(), "target").c_str(),
              count(spec.seeds.size(), "seed").c_str(),
              count(static_cast<std::size_t>(spec.algorithm.starts), "LHS point").c_str(),
              count(record.local.size(), "local search", "local searches").c_str(), spec.algorithm.local.c_str(),
              count(record.evaluations.size(), "evaluation").c_str(), out.c_str());
  for (std::size_t j = 0; j < record.local.size(); ++j) {
    double lowest = kNaN;
    for (const auto& e : record.evaluations) {
      if (e.phase == Phase::local && e.start == static_cast<int>(j) && (std::isnan(lowest) || e.loss < lowest)) lowest = e.loss;
    }
    std::printf("  local search %zu from LHS point %d: %d evaluations, lowest loss %s (%s)\n", j, record.local[j].lhs_row,
                record.local[j].evaluations, format_loss(lowest).c_str(), record.local[j].result.c_str());
  }
  std::printf("best loss %s (%s %d, evaluation %d):\n", format_loss(b.loss).c_str(),
              b.phase == Phase::lhs ? "LHS point" : "local search", b.start, b.index);
  const auto values = parameter_values(spec, b.unit);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const SweepFactor& p = spec.parameters[i];
    std::printf("  %-40s %12.6g   in [%g, %g]\n", p.column().c_str(), values[i], p.min, p.max);
  }
  const TargetSummary s = summarise(spec, values_of(spec, b));
  std::printf("\n%-44s %8s %12s %12s %10s %10s%s\n", "target", "weight", "observed", "simulated", "tolerance", "term",
              holdout ? "  held-out term" : "");
  for (std::size_t t = 0; t < spec.targets.size(); ++t) {
    const TargetRow& r = spec.targets[t].row;
    const std::string tolerance = r.relative ? "±" + std::to_string(static_cast<int>(std::lround(r.tolerance * 100))) + "%"
                                             : "±" + format_number(r.tolerance);
    std::printf("%-44s %8g %12.6g %12.6g %10s %10.4g", spec.targets[t].id().c_str(), spec.targets[t].weight,
                s.observed[t], s.simulated_mean[t], tolerance.c_str(), s.term[t]);
    if (holdout) {
      for (const auto& h : holdout->summaries) std::printf("  %10.4g", h.term[t]);
    }
    std::printf("\n");
  }
  if (holdout) {
    for (std::size_t g = 0; g < holdout->folds.size(); ++g) {
      std::printf("held-out fold %d (%zu commissioners): loss %s\n", holdout->folds[g],
                  spec.folds[static_cast<std::size_t>(holdout->folds[g])].size(),
                  format_loss(holdout->summaries[g].loss).c_str());
    }
  }
  std::printf("best values: %s\n", fragment.c_str());
}

}  // namespace

int run_calibration(const CalibrationSpec& spec, const CalibrationOptions& options) {
  Cluster cluster;
  // Every rank checks the outputs and reads the file to replay (the same
  // file), so all agree on what is left to compute.
  const bool in_place = !options.resume.empty() && same_file(options.resume, options.out);
  if (!in_place) AtomicOutput(options.out, options.overwrite);  // refuses an existing file
  AtomicOutput(options.fragment, options.overwrite);
  // No rank writes before every rank has checked: a slow rank must not find
  // the leader's checkpoint or fragment and refuse it as an existing file.
  cluster.barrier();
  OptimiserRun run;
  run.threads = options.threads;
  run.checkpoint_seconds = options.checkpoint_seconds;
  run.stop_after_evaluations = options.stop_after_evaluations;
  run.quiet = options.quiet || !cluster.leader();
  if (!options.resume.empty()) run.replay = read_replay(spec, options.resume);
  run.checkpoint = [&](const OptimiserRecord& snapshot) { write_calibration(spec, snapshot, std::nullopt, options.out); };
  const Objective objective = [&](const std::vector<double>& unit) {
    const TargetValues tv = measure_targets(spec, parameter_values(spec, unit), {spec.commissioners}).front();
    ObjectiveValue v{summarise(spec, tv).loss, tv.simulated};
    v.values.insert(v.values.end(), tv.observed.begin(), tv.observed.end());
    return v;
  };
  StopRequest stop;  // until the last write: a signal then must not kill the process
  const OptimiserRecord record = optimise(objective, spec.algorithm, run, cluster, stop);
  if (!cluster.leader()) return stop.requested() && !record.complete ? stop.exit_code() : 0;
  std::optional<Holdout> holdout;
  const std::optional<std::size_t> best = record.best();
  const std::vector<double> best_values = best ? parameter_values(spec, record.evaluations[*best].unit) : std::vector<double>{};
  if (record.complete && !spec.folds.empty() && (has_membership_targets(spec.targets) || spec.history)) {
    holdout.emplace();
    std::vector<std::vector<std::string>> selections;
    for (std::size_t g = 0; g < spec.folds.size(); ++g) {
      if (static_cast<int>(g) == spec.membership->fold) continue;
      holdout->folds.push_back(static_cast<int>(g));
      selections.push_back(spec.folds[g]);
    }
    for (const auto& tv : measure_targets(spec, best_values, selections)) holdout->summaries.push_back(summarise(spec, tv));
  }
  write_calibration(spec, record, holdout, options.out);
  if (!record.complete) {
    std::fprintf(stderr, "calibration %s interrupted: %zu evaluations saved in %s; finish with --resume %s\n",
                 spec.name.c_str(), record.evaluations.size(), options.out.c_str(), options.out.c_str());
    return stop.exit_code();
  }
  AtomicOutput(options.fragment, options.overwrite)
      .write_text([&](std::ostream& file) {
        file << fragment_yaml(spec, best_values, record.evaluations[*best].loss, options.fragment, options.command);
      }, "fragment");
  print_summary(spec, record, holdout, options.out, options.fragment);
  return 0;
}

}  // namespace pcnsim
