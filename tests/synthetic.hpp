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

inline RunResult run_small(const std::vector<Override>& overrides = {}) {
  return run_simulation(synthetic_small(overrides));
}

}  // namespace pcnsim::testing
