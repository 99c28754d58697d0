#include "pcnsim/params.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

namespace pcnsim {

double DatedSeries::at(Date d) const {
  double value = 0.0;
  for (const auto& e : entries) {
    if (e.from > d) break;
    value = e.value;
  }
  return value;
}

std::string YamlSource::file_for(const std::string& path) const {
  std::string p = path;
  while (true) {
    if (auto it = origin.find(p); it != origin.end()) return it->second;
    const auto dot = p.rfind('.');
    if (dot == std::string::npos) break;
    p.resize(dot);
  }
  if (auto it = origin.find(""); it != origin.end()) return it->second;
  return "scenario";
}

std::string format_number(double value) {
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value) break;
  }
  return buf;
}

// --------------------------------------------------------------- reading ---

YamlReader::YamlReader(const YamlSource& source, YAML::Node node, std::string prefix, DiagnosticList& diags)
    : source_(source), node_(std::move(node)), prefix_(std::move(prefix)), diags_(diags) {}

std::optional<YAML::Node> YamlReader::lookup(std::string_view key) const {
  if (!node_.IsDefined() || !node_.IsMap()) return std::nullopt;
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  }
  return std::nullopt;
}

std::string YamlReader::path_of(std::string_view key) const {
  return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
}

void YamlReader::error(std::string_view key, const YAML::Node& node, const std::string& message) {
  const std::string path = path_of(key);
  Diagnostic d;
  d.file = source_.file_for(path);
  // Values from --set have no place in a file to point at.
  if (node.IsDefined() && node.Mark().line >= 0 && d.file.rfind("--set", 0) != 0) {
    d.line = node.Mark().line + 1;
    d.column = node.Mark().column + 1;
  }
  d.key = path;
  d.message = message;
  diags_.add(std::move(d));
}

bool YamlReader::scalar(std::string_view key, const YAML::Node& node) {
  if (node.IsScalar()) return true;
  error(key, node, node.IsNull() ? "a value is required" : "expected a single value, not a list or block");
  return false;
}

void YamlReader::check_range(std::string_view key, const YAML::Node& node, double value, const Meta& meta) {
  if (!std::isfinite(value)) {
    error(key, node, "must be a finite number, got '" + node.Scalar() + "'");
  } else if (value < meta.min || value > meta.max) {
    std::string range = "[" + format_number(meta.min) + ", " + format_number(meta.max) + "]";
    if (std::isinf(meta.max)) range = ">= " + format_number(meta.min);
    if (std::isinf(meta.min)) range = "<= " + format_number(meta.max);
    error(key, node, "value " + node.Scalar() + " is out of range; must be " + range);
  }
}

namespace {
bool parse_double(const std::string& text, double& out) {
  try {
    out = YAML::Node(text).as<double>();
    return true;
  } catch (const YAML::Exception&) {
    return false;
  }
}
}  // namespace

void YamlReader::field(std::string_view key, double& value, const Meta& meta) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found || !scalar(key, *found)) return;
  const YAML::Node& node = *found;
  double parsed;
  if (!parse_double(node.Scalar(), parsed)) {
    error(key, node, "expected a number, got '" + node.Scalar() + "'");
    return;
  }
  check_range(key, node, parsed, meta);
  value = parsed;
}

void YamlReader::field(std::string_view key, std::int64_t& value, const Meta& meta) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found || !scalar(key, *found)) return;
  const YAML::Node& node = *found;
  double parsed;
  if (!parse_double(node.Scalar(), parsed) || std::floor(parsed) != parsed || std::fabs(parsed) > 9.0e15) {
    error(key, node, "expected a whole number, got '" + node.Scalar() + "'");
    return;
  }
  check_range(key, node, parsed, meta);
  value = static_cast<std::int64_t>(parsed);
}

void YamlReader::field(std::string_view key, int& value, const Meta& meta) {
  std::int64_t wide = value;
  Meta bounded = meta;
  bounded.min = std::max(meta.min, -2147483648.0);
  bounded.max = std::min(meta.max, 2147483647.0);
  field(key, wide, bounded);
  value = static_cast<int>(std::clamp<std::int64_t>(wide, INT32_MIN, INT32_MAX));
}

void YamlReader::field(std::string_view key, bool& value, const Meta&) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found || !scalar(key, *found)) return;
  const YAML::Node& node = *found;
  const std::string& s = node.Scalar();
  if (s == "true" || s == "True" || s == "yes" || s == "on") {
    value = true;
  } else if (s == "false" || s == "False" || s == "no" || s == "off") {
    value = false;
  } else {
    error(key, node, "expected true or false, got '" + s + "'");
  }
}

void YamlReader::field(std::string_view key, std::string& value, const Meta&) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found || !scalar(key, *found)) return;
  const YAML::Node& node = *found;
  value = node.Scalar();
}

void YamlReader::field(std::string_view key, Date& value, const Meta&) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found || !scalar(key, *found)) return;
  const YAML::Node& node = *found;
  if (auto d = Date::parse(node.Scalar())) {
    value = *d;
  } else {
    error(key, node, "expected a date as YYYY-MM-DD, got '" + node.Scalar() + "'");
  }
}

void YamlReader::field(std::string_view key, DatedSeries& value, const Meta& meta) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found) return;
  const YAML::Node& node = *found;
  if (!node.IsSequence()) {
    error(key, node, "expected a list of {from: YYYY-MM-DD, value: number, source: text} entries");
    return;
  }
  DatedSeries parsed;
  bool ok = true;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const YAML::Node entry = node[i];
    const std::string where = std::string(key) + "[" + std::to_string(i) + "]";
    if (!entry.IsMap()) {
      error(where, entry, "expected {from: YYYY-MM-DD, value: number, source: text}");
      ok = false;
      continue;
    }
    DatedValue dv;
    bool has_from = false, has_value = false;
    for (const auto& kv : entry) {
      const std::string k = kv.first.Scalar();
      const std::string sub = where + "." + k;
      if (k == "from") {
        auto d = kv.second.IsScalar() ? Date::parse(kv.second.Scalar()) : std::nullopt;
        if (!d) {
          error(sub, kv.second, "expected a date as YYYY-MM-DD");
          ok = false;
        } else {
          dv.from = *d;
          has_from = true;
        }
      } else if (k == "value") {
        double v;
        if (!kv.second.IsScalar() || !parse_double(kv.second.Scalar(), v)) {
          error(sub, kv.second, "expected a number");
          ok = false;
        } else {
          check_range(sub, kv.second, v, meta);
          dv.value = v;
          has_value = true;
        }
      } else if (k == "source") {
        if (kv.second.IsScalar()) dv.source = kv.second.Scalar();
      } else {
        const std::string hint = closest_match(k, {"from", "value", "source"});
        error(sub, kv.first, "unknown key" + (hint.empty() ? std::string() : "; did you mean '" + hint + "'?"));
        ok = false;
      }
    }
    if (!has_from || !has_value) {
      error(where, entry, "each entry needs both 'from' and 'value'");
      ok = false;
    }
    if (has_from && !parsed.entries.empty() && dv.from <= parsed.entries.back().from) {
      error(where, entry, "dates must increase from one entry to the next");
      ok = false;
    }
    parsed.entries.push_back(dv);
  }
  if (ok) value = std::move(parsed);
}

void YamlReader::choice(std::string_view key, std::string& value, std::initializer_list<std::string_view> choices,
                        const Meta&) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found || !scalar(key, *found)) return;
  const YAML::Node& node = *found;
  const std::string& s = node.Scalar();
  for (auto c : choices) {
    if (s == c) {
      value = s;
      return;
    }
  }
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  error(key, node, "'" + s + "' is not one of: " + list);
}

void YamlReader::path(std::string_view key, std::string& value, const Meta&) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found || !scalar(key, *found)) return;
  const YAML::Node& node = *found;
  namespace fs = std::filesystem;
  fs::path p(node.Scalar());
  const std::string origin = source_.file_for(path_of(key));
  if (p.is_relative() && origin.rfind("--set", 0) != 0) {
    p = fs::path(origin).parent_path() / p;
  }
  value = p.lexically_normal().string();
}

void YamlReader::finish() {
  if (!node_.IsDefined() || !node_.IsMap()) return;
  for (const auto& kv : node_) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : std::string("?");
    if (std::find(known_.begin(), known_.end(), k) != known_.end()) continue;
    const std::string hint = closest_match(k, known_);
    error(k, kv.first, "unknown key" + (hint.empty() ? std::string() : "; did you mean '" + hint + "'?"));
  }
}

// --------------------------------------------------------------- writing ---

void YamlWriter::field(std::string_view key, double value, const Meta&) {
  out_ << YAML::Key << std::string(key) << YAML::Value << format_number(value);
}
void YamlWriter::field(std::string_view key, int value, const Meta&) {
  out_ << YAML::Key << std::string(key) << YAML::Value << value;
}
void YamlWriter::field(std::string_view key, std::int64_t value, const Meta&) {
  out_ << YAML::Key << std::string(key) << YAML::Value << static_cast<long long>(value);
}
void YamlWriter::field(std::string_view key, bool value, const Meta&) {
  out_ << YAML::Key << std::string(key) << YAML::Value << (value ? "true" : "false");
}
void YamlWriter::field(std::string_view key, const std::string& value, const Meta&) {
  out_ << YAML::Key << std::string(key) << YAML::Value << YAML::DoubleQuoted << value;
}
void YamlWriter::field(std::string_view key, Date value, const Meta&) {
  out_ << YAML::Key << std::string(key) << YAML::Value << value.iso();
}
void YamlWriter::field(std::string_view key, const DatedSeries& value, const Meta&) {
  out_ << YAML::Key << std::string(key) << YAML::Value << YAML::BeginSeq;
  for (const auto& e : value.entries) {
    out_ << YAML::Flow << YAML::BeginMap << YAML::Key << "from" << YAML::Value << e.from.iso() << YAML::Key
         << "value" << YAML::Value << format_number(e.value);
    if (!e.source.empty()) out_ << YAML::Key << "source" << YAML::Value << YAML::DoubleQuoted << e.source;
    out_ << YAML::EndMap;
  }
  out_ << YAML::EndSeq;
}

// --------------------------------------------------------------- listing ---

namespace {
std::string range_text(const Meta& meta) {
  if (std::isinf(meta.min) && std::isinf(meta.max)) return "";
  if (std::isinf(meta.max)) return ">= " + format_number(meta.min);
  if (std::isinf(meta.min)) return "<= " + format_number(meta.max);
  return "[" + format_number(meta.min) + ", " + format_number(meta.max) + "]";
}
}  // namespace

void ParamLister::add(std::string_view key, std::string type, std::string value, const Meta& meta,
                      std::string range) {
  rows_.push_back(ParamRow{prefix_ + std::string(key), std::move(type), std::move(value), std::string(meta.units),
                           std::string(meta.description), std::move(range)});
}
void ParamLister::field(std::string_view key, double value, const Meta& meta) {
  add(key, "number", format_number(value), meta, range_text(meta));
}
void ParamLister::field(std::string_view key, int value, const Meta& meta) {
  add(key, "integer", std::to_string(value), meta, range_text(meta));
}
void ParamLister::field(std::string_view key, std::int64_t value, const Meta& meta) {
  add(key, "integer", std::to_string(value), meta, range_text(meta));
}
void ParamLister::field(std::string_view key, bool value, const Meta& meta) {
  add(key, "boolean", value ? "true" : "false", meta, "");
}
void ParamLister::field(std::string_view key, const std::string& value, const Meta& meta) {
  add(key, "text", value, meta, "");
}
void ParamLister::field(std::string_view key, Date value, const Meta& meta) {
  add(key, "date", value.iso(), meta, "");
}
void ParamLister::field(std::string_view key, const DatedSeries& value, const Meta& meta) {
  std::string text;
  for (const auto& e : value.entries) {
    text += (text.empty() ? "" : "; ") + e.from.iso() + ": " + format_number(e.value);
  }
  add(key, "dated series", text, meta, range_text(meta));
}
void ParamLister::choice(std::string_view key, const std::string& value, std::initializer_list<std::string_view> choices,
                         const Meta& meta) {
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : " | ") + std::string(c);
  add(key, "choice", value, meta, list);
}
void ParamLister::path(std::string_view key, const std::string& value, const Meta& meta) {
  add(key, "path", value, meta, "");
}

}  // namespace pcnsim
