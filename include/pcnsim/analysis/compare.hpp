#pragma once
// `pcnsim compare BASE.h5 OTHER.h5...`: key outcomes side by side with the
// difference and its uncertainty across replicates, and the resolved
// parameters that differ between the scenarios.
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
};

struct ParameterChange {
  std::string name, base_value, other_value;  // "(absent)" when one file lacks it
};

struct Comparison {
  ComparedRun base, other;
  std::vector<OutcomeComparison> outcomes;
  std::vector<ParameterChange> parameters;
};

Comparison compare_runs(const ComparedRun& base, const ComparedRun& other);

/// Two-sided 95% quantile of Student's t with `df` degrees of freedom.
double t_quantile_975(double df);

/// The comparison as an aligned text table (outcomes whose name contains one
/// of `filters`, all when empty) followed by the parameter diff (long values
/// shortened; the CSV has every outcome).
std::string format_comparison(const Comparison& c, const std::vector<std::string>& filters = {});
/// CSV header and rows (one per outcome), for one or more comparisons.
std::string comparison_csv(const std::vector<Comparison>& comparisons);

}  // namespace pcnsim
