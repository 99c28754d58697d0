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

/// Allocator of the weekly arrays: a new element without a value is left
/// uninitialised, not zero-filled, because every recorded week is written in
/// full and unrecorded memory is never read. (Transparent huge pages were
/// tried for these arrays: a third of the page faults, but more kernel time
/// clearing and compacting 2 MiB pages; see bench/README.md.)
template <class T>
struct WeeklyAllocator : std::allocator<T> {
  WeeklyAllocator() = default;
  template <class U>
  WeeklyAllocator(const WeeklyAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialised
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <class T>
using WeeklyVector = std::vector<T, WeeklyAllocator<T>>;

/// One per-network weekly quantity, read as the output holds it: [step][network][width]
/// (width: roles or sources, else 1), zero where nothing was recorded. Stored
/// as one block of weeks per network count: networks are only added at a
/// re-evaluation, which starts a new block, so no week is ever re-copied.
template <class T>
struct NetworkWeekly {
  struct Block {
    int first_step = 0;
    std::size_t networks = 0;
    WeeklyVector<T> values;  // [week of the block][network][width]
  };
  std::size_t width = 1, steps = 0, networks = 0;
  std::vector<Block> blocks;
  T zero{};  // what operator[] refers to where nothing was recorded

  explicit NetworkWeekly(std::size_t values_per_network = 1) : width(values_per_network) {}

  /// Appends the row of week `step` (the week after the last recorded one,
  /// or the first of a new block) and returns its networks * width values,
  /// uninitialised: the caller writes every one.
  T* week_row(int step) {
    const std::size_t row = networks * width;
    if (row == 0) throw std::logic_error("NetworkWeekly: no networks to record");
    if (blocks.empty() || blocks.back().networks != networks) {
      blocks.push_back(Block{step, networks, {}});
      // Room for every remaining week: growing then never moves the block.
      blocks.back().values.reserve((steps - static_cast<std::size_t>(step)) * row);
    }
    Block& b = blocks.back();
    if (b.first_step + static_cast<int>(b.values.size() / row) != step) {
      throw std::logic_error("NetworkWeekly: weeks must be recorded in order, each once");
    }
    b.values.resize(b.values.size() + row);
    return b.values.data() + b.values.size() - row;
  }

  /// The recorded values of week `step` and the number of networks they cover (0 if none).
  std::pair<const T*, std::size_t> week(std::size_t step) const {
    for (const Block& b : blocks) {
      const auto first = static_cast<std::size_t>(b.first_step);
      if (step >= first && step < first + b.values.size() / (b.networks * width)) {
        return {b.values.data() + (step - first) * b.networks * width, b.networks};
      }
    }
    return {nullptr, 0};
  }

  std::size_t size() const { return steps * networks * width; }
  /// Element `index` of the [step][network][width] array of the whole run.
  const T& operator[](std::size_t index) const {
    const std::size_t row = networks * width, step = index / row, column = index % row;
    const auto [values, covered] = week(step);
    return column < covered * width ? values[column] : zero;
  }

  /// Networks first..first+count-1 of every week, as out[step][count][width]
  /// (zero where not recorded): one chunk of the output dataset.
  void copy_networks(std::size_t first, std::size_t count, T* out) const {
    for (std::size_t s = 0; s < steps; ++s, out += count * width) {
      const auto [values, covered] = week(s);
      const std::size_t have = covered > first ? std::min(count, covered - first) : 0;
      if (have > 0) std::copy_n(values + first * width, have * width, out);
      std::fill(out + have * width, out + count * width, T{});
    }
  }
};

/// Per-network and per-practice weekly results, [step][...] as written.
struct WeeklyArrays {
  std::size_t networks = 0, practices = 0;
  NetworkWeekly<float> arrs_wte{kRoleCount};      // [step][network][role]
  NetworkWeekly<std::int32_t> vacancies;          // [step][network]
  NetworkWeekly<float> arrs_claimed_gbp;          // [step][network]
  NetworkWeekly<float> arrs_ceiling_gbp;          // [step][network], the year's ceiling
  WeeklyVector<float> gp_demand_hours;            // [step][practice]
  WeeklyVector<float> gp_supplied_hours;          // [step][practice]
  WeeklyVector<float> arrs_hours;                 // [step][practice]
  NetworkWeekly<float> cd_hours{kCdSources};      // [step][network][source]
  NetworkWeekly<float> cd_funded_hours;           // [step][network]
  NetworkWeekly<float> cd_support_hours;          // [step][network]
  NetworkWeekly<float> cd_strain;                 // [step][network]
  NetworkWeekly<std::int32_t> cd_in_post;         // [step][network]
  NetworkWeekly<float> manager_wte;               // [step][network]

  /// Sizes for a run of `steps` weeks; the per-practice arrays grow week by week.
  void start(std::size_t steps, std::size_t practice_count);
  /// Weeks recorded from now on have `new_networks` networks (formation, or
  /// networks split off in a re-evaluation); earlier weeks read as zero for them.
  void grow_networks(std::size_t new_networks);
  /// Per-practice arrays of a run without GP workload: zero for every week.
  void finish();

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

/// Runs the scenario. Throws InputError for bad data files.
RunResult run_simulation(const Scenario& scenario, std::uint64_t replicate = 0, const WeekObserver& observe = {});

/// Row of `run.membership` in force in week `step` (the last evaluation at or before it).
std::size_t membership_row(const RunResult& run, int step);
/// The world with every network's members as they were in membership row
/// `row` (the networks of the final world, so ids match every output array).
World world_at(const RunResult& run, std::size_t row);

/// Seed of replicate r of a scenario (replicate 0 uses the scenario seed's streams).
std::uint64_t replicate_seed(const Scenario& scenario, std::uint64_t replicate);

}  // namespace pcnsim
