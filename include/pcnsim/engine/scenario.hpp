#pragma once
// A scenario: every parameter of a run, read from YAML and validated.
// Scenario files may `extends:` another file (deep merge: maps merge, any
// other value replaces) and be changed with `--set a.b.c=value` overrides.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/model.hpp"
#include "pcnsim/kernel/params.hpp"

namespace pcnsim {

struct CalendarParams {
  Date start = Date::from_ymd(2019, 4, 1);
  Date end = Date::from_ymd(2024, 3, 31);

  template <class V>
  void describe(V& v) {
    v.field("start", start, {"first day of the first weekly step"});
    v.field("end", end, {"last day simulated (inclusive)"});
  }
};

struct OutputParams {
  int gzip_level = 1;

  template <class V>
  void describe(V& v) { v.field("gzip_level", gzip_level, {"gzip compression level of every dataset (0 = off)", "", 0, 9}); }
};

/// The largest seed: seeds are whole numbers a YAML file and `--seed` state exactly.
inline constexpr std::int64_t kMaxSeed = 9'000'000'000'000'000;

/// Every parameter of a run: the model's (models/model.hpp), with the run's
/// name, seed, calendar and output settings.
struct Scenario : ModelParams {
  std::string name = "unnamed";
  std::string description;
  std::int64_t seed = 20190701;
  CalendarParams calendar;
  OutputParams output;

  template <class V>
  void describe(V& v) {
    v.field("name", name, {"short name; the default output is outputs/<name>.h5"});
    v.field("description", description, {"the question this scenario answers"});
    v.field("seed", seed, {"master seed; every random stream derives from it", "", 0, static_cast<double>(kMaxSeed)});
    v.block("calendar", calendar, "simulated period");
    v.block("timeline", timeline, "dated contract events");
    v.block("population", population, "practices and commissioners");
    v.block("relationships", relationships, "relationship graph and affinity");
    v.block("signup", signup, "mechanism 1: DES sign-up");
    v.block("formation", formation, "mechanism 2: network formation");
    v.block("funding", funding, "mechanism 3: DES funding lines");
    v.block("arrs", arrs, "mechanism 4: ARRS workforce");
    v.block("gp_workload", gp_workload, "mechanism 5: GP workload");
    v.block("covid", covid, "the COVID-19 shock");
    v.block("service_specs", service_specs, "mechanism 8: service specifications");
    v.block("management", management, "mechanism 7: management support");
    v.block("cd_workload", cd_workload, "mechanism 6: clinical-director workload");
    v.block("practice_changes", practice_changes, "mechanism 9a: practice mergers and closures each 1 April");
    v.block("dynamics", dynamics, "mechanism 9: network dynamics each 1 April");
    v.block("output", output, "output file settings");
  }
};

/// One `--set path=value` override.
struct Override {
  std::string path;   // dotted, e.g. formation.inertia
  std::string value;  // YAML scalar text
};

/// Parses "a.b.c=value"; throws InputError on a malformed override.
Override parse_override(const std::string& text);

/// Files a scenario may extend in a chain (a.yaml extends b.yaml extends ...).
inline constexpr int kMaxExtendsDepth = 16;
/// Longest name (of a scenario, sweep or calibration), which names outputs/<name>.h5.
inline constexpr std::size_t kMaxNameLength = 100;

/// Why `name` cannot be a name that becomes the file outputs/<name>.h5: only
/// letters, digits, '.', '_' and '-', not starting with '.', at most
/// kMaxNameLength characters; "" when it can.
std::string name_problem(const std::string& name);

/// Loads, merges (`extends:`, at most kMaxExtendsDepth files deep), overrides
/// and validates a scenario; throws InputError listing every problem (file,
/// line, column, key). With `warnings`, also collects what is valid but
/// probably not meant: a dated series beginning after the calendar start
/// where the built-in series has a value (it is 0 before its first entry).
Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides = {},
                       std::vector<Diagnostic>* warnings = nullptr);
/// Same, from YAML text (tests); `file` names it in messages.
Scenario load_scenario_text(const std::string& text, const std::string& file,
                            const std::vector<Override>& overrides = {}, std::vector<Diagnostic>* warnings = nullptr);

/// Sets a number straight into a loaded scenario, through describe() (sweeps
/// set their factors so, not as text read again per run): the number or
/// integer parameter at `path` (dotted), or with `scale` every entry of the
/// dated series at `path` multiplied by `value`, each entry's source noting it
/// and `by`. Checked as a scenario file is (range, whole numbers, consistency);
/// InputError naming `by` otherwise.
void set_number(Scenario& scenario, const std::string& path, double value, bool scale, const std::string& by);
/// The dated series at `path` (dotted), or nothing when there is none.
std::optional<DatedSeries> dated_series(const Scenario& scenario, const std::string& path);

/// The fully resolved scenario as YAML.
std::string resolved_yaml(const Scenario& scenario);
/// Every parameter as a flat row.
std::vector<ParamRow> parameter_rows(const Scenario& scenario);

}  // namespace pcnsim
