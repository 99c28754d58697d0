#pragma once
// Declarative parameters. Every parameters struct lists its fields once, in a
// `describe(visitor)` member; the same list drives YAML reading and validation,
// the resolved-scenario YAML, the /parameters table in the output, `--set`
// overrides and the generated scenario reference (docs/scenario-reference.md).
//
//   struct FormationParams {
//     double inertia = 0.05;
//     template <class V> void describe(V& v) {
//       v.field("inertia", inertia, {"minimum gain in the potential for a move", "", 0, 100});
//     }
//   };
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/kernel/yaml.hpp"

namespace pcnsim {

/// What a parameter means, in what units, and its valid (inclusive) range.
struct Meta {
  std::string_view description;
  std::string_view units = "";
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

/// A value that changes on given dates (PolicyEngine style), each with a source.
struct DatedValue {
  Date from;
  double value = 0.0;
  std::string source;
};

struct DatedSeries {
  std::vector<DatedValue> entries;  // strictly increasing `from`
  /// The value in force on `d`; 0 before the first entry.
  double at(Date d) const;
  /// `factor` times this series from `from` on (every entry when unset): an
  /// entry is added at `from` when none starts there; each changed entry's
  /// source ends with `note`.
  DatedSeries scaled(double factor, std::optional<Date> from, const std::string& note) const;
};

/// A dated series written as a change of the series it replaces, in a
/// scenario or a --set: `{scale: 1.5, from: 2021-04-01}` (`from` optional).
/// Given the series node it replaces (a list of {from, value, source}), the
/// list it stands for; nullopt when either node is not of that form (the
/// reader then reports what is wrong with it).
std::optional<YAML::Node> scaled_series_node(const YAML::Node& series, const YAML::Node& scaling);

/// A scenario's YAML after `extends:` merging and `--set` overrides, with the
/// file each value came from, so errors can name the right file.
struct YamlSource {
  YAML::Node root;
  std::map<std::string, std::string> origin;  // dotted path -> file, or "--set"
  /// File of the longest recorded prefix of `path`.
  std::string file_for(const std::string& path) const;
};

/// Reads a parameters struct from a YAML map, collecting every problem.
class YamlReader {
 public:
  YamlReader(const YamlSource& source, YAML::Node node, std::string prefix, DiagnosticList& diags);

  void field(std::string_view key, double& value, const Meta& meta);
  void field(std::string_view key, int& value, const Meta& meta);
  void field(std::string_view key, std::int64_t& value, const Meta& meta);
  void field(std::string_view key, bool& value, const Meta& meta);
  void field(std::string_view key, std::string& value, const Meta& meta);
  void field(std::string_view key, Date& value, const Meta& meta);
  void field(std::string_view key, DatedSeries& value, const Meta& meta);
  /// `{scale, from}` for a dated series: `value` (the series in force) changed.
  void read_series_scaling(std::string_view key, const YAML::Node& node, DatedSeries& value, const Meta& meta);
  void choice(std::string_view key, std::string& value, std::initializer_list<std::string_view> choices,
              const Meta& meta);
  /// A file path, resolved relative to the file that set it.
  void path(std::string_view key, std::string& value, const Meta& meta);

  template <class T>
  void block(std::string_view key, T& params, std::string_view description) {
    (void)description;
    known_.emplace_back(key);
    const auto child = lookup(key);
    if (child && !child->IsMap() && !child->IsNull()) {
      error(key, *child, "expected a block of parameters (a YAML map)");
      return;
    }
    YamlReader reader(source_, child && child->IsMap() ? *child : YAML::Node(), path_of(key), diags_);
    params.describe(reader);
    reader.finish();
  }

  /// Reports keys present in the YAML that no field claimed.
  void finish();

 private:
  std::optional<YAML::Node> lookup(std::string_view key) const;
  std::string path_of(std::string_view key) const;
  void error(std::string_view key, const YAML::Node& node, const std::string& message);
  /// Reads a number, whole number, boolean or text (problems reported).
  template <class T>
  void typed(std::string_view key, T& value, const Meta& meta);
  /// The node of `key` when it holds a single value, its text in `out`.
  std::optional<YAML::Node> text(std::string_view key, std::string& out);

  const YamlSource& source_;
  YAML::Node node_;
  std::string prefix_;
  DiagnosticList& diags_;
  std::vector<std::string> known_;
};

/// Writes a parameters struct as YAML (the resolved scenario).
class YamlWriter {
 public:
  explicit YamlWriter(YAML::Emitter& out) : out_(out) {}
  void field(std::string_view key, double value, const Meta& meta);
  void field(std::string_view key, int value, const Meta& meta);
  void field(std::string_view key, std::int64_t value, const Meta& meta);
  void field(std::string_view key, bool value, const Meta& meta);
  void field(std::string_view key, const std::string& value, const Meta& meta);
  void field(std::string_view key, Date value, const Meta& meta);
  void field(std::string_view key, const DatedSeries& value, const Meta& meta);
  void choice(std::string_view key, const std::string& value, std::initializer_list<std::string_view>,
              const Meta& meta) {
    field(key, value, meta);
  }
  void path(std::string_view key, const std::string& value, const Meta& meta) { field(key, value, meta); }
  template <class T>
  void block(std::string_view key, T& params, std::string_view) {
    out_ << YAML::Key << std::string(key) << YAML::Value << YAML::BeginMap;
    params.describe(*this);
    out_ << YAML::EndMap;
  }

 private:
  YAML::Emitter& out_;
};

/// One row of the flattened parameter list.
struct ParamRow {
  std::string path;   // dotted, e.g. formation.inertia
  std::string type;   // number, integer, boolean, text, date, dated series, choice, path
  std::string value;  // as text (dated series: "2019-04-01: 1.5; ...")
  std::string units;
  std::string description;
  std::string range;  // "[0, 1]", choices "a | b", or ""
  std::string source; // dated series: each entry's date and source ("2019-04-01: DES 2019/20; ..."), else ""
};

/// Flattens a parameters struct into rows (output table, reference docs, diffs).
class ParamLister {
 public:
  explicit ParamLister(std::vector<ParamRow>& rows, std::string prefix = "") : rows_(rows), prefix_(std::move(prefix)) {}
  void field(std::string_view key, double value, const Meta& meta);
  void field(std::string_view key, int value, const Meta& meta);
  void field(std::string_view key, std::int64_t value, const Meta& meta);
  void field(std::string_view key, bool value, const Meta& meta);
  void field(std::string_view key, const std::string& value, const Meta& meta);
  void field(std::string_view key, Date value, const Meta& meta);
  void field(std::string_view key, const DatedSeries& value, const Meta& meta);
  void choice(std::string_view key, const std::string& value, std::initializer_list<std::string_view> choices,
              const Meta& meta);
  void path(std::string_view key, const std::string& value, const Meta& meta);
  template <class T>
  void block(std::string_view key, T& params, std::string_view) {
    ParamLister inner(rows_, prefix_ + std::string(key) + ".");
    params.describe(inner);
  }

 private:
  void add(std::string_view key, std::string type, std::string value, const Meta& meta, std::string range,
           std::string source = "");
  std::vector<ParamRow>& rows_;
  std::string prefix_;
};

}  // namespace pcnsim
