#pragma once
// Parameter sweeps and sensitivity analysis. A sweep file names a base
// scenario, the factors (parameter paths with bounds and a distribution, or
// explicit levels), a design (full grid, Latin hypercube, Morris elementary
// effects, Saltelli/Sobol), replicates and a meta-seed. Every run is the base
// scenario (read once) with the factor values of its design row set as typed values,
// replicate r with the base scenario's replicate-r seed (common random numbers
// across design rows). Runs are spread over threads and MPI ranks in batches;
// after each batch rank 0 may write a checkpoint (the whole file, atomically),
// so an interrupted sweep leaves a valid file with the finished runs, and
// `--resume` completes only the missing ones. The file does not depend on the
// number of threads or ranks, nor on interruptions.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/sensitivity.hpp"
#include "pcnsim/engine/spec_file.hpp"

namespace pcnsim {

namespace h5 {
class File;
}

struct SweepFactor {
  std::string path;                   // scenario parameter, e.g. cd_workload.vacancy_weeks (or x1..x3 for ishigami)
  double min = 0.0, max = 1.0;
  std::string distribution = "uniform";  // uniform or log_uniform
  std::vector<double> values;         // grid levels given explicitly (grid design only)
  bool scale = false;                 // multiplies every entry of a dated series
  DatedSeries base_series;            // with scale: the base scenario's series (read once, at loading)
  /// Value at unit coordinate u in [0, 1].
  double value_at(double u) const;
  /// Column name in design files: the path, or scale(path).
  std::string column() const;
  /// The `--set` text that gives the factor value `v` (with scale, the scaled
  /// series, each source noting the factor and what set it: `by`).
  std::string override_value(double v, const std::string& by = "sweep") const;
};

/// Whether a factor block may list explicit `values` (grid levels).
enum class FactorValues { allowed, not_this_design, not_a_key };

/// Reads a factor block {path, min, max, distribution, scale} (and `values`
/// unless not_a_key): known keys, types, min < max, the distribution; every
/// problem goes to `reader`. Sweep factors and calibration parameters alike.
SweepFactor read_factor(SpecReader& reader, const YAML::Node& node, const std::string& where, FactorValues values);

/// Every parameter of a scenario by path, with its type (number, integer, dated series...).
std::map<std::string, std::string> parameter_types(const Scenario& scenario);

/// The scenario factors are checked against: its file, fixed overrides, the
/// loaded scenario and its parameter types.
struct FactorBase {
  std::string path;
  std::vector<Override> set;
  const Scenario* scenario = nullptr;
  std::map<std::string, std::string> types;
};

/// Checks a factor's path against the base scenario: a known parameter (the
/// closest path suggested otherwise), a number (or a dated series with scale:
/// true, whose base series it then records), and both bounds give a valid
/// scenario (ranges, integers).
void check_factor_path(SpecReader& reader, const YAML::Node& node, const std::string& where, SweepFactor& factor,
                       const FactorBase& base);

struct SweepSpec {
  std::string file;          // the sweep file
  std::string text;          // its text (stored in the output; --resume checks it)
  std::string name, description;
  std::string model = "pcnsim";  // pcnsim; or a test function with known indices: ishigami, linear (y = 1 x1 + 2 x2 + ...)
  std::string base;          // base scenario (resolved path)
  std::vector<Override> set; // fixed overrides for every run
  std::string method = "grid";   // grid, lhs, morris, sobol
  int samples = 10;          // lhs points, Morris trajectories, Sobol base samples N
  int levels = 4;            // grid levels per factor (without explicit values), Morris grid levels
  std::int64_t seed = 1;     // meta-seed of the design and the bootstrap
  int replicates = 1;
  int bootstrap = 200;
  double confidence = 0.95;
  std::vector<std::string> outputs;  // outcomes analysed (default: all key outcomes)
  std::vector<std::string> outcomes; // every outcome of one run (key outcomes, or y for a test model)
  std::vector<SweepFactor> factors;
  std::optional<Scenario> base_scenario;  // model pcnsim: the base scenario with `set`, read once
};

/// Reads and validates a sweep file; every problem at once (InputError).
SweepSpec load_sweep(const std::string& path);
/// Same, from the text of a sweep file (fuzzing, tests); `path` names it in
/// messages and relative paths in it (base:) are resolved against its folder.
SweepSpec load_sweep_text(const std::string& text, const std::string& path);

/// The design in unit coordinates and in factor values ([rows][factors]).
struct SweepDesign {
  UnitDesign unit;
  std::vector<double> value;
  std::size_t rows() const { return unit.rows(); }
};
SweepDesign make_design(const SweepSpec& spec);
/// Rows the design will have (grid: product of the levels; lhs: samples;
/// Morris: samples (k+1); Sobol: samples (k+2)), saturating instead of
/// overflowing. load_sweep rejects designs of more than kMaxDesignValues
/// values (rows times factors).
std::size_t design_rows(const SweepSpec& spec);
inline constexpr std::size_t kMaxDesignValues = 50'000'000;

/// The scenario of one design row: the base scenario (with `set`), read once,
/// with the row's factor values set as typed values (set_number).
Scenario row_scenario(const SweepSpec& spec, const SweepDesign& design, std::size_t row);

/// The design as CSV: `row` then one column per factor (SweepFactor::column()).
std::string design_csv(const SweepSpec& spec, const SweepDesign& design);

/// Overrides for row `row` of a design CSV written by design_csv (for
/// `pcnsim run SCENARIO --design FILE --row K`).
std::vector<Override> design_row_overrides(const std::string& csv_path, long row, const std::string& scenario_path);

struct SweepOptions {
  std::string out;
  int threads = 0;        // 0 = all cores
  bool resume = false, overwrite = false, quiet = false;
  double checkpoint_seconds = 2.0;  // at most this long between checkpoints
  std::int64_t stop_after_runs = -1;  // testing: stop as if interrupted once this many runs are done
};

/// Runs the sweep (all ranks call it). Returns the process exit code: 0 when
/// complete, 130/143 when interrupted by SIGINT/SIGTERM (the file then holds
/// the finished runs; run again with --resume).
int run_sweep(const SweepSpec& spec, const SweepOptions& options);

/// The table of a sweep's factors or a calibration's parameters in an output
/// file: four datasets (names, min, max, distribution: uniform, log_uniform or
/// levels), each given as (path, description). Returns the names.
std::vector<std::string> write_factor_table(h5::File& f, const std::vector<SweepFactor>& factors,
                        const std::array<std::pair<std::string, std::string>, 4>& datasets);

}  // namespace pcnsim
