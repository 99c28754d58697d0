#include "pcnsim/analysis/sweep.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>

#include "pcnsim/kernel/cluster.hpp"
#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/engine/ensemble.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/kernel/progress.hpp"
#include "pcnsim/engine/schedule.hpp"
#include "pcnsim/engine/spec_file.hpp"
#include "pcnsim/io/writer.hpp"

namespace pcnsim {

namespace fs = std::filesystem;

namespace {

std::string number_text(double x) { return SpecReader::number(x); }

// A dated series of the base scenario, by parameter path (checked by check_factor_path).
DatedSeries series_of(const Scenario& base, const std::string& path) { return dated_series(base, path).value(); }

// The series with every value times `factor`, as a YAML flow list (an override).
std::string scaled_series(const DatedSeries& series, double factor, const std::string& by = "sweep") {
  std::string out = "[";
  for (std::size_t i = 0; i < series.entries.size(); ++i) {
    const DatedValue& e = series.entries[i];
    std::string quoted;
    for (char ch : e.source) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
    out += (i ? ", " : "") + std::string("{from: ") + e.from.iso() + ", value: " + number_text(e.value * factor) +
           ", source: '" + quoted + " (x" + number_text(factor) + ", " + by + ")'}";
  }
  return out + "]";
}

}  // namespace

double SweepFactor::value_at(double u) const {
  if (!values.empty()) {
    const auto n = values.size();
    return values[std::min(n - 1, static_cast<std::size_t>(std::llround(u * static_cast<double>(n - 1))))];
  }
  if (distribution == "log_uniform") return std::exp(std::log(min) + u * (std::log(max) - std::log(min)));
  return min + u * (max - min);
}

std::string SweepFactor::column() const { return scale ? "scale(" + path + ")" : path; }

std::string SweepFactor::override_value(double v, const std::string& by) const {
  return scale ? scaled_series(base_series, v, by) : number_text(v);
}

SweepFactor read_factor(SpecReader& reader, const YAML::Node& f, const std::string& where, FactorValues values_key) {
  const bool with_values = values_key != FactorValues::not_a_key;
  std::vector<std::string> keys = {"path", "min", "max", "distribution", "values", "scale"};
  if (!with_values) keys.erase(keys.begin() + 4);
  reader.check_keys(f, where + ".", keys);
  SweepFactor factor;
  reader.scalar(f["path"], where + ".path", factor.path, 0, 0);
  reader.scalar(f["scale"], where + ".scale", factor.scale, 0, 1);
  reader.scalar(f["distribution"], where + ".distribution", factor.distribution, 0, 0);
  const double big = std::numeric_limits<double>::max();
  reader.scalar(f["min"], where + ".min", factor.min, -big, big);
  reader.scalar(f["max"], where + ".max", factor.max, -big, big);
  if (const YAML::Node values = f["values"]; with_values && values) {
    if (!values.IsSequence() || values.size() == 0) {
      reader.complain(values, where + ".values", "expected a list of numbers");
    } else {
      for (const auto& v : values) {
        double x = 0;
        reader.scalar(v, where + ".values", x, -big, big);
        factor.values.push_back(x);
      }
      if (values_key == FactorValues::not_this_design) {
        reader.complain(values, where + ".values", "explicit values are for the grid design only");
      }
      factor.min = *std::min_element(factor.values.begin(), factor.values.end());
      factor.max = *std::max_element(factor.values.begin(), factor.values.end());
    }
  } else if (!f["min"] || !f["max"]) {
    reader.complain(f, where, with_values ? "needs min and max (or values for a grid)" : "needs min and max");
  } else if (!(factor.min < factor.max)) {
    reader.complain(f["max"], where + ".max", "must be greater than min");
  }
  if (factor.distribution != "uniform" && factor.distribution != "log_uniform") {
    reader.complain(f["distribution"], where + ".distribution", "must be uniform or log_uniform");
  } else if (factor.distribution == "log_uniform" && !(factor.min > 0)) {
    reader.complain(f["min"], where + ".min", "a log_uniform factor needs min > 0");
  }
  if (factor.path.empty()) reader.complain(f, where + ".path", "missing: the parameter path");
  return factor;
}

std::map<std::string, std::string> parameter_types(const Scenario& scenario) {
  std::map<std::string, std::string> types;
  for (const auto& r : parameter_rows(scenario)) types[r.path] = r.type;
  return types;
}

void check_factor_path(SpecReader& reader, const YAML::Node& f, const std::string& where, SweepFactor& factor,
                       const FactorBase& base) {
  if (factor.path.empty()) return;  // reported by read_factor
  const auto it = base.types.find(factor.path);
  if (it == base.types.end()) {
    std::vector<std::string> known_paths;
    for (const auto& [p, t] : base.types) known_paths.push_back(p);
    const std::string close = closest_match(factor.path, known_paths);
    reader.complain(f["path"], where + ".path",
                    "unknown parameter '" + factor.path + "'" + (close.empty() ? "" : "; did you mean '" + close + "'?"));
  } else if (factor.scale != (it->second == "dated series")) {
    reader.complain(f["path"], where + ".path",
                    factor.scale ? "scale: true is for dated series; '" + factor.path + "' is a " + it->second
                                 : "'" + factor.path + "' is a " + it->second +
                                       (it->second == "dated series" ? "; add scale: true to multiply its entries"
                                                                     : "; factors must be numbers"));
  } else if (it->second != "number" && it->second != "integer" && !factor.scale) {
    reader.complain(f["path"], where + ".path", "'" + factor.path + "' is a " + it->second + "; factors must be numbers");
  } else {
    // Both ends must make a valid scenario (ranges, integers), set as the runs set them.
    if (factor.scale) factor.base_series = series_of(*base.scenario, factor.path);
    for (const double v : {factor.min, factor.max}) {
      try {
        Scenario scenario = *base.scenario;
        set_number(scenario, factor.path, v, factor.scale, reader.file());
      } catch (const InputError& e) {
        reader.complain(f, where, "value " + number_text(v) + " is not valid for '" + factor.path +
                                      "': " + e.problems().front().message);
      }
    }
  }
}

SweepSpec load_sweep(const std::string& path) { return load_sweep_text(read_yaml_file(path, "sweep file"), path); }

namespace {

bool known_design_method(const std::string& method) {
  return method == "grid" || method == "lhs" || method == "morris" || method == "sobol";
}

// The design block: method, samples, levels and seed, checked together.
void read_design_block(SpecReader& reader, const YAML::Node& root, SweepSpec& spec) {
  if (const YAML::Node design = root["design"]) {
    if (!design.IsMap()) {
      reader.complain(design, "design", "expected a block: method, samples, levels, seed");
    } else {
      reader.check_keys(design, "design.", {"method", "samples", "levels", "seed"});
      reader.scalar(design["method"], "design.method", spec.method, 0, 0);
      reader.scalar(design["samples"], "design.samples", spec.samples, 1, 1e7);
      reader.scalar(design["levels"], "design.levels", spec.levels, 1, 1000);
      reader.scalar(design["seed"], "design.seed", spec.seed, 0, 9e15);
    }
  } else {
    reader.complain(root, "design", "missing: the design block (method: grid, lhs, morris or sobol)");
  }
  if (!known_design_method(spec.method)) {
    reader.complain(root["design"]["method"], "design.method", "must be one of: grid, lhs, morris, sobol");
  }
  if (spec.method == "morris" && spec.levels < 2) reader.complain(root["design"]["levels"], "design.levels", "Morris needs at least 2 levels");
}

// Factors: every path must be a number parameter of the base scenario (or a
// dated series with scale: true; x1, x2... for the test models), and both
// bounds must give a valid scenario.
void read_factors(SpecReader& reader, const YAML::Node& root, const std::optional<FactorBase>& factor_base,
                  SweepSpec& spec) {
  reader.each_map_entry(root, "factors", "expected a list of factors ({path, min, max} each)",
                        "expected {path, min, max} (and optionally distribution, values, scale)",
                        [&](const YAML::Node& f, const std::string& where) {
    SweepFactor factor =
        read_factor(reader, f, where, spec.method == "grid" ? FactorValues::allowed : FactorValues::not_this_design);
    if (factor.path.empty()) {
      // read_factor said so
    } else if (spec.model != "pcnsim") {
      // Test models: factors x1, x2, ... (Ishigami: x1 to x3).
      // At most 9 digits: std::stoi threw std::out_of_range (not InputError)
      // on x99999999999 (tests/fuzz/regressions/sweep/linear-factor-digits.yaml).
      const bool ok = factor.path.size() >= 2 && factor.path.size() <= 10 && factor.path[0] == 'x' &&
                      factor.path.find_first_not_of("0123456789", 1) == std::string::npos &&
                      std::stoi(factor.path.substr(1)) >= 1 &&
                      (spec.model != "ishigami" || std::stoi(factor.path.substr(1)) <= 3);
      if (!ok) {
        reader.complain(f["path"], where + ".path",
                 spec.model == "ishigami" ? "the ishigami model has factors x1, x2 and x3"
                                          : "the linear model has factors x1, x2, ... (y = 1 x1 + 2 x2 + ...)");
      }
    } else if (factor_base) {
      check_factor_path(reader, f, where, factor, *factor_base);
    }
    // The same parameter twice would make one override the other silently.
    for (const auto& earlier : spec.factors) {
      if (!factor.path.empty() && earlier.path == factor.path) {
        reader.complain(f["path"], where + ".path", "'" + factor.path + "' is already a factor");
      }
    }
    spec.factors.push_back(std::move(factor));
  });
}

// A design too big to hold: the grid's row count (the product of the levels)
// overflowed in full_grid, which then allocated less than it wrote
// (tests/fuzz/regressions/sweep/grid-rows-overflow.yaml).
void check_design_size(SpecReader& reader, const YAML::Node& root, const SweepSpec& spec) {
  if (!spec.factors.empty() && known_design_method(spec.method)) {
    const std::size_t rows = design_rows(spec), k = spec.factors.size();
    if (rows > kMaxDesignValues / k) {
      reader.complain(root["design"] ? root["design"] : root, "design",
               "the design has " + (rows == std::numeric_limits<std::size_t>::max() ? std::string("over 1e19")
                                                                                   : std::to_string(rows)) +
                   " rows of " + std::to_string(k) + " factors; at most " + std::to_string(kMaxDesignValues) +
                   " values in all (fewer levels, samples or factors)");
    }
  }
}

// The outcomes the sensitivity analysis reports (names of key outcomes).
void read_outputs(SpecReader& reader, const YAML::Node& root, bool outcomes_known, SweepSpec& spec) {
  if (const YAML::Node outputs = root["outputs"]) {
    if (!outputs.IsSequence()) {
      reader.complain(outputs, "outputs", "expected a list of outcome names");
    } else if (outcomes_known) {
      const auto& names = spec.outcomes;
      for (const auto& o : outputs) {
        const std::string name = o.IsScalar() ? o.Scalar() : "";
        if (std::find(names.begin(), names.end(), name) == names.end()) {
          const std::string close = closest_match(name, names);
          reader.complain(o, "outputs", "unknown outcome '" + name + "'" + (close.empty() ? "" : "; did you mean '" + close + "'?"));
        } else {
          spec.outputs.push_back(name);
        }
      }
    }
  }
}

}  // namespace

SweepSpec load_sweep_text(const std::string& text, const std::string& path) {
  SweepSpec spec;
  spec.file = path;
  spec.text = text;
  DiagnosticList problems;
  const YAML::Node root = parse_yaml_map(spec.text, path, "sweep file", problems);
  SpecReader reader(path, problems);
  reader.check_keys(root, "", {"name", "description", "model", "base", "set", "design", "replicates", "bootstrap",
                               "confidence", "outputs", "factors"});
  reader.name_and_description(root, spec.name, spec.description);
  reader.scalar(root["model"], "model", spec.model, 0, 0);
  if (spec.model != "pcnsim" && spec.model != "ishigami" && spec.model != "linear") {
    reader.complain(root["model"], "model", "must be one of: pcnsim, ishigami, linear");
  }
  spec.base = reader.base_path(root, spec.model == "pcnsim", "the base scenario file");
  spec.set = reader.overrides(root["set"]);
  read_design_block(reader, root, spec);
  reader.scalar(root["replicates"], "replicates", spec.replicates, 1, 1e6);
  reader.scalar(root["bootstrap"], "bootstrap", spec.bootstrap, 0, 1e6);
  reader.scalar(root["confidence"], "confidence", spec.confidence, 0.5, 0.999);

  // Factors: every path must be a number parameter of the base scenario (or a
  // dated series with scale: true), and both bounds must give a valid scenario.
  std::optional<Scenario> base;
  if (spec.model == "pcnsim" && !spec.base.empty()) {
    try {
      base = load_scenario(spec.base, spec.set);
    } catch (const InputError& e) {
      for (auto d : e.problems()) problems.add(d);
    }
  }
  std::optional<FactorBase> factor_base;
  if (base) factor_base = FactorBase{spec.base, spec.set, &*base, parameter_types(*base)};
  read_factors(reader, root, factor_base, spec);
  check_design_size(reader, root, spec);
  if (spec.model != "pcnsim") {
    spec.outcomes = {"y"};
  } else if (base) {
    spec.outcomes = key_outcome_names(*base);
  }
  read_outputs(reader, root, spec.model != "pcnsim" || base.has_value(), spec);
  problems.throw_if_any();
  if (spec.outputs.empty()) spec.outputs = spec.outcomes;
  spec.base_scenario = std::move(base);
  return spec;
}

std::size_t design_rows(const SweepSpec& spec) {
  constexpr std::size_t most = std::numeric_limits<std::size_t>::max();
  const auto times = [](std::size_t a, std::size_t b) { return a != 0 && b > most / a ? most : a * b; };
  const std::size_t k = spec.factors.size(), samples = static_cast<std::size_t>(std::max(spec.samples, 0));
  if (spec.method == "grid") {
    if (k == 0) return 0;
    std::size_t rows = 1;
    for (const auto& f : spec.factors) {
      rows = times(rows, f.values.empty() ? static_cast<std::size_t>(std::max(spec.levels, 0)) : f.values.size());
    }
    return rows;
  }
  if (spec.method == "morris") return times(samples, k + 1);
  if (spec.method == "sobol") return times(samples, k + 2);
  return samples;
}

SweepDesign make_design(const SweepSpec& spec) {
  const std::size_t k = spec.factors.size();
  const auto seed = static_cast<std::uint64_t>(spec.seed);
  const auto samples = static_cast<std::size_t>(spec.samples);
  SweepDesign d;
  if (spec.method == "grid") {
    std::vector<int> levels;
    for (const auto& f : spec.factors) levels.push_back(f.values.empty() ? spec.levels : static_cast<int>(f.values.size()));
    d.unit = full_grid(levels);
  } else if (spec.method == "lhs") {
    d.unit = latin_hypercube(k, samples, seed);
  } else if (spec.method == "morris") {
    d.unit = morris_design(k, samples, spec.levels, seed);
  } else {
    d.unit = saltelli_design(k, samples, seed);
  }
  d.value.resize(d.unit.points.size());
  for (std::size_t r = 0; r < d.rows(); ++r) {
    for (std::size_t f = 0; f < k; ++f) d.value[r * k + f] = spec.factors[f].value_at(d.unit.at(r, f));
  }
  return d;
}

Scenario row_scenario(const SweepSpec& spec, const SweepDesign& design, std::size_t row) {
  Scenario scenario = spec.base_scenario.value();
  const std::size_t k = spec.factors.size();
  for (std::size_t f = 0; f < k; ++f) {
    set_number(scenario, spec.factors[f].path, design.value[row * k + f], spec.factors[f].scale,
               spec.file + " (design row " + std::to_string(row) + ")");
  }
  return scenario;
}

std::string design_csv(const SweepSpec& spec, const SweepDesign& design) {
  std::string out = "row";
  for (const auto& f : spec.factors) out.append(1, ',').append(f.column());
  out += "\n";
  const std::size_t k = spec.factors.size();
  for (std::size_t r = 0; r < design.rows(); ++r) {
    out += std::to_string(r);
    for (std::size_t f = 0; f < k; ++f) out.append(1, ',').append(number_text(design.value[r * k + f]));
    out += "\n";
  }
  return out;
}

std::vector<Override> design_row_overrides(const std::string& csv_path, long row, const std::string& scenario_path) {
  const CsvTable table = read_csv(csv_path);  // strict: every row as wide as the header
  const std::vector<std::string>& header = table.header;
  if (header.empty() || header.front() != "row") {
    throw InputError(Diagnostic{csv_path, 1, 1, "", "expected a design file from `pcnsim design` (first column `row`)"});
  }
  // Every column once, every cell a number: all problems at once, before any run.
  DiagnosticList problems;
  for (std::size_t c = 1; c < header.size(); ++c) {
    const auto first = std::find(header.begin(), header.end(), header[c]) - header.begin();
    if (static_cast<std::size_t>(first) != c) {
      problems.add({csv_path, table.header_places[c].line, table.header_places[c].column, header[c],
                    "duplicate design column (first at column " +
                        std::to_string(table.header_places[static_cast<std::size_t>(first)].column) + ")"});
    }
  }
  const CsvRow* wanted = nullptr;
  for (const CsvRow& r : table.rows) {
    for (std::size_t c = 0; c < r.fields.size(); ++c) {
      const auto value = number_from_text(r.fields[c]);
      const bool whole = value && std::floor(*value) == *value;
      if (!value || !std::isfinite(*value) || (c == 0 && !whole)) {
        problems.add({csv_path, r.places[c].line, r.places[c].column, header[c],
                      std::string(c == 0 ? "expected a design row number" : "expected a number") + ", got '" +
                          r.fields[c] + "'"});
      }
    }
    if (!wanted && r.fields.front() == std::to_string(row)) wanted = &r;
  }
  problems.throw_if_any();
  if (!wanted) throw InputError(Diagnostic{csv_path, 0, 0, "", "no design row " + std::to_string(row)});
  std::vector<Override> out;
  std::optional<Scenario> base;
  for (std::size_t c = 1; c < header.size(); ++c) {
    const std::string& col = header[c];
    const std::string& cell = wanted->fields[c];
    if (col.rfind("scale(", 0) == 0 && col.back() == ')') {
      const std::string path = col.substr(6, col.size() - 7);
      if (!base) base = load_scenario(scenario_path);
      out.push_back({path, scaled_series(series_of(*base, path), *number_from_text(cell))});
    } else {
      out.push_back({col, cell});
    }
  }
  return out;
}

std::vector<std::string> write_factor_table(h5::File& f, const std::vector<SweepFactor>& factors,
                        const std::array<std::pair<std::string, std::string>, 4>& datasets) {
  std::vector<std::string> names, distributions;
  std::vector<double> lo, hi;
  for (const auto& fac : factors) {
    names.push_back(fac.column());
    distributions.push_back(fac.values.empty() ? fac.distribution : "levels");
    lo.push_back(fac.min);
    hi.push_back(fac.max);
  }
  auto opt = [](const std::string& description) { return h5::DatasetOptions{"", description, 1, 0}; };
  f.write(datasets[0].first, names, opt(datasets[0].second));
  f.write(datasets[1].first, lo, opt(datasets[1].second));
  f.write(datasets[2].first, hi, opt(datasets[2].second));
  f.write(datasets[3].first, distributions, opt(datasets[3].second));
  return names;
}

namespace {

// One run's outcomes (pcnsim: the key outcomes; ishigami: y).
std::vector<double> evaluate(const SweepSpec& spec, const SweepDesign& design, std::size_t row, int replicate) {
  if (spec.model != "pcnsim") {
    // Test models with known sensitivity indices; factor xi is input i.
    const std::size_t k = spec.factors.size();
    std::vector<double> x(k + 3, 0.0);
    double linear = 0;
    for (std::size_t f = 0; f < k; ++f) {
      const auto i = static_cast<std::size_t>(std::stoi(spec.factors[f].path.substr(1)));
      const double v = design.value[row * k + f];
      if (i < x.size()) x[i] = v;
      linear += static_cast<double>(i) * v;
    }
    return {spec.model == "ishigami" ? ishigami(x[1], x[2], x[3]) : linear};
  }
  const Scenario scenario = row_scenario(spec, design, row);
  std::vector<double> out;
  for (const auto& o : key_outcomes(run_simulation(scenario, static_cast<std::uint64_t>(replicate)))) out.push_back(o.value);
  return out;
}

struct SweepState {
  std::vector<std::string> names;  // outcomes per run
  std::vector<double> outcomes;    // [run][outcome], NaN until done
  std::vector<std::int32_t> done;  // per run
};

// Morris or Sobol indices of each analysed output, from the design rows' means.
void write_sensitivity(h5::File& f, const SweepSpec& spec, const SweepDesign& design, const SweepState& state,
                       const std::vector<double>& mean, const std::vector<std::string>& names) {
  const auto opt = [](std::string units, std::string description) {
    return h5::DatasetOptions{std::move(units), std::move(description), 1, 0};
  };
  const std::size_t k = spec.factors.size(), rows = design.rows(), width = state.names.size();
  const std::size_t outs = spec.outputs.size();
  std::map<std::string, std::vector<double>> table;
  for (const auto& output_name : spec.outputs) {
    const auto col = static_cast<std::size_t>(std::find(state.names.begin(), state.names.end(), output_name) -
                                              state.names.begin());
    std::vector<double> y(rows);
    for (std::size_t row = 0; row < rows; ++row) y[row] = mean[row * width + col];
    const auto boot_seed = static_cast<std::uint64_t>(spec.seed) + col;
    if (spec.method == "morris") {
      const MorrisIndices m = morris_indices(design.unit, static_cast<std::size_t>(spec.samples), y, spec.bootstrap,
                                             boot_seed, spec.confidence);
      for (const auto& [key, v] : std::vector<std::pair<std::string, const std::vector<double>*>>{
               {"mu", &m.mu}, {"mu_star", &m.mu_star}, {"sigma", &m.sigma},
               {"mu_star_low", &m.mu_star_low}, {"mu_star_high", &m.mu_star_high}}) {
        table[key].insert(table[key].end(), v->begin(), v->end());
      }
    } else {
      const SobolIndices s = sobol_indices(k, static_cast<std::size_t>(spec.samples), y, spec.bootstrap, boot_seed,
                                           spec.confidence);
      for (const auto& [key, v] : std::vector<std::pair<std::string, const std::vector<double>*>>{
               {"s1", &s.s1}, {"s1_low", &s.s1_low}, {"s1_high", &s.s1_high},
               {"st", &s.st}, {"st_low", &s.st_low}, {"st_high", &s.st_high}}) {
        table[key].insert(table[key].end(), v->begin(), v->end());
      }
    }
  }
  f.write("/sensitivity/output", spec.outputs, opt("", "outputs analysed (rows of the index datasets)"));
  f.write("/sensitivity/factor", names, opt("", "factors (columns of the index datasets)"));
  const std::map<std::string, std::string> meaning = {
      {"mu", "Morris mean elementary effect over the factor's range"},
      {"mu_star", "Morris mean absolute elementary effect (importance)"},
      {"sigma", "Morris sd of elementary effects (interaction / non-linearity)"},
      {"mu_star_low", "bootstrap interval of mu_star, lower end"},
      {"mu_star_high", "bootstrap interval of mu_star, upper end"},
      {"s1", "first-order Sobol index (Saltelli 2010)"},
      {"s1_low", "bootstrap interval of s1, lower end"},
      {"s1_high", "bootstrap interval of s1, upper end"},
      {"st", "total Sobol index (Jansen)"},
      {"st_low", "bootstrap interval of st, lower end"},
      {"st_high", "bootstrap interval of st, upper end"}};
  for (const auto& [key, values] : table) {
    f.write("/sensitivity/" + key, values, {static_cast<hsize_t>(outs), static_cast<hsize_t>(k)},
            opt("", meaning.at(key) + " [output, factor]; confidence " + number_text(spec.confidence)));
  }
}

void write_sweep(const SweepSpec& spec, const SweepDesign& design, const SweepState& state, const std::string& path,
                 bool complete) {
  write_record(path, "sweep", [&](h5::File& f) {
    auto opt = [](std::string units, std::string description) {
      return h5::DatasetOptions{std::move(units), std::move(description), 1, 0};
    };
    const std::size_t k = spec.factors.size(), rows = design.rows(), reps = static_cast<std::size_t>(spec.replicates);
    const std::size_t runs = rows * reps, width = state.names.size();
    std::int64_t runs_done = 0;
    for (auto d : state.done) runs_done += d;
    f.set_attribute("/", "sweep_name", spec.name);
    f.set_attribute("/", "sweep_yaml", spec.text);
    f.set_attribute("/", "model", spec.model);
    f.set_attribute("/", "method", spec.method);
    f.set_attribute("/", "seed", spec.seed);
    f.set_attribute("/", "replicates", static_cast<std::int64_t>(spec.replicates));
    f.set_attribute("/", "complete", static_cast<std::int64_t>(complete ? 1 : 0));
    f.set_attribute("/", "runs_done", runs_done);
    f.set_attribute("/", "runs_total", static_cast<std::int64_t>(runs));
    const std::vector<std::string> names = write_factor_table(
        f, spec.factors,
        {{{"/design/factor", "factor: scenario parameter path (scale(path) multiplies a dated series)"},
          {"/design/min", "lower bound of each factor"},
          {"/design/max", "upper bound of each factor"},
          {"/design/distribution", "uniform, log_uniform, or levels (explicit grid values)"}}});
    f.write("/design/unit", design.unit.points, {static_cast<hsize_t>(rows), static_cast<hsize_t>(k)},
            opt("1", "design points in the unit hypercube [row, factor]"));
    f.write("/design/value", design.value, {static_cast<hsize_t>(rows), static_cast<hsize_t>(k)},
            opt("", "factor values of each design row [row, factor]"));
    std::vector<std::int32_t> run_row(runs), run_rep(runs);
    for (std::size_t r = 0; r < runs; ++r) {
      run_row[r] = static_cast<std::int32_t>(r / reps);
      run_rep[r] = static_cast<std::int32_t>(r % reps);
    }
    f.write("/runs/design_row", run_row, opt("", "design row of each run"));
    f.write("/runs/replicate", run_rep, opt("", "replicate of each run (seed: the base scenario's replicate seed)"));
    f.write("/runs/done", state.done, opt("", "1 = finished"));
    f.write("/runs/outcomes", state.outcomes, {static_cast<hsize_t>(runs), static_cast<hsize_t>(width)},
            opt("", "[run, outcome]; NaN until the run is done; names in /outcomes/name"));
    f.write("/outcomes/name", state.names, opt("", "outcomes of each run (columns of /runs/outcomes)"));
    // Means over replicates per design row, then sensitivity per analysed output.
    std::vector<double> mean(rows * width, std::nan(""));
    if (complete) {
      for (std::size_t row = 0; row < rows; ++row) {
        for (std::size_t o = 0; o < width; ++o) {
          double s = 0;
          for (std::size_t r = 0; r < reps; ++r) s += state.outcomes[(row * reps + r) * width + o];
          mean[row * width + o] = s / static_cast<double>(reps);
        }
      }
    }
    f.write("/design/outcome_mean", mean, {static_cast<hsize_t>(rows), static_cast<hsize_t>(width)},
            opt("", "[row, outcome]: mean over replicates (NaN until the sweep is complete)"));
    if (complete && (spec.method == "morris" || spec.method == "sobol")) {
      write_sensitivity(f, spec, design, state, mean, names);
    }
  });
}

// Reads the finished runs of an earlier, interrupted sweep of the same file.
void read_checkpoint(const SweepSpec& spec, const std::string& path, SweepState& state) {
  const h5::File f = open_for_resume(path, "sweep file", "checkpoint");
  if (!f.exists("/runs/done") || f.string_attribute("/", "sweep_yaml") != spec.text) {
    throw InputError(Diagnostic{path, 0, 0, "", "--resume: the file is not a checkpoint of this sweep file (" + spec.file + ")"});
  }
  const auto done = f.read_ints("/runs/done");
  const auto outcomes = f.read_doubles("/runs/outcomes");
  if (done.size() != state.done.size() || outcomes.size() != state.outcomes.size()) {
    throw InputError(Diagnostic{path, 0, 0, "", "--resume: the checkpoint's runs do not match the sweep"});
  }
  for (std::size_t r = 0; r < done.size(); ++r) state.done[r] = static_cast<std::int32_t>(done[r]);
  state.outcomes = outcomes;
}

}  // namespace

int run_sweep(const SweepSpec& spec, const SweepOptions& options) {
  Cluster cluster;
  const SweepDesign design = make_design(spec);
  const std::size_t reps = static_cast<std::size_t>(spec.replicates), runs = design.rows() * reps;
  SweepState state;
  state.names = spec.outcomes;
  const std::size_t width = state.names.size();
  state.outcomes.assign(runs * width, std::nan(""));
  state.done.assign(runs, 0);
  // Every rank checks the output path and reads any checkpoint (the same file),
  // so all agree on what is left to do.
  std::optional<AtomicOutput> check;
  if (!options.resume) check.emplace(options.out, options.overwrite);  // refuses an existing file
  check.reset();
  if (options.resume) read_checkpoint(spec, options.out, state);
  cluster.barrier();  // no rank writes a checkpoint before every rank has checked and read


  std::vector<std::size_t> pending;
  for (std::size_t r = 0; r < runs; ++r) {
    if (!state.done[r]) pending.push_back(r);
  }
  StopRequest stop;
  std::optional<Progress> progress;
  if (cluster.leader()) progress.emplace("runs", static_cast<int>(pending.size()), options.quiet);

  // A run's results never depend on who computed it (see schedule.hpp).
  std::mutex mutex;  // the state, between storing results and a checkpoint's snapshot
  ScheduleHooks hooks;
  hooks.work = [&](std::size_t run) { return evaluate(spec, design, run / reps, static_cast<int>(run % reps)); };
  hooks.store = [&](std::size_t run, const std::vector<double>& out) {
    std::lock_guard<std::mutex> lock(mutex);
    std::copy(out.begin(), out.end(), state.outcomes.begin() + static_cast<std::ptrdiff_t>(run * width));
    state.done[run] = 1;
    progress->advance();
  };
  hooks.checkpoint = [&] {
    SweepState snapshot;
    {
      std::lock_guard<std::mutex> lock(mutex);
      snapshot = state;
    }
    write_sweep(spec, design, snapshot, options.out, false);
  };
  run_self_scheduled(cluster, pending, {options.threads, options.checkpoint_seconds, options.stop_after_runs}, hooks,
                     stop);
  bool interrupted = stop.requested();
  if (progress) progress->finish();
  const bool complete = std::all_of(state.done.begin(), state.done.end(), [](std::int32_t d) { return d != 0; }) ||
                        (!cluster.leader() && !interrupted);
  if (complete) interrupted = false;  // a signal after the last run changes nothing
  if (cluster.leader()) {
    write_sweep(spec, design, state, options.out, complete);
  }
  if (cluster.leader()) {
    std::int64_t done = 0;
    for (auto d : state.done) done += d;
    if (complete) {
      std::printf("sweep %s: %zu design rows x %d replicates = %zu runs (%s, %s); results in %s\n", spec.name.c_str(),
                  design.rows(), spec.replicates, runs, spec.method.c_str(), spec.model.c_str(), options.out.c_str());
    } else {
      std::fprintf(stderr, "sweep %s interrupted: %lld of %zu runs done and saved in %s; finish with --resume\n",
                   spec.name.c_str(), static_cast<long long>(done), runs, options.out.c_str());
    }
  }
  return interrupted ? stop.exit_code() : 0;
}

}  // namespace pcnsim
