#include "pcnsim/kernel/yaml.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/input_file.hpp"

namespace pcnsim {

std::string read_yaml_file(const std::string& path, const std::string& what) {
  return read_input_file(path, what, kMaxYamlFileBytes);
}

YAML::Node parse_yaml_map(const std::string& text, const std::string& file, const std::string& what,
                          DiagnosticList& problems) {
  // yaml-cpp passes invalid bytes through into names and HDF5 strings.
  if (const auto at = invalid_utf8_position(text)) {
    throw InputError(Diagnostic{file, at->first, at->second, "", "bytes that are not valid UTF-8"});
  }
  if (const auto at = control_character_position(text)) {  // not YAML's printable characters
    throw InputError(Diagnostic{file, at->line, at->column, "",
                                control_character_message(at->code) + "; YAML text may hold tabs and line breaks only"});
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Diagnostic d{file, 0, 0, "", "YAML syntax error: " + e.msg};
    if (e.mark.line >= 0) {
      d.line = e.mark.line + 1;
      d.column = e.mark.column + 1;
    }
    throw InputError(d);
  }
  if (root.IsNull()) throw InputError(Diagnostic{file, 0, 0, "", "the " + what + " is empty"});
  if (!root.IsMap()) throw InputError(diagnostic_at(file, root, "", "a " + what + " must be a YAML map"));
  check_yaml_bounds(root, file, problems);
  find_duplicate_keys(root, file, "", problems);
  return root;
}

namespace {

// The walk of check_yaml_bounds: the maps and lists open above the current
// node (to find one that contains itself) and the count of nodes so far.
struct BoundsWalk {
  const std::string& file;
  DiagnosticList& problems;
  std::vector<YAML::Node> open;
  std::size_t count = 0;

  [[noreturn]] void stop(const YAML::Node& at, const std::string& key, const std::string& message) {
    problems.add(diagnostic_at(file, at, key, message));
    throw InputError(problems.items());
  }

  // `node` at dotted path `key`; `at` is where to point a message (its key, or the node).
  void visit(const YAML::Node& node, const YAML::Node& at, const std::string& key) {
    if (++count > kMaxYamlNodes) {
      stop(at, key, "more than " + std::to_string(kMaxYamlNodes) +
                        " YAML values once aliases are expanded (an alias bomb?)");
    }
    if (node.IsScalar()) return check_text(node, at, key);
    if (!node.IsMap() && !node.IsSequence()) return;
    for (const auto& outer : open) {
      if (outer.is(node)) {
        stop(at, key, "a self-referencing alias: the anchor on line " + std::to_string(node.Mark().line + 1) +
                          " contains its own alias");
      }
    }
    if (static_cast<int>(open.size()) >= kMaxYamlDepth) {
      stop(at, key, "nesting deeper than " + std::to_string(kMaxYamlDepth) + " levels");
    }
    open.push_back(node);
    std::size_t i = 0;
    for (const auto& item : node) {
      if (node.IsSequence()) {
        // An aliased item has its anchor's place: name the key above the list.
        visit(item, at, key + "[" + std::to_string(i++) + "]");
        continue;
      }
      const std::string name = item.first.IsScalar() ? item.first.Scalar() : std::string("?");
      const std::string inner = key.empty() ? name : key + "." + name;
      visit(item.first, item.first, inner);
      visit(item.second, item.first, inner);
    }
    open.pop_back();
  }

  void check_text(const YAML::Node& node, const YAML::Node& at, const std::string& key) {
    // Escapes ("\0", "\x01") put into values what the text may not hold.
    if (const auto bad = control_character_position(node.Scalar())) {
      problems.add(diagnostic_at(file, at, key,
                                 control_character_message(bad->code) + " in a value; only tabs and line breaks are allowed"));
    }
  }
};

}  // namespace

void check_yaml_bounds(const YAML::Node& root, const std::string& file, DiagnosticList& problems,
                       const std::string& path) {
  BoundsWalk walk{file, problems, {}, 0};
  walk.visit(root, root, path);
}

void find_duplicate_keys(const YAML::Node& node, const std::string& file, const std::string& path,
                         DiagnosticList& problems) {
  if (node.IsSequence()) {
    std::size_t i = 0;
    for (const auto& item : node) find_duplicate_keys(item, file, path + "[" + std::to_string(i++) + "]", problems);
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, int> first_line;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;  // a complex key is reported as unknown by the readers
    const std::string key = path.empty() ? kv.first.Scalar() : path + "." + kv.first.Scalar();
    const auto [first, fresh] = first_line.emplace(kv.first.Scalar(), kv.first.Mark().line + 1);
    if (!fresh) {
      problems.add(diagnostic_at(file, kv.first, key,
                                 "duplicate key (first at line " + std::to_string(first->second) + ")"));
    }
    find_duplicate_keys(kv.second, file, key, problems);
  }
}

Diagnostic diagnostic_at(const std::string& file, const YAML::Node& node, const std::string& key,
                         const std::string& message) {
  Diagnostic d{file, 0, 0, key, message};
  if (node.IsDefined() && node.Mark().line >= 0) {
    d.line = node.Mark().line + 1;
    d.column = node.Mark().column + 1;
  }
  return d;
}

void for_each_unknown_key(const YAML::Node& map, const std::vector<std::string>& known,
                          const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& report) {
  if (!map.IsDefined() || !map.IsMap()) return;
  for (const auto& kv : map) {
    const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const std::string hint = closest_match(key, known);
    report(key, kv.first, "unknown key" + (hint.empty() ? std::string() : "; did you mean '" + hint + "'?"));
  }
}

std::optional<double> number_from_text(const std::string& text) {
  try {
    return YAML::Node(text).as<double>();
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

std::string format_number(double value) {
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

std::string range_text(double min, double max) {
  if (std::isinf(min) && std::isinf(max)) return "";
  if (std::isinf(max)) return ">= " + format_number(min);
  if (std::isinf(min)) return "<= " + format_number(max);
  std::string text = "[";  // built in steps: GCC 12 warns (-Wrestrict) on a chain of + here
  text += format_number(min);
  text += ", ";
  text += format_number(max);
  return text + "]";
}

std::string range_problem(const std::string& text, double value, double min, double max) {
  if (!std::isfinite(value)) return "must be a finite number, got '" + text + "'";
  if (value < min || value > max) return "value " + text + " is out of range; must be " + range_text(min, max);
  return "";
}

namespace {
// Why a node is not a single value; "" when it is one.
std::string not_a_scalar(const YAML::Node& node) {
  if (node.IsScalar()) return "";
  return node.IsNull() ? "a value is required" : "expected a single value, not a list or block";
}
}  // namespace

std::string read_scalar(const YAML::Node& node, double& value, double min, double max) {
  if (auto why = not_a_scalar(node); !why.empty()) return why;
  const auto parsed = number_from_text(node.Scalar());
  if (!parsed) return "expected a number, got '" + node.Scalar() + "'";
  if (auto why = range_problem(node.Scalar(), *parsed, min, max); !why.empty()) return why;
  value = *parsed;
  return "";
}

std::string read_scalar(const YAML::Node& node, std::int64_t& value, double min, double max) {
  if (auto why = not_a_scalar(node); !why.empty()) return why;
  const auto parsed = number_from_text(node.Scalar());
  if (!parsed || std::floor(*parsed) != *parsed || std::fabs(*parsed) > 9.0e15) {
    return "expected a whole number, got '" + node.Scalar() + "'";
  }
  if (auto why = range_problem(node.Scalar(), *parsed, min, max); !why.empty()) return why;
  value = static_cast<std::int64_t>(*parsed);
  return "";
}

std::string read_scalar(const YAML::Node& node, int& value, double min, double max) {
  std::int64_t wide = value;
  const std::string why = read_scalar(node, wide, std::max(min, -2147483648.0), std::min(max, 2147483647.0));
  if (why.empty()) value = static_cast<int>(wide);
  return why;
}

std::string read_scalar(const YAML::Node& node, bool& value, double, double) {
  if (auto why = not_a_scalar(node); !why.empty()) return why;
  const std::string& s = node.Scalar();
  if (s == "true" || s == "True" || s == "yes" || s == "on") {
    value = true;
  } else if (s == "false" || s == "False" || s == "no" || s == "off") {
    value = false;
  } else {
    return "expected true or false, got '" + s + "'";
  }
  return "";
}

std::string read_scalar(const YAML::Node& node, std::string& value, double, double) {
  if (auto why = not_a_scalar(node); !why.empty()) return why;
  value = node.Scalar();
  return "";
}

}  // namespace pcnsim
