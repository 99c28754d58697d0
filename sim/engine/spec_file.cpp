#include "pcnsim/engine/spec_file.hpp"

#include <filesystem>

#include "pcnsim/kernel/csv.hpp"

namespace pcnsim {

namespace fs = std::filesystem;

void SpecReader::check_keys(const YAML::Node& map, const std::string& prefix, const std::vector<std::string>& known) {
  for_each_unknown_key(map, known, [&](const std::string& key, const YAML::Node& at, const std::string& message) {
    complain(at, prefix + key, message);
  });
}

std::vector<Override> SpecReader::overrides(const YAML::Node& set) {
  std::vector<Override> out;
  if (!set) return out;
  if (!set.IsMap()) {
    complain(set, "set", "expected a map of parameter paths to values");
    return out;
  }
  for (const auto& kv : set) {
    if (!kv.second.IsScalar() && !kv.second.IsSequence()) {
      complain(kv.second, "set." + kv.first.Scalar(), "expected a value");
      continue;
    }
    YAML::Emitter e;
    e << YAML::Flow << kv.second;
    out.push_back({kv.first.Scalar(), kv.second.IsScalar() ? kv.second.Scalar() : std::string(e.c_str())});
  }
  return out;
}

void SpecReader::name_and_description(const YAML::Node& root, std::string& name, std::string& description) {
  name = std::filesystem::path(file_).stem().string();
  scalar(root["name"], "name", name, 0, 0);
  // An explicit name becomes outputs/<name>.h5 (a file's stem cannot hold a separator).
  const YAML::Node given = root["name"];
  if (given.IsDefined() && given.IsScalar() && !control_character_position(name)) {  // those: parse_yaml_map
    if (auto why = name_problem(name); !why.empty()) complain(given, "name", why);
  }
  scalar(root["description"], "description", description, 0, 0);
}

std::string SpecReader::base_path(const YAML::Node& root, bool required, const std::string& what) {
  if (root["base"]) {
    std::string base;
    scalar(root["base"], "base", base, 0, 0);
    return relative_path(base);
  }
  if (required) complain(root, "base", "missing: " + what);
  return "";
}

std::string SpecReader::relative_path(const std::string& path) const {
  return fs::path(path).is_absolute() ? path : (fs::path(file_).parent_path() / path).string();
}

}  // namespace pcnsim
