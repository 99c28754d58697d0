#include "pcnsim/ensemble.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "pcnsim/metrics.hpp"

namespace pcnsim {

ReplicateSummary summarise(const RunResult& run) {
  ReplicateSummary r;
  r.seed = replicate_seed(run.scenario, run.replicate);
  for (const auto& s : run.recorder.series()) r.series.push_back(s.value);
  for (const auto& o : key_outcomes(run)) r.outcomes.push_back(o.value);
  return r;
}

Ensemble run_ensemble(const Scenario& scenario, int replicates, int threads, Progress* progress) {
  Ensemble ensemble;
  ensemble.replicates.resize(static_cast<std::size_t>(replicates));
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, replicates);
  std::atomic<int> next{0};
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
  auto worker = [&](int id) {
    try {
      for (int r = next++; r < replicates; r = next++) {
        // Only replicate 0 is written (the detail): its weekly arrays are compressed as they come.
        const int compression = r == 0 ? scenario.output.gzip_level : 0;
        RunResult run = run_simulation(scenario, static_cast<std::uint64_t>(r), {}, compression);
        ensemble.replicates[static_cast<std::size_t>(r)] = summarise(run);
        if (r == 0) {
          ensemble.outcome_meta = key_outcomes(run);
          ensemble.detail = std::move(run);
        }
        if (progress) progress->advance();
      }
    } catch (...) {
      errors[static_cast<std::size_t>(id)] = std::current_exception();
      next = replicates;  // stop the others early
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return ensemble;
}

}  // namespace pcnsim
