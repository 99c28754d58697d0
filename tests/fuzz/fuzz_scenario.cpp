// libFuzzer target: the scenario loader on arbitrary YAML text. Bad input may
// only ever throw pcnsim::InputError; any other exception (uncaught, so
// std::terminate), crash or sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pcnsim/errors.hpp"
#include "pcnsim/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // Named as if in scenarios/, so `extends: baseline.yaml` resolves as in the seed files.
    const pcnsim::Scenario scenario = pcnsim::load_scenario_text(text, PCNSIM_SOURCE_DIR "/scenarios/fuzz-input.yaml");
    (void)pcnsim::resolved_yaml(scenario);
  } catch (const pcnsim::InputError&) {
  }
  return 0;
}
