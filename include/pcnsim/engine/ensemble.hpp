#pragma once
// Ensembles: one scenario run for several replicates (seeds derived from the
// scenario seed, replicate 0 = the scenario seed itself), spread over threads.
// Each replicate is reduced to its national series and its key outcomes; the
// full detail (practices, networks, weekly arrays) is kept for replicate 0.
// Results do not depend on the number of threads: replicate r always gets
// the same seed and its results the same slot.
#include <cstdint>
#include <string>
#include <vector>

#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/kernel/progress.hpp"
#include "pcnsim/engine/simulation.hpp"

namespace pcnsim {

struct ReplicateSummary {
  std::uint64_t seed = 0;
  std::vector<std::vector<double>> series;  // [series][step], as run.recorder.series()
  std::vector<double> outcomes;             // as key_outcomes()
};

struct Ensemble {
  RunResult detail;                        // replicate 0 in full
  std::vector<ReplicateSummary> replicates;
  std::vector<Outcome> outcome_meta;       // names, units, descriptions (values of replicate 0)
};

/// Runs `replicates` replicates on `threads` threads (0 = all cores).
/// `observe` is called every week of every replicate, on the replicate's
/// thread; an exception it throws abandons the ensemble (rethrown here once
/// the replicates in progress have stopped).
Ensemble run_ensemble(const Scenario& scenario, int replicates, int threads, Progress* progress = nullptr,
                      const WeekObserver& observe = {});

/// The replicate summary of one run.
ReplicateSummary summarise(const RunResult& run);

}  // namespace pcnsim
