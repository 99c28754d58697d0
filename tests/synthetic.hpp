#pragma once
// The 600-practice synthetic country most tests run on
// (scenarios/synthetic-small.yaml), loaded or run with overrides.
#include <string>
#include <vector>

#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"

namespace pcnsim::testing {

inline const std::string kScenarios = std::string(PCNSIM_SOURCE_DIR) + "/scenarios/";

inline Scenario synthetic_small(const std::vector<Override>& overrides = {}) {
  return load_scenario(kScenarios + "synthetic-small.yaml", overrides);
}

// Every network reviews its shape each year, at no cost, with frequent
// conflicts and quick dissolutions: all kinds of network event happen.
inline const std::vector<Override> kTurbulent = {
    {"dynamics.first_review_per_year", "1"},     {"dynamics.review_per_year", "1"},
    {"dynamics.conflict_per_year", "0.6"},      {"dynamics.conflict_affinity_loss", "3"},
    {"dynamics.split_cost", "0"},                {"dynamics.switch_cost", "0"},
    {"dynamics.merge_cost", "0"},                {"dynamics.dissolution_vacancy_weeks", "1"},
    {"dynamics.dissolution_trust_affinity", "5"}, {"dynamics.dissolution_probability", "1"},
    {"cd_workload.resignation_base_per_year", "2"}, {"cd_workload.vacancy_weeks", "20"}};

inline RunResult run_small(const std::vector<Override>& overrides = {}) {
  return run_simulation(synthetic_small(overrides));
}

}  // namespace pcnsim::testing
