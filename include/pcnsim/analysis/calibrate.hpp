#pragma once
// `pcnsim calibrate`: fitting scenario parameters to the published targets of
// data/targets.yaml with a command anyone can rerun. A calibration file names
// a base scenario, the parameters to fit (paths with bounds, checked like
// sweep factors), the targets (rows of the targets file, with weights), the
// seeds every evaluation averages over, the real membership file and which of
// its commissioners to compare (all, a list, or one fold of a seeded split),
// and the search (Latin hypercube starts, then NLopt local searches; see
// optimise.hpp). The loss of a parameter vector is
//   sum over targets of weight x ((mean simulated over seeds - observed) / allowed)^2
// with allowed the target's tolerance (absolute, or relative x |observed|), so
// a target at the edge of its tolerance adds its weight. Metrics are computed
// exactly as `pcnsim validate` computes them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pcnsim/analysis/history.hpp"
#include "pcnsim/analysis/membership.hpp"
#include "pcnsim/analysis/workforce.hpp"
#include "pcnsim/engine/optimise.hpp"
#include "pcnsim/analysis/sweep.hpp"
#include "pcnsim/analysis/validate.hpp"

namespace pcnsim {

struct CalibrationTarget {
  TargetRow row;       // as in the targets file (section, name, observed or `real`, tolerance)
  double weight = 1.0;
  std::string id() const { return row.section + "." + row.name; }
};

/// Which commissioners' practices the membership rows are compared on.
struct MembershipSelection {
  std::string file;                  // the real membership file (resolved path)
  std::string mode = "all";          // all, list, fold
  std::vector<std::string> listed;   // mode list: commissioner codes
  int fold = 0, folds = 2;           // mode fold: this fold of `folds`
  std::int64_t seed = 1;             //   split by this seed
};

struct CalibrationSpec {
  std::string file, text, name, description;
  std::string base;                       // base scenario (resolved path)
  std::vector<Override> set;              // fixed overrides of every run
  std::vector<SweepFactor> parameters;    // fitted, each between min and max
  std::string targets_file;
  std::vector<CalibrationTarget> targets;
  std::vector<std::int64_t> seeds;        // scenario seeds; the loss uses the mean over them
  OptimiserSettings algorithm;
  std::optional<MembershipSelection> membership;  // set when a membership target is fitted (or the block is given)
  // Resolved while loading:
  RealMembership real;                            // the membership file as read
  std::vector<std::string> file_commissioners;    // commissioners of the listed practices (base population), sorted
  std::vector<std::vector<std::string>> folds;    // mode fold: commissioner codes of every fold
  std::vector<std::string> commissioners;         // those compared; empty = every row of the file (as validate)
  std::optional<Scenario> base_scenario;          // the base scenario with `set`, read once
  bool formation_only = false;  // only formation and membership targets: runs stop at the registration deadline
  // Dynamics and workforce targets: the real history and workforce records,
  // restricted, like the membership, to the commissioners compared.
  std::string history_file, workforce_file;
  std::optional<RealHistory> history;
  std::optional<RealWorkforce> workforce;
};

/// Where targets and membership come from when the file does not say.
struct CalibrationDefaults {
  std::string targets_file;     // data/targets.yaml
  std::string membership_file;  // data/epcn-2019-12-calibration.csv
  std::string history_file;     // data/epcn-history-calibration.csv
  std::string workforce_file;   // data/pcn-workforce-calibration.csv
};

/// Reads and validates a calibration file; every problem at once (InputError,
/// file:line:column).
CalibrationSpec load_calibration(const std::string& path, const CalibrationDefaults& defaults);
/// Same, from the text of a calibration file (tests); relative paths in it
/// are resolved against the folder of `path`.
CalibrationSpec load_calibration_text(const std::string& text, const std::string& path,
                                      const CalibrationDefaults& defaults);

/// The fold split: the commissioners sorted by code (duplicates dropped),
/// shuffled by the stream ("calibration_folds", seed), then cut into `folds`
/// consecutive groups of near-equal size (the first n % folds groups have one
/// more); each group sorted by code. Throws std::invalid_argument if folds < 1.
std::vector<std::vector<std::string>> split_into_folds(std::vector<std::string> commissioners, int folds,
                                                       std::uint64_t seed);

/// What a NaN costs: a target whose simulated mean or observed value is NaN
/// (a metric a run does not produce, or nothing to measure) adds
/// weight x kNanPenalty, as if it missed by 100 tolerances. Finite, so the
/// local searches can still compare points.
inline constexpr double kNanPenalty = 1e4;

/// The allowed deviation of a target: tolerance, or tolerance x |observed| when relative.
double allowed_deviation(double observed, double tolerance, bool relative);
/// One target's term of the loss: weight x ((simulated - observed) / allowed)^2,
/// or weight x kNanPenalty when either value is NaN or allowed is not positive.
double loss_term(double simulated_mean, double observed, double tolerance, bool relative, double weight);

/// The targets measured over the seeds: [target * seeds + seed] simulated (NaN
/// where a run does not produce it) and per target the observed value (the
/// mean over seeds: `observed: real` rows are measured on each run's population).
struct TargetValues {
  std::vector<double> simulated;
  std::vector<double> observed;
};
struct TargetSummary {
  std::vector<double> simulated_mean, observed, term;  // per target
  double loss = 0.0;
};
TargetSummary summarise(const CalibrationSpec& spec, const TargetValues& values);

/// Parameter values of a point of the unit cube (each factor's value_at, kept within its bounds).
std::vector<double> parameter_values(const CalibrationSpec& spec, const std::vector<double>& unit);
/// The overrides of a parameter vector: `set` first, then the parameters.
/// The scenario of one evaluation: the base scenario with `set`, the fitted
/// parameters set to `values` as typed values (set_number) and the seed.
Scenario calibration_scenario(const CalibrationSpec& spec, const std::vector<double>& values, std::int64_t seed);

/// Runs the base scenario with `values` once per seed and measures the
/// targets, once per selection of commissioners (membership rows restricted
/// to their practices; an empty selection = every row, as validate).
std::vector<TargetValues> measure_targets(const CalibrationSpec& spec, const std::vector<double>& values,
                                          const std::vector<std::vector<std::string>>& selections);

/// The best values as a scenario file: `extends:` the base scenario (relative
/// to the fragment's folder) and sets every fitted parameter; comments say how
/// it was made (`command`) without a date, so a rerun writes the same bytes.
std::string fragment_yaml(const CalibrationSpec& spec, const std::vector<double>& values, double loss,
                          const std::string& fragment_path, const std::string& command);

struct CalibrationOptions {
  std::string out;        // HDF5 output
  std::string fragment;   // best values as YAML
  std::string resume;     // an earlier output of the same file whose evaluations are replayed
  std::string command;    // the command that reproduces the run (for the fragment's header)
  int threads = 0;        // per process; 0 = all cores
  bool overwrite = false, quiet = false;
  double checkpoint_seconds = 2.0;
  std::int64_t stop_after_evaluations = -1;  // testing: stop as if interrupted once this many are computed
};

/// Runs the calibration (all ranks call it). Returns the exit code: 0 when
/// complete, 130/143 when stopped (the file then holds every evaluation so far;
/// finish with --resume).
int run_calibration(const CalibrationSpec& spec, const CalibrationOptions& options);

}  // namespace pcnsim
