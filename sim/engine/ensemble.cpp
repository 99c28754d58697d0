#include "pcnsim/engine/ensemble.hpp"

#include <algorithm>

#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/kernel/workers.hpp"

namespace pcnsim {

ReplicateSummary summarise(const RunResult& run) {
  ReplicateSummary r;
  r.seed = replicate_seed(run.scenario, run.replicate);
  for (const auto& s : run.recorder.series()) r.series.push_back(s.value);
  for (const auto& o : key_outcomes(run)) r.outcomes.push_back(o.value);
  return r;
}

Ensemble run_ensemble(const Scenario& scenario, int replicates, int threads, Progress* progress,
                      const WeekObserver& observe) {
  Ensemble ensemble;
  ensemble.replicates.resize(static_cast<std::size_t>(std::max(replicates, 0)));
  run_tasks(ensemble.replicates.size(), threads, [&](std::size_t r, int) {
    // Only replicate 0 is written (the detail): its weekly arrays are compressed as they come.
    const int compression = r == 0 ? scenario.output.gzip_level : 0;
    RunResult run = run_simulation(scenario, r, observe, compression);
    ensemble.replicates[r] = summarise(run);
    if (r == 0) {
      ensemble.outcome_meta = key_outcomes(run);
      ensemble.detail = std::move(run);
    }
    if (progress) progress->advance();
  });
  return ensemble;
}

}  // namespace pcnsim
