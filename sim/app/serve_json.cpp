#include "pcnsim/app/serve_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "pcnsim/analysis/compare.hpp"
#include "pcnsim/io/export.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/kernel/errors.hpp"

namespace fs = std::filesystem;

namespace pcnsim::explorer {

namespace {

// ------------------------------------------------------------ reading ---

// A dataset of `n` entries, or `n` copies of `fill` when the file has none
// (an older file, or a mechanism that wrote nothing).
std::vector<std::int64_t> ints_or(const h5::File& f, const std::string& path, std::size_t n, std::int64_t fill) {
  return f.exists(path) ? f.read_ints(path) : std::vector<std::int64_t>(n, fill);
}
std::vector<std::string> strings_or(const h5::File& f, const std::string& path, std::size_t n) {
  return f.exists(path) ? f.read_strings(path) : std::vector<std::string>(n);
}

// A [rows, columns] dataset as one array per row.
template <class T>
Json rows_of(const std::vector<T>& values, std::size_t rows, std::size_t columns) {
  if (values.size() != rows * columns) throw std::runtime_error("a dataset does not have the shape the file's axes give");
  Json out = Json::array();
  for (std::size_t r = 0; r < rows; ++r) {
    out.push_back(std::vector<T>(values.begin() + static_cast<std::ptrdiff_t>(r * columns),
                                 values.begin() + static_cast<std::ptrdiff_t>((r + 1) * columns)));
  }
  return out;
}

std::string parameter_value(const ComparedRun& run, const std::string& name) {
  for (std::size_t k = 0; k < run.parameter_names.size(); ++k) {
    if (run.parameter_names[k] == name) return run.parameter_values[k];
  }
  return "";
}

// One key series: its units, dates and median with the 10th and 90th
// percentiles across replicates (null for a single replicate).
Json series_json(const h5::File& f, const std::string& name, std::size_t replicates) {
  const std::string g = "/series/" + name, summary = "/summary/" + name;
  if (!f.exists(g + "/value")) return nullptr;
  Json s;
  s["units"] = f.string_attribute(g + "/value", "units");
  s["description"] = f.string_attribute(g + "/value", "description");
  s["dates"] = f.read_strings(g + "/time");
  const bool ensemble = f.exists(summary + "/median");
  s["median"] = f.read_doubles(ensemble ? summary + "/median" : g + "/value");
  const bool spread = ensemble && replicates > 1;
  s["p10"] = spread ? Json(f.read_doubles(summary + "/p10")) : Json(nullptr);
  s["p90"] = spread ? Json(f.read_doubles(summary + "/p90")) : Json(nullptr);
  return s;
}

// ---------------------------------------------------------------- map ---

Json practices_json(const h5::File& f, std::size_t n) {
  Json p;
  p["code"] = f.read_strings("/practices/code");
  p["x_km"] = f.read_doubles("/practices/x_km");
  p["y_km"] = f.read_doubles("/practices/y_km");
  p["commissioner"] = f.read_strings("/practices/commissioner");
  p["ceased_step"] = ints_or(f, "/practices/ceased_step", n, -1);
  return p;
}

Json evaluations_json(const h5::File& f, const std::vector<std::string>& dates, std::size_t n) {
  const auto network = f.read_ints("/practices/network");
  const auto list = f.read_doubles("/practices/evaluation_list_size");
  const Json networks = rows_of(network, dates.size(), n), lists = rows_of(list, dates.size(), n);
  Json out = Json::array();
  for (std::size_t e = 0; e < dates.size(); ++e) {
    out.push_back({{"date", dates[e]}, {"network", networks[e]}, {"list_size", lists[e]}});
  }
  return out;
}

Json networks_json(const h5::File& f) {
  const auto id = f.read_ints("/networks/id");
  const std::size_t n = id.size();
  Json out;
  out["id"] = id;
  out["commissioner"] = strings_or(f, "/networks/commissioner", n);
  out["hosting_model"] = strings_or(f, "/networks/hosting_model", n);
  out["employer"] = strings_or(f, "/networks/employer", n);
  out["formed_time"] = strings_or(f, "/networks/formed_time", n);
  out["ended_time"] = strings_or(f, "/networks/ended_time", n);
  out["end_reason"] = strings_or(f, "/networks/end_reason", n);
  out["parent"] = ints_or(f, "/networks/parent", n, -1);
  out["successor"] = ints_or(f, "/networks/successor", n, -1);
  return out;
}

// The step of the week holding `date`: the last step starting on or before it.
std::size_t step_of(const std::vector<std::string>& step_dates, const std::string& date) {
  const auto after = std::upper_bound(step_dates.begin(), step_dates.end(), date);
  return after == step_dates.begin() ? 0 : static_cast<std::size_t>(after - step_dates.begin()) - 1;
}

// Each network's clinical-director strain and ARRS staff (all roles, and by
// role) in the week `step`, from the weekly [step, network(, role)] arrays.
struct WeeklyNetworkArrays {
  std::vector<double> strain, wte;  // [step, network], [step, network, role]
  std::size_t steps = 0, networks = 0, roles = 0;

  Json state(const std::string& date, std::size_t step) const {
    Json strain_now = Json::array(), wte_now = Json::array(), by_role = Json::array();
    for (std::size_t k = 0; k < networks && step < steps; ++k) {
      strain_now.push_back(float32_number(strain[step * networks + k]));
      double total = 0;
      Json roles_now = Json::array();
      for (std::size_t r = 0; r < roles; ++r) {
        const double v = wte[(step * networks + k) * roles + r];
        total += static_cast<double>(static_cast<float>(v));
        roles_now.push_back(float32_number(v));
      }
      wte_now.push_back(total);
      by_role.push_back(std::move(roles_now));
    }
    return {{"date", date}, {"cd_strain", strain_now}, {"arrs_wte", wte_now}, {"arrs_wte_by_role", by_role}};
  }
};

WeeklyNetworkArrays read_network_arrays(const h5::File& f, std::size_t networks, std::size_t roles) {
  WeeklyNetworkArrays a;
  a.networks = networks;
  a.roles = roles;
  std::vector<hsize_t> strain_shape, wte_shape;
  if (!f.exists("/networks/weekly/cd_strain") || !f.exists("/networks/weekly/arrs_wte")) return a;
  a.strain = f.read_doubles("/networks/weekly/cd_strain", &strain_shape);
  a.wte = f.read_doubles("/networks/weekly/arrs_wte", &wte_shape);
  if (strain_shape.size() != 2 || wte_shape.size() != 3 || strain_shape[1] != networks || wte_shape[1] != networks ||
      wte_shape[2] != roles || wte_shape[0] != strain_shape[0]) {
    throw std::runtime_error("the weekly network arrays do not have the file's networks and roles");
  }
  a.steps = static_cast<std::size_t>(strain_shape[0]);
  return a;
}

Json events_json(const h5::File& f) {
  Json out = Json::array();
  if (!f.exists("/network_events/kind")) return out;
  const auto time = f.read_strings("/network_events/time"), kind = f.read_strings("/network_events/kind"),
             practice = f.read_strings("/network_events/practice"), reason = f.read_strings("/network_events/reason");
  const auto network = f.read_ints("/network_events/network"), other = f.read_ints("/network_events/other_network");
  const std::size_t n = kind.size();
  if (time.size() != n || practice.size() != n || reason.size() != n || network.size() != n || other.size() != n) {
    throw std::runtime_error("the /network_events columns differ in length");
  }
  for (std::size_t k = 0; k < n; ++k) {
    out.push_back({{"date", time[k]}, {"kind", kind[k]}, {"network", network[k]}, {"other_network", other[k]},
                   {"practice", practice[k]}, {"reason", reason[k]}});
  }
  return out;
}

// The relationship graph, only for populations small enough to draw it.
constexpr std::size_t kMaxPracticesWithRelationships = 300;

Json relationships_json(const h5::File& f, std::size_t practices) {
  if (practices > kMaxPracticesWithRelationships || !f.exists("/relationships/source")) return nullptr;
  return {{"source", f.read_ints("/relationships/source")},
          {"target", f.read_ints("/relationships/target")},
          {"affinity", f.read_doubles("/relationships/affinity")}};
}

// ------------------------------------------------------------- levers ---

struct LeverSpec {
  const char* id;
  const char* label;
  const char* kind;  // scale, number, integer, boolean, year
  std::vector<std::string> paths;
  const char* from;  // scale: the date the factor applies from ("" = every entry)
  double min, max, step;
};

const std::vector<LeverSpec>& lever_specs() {
  static const std::vector<LeverSpec> specs = {
      {"arrs_pot_scale", "ARRS national pot", "scale", {"funding.arrs_national_pot_gbp"}, "2021-04-01", 0, 3, 0.05},
      {"cd_funding_scale", "Clinical-director funding", "scale",
       {"cd_workload.cd_wte_per_50k", "funding.clinical_director_gbp_per_patient"}, "", 0, 3, 0.05},
      {"management_from_year", "Management funding from (financial year)", "year",
       {"funding.leadership_management_gbp_per_weighted_patient"}, "", 2019, 2023, 1},
      {"arrs_substitution", "ARRS staff take GP work", "boolean", {"gp_workload.substitution"}, "", 0, 1, 1},
      {"commissioner_support_scale", "Commissioner support", "scale", {"management.commissioner_support_multiplier"},
       "", 0, 3, 0.05},
      {"size_threshold", "Network size threshold", "number", {"formation.size_threshold_patients"}, "", 0, 60000, 1000},
      {"relationship_noise", "Formation noise (for teaching)", "number", {"relationships.noise_sd"}, "", 0, 5, 0.05},
  };
  return specs;
}

// A lever's default in `rows` (the reference scenario's parameters), and for
// a year lever the value its series starts with.
void lever_default(Json& lever, const LeverSpec& spec, const std::map<std::string, ParamRow>& rows,
                   const Scenario& reference) {
  const std::string kind = spec.kind;
  const ParamRow& row = rows.at(spec.paths.front());
  if (kind == "scale") {
    lever["default"] = 1.0;
  } else if (kind == "boolean") {
    lever["default"] = row.value == "true";
  } else if (kind == "year") {
    const auto series = dated_series(reference, spec.paths.front());
    const bool any = series && !series->entries.empty();
    lever["default"] = any ? series->entries.front().from.year() : static_cast<int>(spec.max);
    lever["value"] = any ? series->entries.front().value : 0.0;
  } else {
    lever["default"] = std::strtod(row.value.c_str(), nullptr);
  }
}

}  // namespace

Json float32_number(double value) {
  if (!std::isfinite(value)) return nullptr;
  // The float's shortest text (export's), read as the double JSON prints.
  return std::strtod(exact_text(static_cast<float>(value)).c_str(), nullptr);
}

const std::vector<std::string>& summary_series() {
  static const std::vector<std::string> names = {
      "arrs_wte",        "hours_per_gp_fte",      "gp_unmet_hours", "arrs_claimed_gbp", "cd_funded_hours",
      "cd_support_hours", "cd_unmanageable_share", "cd_mean_strain", "networks",         "networks_with_manager"};
  return names;
}

std::vector<LibraryScenario> scan_library(const std::string& dir) {
  std::vector<LibraryScenario> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const fs::path p = entry.path();
    if (p.extension() != ".yaml" || !entry.is_regular_file(ec)) continue;
    try {
      const Scenario s = load_scenario(p.string());
      out.push_back({p.stem().string(), p.filename().string(), p.string(), s.description});
    } catch (const std::exception& e) {
      std::fprintf(stderr, "warning: %s is left out of the scenario library: %s\n", p.string().c_str(), e.what());
    }
  }
  std::sort(out.begin(), out.end(), [](const LibraryScenario& a, const LibraryScenario& b) {
    return std::make_pair(a.name != "baseline", a.name) < std::make_pair(b.name != "baseline", b.name);
  });
  return out;
}

Json summary_json(const std::string& file, const std::string& id) {
  const ComparedRun run = read_compared_run(file);
  const h5::File f = h5::File::open_read(file);
  Json out;
  out["id"] = id;
  out["scenario"] = run.scenario_name;
  out["description"] = parameter_value(run, "description");
  out["replicates"] = run.seeds.size();
  out["seeds"] = run.seeds;
  out["outcomes"] = Json::array();
  for (const OutcomeColumn& o : run.outcomes) {
    out["outcomes"].push_back({{"name", o.name}, {"units", o.units}, {"description", o.description}, {"values", o.values}});
  }
  out["series"] = Json::object();
  for (const std::string& name : summary_series()) out["series"][name] = series_json(f, name, run.seeds.size());
  return out;
}

Json map_json(const std::string& file) {
  const h5::File f = h5::File::open_read(file);
  const std::size_t practices = f.read_strings("/practices/code").size();
  const auto dates = f.read_strings("/practices/network_time");
  Json out;
  out["practices"] = practices_json(f, practices);
  out["evaluations"] = evaluations_json(f, dates, practices);
  out["networks"] = networks_json(f);
  const auto roles = f.read_strings("/arrs/roles");
  out["roles"] = roles;
  const WeeklyNetworkArrays weekly = read_network_arrays(f, out["networks"]["id"].size(), roles.size());
  const std::string any_series = "/series/" + f.list("/series").front() + "/time";
  const auto step_dates = f.read_strings(any_series);
  out["network_state"] = Json::array();
  for (const auto& date : dates) out["network_state"].push_back(weekly.state(date, step_of(step_dates, date)));
  // Not in the contract's list but what a map of the last year needs: the last week.
  out["end_state"] = weekly.steps > 0 ? weekly.state(step_dates.back(), weekly.steps - 1) : Json(nullptr);
  out["events"] = events_json(f);
  out["relationships"] = relationships_json(f, practices);
  return out;
}

Json compare_json(const std::string& base_file, const std::string& base_id, const std::string& other_file,
                  const std::string& other_id) {
  const Comparison c = compare_runs(read_compared_run(base_file), read_compared_run(other_file));
  if (!c.incompatibilities.empty()) {
    std::vector<Diagnostic> problems;
    for (const auto& why : c.incompatibilities) {
      problems.push_back(Diagnostic{"run " + other_id, 0, 0, "",
                                    why + "; its outcomes are not comparable with run " + base_id});
    }
    throw InputError(problems);
  }
  Json out;
  out["base"] = {{"id", base_id}, {"scenario", c.base.scenario_name}};
  out["other"] = {{"id", other_id}, {"scenario", c.other.scenario_name}};
  out["takes_effect"] = c.takes_effect;
  out["rows"] = Json::array();
  for (const OutcomeComparison& o : c.outcomes) {
    out["rows"].push_back({{"outcome", o.name}, {"units", o.units}, {"description", o.description},
                           {"base_mean", o.base_mean}, {"other_mean", o.other_mean}, {"difference", o.difference},
                           {"ci95_low", o.ci_low}, {"ci95_high", o.ci_high}, {"significant", o.significant()},
                           {"paired", o.paired}});
  }
  out["parameters"] = Json::array();
  for (const ParameterChange& p : c.parameters) {
    out["parameters"].push_back({{"name", p.name}, {"base", p.base_value}, {"other", p.other_value}});
  }
  return out;
}

Json parameters_json() {
  Json out = Json::array();
  for (const ParamRow& r : parameter_rows(Scenario{})) {
    // A data file by its name only: the server's folders are nobody's business.
    const std::string value = r.type == "path" ? fs::path(r.value).filename().string() : r.value;
    out.push_back({{"path", r.path}, {"type", r.type}, {"value", value}, {"units", r.units},
                   {"description", r.description}, {"range", r.range}});
  }
  return {{"parameters", out}};
}

Json levers_json(const Scenario& reference) {
  std::map<std::string, ParamRow> rows;
  for (ParamRow& r : parameter_rows(reference)) rows[r.path] = std::move(r);
  Json out = Json::array();
  for (const LeverSpec& spec : lever_specs()) {
    const ParamRow& row = rows.at(spec.paths.front());
    const std::string kind = spec.kind;
    Json lever = {{"id", spec.id}, {"label", spec.label}, {"kind", kind}, {"paths", spec.paths},
                  {"units", kind == "scale" ? "multiplier" : kind == "year" ? "year" : row.units},
                  {"min", spec.min}, {"max", spec.max}, {"step", spec.step}, {"help", row.description}};
    if (kind == "scale" && *spec.from) lever["from"] = spec.from;
    lever_default(lever, spec, rows, reference);
    out.push_back(std::move(lever));
  }
  return {{"levers", out}};
}

Json scenarios_json(const std::vector<LibraryScenario>& library) {
  Json out = Json::array();
  for (const auto& s : library) out.push_back({{"name", s.name}, {"file", s.file}, {"description", s.description}});
  return {{"scenarios", out}};
}

}  // namespace pcnsim::explorer
