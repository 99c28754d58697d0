#pragma once
// The JSON answers of `pcnsim serve` (docs/explorer.md): a run's summary,
// map and comparison read back from its HDF5 file, and the metadata of the
// scenario library, the parameters and the explorer's levers.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pcnsim/engine/scenario.hpp"

namespace pcnsim::explorer {

using Json = nlohmann::json;

/// One scenario of the library (a YAML file of the scenarios folder).
struct LibraryScenario {
  std::string name;         // the file name without .yaml: what requests name
  std::string file;         // e.g. baseline.yaml
  std::string path;         // where the server reads it
  std::string description;  // the resolved scenario's description
};

/// The *.yaml files of `dir` that load as scenarios, baseline first, then by
/// name (a file that does not load is left out, with a warning on stderr).
std::vector<LibraryScenario> scan_library(const std::string& dir);

/// The key national series of a run's summary.
const std::vector<std::string>& summary_series();

/// GET /api/runs/{id}/summary from the run's file.
Json summary_json(const std::string& file, const std::string& id);
/// GET /api/runs/{id}/map: replicate 0's practices, networks and events.
Json map_json(const std::string& file);
/// GET /api/compare: `other` against `base`; InputError when the two runs
/// describe different worlds (practices or calendar), as `pcnsim compare`.
Json compare_json(const std::string& base_file, const std::string& base_id, const std::string& other_file,
                  const std::string& other_id);

/// GET /api/parameters: every parameter at its built-in default.
Json parameters_json();
/// GET /api/levers: the explorer's controls; defaults from `reference` (the
/// library's baseline), help texts from the parameter reference.
Json levers_json(const Scenario& reference);
/// GET /api/scenarios.
Json scenarios_json(const std::vector<LibraryScenario>& library);

/// A float32 value as the shortest decimal that reads back as the same
/// float32 (so 0.3f is 0.3, not 0.30000001192092896); null when not finite.
Json float32_number(double value);

}  // namespace pcnsim::explorer
