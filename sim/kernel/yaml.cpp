#include "pcnsim/kernel/yaml.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "pcnsim/kernel/csv.hpp"

namespace pcnsim {

namespace fs = std::filesystem;

std::string read_yaml_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(Diagnostic{path, 0, 0, "", what + " not found"});
  if (fs::is_directory(path, ec)) throw InputError(Diagnostic{path, 0, 0, "", "is a directory, expected a " + what});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(Diagnostic{path, 0, 0, "", "cannot be opened for reading"});
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

YAML::Node parse_yaml_map(const std::string& text, const std::string& file, const std::string& what,
                          DiagnosticList& problems) {
  // yaml-cpp passes invalid bytes through into names and HDF5 strings.
  if (const auto at = invalid_utf8_position(text)) {
    throw InputError(Diagnostic{file, at->first, at->second, "", "bytes that are not valid UTF-8"});
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
  find_duplicate_keys(root, file, "", problems);
  return root;
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
