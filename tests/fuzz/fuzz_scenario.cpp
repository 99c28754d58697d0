// libFuzzer target: the scenario loader on arbitrary YAML text (and --set
// overrides). Bad input may
// only ever throw pcnsim::InputError; any other exception (uncaught, so
// std::terminate), crash or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/engine/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // Comment lines "#--set path=value" become --set overrides, so the same
    // input also exercises parse_override and applying overrides.
    std::vector<pcnsim::Override> overrides;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("#--set ", 0) == 0) overrides.push_back(pcnsim::parse_override(line.substr(7)));
    }
    // Named as if in scenarios/, so `extends: baseline.yaml` resolves as in the seed files.
    const pcnsim::Scenario scenario =
        pcnsim::load_scenario_text(text, PCNSIM_SOURCE_DIR "/scenarios/fuzz-input.yaml", overrides);
    (void)pcnsim::resolved_yaml(scenario);
  } catch (const pcnsim::InputError&) {
  }
  return 0;
}
