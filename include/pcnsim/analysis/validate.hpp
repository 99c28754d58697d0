#pragma once
// Simulated vs published: the metrics the calibration targets name, and the
// comparison against data/targets.yaml.
#include <map>
#include <string>
#include <vector>

#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/engine/simulation.hpp"

namespace pcnsim {

struct TargetRow {
  std::string section;   // formation, membership, arrs, clinical_directors
  std::string name;
  double observed = 0.0;
  bool observed_from_data = false;  // `observed: real`: measured on the real membership file
  double tolerance = 0.0;
  bool relative = false;
  std::string source;
  bool simulated = false;  // false when the metric is not produced by this run
  double simulated_value = 0.0;
  bool pass = false;
  bool has_naive = false;     // membership rows: the naive geographic baseline's value
  double naive_value = 0.0;
};

/// The simulated 2019 formation against a real membership file, over the
/// practices the file lists: agreement indices, map metrics of both
/// partitions, and the same for a naive geographic baseline (k-means per
/// commissioner, one cluster per `naive_patients_per_cluster`).
struct MembershipComparison {
  std::string file;
  int rows = 0;                 // practices listed in the file
  int matched = 0;              // of them, practices of the simulated population
  int real_networks = 0;
  int commissioners = 0;        // commissioners with matched practices
  std::vector<std::string> unknown_codes;  // listed codes not in the population (counted, not fatal)
  double naive_patients_per_cluster = 48000;
  std::map<std::string, double> simulated, real, naive;  // metric -> value
};
struct RealMembership;
MembershipComparison compare_membership(const RunResult& run, const RealMembership& membership);
/// Fills the membership rows (observed values measured on the file where the
/// targets say `observed: real`), with the naive baseline beside them.
void compare_membership_targets(std::vector<TargetRow>& rows, const MembershipComparison& comparison);

/// Fills the rows of `section` from metrics measured on a run (`simulated`)
/// and on a real file (`real`, for rows with `observed: real`; a row whose
/// real value is missing or not finite is not compared), with the naive
/// baseline beside them when `naive` is given. Rows of other sections are untouched.
void compare_section_targets(std::vector<TargetRow>& rows, const std::string& section,
                             const std::map<std::string, double>& simulated, const std::map<std::string, double>& real,
                             const std::map<std::string, double>* naive = nullptr);

/// The dynamics and workforce sections: the same metrics measured on the real
/// files and on a run (analysis/history.hpp, analysis/workforce.hpp).
struct HistoryComparison {
  std::string history_file, workforce_file;  // "" when left out
  int history_rows = 0, history_practices = 0, matched = 0;  // codes of the file; of them, practices of the population
  int workforce_rows = 0;
  std::vector<int> census;                    // census months of the workforce file
  std::vector<std::string> unknown_roles;     // staff roles the ARRS mapping does not know (not counted as ARRS)
  std::map<std::string, double> simulated, real;  // "dynamics.<key>" and "workforce.<key>"
};
struct RealHistory;
struct RealWorkforce;
/// Either file may be null (its section left out); the workforce needs the history.
HistoryComparison compare_histories(const RunResult& run, const RealHistory* history, const RealWorkforce* workforce);
/// Fills the dynamics and workforce rows.
void compare_history_targets(std::vector<TargetRow>& rows, const HistoryComparison& comparison);
/// The workforce by census quarter, real beside simulated: networks, share
/// with none, ARRS FTE per 10,000 P10 / median / P90, P90/P10, growth.
std::string format_workforce_quarters(const HistoryComparison& comparison);

/// The sections of a targets file: formation, membership, arrs, clinical_directors, dynamics, workforce.
std::vector<std::string> target_sections();
/// Reads the targets file strictly: sections, keys of a target (observed,
/// tolerance, relative, source), their types and duplicate keys; InputError
/// with every problem (file:line:column, the closest key for an unknown one).
std::vector<TargetRow> read_targets(const std::string& path);
/// Fills the simulated values and pass flags from a run.
void compare_targets(std::vector<TargetRow>& rows, const RunResult& run);
/// Human-readable table.
std::string format_targets(const std::vector<TargetRow>& rows);

}  // namespace pcnsim
