#include "pcnsim/kernel/params.hpp"

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

DatedSeries DatedSeries::scaled(double factor, std::optional<Date> from, const std::string& note) const {
  DatedSeries out = *this;
  if (from && std::none_of(entries.begin(), entries.end(), [&](const DatedValue& e) { return e.from == *from; })) {
    // The value in force on `from` starts an entry of its own.
    const auto place = std::lower_bound(out.entries.begin(), out.entries.end(), *from,
                                        [](const DatedValue& e, Date d) { return e.from < d; });
    out.entries.insert(place, {*from, at(*from), "the value in force then"});
  }
  for (DatedValue& e : out.entries) {
    if (from && e.from < *from) continue;
    e.value *= factor;
    e.source += note;
  }
  return out;
}

namespace {

// Largest factor of a {scale, from} change.
constexpr double kMaxSeriesScale = 1e6;

// `{scale: number, from: date}` read leniently (nullopt when not that form,
// and then the reader reports what is wrong).
std::optional<std::pair<double, std::optional<Date>>> series_scaling(const YAML::Node& node) {
  if (!node.IsMap() || !node["scale"] || !node["scale"].IsScalar()) return std::nullopt;
  for (const auto& kv : node) {
    const std::string k = kv.first.Scalar();
    if (k != "scale" && k != "from" && k != "source") return std::nullopt;
  }
  double factor = 0;
  if (!YAML::convert<double>::decode(node["scale"], factor) || !(factor >= 0 && factor <= kMaxSeriesScale)) {
    return std::nullopt;
  }
  std::optional<Date> from;
  if (node["from"]) {
    from = node["from"].IsScalar() ? Date::parse(node["from"].Scalar()) : std::nullopt;
    if (!from) return std::nullopt;
  }
  return std::make_pair(factor, from);
}

std::string scaling_note(double factor, std::optional<Date> from) {
  return " (x" + format_number(factor) + (from ? " from " + from->iso() : std::string()) + ")";
}

}  // namespace

std::optional<YAML::Node> scaled_series_node(const YAML::Node& series, const YAML::Node& scaling) {
  const auto how = series_scaling(scaling);
  if (!how || !series.IsSequence()) return std::nullopt;
  DatedSeries base;
  for (const auto& entry : series) {
    if (!entry.IsMap() || !entry["from"] || !entry["value"] || !entry["from"].IsScalar()) return std::nullopt;
    const auto from = Date::parse(entry["from"].Scalar());
    double value = 0;
    if (!from || !YAML::convert<double>::decode(entry["value"], value)) return std::nullopt;
    base.entries.push_back({*from, value, entry["source"] && entry["source"].IsScalar() ? entry["source"].Scalar() : ""});
  }
  YAML::Node out(YAML::NodeType::Sequence);
  for (const DatedValue& e : base.scaled(how->first, how->second, scaling_note(how->first, how->second)).entries) {
    YAML::Node entry(YAML::NodeType::Map);
    entry["from"] = e.from.iso();
    entry["value"] = format_number(e.value);
    entry["source"] = e.source;
    out.push_back(entry);
  }
  return out;
}

std::string YamlSource::file_for(const std::string& path) const {
  std::string p = path;
  while (true) {
    if (auto it = origin.find(p); it != origin.end()) return it->second;
    if (!p.empty() && p.back() == ']' && p.rfind('[') != std::string::npos) {  // a list entry: the list's origin
      p.resize(p.rfind('['));
      continue;
    }
    const auto dot = p.rfind('.');
    if (dot == std::string::npos) break;
    p.resize(dot);
  }
  if (auto it = origin.find(""); it != origin.end()) return it->second;
  return "scenario";
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
  const std::string file = source_.file_for(path);
  // Values from --set have no place in a file to point at.
  diags_.add(diagnostic_at(file, file.rfind("--set", 0) == 0 ? YAML::Node() : node, path, message));
}

template <class T>
void YamlReader::typed(std::string_view key, T& value, const Meta& meta) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found) return;
  if (const std::string why = read_scalar(*found, value, meta.min, meta.max); !why.empty()) error(key, *found, why);
}

void YamlReader::field(std::string_view key, double& value, const Meta& meta) { typed(key, value, meta); }
void YamlReader::field(std::string_view key, std::int64_t& value, const Meta& meta) { typed(key, value, meta); }
void YamlReader::field(std::string_view key, int& value, const Meta& meta) { typed(key, value, meta); }
void YamlReader::field(std::string_view key, bool& value, const Meta& meta) { typed(key, value, meta); }
void YamlReader::field(std::string_view key, std::string& value, const Meta& meta) { typed(key, value, meta); }

std::optional<YAML::Node> YamlReader::text(std::string_view key, std::string& out) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found) return std::nullopt;
  if (const std::string why = read_scalar(*found, out); !why.empty()) {
    error(key, *found, why);
    return std::nullopt;
  }
  return found;
}

void YamlReader::field(std::string_view key, Date& value, const Meta&) {
  std::string s;
  const auto node = text(key, s);
  if (!node) return;
  if (auto d = Date::parse(s)) {
    value = *d;
  } else {
    error(key, *node, "expected a date as YYYY-MM-DD, got '" + s + "'");
  }
}

void YamlReader::field(std::string_view key, DatedSeries& value, const Meta& meta) {
  known_.emplace_back(key);
  const auto found = lookup(key);
  if (!found) return;
  const YAML::Node& node = *found;
  if (node.IsMap()) {  // {scale, from}: a change of the series in force (here the built-in one)
    read_series_scaling(key, node, value, meta);
    return;
  }
  if (!node.IsSequence()) {
    error(key, node, "expected a list of {from: YYYY-MM-DD, value: number, source: text} entries, or {scale: number, "
                     "from: YYYY-MM-DD} to change the series in force");
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
    for_each_unknown_key(entry, {"from", "value", "source"},
                         [&](const std::string& k, const YAML::Node& at, const std::string& message) {
                           error(where + "." + k, at, message);
                           ok = false;
                         });
    DatedValue dv;
    bool has_from = false, has_value = false;
    if (const YAML::Node from = entry["from"]) {
      const auto date = from.IsScalar() ? Date::parse(from.Scalar()) : std::nullopt;
      if (date) {
        dv.from = *date;
        has_from = true;
      } else {
        error(where + ".from", from, "expected a date as YYYY-MM-DD");
      }
    }
    if (const YAML::Node number = entry["value"]) {
      const std::string why = read_scalar(number, dv.value, meta.min, meta.max);
      has_value = why.empty();
      if (!has_value) error(where + ".value", number, why);
    }
    if (const YAML::Node source = entry["source"]; source && source.IsScalar()) dv.source = source.Scalar();
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

void YamlReader::read_series_scaling(std::string_view key, const YAML::Node& node, DatedSeries& value,
                                     const Meta& meta) {
  bool ok = true;
  for_each_unknown_key(node, {"scale", "from", "source"},
                       [&](const std::string& k, const YAML::Node& at, const std::string& message) {
                         error(std::string(key) + "." + k, at, message);
                         ok = false;
                       });
  double factor = 1;
  if (const YAML::Node scale = node["scale"]) {
    const std::string why = read_scalar(scale, factor, 0, kMaxSeriesScale);
    if (!why.empty()) error(std::string(key) + ".scale", scale, why), ok = false;
  } else {
    error(key, node, "a change of the series needs 'scale' (and optionally 'from')");
    ok = false;
  }
  std::optional<Date> from;
  if (const YAML::Node f = node["from"]) {
    from = f.IsScalar() ? Date::parse(f.Scalar()) : std::nullopt;
    if (!from) error(std::string(key) + ".from", f, "expected a date as YYYY-MM-DD"), ok = false;
  }
  if (!ok) return;
  DatedSeries changed = value.scaled(factor, from, scaling_note(factor, from));
  for (const DatedValue& e : changed.entries) {
    const std::string why = range_problem(format_number(e.value), e.value, meta.min, meta.max);
    if (!why.empty()) return error(std::string(key) + ".scale", node["scale"], why + " after scaling");
  }
  value = std::move(changed);
}

void YamlReader::choice(std::string_view key, std::string& value, std::initializer_list<std::string_view> choices,
                        const Meta&) {
  std::string s;
  const auto node = text(key, s);
  if (!node) return;
  for (auto c : choices) {
    if (s == c) {
      value = s;
      return;
    }
  }
  std::string list;
  for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
  error(key, *node, "'" + s + "' is not one of: " + list);
}

void YamlReader::path(std::string_view key, std::string& value, const Meta&) {
  std::string s;
  if (!text(key, s)) return;
  namespace fs = std::filesystem;
  fs::path p(s);
  const std::string origin = source_.file_for(path_of(key));
  if (p.is_relative() && origin.rfind("--set", 0) != 0) {
    p = fs::path(origin).parent_path() / p;
  }
  value = p.lexically_normal().string();
}

void YamlReader::finish() {
  for_each_unknown_key(node_, known_, [&](const std::string& k, const YAML::Node& at, const std::string& message) {
    error(k, at, message);
  });
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

void ParamLister::add(std::string_view key, std::string type, std::string value, const Meta& meta,
                      std::string range, std::string source) {
  rows_.push_back(ParamRow{prefix_ + std::string(key), std::move(type), std::move(value), std::string(meta.units),
                           std::string(meta.description), std::move(range), std::move(source)});
}
void ParamLister::field(std::string_view key, double value, const Meta& meta) {
  add(key, "number", format_number(value), meta, range_text(meta.min, meta.max));
}
void ParamLister::field(std::string_view key, int value, const Meta& meta) {
  add(key, "integer", std::to_string(value), meta, range_text(meta.min, meta.max));
}
void ParamLister::field(std::string_view key, std::int64_t value, const Meta& meta) {
  add(key, "integer", std::to_string(value), meta, range_text(meta.min, meta.max));
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
  std::string text, sources;
  for (const auto& e : value.entries) {
    text += (text.empty() ? "" : "; ") + e.from.iso() + ": " + format_number(e.value);
    sources += (sources.empty() ? "" : "; ") + e.from.iso() + ": " + e.source;
  }
  add(key, "dated series", text, meta, range_text(meta.min, meta.max), sources);
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
