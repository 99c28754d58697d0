#pragma once
// `pcnsim compare BASE.h5 OTHER.h5...`: the key outcomes of every file in one
// side-by-side table (the base first), each other file's difference from the
// base with its uncertainty across replicates, when its policy takes effect,
// and the resolved parameters that differ.
#include <cstdint>
#include <string>
#include <vector>

namespace pcnsim {

/// One key outcome of one output file: a value per replicate.
struct OutcomeColumn {
  std::string name, units, description;
  std::vector<double> values;
};

/// What `compare` reads from an output file (single run or ensemble).
struct ComparedRun {
  std::string path, scenario_name;
  std::vector<std::int64_t> seeds;           // per replicate
  std::vector<OutcomeColumn> outcomes;
  std::vector<std::string> parameter_names, parameter_values;
  // What makes two runs comparable: the same practices over the same calendar.
  std::string population_source;
  std::vector<std::string> practice_codes;
};

/// Reads a pcnsim output file; throws InputError naming the file when it is
/// missing, not HDF5 or not a pcnsim output.
ComparedRun read_compared_run(const std::string& path);

struct OutcomeComparison {
  std::string name, units, description;
  int base_n = 0, other_n = 0;
  double base_mean = 0, other_mean = 0;
  double base_p10 = 0, base_p90 = 0, other_p10 = 0, other_p90 = 0;
  double difference = 0;              // other mean - base mean
  double ci_low = 0, ci_high = 0;     // 95% interval of the difference (NaN with one replicate)
  bool paired = false;                // same replicate seeds: differences taken replicate by replicate
  /// The 95% interval excludes zero.
  bool significant() const;
};

struct ParameterChange {
  std::string name, base_value, other_value;  // "(absent)" when one file lacks it
};

/// One file against the base.
struct Comparison {
  ComparedRun base, other;
  std::vector<OutcomeComparison> outcomes;
  std::vector<ParameterChange> parameters;
  /// ISO date from which the other run's parameters first differ from the
  /// base's (a dated series from its first differing entry, a date parameter
  /// from the earlier of the two, anything else from the calendar start);
  /// "" when only the name, description, seed or output settings differ.
  std::string takes_effect;
  /// Why the two runs do not describe the same world (different practices or
  /// calendar); empty when they are comparable.
  std::vector<std::string> incompatibilities;
};

Comparison compare_runs(const ComparedRun& base, const ComparedRun& other);

/// Two-sided 95% quantile of Student's t with `df` degrees of freedom.
double t_quantile_975(double df);

/// Every comparison (all against the same base) as one aligned table: one row
/// per outcome whose name contains one of `filters` (all when empty), the
/// base's mean, then each other file's mean and its difference with the 95%
/// interval, in display units (£m, %, WTE, hours); then when each policy takes
/// effect and the parameters that differ (long values shortened; the CSV has
/// every outcome).
std::string format_comparisons(const std::vector<Comparison>& comparisons, const std::vector<std::string>& filters = {});
/// Long CSV: one row per file and outcome (the base's rows first, with empty
/// differences), in the files' own units.
std::string comparison_csv(const std::vector<Comparison>& comparisons);

}  // namespace pcnsim
