#include "pcnsim/spec_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pcnsim/csv.hpp"

namespace pcnsim {

namespace fs = std::filesystem;

std::string read_spec_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw InputError(Diagnostic{path, 0, 0, "", fs::is_directory(path, ec) ? "is a directory, expected a " + what
                                                                          : what + " not found"});
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

YAML::Node parse_spec_text(const std::string& text, const std::string& path, const std::string& what) {
  if (const auto at = invalid_utf8_position(text)) {  // as for scenario files
    throw InputError(Diagnostic{path, at->first, at->second, "", "bytes that are not valid UTF-8"});
  }
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(Diagnostic{path, e.mark.line + 1, e.mark.column + 1, "", "YAML syntax error: " + e.msg});
  }
  if (!root.IsMap()) throw InputError(Diagnostic{path, 1, 1, "", "a " + what + " must be a YAML map"});
  return root;
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

void SpecReader::check_keys(const YAML::Node& map, const std::string& prefix, const std::vector<std::string>& known) {
  for (const auto& kv : map) {
    const std::string key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    const std::string close = closest_match(key, known);
    complain(kv.first, prefix + key, "unknown key" + (close.empty() ? "" : "; did you mean '" + close + "'?"));
  }
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

std::string SpecReader::relative_path(const std::string& path) const {
  return fs::path(path).is_absolute() ? path : (fs::path(file_).parent_path() / path).string();
}

}  // namespace pcnsim
