// libFuzzer target: the practice importer on arbitrary practices-CSV text (the
// NHS Digital file), joined with the small centroid and IMD files of
// tests/data; also the strict CSV parser on the same text. Bad input may only
// ever throw pcnsim::InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_data.hpp"
#include "models/population.hpp"
#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string centroids = slurp(PCNSIM_TEST_DATA_DIR "/centroids.csv");
  static const std::string imd = slurp(PCNSIM_TEST_DATA_DIR "/imd.csv");
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)pcnsim::parse_csv(text, "practices.csv", false);
  } catch (const pcnsim::InputError&) {
  }
  try {
    pcnsim::EnglandSourceParams params;
    params.practices_csv = "practices.csv";
    params.centroids_csv = "centroids.csv";
    params.imd_csv = "imd.csv";
    pcnsim::World world;
    pcnsim::PopulationReport report;
    pcnsim::load_england_text(world, params, text, centroids, imd, report);
  } catch (const pcnsim::InputError&) {
  }
  return 0;
}
