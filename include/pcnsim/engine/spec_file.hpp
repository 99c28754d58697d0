#pragma once
// Reading the YAML files that are not scenarios (sweep, calibration and
// targets files), parsed by parse_yaml_map (yaml.hpp): every problem collected
// with file:line:column, unknown keys with the closest valid one, scalars with
// their types and ranges (as in scenarios), and the `set:` block of fixed
// scenario overrides.
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <string>
#include <vector>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/kernel/yaml.hpp"

namespace pcnsim {

/// Checks the parts of a driver file, adding every problem to one list.
class SpecReader {
 public:
  SpecReader(std::string file, DiagnosticList& problems) : file_(std::move(file)), problems_(problems) {}

  const std::string& file() const { return file_; }
  void complain(const YAML::Node& node, const std::string& key, const std::string& message) {
    problems_.add(diagnostic_at(file_, node, key, message));
  }
  /// Every key of `map` not in `known` is a problem, with the closest known key.
  void check_keys(const YAML::Node& map, const std::string& prefix, const std::vector<std::string>& known);

  /// Reads a scalar into `value` when the node is there; numbers must lie in
  /// [lo, hi] (text and booleans ignore the range).
  template <class T>
  void scalar(const YAML::Node& node, const std::string& key, T& value, double lo, double hi) {
    if (!node.IsDefined()) return;
    if (const std::string why = read_scalar(node, value, lo, hi); !why.empty()) complain(node, key, why);
  }

  /// The `set:` block: parameter paths to values, as overrides.
  std::vector<Override> overrides(const YAML::Node& set);
  /// Calls read(entry, where) for each entry of the list `key` of `root`
  /// ("key[i]"); a missing or empty list is the problem `missing`, an entry
  /// that is not a map the problem `not_a_map`.
  template <class F>
  void each_map_entry(const YAML::Node& root, const std::string& key, const std::string& missing,
                      const std::string& not_a_map, F read) {
    const YAML::Node list = root[key];
    if (!list || !list.IsSequence() || list.size() == 0) {
      complain(list ? list : root, key, missing);
      return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const YAML::Node entry = list[i];
      const std::string where = key + "[" + std::to_string(i) + "]";
      if (!entry.IsMap()) {
        complain(entry, where, not_a_map);
        continue;
      }
      read(entry, where);
    }
  }
  /// A path given in the file, resolved against the file's folder.
  std::string relative_path(const std::string& path) const;
  /// The keys every sweep and calibration file has: `name` (default: the
  /// file's stem) and `description`.
  void name_and_description(const YAML::Node& root, std::string& name, std::string& description);
  /// The `base:` scenario, resolved against the file's folder; empty (and, if
  /// `required`, a problem: "missing: <what>") when not given.
  std::string base_path(const YAML::Node& root, bool required, const std::string& what);

  /// Shortest text form of a number that reads back to the same double
  /// (0.95, not 0.94999999999999996).
  static std::string number(double x) { return format_number(x); }

 private:
  std::string file_;
  DiagnosticList& problems_;
};

}  // namespace pcnsim
