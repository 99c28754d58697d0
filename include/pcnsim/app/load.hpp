#pragma once
// Loading a scenario file with command-line changes: what `pcnsim run` and
// `pcnsim serve` share, so a request to the server and the command line
// accept and refuse the same things with the same messages.
#include <cstdint>
#include <string>
#include <vector>

#include "pcnsim/engine/scenario.hpp"

namespace pcnsim {

/// Loads `path` with each of `sets` ("a.b.c=value", as `--set`) applied in
/// order, then the seed when `seed` >= 0. Every malformed change is reported
/// together (InputError) before the file is read; then load_scenario's
/// problems. Warnings go to `warnings`.
Scenario load_with_sets(const std::string& path, const std::vector<std::string>& sets, std::int64_t seed,
                        std::vector<Diagnostic>* warnings);

}  // namespace pcnsim
