// libFuzzer target: a real membership file (ePCN core-partner layout) on
// arbitrary text, matched against the practices of tests/data and compared
// with a partition of them. Bad input may only ever throw pcnsim::InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/analysis/membership.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const pcnsim::RealMembership m = pcnsim::parse_membership(text, "membership.csv");
    pcnsim::Practices p;
    p.resize(4);
    const char* codes[] = {"A81001", "A81002", "A81003", "A81004"};
    for (std::size_t i = 0; i < 4; ++i) {
      p.code[i] = codes[i];
      p.commissioner[i] = static_cast<int>(i / 2);
      p.x_km[i] = static_cast<double>(i);
      p.postcode[i] = i < 2 ? "TS18 1HU" : "TS18 2AW";
      p.list_size[i] = 10000;
    }
    std::vector<std::string> unknown;
    const std::vector<int> real = pcnsim::real_network_of(m, p, &unknown);
    (void)pcnsim::agreement_metrics(p, {0, 0, 1, 1}, real);
    (void)pcnsim::map_metrics(p, real);
  } catch (const pcnsim::InputError&) {
  }
  return 0;
}
