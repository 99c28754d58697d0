#pragma once
// One run of the model: scenario -> world -> weekly steps -> recorded results.
//
// Order inside every week (fixed):
//   1. timeline events dated in the week (sign-up window close, networks live,
//      start of a financial year);
//   2. mechanisms in the order of MODEL.md: sign-up (1) and formation (2) at
//      the sign-up deadline; at the start of each financial year the funding
//      lines' one-off pots and ARRS ceilings (3, 4); then, once networks are
//      live, every week: funding flows (3), ARRS workforce (4: redistribution,
//      leavers, vacancies, hiring, claims), service specifications (8),
//      GP workload (5), management support (7, managers decided each
//      1 April), clinical-director workload (6); each 1 April after the first
//      year the network dynamics (9: re-sign-up, exits, joins, dissolution,
//      merges, splits, switches) run first, then the year's money and managers;
//   3. recording of the national series and the per-network and per-practice
//      weekly arrays.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/dynamics.hpp"
#include "models/formation.hpp"
#include "models/population.hpp"
#include "models/relationships.hpp"
#include "pcnsim/calendar.hpp"
#include "pcnsim/recorder.hpp"
#include "pcnsim/scenario.hpp"
#include "pcnsim/weekly_store.hpp"
#include "pcnsim/world.hpp"

namespace pcnsim {

struct TimelineEvent {
  int step = 0;
  Date date;
  std::string name;
};

/// Network membership of every practice at one (re-)evaluation.
struct MembershipSnapshot {
  Date date;
  int step = 0;
  std::vector<int> network_of;        // per practice, -1 = not in a network
  std::vector<double> mean_affinity;  // per network existing then: members' mean pair affinity (trust)
};

/// Per-network and per-practice weekly results, [step][...] as written.
struct WeeklyArrays {
  std::size_t networks = 0, practices = 0;
  WeeklyStore<float> arrs_wte{kRoleCount};      // [step][network][role]
  WeeklyStore<std::int32_t> vacancies;          // [step][network]
  WeeklyStore<float> arrs_claimed_gbp;          // [step][network]
  WeeklyStore<float> arrs_ceiling_gbp;          // [step][network], the year's ceiling
  WeeklyStore<float> gp_demand_hours;           // [step][practice]
  WeeklyStore<float> gp_supplied_hours;         // [step][practice]
  WeeklyStore<float> arrs_hours;                // [step][practice]
  WeeklyStore<float> cd_hours{kCdSources};      // [step][network][source]
  WeeklyStore<float> cd_funded_hours;           // [step][network]
  WeeklyStore<float> cd_support_hours;          // [step][network]
  WeeklyStore<float> cd_strain;                 // [step][network]
  WeeklyStore<std::int32_t> cd_in_post;         // [step][network]
  WeeklyStore<float> manager_wte;               // [step][network]

  /// Sizes for a run of `steps` weeks of `practice_count` practices; with
  /// `compression` > 0 every array is compressed at that gzip level as the weeks come.
  void start(std::size_t steps, std::size_t practice_count, int compression = 0);
  /// Weeks recorded from now on have `new_networks` networks (formation, or
  /// networks split off in a re-evaluation); earlier weeks read as zero for them.
  void grow_networks(std::size_t new_networks);
  /// After the last week (compression of the last block starts at once).
  void finish_recording();

 private:
  template <class F>
  void each_network_array(F f) {
    f(arrs_wte);
    f(vacancies);
    f(arrs_claimed_gbp);
    f(arrs_ceiling_gbp);
    f(cd_hours);
    f(cd_funded_hours);
    f(cd_support_hours);
    f(cd_strain);
    f(cd_in_post);
    f(manager_wte);
  }
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
  RelationshipGraph graph;
  std::vector<FormationStats> formation_stats;
  std::vector<MembershipSnapshot> membership;
  std::vector<TimelineEvent> events;
  NetworkEventLog network_events;  // every exit, join, switch, merge, split, dissolution, conflict
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

/// Seed of replicate r of a scenario (replicate 0 uses the scenario seed's streams).
std::uint64_t replicate_seed(const Scenario& scenario, std::uint64_t replicate);

}  // namespace pcnsim
