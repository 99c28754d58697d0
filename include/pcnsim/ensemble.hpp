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

#include "pcnsim/progress.hpp"
#include "pcnsim/simulation.hpp"

namespace pcnsim {

/// One number a policy comparison looks at, from one run.
struct Outcome {
  std::string name;         // e.g. arrs_wte_2022_23
  std::string units;
  std::string description;
  double value = 0.0;
};

/// The key outcomes of a run, in a fixed order (the rows `pcnsim compare`
/// shows): networks formed and their size bands, network dynamics totals, and
/// per financial year ARRS WTE at the year end, ARRS unclaimed money, GP hours
/// per FTE, CD demand per network, CD resignations, CDs strained and networks
/// with a manager.
std::vector<Outcome> key_outcomes(const RunResult& run);
/// Their names for a scenario, without running it.
std::vector<std::string> key_outcome_names(const Scenario& scenario);

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
Ensemble run_ensemble(const Scenario& scenario, int replicates, int threads, Progress* progress = nullptr);

/// The replicate summary of one run.
ReplicateSummary summarise(const RunResult& run);

}  // namespace pcnsim
