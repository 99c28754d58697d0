#pragma once
// One run of the model: scenario -> world -> weekly steps -> recorded results.
//
// The engine (sim/engine/simulation.cpp) runs the mechanisms of models/model.hpp,
// in their documented order, through the phases of a run:
//   setup (the population) before the first week; then every week
//   1. the timeline events dated in the week (sign-up window, networks live,
//      start of a financial year, COVID-19);
//   2. at the sign-up deadline every mechanism's `at_deadline` (practices sign,
//      the relationship graph is built, networks form, the money, ARRS
//      workforce, managers and clinical directors start); at each later
//      financial-year start `at_reevaluation` (network dynamics, when on, then
//      every mechanism follows the reorganisation) and `at_year_start` (the
//      year's money, ceilings and managers);
//   3. every mechanism's `each_week`: funding, ARRS, service specifications,
//      GP workload, IIF, management support, clinical directors;
//   4. recording of every output the mechanisms declare.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/model.hpp"
#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/engine/recorder.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/weekly_store.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

/// One weekly output of a run: its declaration and its values.
struct WeeklyArray {
  const WeeklyOutput* output = nullptr;
  WeeklyStore<float> floats;       // dtype float32
  WeeklyStore<std::int32_t> ints;  // dtype int32
};

/// Every weekly per-network and per-practice output of a run, [step][...] as written.
struct WeeklyArrays {
  std::size_t networks = 0, practices = 0;
  // Compresses the arrays' blocks of weeks beside the simulation (compressed
  // runs only). Declared before `arrays`, so it outlives their stores and
  // finishes the jobs still queued when they go.
  std::unique_ptr<BackgroundWorker> compressor;
  std::vector<WeeklyArray> arrays;  // in the order of model_outputs().weekly

  /// Sizes for a run of `steps` weeks of `practice_count` practices; with
  /// `compression` > 0 every array is compressed at that gzip level as the weeks come.
  void start(const std::vector<WeeklyOutput>& outputs, std::size_t steps, std::size_t practice_count,
             int compression = 0);
  /// Weeks recorded from now on have `new_networks` networks (formation, or
  /// networks split off in a re-evaluation); earlier weeks read as zero for them.
  void grow_networks(std::size_t new_networks);
  /// Records week `step` of every output whose `when` holds.
  void record(const ModelState& state, int step);
  /// After the last week (compression of the last block starts at once).
  void finish_recording();
  /// The values of the output at `path` (e.g. /networks/weekly/cd_strain);
  /// std::logic_error when there is none of that type.
  const WeeklyStore<float>& floats(std::string_view path) const;
  const WeeklyStore<std::int32_t>& ints(std::string_view path) const;

 private:
  const WeeklyArray& array(std::string_view path, Dtype dtype) const;
};

/// Money per financial year (pence): [year][network] and per line.
struct FinanceRecord {
  std::vector<int> years;
  std::vector<std::vector<NetworkYearMoney>> arrs;
  std::vector<std::vector<Pence>> lines;  // [year][network * kFundingLines + line]
  std::vector<std::vector<int>> iif_achieved;  // [year][network]: IIF indicators achieved
};

struct RunResult {
  Scenario scenario;
  std::uint64_t replicate = 0;
  Calendar calendar{Date{}, Date{}};
  World world;
  PopulationReport population_report;
  SharedGraph graph = std::make_shared<const RelationshipGraph>();
  std::vector<FormationStats> formation_stats;
  std::vector<MembershipSnapshot> membership;
  std::vector<TimelineEvent> events;
  NetworkEventLog network_events;  // every exit, join, switch, merge, split, dissolution, conflict
  PracticeEventLog practice_events;  // every practice merger and closure (one row per receiving practice)
  Recorder recorder;
  WeeklyArrays weekly;
  FinanceRecord finance;
  std::vector<std::string> employers;  // per network
  ArrsStaff arrs_staff;                // every ARRS post ever filled
  CdRecords clinical_directors;        // every CD ever in post
  std::vector<double> network_mean_affinity;  // per network, at the last (re-)evaluation (see membership)
  std::int64_t arrs_hires = 0;
  double formation_seconds = 0.0;  // wall time of sign-up + graph + formation (for bench/)
};

/// Called at the end of every week with the world as it stands (for tests,
/// teaching and custom logging); must not change anything.
using WeekObserver = std::function<void(int step, const World& world)>;

/// Runs the scenario. Throws InputError for bad data files. `weekly_compression`
/// > 0: the weekly arrays are compressed at that gzip level as the weeks come
/// (for the run that will be written, at scenario.output.gzip_level).
RunResult run_simulation(const Scenario& scenario, std::uint64_t replicate = 0, const WeekObserver& observe = {},
                         int weekly_compression = 0);

/// Row of `run.membership` in force in week `step` (the last evaluation at or before it).
std::size_t membership_row(const RunResult& run, int step);
/// The world with every network's members as they were in membership row
/// `row` (the networks of the final world, so ids match every output array).
World world_at(const RunResult& run, std::size_t row);

/// Seed of replicate r of a scenario: replicate 0 uses the scenario seed, the
/// others a seed derived from it in [0, kMaxSeed], with which `--seed` reruns them alone.
std::uint64_t replicate_seed(const Scenario& scenario, std::uint64_t replicate);

}  // namespace pcnsim
