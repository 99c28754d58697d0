// libFuzzer target: the full-postcode locations file on arbitrary text, with
// the good practices, centroid and IMD files of tests/data. Bad input may only
// ever throw pcnsim::InputError.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_data.hpp"
#include "models/population.hpp"
#include "pcnsim/kernel/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string practices = slurp(PCNSIM_TEST_DATA_DIR "/practices_good.csv");
  static const std::string centroids = slurp(PCNSIM_TEST_DATA_DIR "/centroids.csv");
  static const std::string imd = slurp(PCNSIM_TEST_DATA_DIR "/imd.csv");
  std::string text(reinterpret_cast<const char*>(data), size);
  if (text.empty()) text = "\n";  // an empty locations text means "no file"; fuzz the file's contents
  try {
    pcnsim::EnglandSourceParams params;
    params.practices_csv = "practices.csv";
    params.centroids_csv = "centroids.csv";
    params.imd_csv = "imd.csv";
    params.locations_csv = "locations.csv";
    pcnsim::World world;
    pcnsim::PopulationReport report;
    pcnsim::load_england_text(world, params, practices, centroids, imd, report, text);
  } catch (const pcnsim::InputError&) {
  }
  return 0;
}
