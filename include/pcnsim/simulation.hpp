#pragma once
// One run of the model: scenario -> world -> weekly steps -> recorded results.
//
// Order inside every week (fixed):
//   1. timeline events dated in the week (sign-up window close, networks live,
//      start of a financial year);
//   2. mechanisms in the order of MODEL.md: sign-up (1) and formation (2) at
//      the sign-up deadline;
//   3. recording of the national series.
#include <cstdint>
#include <string>
#include <vector>

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
  std::vector<int> network_of;  // per practice, -1 = not in a network
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
  Recorder recorder;
  double formation_seconds = 0.0;  // wall time of sign-up + graph + formation (for bench/)
};

/// Runs the scenario. Throws InputError for bad data files.
RunResult run_simulation(const Scenario& scenario, std::uint64_t replicate = 0);

/// Seed of replicate r of a scenario (replicate 0 uses the scenario seed's streams).
std::uint64_t replicate_seed(const Scenario& scenario, std::uint64_t replicate);

}  // namespace pcnsim
