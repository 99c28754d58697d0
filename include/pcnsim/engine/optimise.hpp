#pragma once
// Derivative-free minimisation of a deterministic objective over the unit
// cube [0,1]^k, as `pcnsim calibrate` uses it: a Latin hypercube of starting
// points evaluated in parallel, then local searches (NLopt: BOBYQA, Sbplx,
// Nelder-Mead or COBYLA) from the best of them, one search per worker.
// Independent of the simulator (the calibration maps the cube onto parameter
// bounds), so it is tested on plain functions.
//
// The record does not depend on the number of threads or MPI ranks: every
// Latin hypercube point is evaluated once, each local search is a sequence
// that depends only on its start and the objective's values, and the best
// evaluation is the lowest loss, ties going to the earliest in the record.
// The same holds across interruptions: evaluations of an earlier run are
// replayed (same point, same value) instead of recomputed, so a resumed run
// follows exactly the path of an uninterrupted one.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pcnsim/kernel/cluster.hpp"
#include "pcnsim/engine/schedule.hpp"

namespace pcnsim {

enum class Phase : int { lhs = 0, local = 1 };
const char* to_string(Phase phase);

/// One evaluation of the objective, as recorded.
struct Evaluation {
  Phase phase = Phase::lhs;
  int start = 0;                // Latin hypercube row, or local search
  int index = 0;                // evaluation within the local search (0 in the Latin hypercube)
  std::vector<double> unit;     // the point in [0,1]^k
  double loss = 0.0;
  std::vector<double> values;   // what the objective reports besides the loss
};

struct ObjectiveValue {
  double loss = 0.0;
  std::vector<double> values;
};
/// Must be deterministic (the same point gives the same value, bit for bit)
/// and safe to call from several threads at once.
using Objective = std::function<ObjectiveValue(const std::vector<double>& unit)>;

struct OptimiserSettings {
  std::size_t dimensions = 1;
  int starts = 32;             // Latin hypercube points
  int local_starts = 2;        // local searches, from the best Latin hypercube points
  std::string local = "bobyqa";
  int max_evaluations = 200;   // per local search
  double xtol_rel = 1e-3;      // NLopt's relative tolerance on the point
  double initial_step = 0.1;   // first step of a local search, in unit coordinates
  std::uint64_t seed = 1;      // of the Latin hypercube
};
/// Names of the local algorithms (`local:` in a calibration file).
const std::vector<std::string>& local_algorithms();

/// How one local search went.
struct LocalSearch {
  int lhs_row = -1;      // the Latin hypercube point it started from
  int evaluations = 0;
  bool done = false;     // false: interrupted
  std::string result;    // why NLopt stopped ("xtol_rel reached", "max_evaluations reached", ...)
};

struct OptimiserRecord {
  std::vector<Evaluation> evaluations;  // ordered by (phase, start, index)
  std::vector<LocalSearch> local;       // one per local search begun (all of them when complete)
  bool complete = false;
  /// The best evaluation: lowest loss (NaN counts as worst), ties to the earliest.
  std::optional<std::size_t> best() const;
};

struct OptimiserRun {
  int threads = 0;                          // per process; 0 = all cores
  double checkpoint_seconds = 2.0;
  std::int64_t stop_after_evaluations = -1; // testing: stop once this process has computed this many (replays do not count)
  bool quiet = true;                        // no progress on stderr
  std::vector<Evaluation> replay;           // an earlier run's evaluations: their points are not computed again
  /// Rank 0's main thread, at most every checkpoint_seconds, with the record so far.
  std::function<void(const OptimiserRecord&)> checkpoint;
};

/// Minimises `objective` (all ranks call it). Rank 0 returns the record
/// (complete unless `stop` was requested: by a signal, --stop-after, or an
/// objective that threw, whose exception is rethrown); other ranks return an
/// empty record. Throws std::invalid_argument on impossible settings.
OptimiserRecord optimise(const Objective& objective, const OptimiserSettings& settings, const OptimiserRun& run,
                         const Cluster& cluster, StopRequest& stop);

}  // namespace pcnsim
