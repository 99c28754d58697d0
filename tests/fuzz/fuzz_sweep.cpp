// libFuzzer target: the sweep-file loader (and, for small valid sweeps, the
// design it describes). Bad input may only ever throw pcnsim::InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/analysis/sweep.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // Named as if in sweeps/, so `base: ../scenarios/baseline.yaml` resolves as in the seed files.
    const pcnsim::SweepSpec spec = pcnsim::load_sweep_text(text, PCNSIM_SOURCE_DIR "/sweeps/fuzz-input.yaml");
    // A validated sweep must give a design; bounded so one input stays fast.
    if (pcnsim::design_rows(spec) * spec.factors.size() <= 100'000) {
      const pcnsim::SweepDesign design = pcnsim::make_design(spec);
      for (std::size_t row = 0; row < design.rows() && row < 4 && spec.base_scenario; ++row) {
        (void)pcnsim::row_scenario(spec, design, row);
      }
    }
  } catch (const pcnsim::InputError&) {
  }
  return 0;
}
