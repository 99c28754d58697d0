#include "pcnsim/app/load.hpp"

#include "pcnsim/kernel/errors.hpp"

namespace pcnsim {

Scenario load_with_sets(const std::string& path, const std::vector<std::string>& sets, std::int64_t seed,
                        std::vector<Diagnostic>* warnings) {
  std::vector<Override> overrides;
  DiagnosticList problems;
  for (const auto& s : sets) {
    try {
      overrides.push_back(parse_override(s));
    } catch (const InputError& e) {
      for (const auto& d : e.problems()) problems.add(d);
    }
  }
  problems.throw_if_any();
  if (seed >= 0) overrides.push_back({"seed", std::to_string(seed)});
  return load_scenario(path, overrides, warnings);
}

}  // namespace pcnsim
