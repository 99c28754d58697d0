#pragma once
// Simulated vs published: the metrics the calibration targets name, and the
// comparison against data/targets.yaml.
#include <map>
#include <string>
#include <vector>

#include "pcnsim/simulation.hpp"

namespace pcnsim {

/// Quantile with linear interpolation between order statistics (R type 7).
double quantile(std::vector<double> values, double q);

/// Formation metrics of a membership snapshot, keyed as in targets.yaml.
std::map<std::string, double> formation_metrics(const World& world, const std::vector<int>& network_of);

/// ARRS metrics: unclaimed share per financial year ("unclaimed_share_2020_21")
/// and WTE in post at the end of March 2023 ("fte_march_2023").
std::map<std::string, double> arrs_metrics(const RunResult& run);

/// Clinical-director metrics: share calling the workload unmanageable in late
/// 2019 and resignations per network in the first year after go-live.
std::map<std::string, double> clinical_director_metrics(const RunResult& run);

struct TargetRow {
  std::string section;   // formation, arrs, clinical_directors
  std::string name;
  double observed = 0.0;
  double tolerance = 0.0;
  bool relative = false;
  std::string source;
  bool simulated = false;  // false when the metric is not produced by this run
  double simulated_value = 0.0;
  bool pass = false;
};

/// Reads the targets file; throws InputError on malformed content.
std::vector<TargetRow> read_targets(const std::string& path);
/// Fills the simulated values and pass flags from a run.
void compare_targets(std::vector<TargetRow>& rows, const RunResult& run);
/// Human-readable table.
std::string format_targets(const std::vector<TargetRow>& rows);

}  // namespace pcnsim
