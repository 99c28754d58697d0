#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "pcnsim/io/writer.hpp"

using namespace pcnsim;
namespace fs = std::filesystem;

namespace {

const std::string kScenarios = std::string(PCNSIM_SOURCE_DIR) + "/scenarios/";

std::string write_to(const RunResult& run, const fs::path& path) {
  AtomicOutput out(path.string(), true);
  write_run(run, out.temp_path());
  out.commit();
  return path.string();
}

// Every dataset path below `group`, recursively.
void datasets(const h5::File& f, const std::string& group, std::vector<std::string>& out) {
  for (const auto& name : f.list(group)) {
    const std::string path = (group == "/" ? "" : group) + "/" + name;
    if (H5Oexists_by_name(f.id(), path.c_str(), H5P_DEFAULT) > 0) {
      H5O_info_t info;
      H5Oget_info_by_name(f.id(), path.c_str(), &info, H5P_DEFAULT);
      if (info.type == H5O_TYPE_GROUP) {
        datasets(f, path, out);
      } else {
        out.push_back(path);
      }
    }
  }
}

// Element-wise equality where NaN equals NaN (== on vectors holding NaN is false).
bool same_values(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!(a[k] == b[k] || (std::isnan(a[k]) && std::isnan(b[k])))) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("a run round-trips through HDF5 with the documented layout", "[output]") {
  const fs::path dir = fs::temp_directory_path() / ("pcnsim-output-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const RunResult run = run_simulation(load_scenario(kScenarios + "synthetic-small.yaml"));
  const h5::File f = h5::File::open_read(write_to(run, dir / "run.h5"));

  CHECK(f.int_attribute("/", "format_version") == kFormatVersion);
  CHECK(f.int_attribute("/", "seed") == run.scenario.seed);
  CHECK(f.string_attribute("/", "scenario_name") == "synthetic-small");
  CHECK(f.string_attribute("/", "software_version").find('+') != std::string::npos);
  CHECK(f.string_attribute("/", "created").size() == 20);
  // The stored scenario text reproduces the run's parameters.
  const Scenario stored = load_scenario_text(f.string_attribute("/", "scenario_yaml"), "stored");
  CHECK(resolved_yaml(stored) == resolved_yaml(run.scenario));

  const std::size_t n = run.world.practices.size();
  CHECK(f.read_strings("/practices/code") == run.world.practices.code);
  CHECK(f.read_doubles("/practices/list_size") == run.world.practices.list_size);
  std::vector<hsize_t> shape;
  const auto network = f.read_ints("/practices/network", &shape);
  // Formation, then a re-evaluation each 1 April (mechanism 9); the last row is the final world.
  REQUIRE(shape == std::vector<hsize_t>{5, n});
  for (std::size_t r = 0; r < 5; ++r) {
    for (std::size_t i = 0; i < n; ++i) REQUIRE(network[r * n + i] == run.membership[r].network_of[i]);
  }
  for (std::size_t i = 0; i < n; ++i) REQUIRE(network[4 * n + i] == run.world.network_of[i]);
  CHECK(f.read_strings("/practices/network_time") ==
        std::vector<std::string>{"2019-05-15", "2020-04-06", "2021-04-05", "2022-04-04", "2023-04-03"});
  CHECK(f.read_ints("/networks/id").size() == run.world.networks.size());
  CHECK(f.read_strings("/networks/hosting_model").size() == run.world.networks.size());

  for (const auto& s : run.recorder.series()) {
    const std::string g = "/series/" + s.name;
    CHECK(same_values(f.read_doubles(g + "/value"), s.value));
    CHECK(f.read_ints(g + "/step").size() == s.value.size());
    CHECK(f.read_strings(g + "/time").front() == "2019-04-01");
    CHECK(f.string_attribute(g + "/value", "units") == s.units);
    CHECK_FALSE(f.string_attribute(g + "/value", "description").empty());
  }
  const auto networks = f.read_doubles("/series/networks/value");
  CHECK(networks.front() == 0.0);  // before the registration deadline
  CHECK(networks.back() == static_cast<double>(run.world.live_networks()));
  const auto names = f.read_strings("/parameters/name");
  CHECK(std::find(names.begin(), names.end(), "formation.inertia") != names.end());
  fs::remove_all(dir);
}

TEST_CASE("two runs with one seed write identical datasets and another seed differs", "[output][determinism]") {
  const fs::path dir = fs::temp_directory_path() / ("pcnsim-determinism-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // Networks split and merge under these settings, so some datasets hold NaN
  // (e.g. a network's trust before it existed) and the comparison must treat
  // NaN as equal to NaN.
  const Scenario scenario = load_scenario(kScenarios + "synthetic-small.yaml",
                                          {{"dynamics.split_cost", "0"}, {"dynamics.merge_cost", "0"},
                                           {"dynamics.conflict_per_year", "0.6"}, {"dynamics.conflict_affinity_loss", "3"}});
  const h5::File a = h5::File::open_read(write_to(run_simulation(scenario), dir / "a.h5"));
  const h5::File b = h5::File::open_read(write_to(run_simulation(scenario), dir / "b.h5"));
  Scenario other = scenario;
  other.seed += 1;
  const h5::File c = h5::File::open_read(write_to(run_simulation(other), dir / "c.h5"));
  std::vector<std::string> paths;
  datasets(a, "/", paths);
  REQUIRE(paths.size() > 40);
  int nans = 0;
  for (const auto& path : paths) {
    INFO(path);
    std::vector<hsize_t> sa, sb;
    const hid_t d = H5Dopen2(a.id(), path.c_str(), H5P_DEFAULT);
    const hid_t t = H5Dget_type(d);
    const bool is_string = H5Tget_class(t) == H5T_STRING, is_int = H5Tget_class(t) == H5T_INTEGER;
    H5Tclose(t);
    H5Dclose(d);
    if (is_string) {
      CHECK(a.read_strings(path, &sa) == b.read_strings(path, &sb));
    } else if (is_int) {
      CHECK(a.read_ints(path, &sa) == b.read_ints(path, &sb));
    } else {
      const auto va = a.read_doubles(path, &sa), vb = b.read_doubles(path, &sb);
      CHECK(same_values(va, vb));
      for (double v : va) nans += std::isnan(v) ? 1 : 0;
    }
    CHECK(sa == sb);
  }
  CHECK(nans > 0);  // the NaN-aware comparison above was exercised
  CHECK(a.read_ints("/practices/network") != c.read_ints("/practices/network"));
  fs::remove_all(dir);
}
