#pragma once
// Reading the YAML files that drive many runs (sweep and calibration files):
// the text checked for UTF-8 and parsed as a map, then every problem collected
// with file:line:column, unknown keys with the closest valid one, scalars with
// their ranges, and the `set:` block of fixed scenario overrides.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include "pcnsim/errors.hpp"
#include "pcnsim/scenario.hpp"

namespace pcnsim {

/// The text of a driver file; InputError when it is missing or a directory
/// (`what` names the kind of file: "sweep file").
std::string read_spec_file(const std::string& path, const std::string& what);

/// Parses a driver file's text as a YAML map; InputError on bytes that are not
/// UTF-8, a syntax error or anything but a map.
YAML::Node parse_spec_text(const std::string& text, const std::string& path, const std::string& what);

/// The place of a YAML node as a diagnostic (line and column when known).
Diagnostic diagnostic_at(const std::string& file, const YAML::Node& node, const std::string& key,
                         const std::string& message);

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
    try {
      if (!node.IsScalar()) throw YAML::Exception(node.Mark(), "not a scalar");
      const T v = node.as<T>();
      if constexpr (std::is_arithmetic_v<T>) {
        if (!(static_cast<double>(v) >= lo && static_cast<double>(v) <= hi)) {
          complain(node, key, "value " + node.Scalar() + " is out of range; must be [" + number(lo) + ", " +
                                  number(hi) + "]");
          return;
        }
      }
      value = v;
    } catch (const YAML::Exception&) {
      complain(node, key, std::is_arithmetic_v<T> ? "expected a number" : "expected a text value");
    }
  }

  /// The `set:` block: parameter paths to values, as overrides.
  std::vector<Override> overrides(const YAML::Node& set);
  /// A path given in the file, resolved against the file's folder.
  std::string relative_path(const std::string& path) const;

  /// Text form of a number that reads back to the same double.
  static std::string number(double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
  }

 private:
  std::string file_;
  DiagnosticList& problems_;
};

}  // namespace pcnsim
