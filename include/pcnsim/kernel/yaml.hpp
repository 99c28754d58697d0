#pragma once
// The one way pcnsim reads YAML input (scenario, sweep, calibration and targets
// files): the text checked for UTF-8 and parsed as a map, every duplicate key
// reported (yaml-cpp keeps both entries and lookups find one of them, so a
// repeated key would otherwise be resolved silently, differently by different
// readers), unknown keys with the closest known one, and typed scalars with
// the reason when they are not of the wanted type or range. Every problem is a
// Diagnostic with file:line:column.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "pcnsim/kernel/errors.hpp"

namespace pcnsim {

/// The text of a YAML input file; InputError when it is missing, a directory
/// or unreadable (`what` names the kind of file: "scenario file").
std::string read_yaml_file(const std::string& path, const std::string& what);

/// Limits of a YAML tree, checked before anything walks it (README "Bad input").
inline constexpr int kMaxYamlDepth = 64;                // nested maps and lists
inline constexpr std::size_t kMaxYamlNodes = 100'000;   // every node, aliases expanded

/// Parses the text of a YAML file that must be a map. InputError at once on
/// bytes that are not UTF-8, control characters, a syntax error, an empty file,
/// anything but a map, or a tree out of bounds (check_yaml_bounds); every
/// duplicate key, at any depth, is added to `problems` (the reader goes on, so
/// the other problems of the file are reported with them).
YAML::Node parse_yaml_map(const std::string& text, const std::string& file, const std::string& what,
                          DiagnosticList& problems);

/// Walks `root` as every later reader would, aliases expanded, and throws
/// InputError (with `problems` so far) at the first node that is its own
/// ancestor ("a self-referencing alias"), nests deeper than kMaxYamlDepth, or
/// is beyond kMaxYamlNodes nodes (an alias bomb stops there, in bounded time).
/// A scalar holding a control character other than tab and line feed (from an
/// escape such as "\0") is added to `problems`. `path` is the dotted path
/// of `root` ("" for a file; the key of a --set value).
void check_yaml_bounds(const YAML::Node& root, const std::string& file, DiagnosticList& problems,
                       const std::string& path = "");

/// Adds a problem for every key that repeats an earlier key of the same map,
/// anywhere below `node`: "'a.b': duplicate key (first at line 6)", placed at
/// the repeat. `path` is the dotted path of `node` itself ("" at the root).
void find_duplicate_keys(const YAML::Node& node, const std::string& file, const std::string& path,
                         DiagnosticList& problems);

/// The place of a YAML node as a diagnostic (line and column when known).
Diagnostic diagnostic_at(const std::string& file, const YAML::Node& node, const std::string& key,
                         const std::string& message);

/// Calls `report(key, key_node, message)` for every key of `map` not in
/// `known`, the message suggesting the closest known key.
void for_each_unknown_key(const YAML::Node& map, const std::vector<std::string>& known,
                          const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& report);

/// A number written as YAML writes numbers (1.5, 2e-3, .inf, .nan), or nothing.
std::optional<double> number_from_text(const std::string& text);

/// Text form of a number that reads back to the same double.
std::string format_number(double value);
/// "[min, max]", ">= min", "<= max", or "" when unbounded.
std::string range_text(double min, double max);

/// Typed scalars. Each sets `value` and returns "" when the node is a value of
/// the type within [min, max], and otherwise leaves `value` and says why
/// ("a value is required", "expected a number, got 'x'", "value 2 is out of
/// range; must be [0, 1]").
inline constexpr double kUnbounded = std::numeric_limits<double>::infinity();
std::string read_scalar(const YAML::Node& node, double& value, double min = -kUnbounded, double max = kUnbounded);
std::string read_scalar(const YAML::Node& node, std::int64_t& value, double min = -kUnbounded,
                        double max = kUnbounded);
std::string read_scalar(const YAML::Node& node, int& value, double min = -kUnbounded, double max = kUnbounded);
std::string read_scalar(const YAML::Node& node, bool& value, double = 0, double = 0);
std::string read_scalar(const YAML::Node& node, std::string& value, double = 0, double = 0);
/// Why `value` (read from `text`) is not finite or outside [min, max]; "" when it is fine.
std::string range_problem(const std::string& text, double value, double min, double max);

}  // namespace pcnsim
