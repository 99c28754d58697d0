#include "pcnsim/engine/scenario.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <type_traits>

#include "pcnsim/kernel/csv.hpp"

namespace pcnsim {

namespace {

namespace fs = std::filesystem;

// Records `file` as the origin of every path below `node`.
void mark_origin(const YAML::Node& node, const std::string& prefix, const std::string& file,
                 std::map<std::string, std::string>& origin) {
  origin[prefix] = file;
  if (!node.IsMap()) return;
  for (const auto& kv : node) {
    const std::string key = kv.first.Scalar();
    mark_origin(kv.second, prefix.empty() ? key : prefix + "." + key, file, origin);
  }
}

// The node `over` puts where `existing` was: a dated series' {scale, from}
// change applies to the list it replaces; anything else replaces it.
YAML::Node replacement(const YAML::Node& existing, const YAML::Node& over) {
  if (existing.IsSequence() && over.IsMap()) {
    if (auto changed = scaled_series_node(existing, over)) return *changed;
  }
  return over;
}

// Deep merge of `over` into `base`: maps merge key by key, anything else replaces.
void merge_into(YAML::Node base, const YAML::Node& over) {
  for (const auto& kv : over) {
    const std::string key = kv.first.Scalar();
    if (!base[key].IsDefined()) {
      base.force_insert(kv.first, kv.second);  // keeps the key's line and column for messages
      continue;
    }
    YAML::Node existing = base[key];
    if (existing.IsMap() && kv.second.IsMap()) {
      merge_into(existing, kv.second);
    } else {
      base[key] = replacement(existing, kv.second);
    }
  }
}

// Loads a file and the chain of files it extends into one tree; duplicate keys
// of every file go to `problems`.
YamlSource load_chain(const std::string& text, const std::string& file, std::set<std::string>& seen, int depth,
                      DiagnosticList& problems) {
  YAML::Node node = parse_yaml_map(text, file, "scenario", problems);
  YamlSource merged;
  if (YAML::Node parent = node["extends"]) {
    // Reports what was found so far with the problem that stops the reading.
    auto stop = [&](const std::string& message) {
      problems.add(diagnostic_at(file, parent, "extends", message));
      problems.throw_if_any();
    };
    if (!parent.IsScalar()) stop("expected the path of another scenario file");
    fs::path parent_path = fs::path(parent.Scalar());
    if (parent_path.is_relative()) parent_path = fs::path(file).parent_path() / parent_path;
    const std::string parent_file = parent_path.lexically_normal().string();
    std::error_code ec;
    const std::string key = fs::weakly_canonical(parent_path, ec).string();
    if (!seen.insert(key).second) stop("'extends' forms a cycle");
    if (depth + 1 >= kMaxExtendsDepth) {
      stop("a chain of more than " + std::to_string(kMaxExtendsDepth) + " files through 'extends'");
    }
    if (!fs::exists(parent_path, ec)) stop("extended scenario '" + parent_file + "' not found");
    merged = load_chain(read_yaml_file(parent_file, "scenario file"), parent_file, seen, depth + 1, problems);
    node.remove("extends");
    merge_into(merged.root, node);
  } else {
    merged.root = node;
  }
  mark_origin(node, "", file, merged.origin);  // the child's own keys, and the root, are its
  return merged;
}

// Sets one --set value into the tree; a value out of the YAML bounds goes to
// `problems` (with no line: the place is the --set itself).
void apply_override(YamlSource& source, const Override& o, DiagnosticList& problems) {
  YAML::Node node = source.root;
  std::string prefix;
  std::size_t start = 0;
  std::vector<std::string> parts;
  while (true) {
    const auto dot = o.path.find('.', start);
    parts.push_back(o.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // Walk down, creating maps as needed; a scalar in the way becomes a map and
  // the reader reports the unknown key with its suggestion.
  std::vector<YAML::Node> chain{node};
  for (std::size_t k = 0; k + 1 < parts.size(); ++k) {
    YAML::Node next = chain.back()[parts[k]];
    if (!next.IsMap()) {
      chain.back()[parts[k]] = YAML::Node(YAML::NodeType::Map);
      next = chain.back()[parts[k]];
    }
    chain.push_back(next);
  }
  YAML::Node value;
  try {
    value = YAML::Load(o.value);
  } catch (const YAML::Exception&) {
    value = YAML::Node(o.value);
  }
  if (value.IsNull() && !o.value.empty()) value = YAML::Node(o.value);
  DiagnosticList found;
  try {
    check_yaml_bounds(value, "--set " + o.path + "=" + o.value, found, o.path);
  } catch (const InputError&) {
    for (auto d : found.items()) problems.add({d.file, 0, 0, d.key, d.message});
    problems.throw_if_any();
  }
  for (auto d : found.items()) problems.add({d.file, 0, 0, d.key, d.message});
  const YAML::Node existing = chain.back()[parts.back()];
  chain.back()[parts.back()] = existing.IsDefined() ? replacement(existing, value) : value;
  source.origin[o.path] = "--set " + o.path + "=" + o.value;
}

// Finds the parameter at a dotted path through describe() and hands it, with
// its Meta, to `use`.
template <class Use>
class ParameterFinder {
 public:
  ParameterFinder(const std::string& path, Use& use, std::string prefix = "")
      : path_(path), use_(use), prefix_(std::move(prefix)) {}
  template <class T>
  void block(std::string_view key, T& params, std::string_view) {
    const std::string inner = prefix_ + std::string(key) + ".";
    if (path_.rfind(inner, 0) != 0) return;
    ParameterFinder finder(path_, use_, inner);
    params.describe(finder);
  }
  template <class T>
  void field(std::string_view key, T& value, const Meta& meta) {
    if (path_ == prefix_ + std::string(key)) use_(value, meta);
  }
  void choice(std::string_view key, std::string& value, std::initializer_list<std::string_view>, const Meta& meta) {
    field(key, value, meta);
  }
  void path(std::string_view key, std::string& value, const Meta& meta) { field(key, value, meta); }

 private:
  const std::string& path_;
  Use& use_;
  std::string prefix_;
};

// Where the value at dotted `key` was written: its file, and its line and
// column when it came from a file (not from --set or a sweep's factor).
Diagnostic place_of(const YamlSource& source, const std::string& key, const std::string& message) {
  const std::string file = source.file_for(key);
  if (!source.root.IsDefined() || file.rfind("--set", 0) == 0) return {file, 0, 0, key, message};
  YAML::Node node = source.root;
  for (std::size_t start = 0; node.IsDefined() && node.IsMap();) {
    const auto dot = key.find('.', start);
    node = node[key.substr(start, dot == std::string::npos ? std::string::npos : dot - start)];
    if (dot == std::string::npos) return diagnostic_at(file, node, key, message);
    start = dot + 1;
  }
  return {file, 0, 0, key, message};
}

// The name becomes outputs/<name>.h5. (A control character in it, as in any
// value, is reported by check_yaml_bounds, from the file or --set.)
void check_name(const Scenario& s, const YamlSource& source, DiagnosticList& problems) {
  if (control_character_position(s.name)) return;
  if (auto why = name_problem(s.name); !why.empty()) problems.add(place_of(source, "name", why));
}

void check_consistency(const Scenario& s, const YamlSource& source, DiagnosticList& problems) {
  auto add = [&](const std::string& key, const std::string& message) { problems.add(place_of(source, key, message)); };
  if (s.calendar.end < s.calendar.start) add("calendar.end", "must not be before calendar.start");
  if (s.calendar.end.days - s.calendar.start.days > 366 * 60) add("calendar.end", "horizons over 60 years are not supported");
  const auto& t = s.timeline;
  if (t.signup_window_close < t.signup_window_open) add("timeline.signup_window_close", "must not be before signup_window_open");
  if (t.networks_live < t.signup_window_close) add("timeline.networks_live", "must not be before signup_window_close");
  // Also when the shock is switched off: --set covid.enabled=true must not meet them reversed.
  if (s.covid.end < s.covid.start) add("covid.end", "must not be before covid.start (" + s.covid.start.iso() + ")");
  if (t.signup_window_close < s.calendar.start || t.signup_window_close > s.calendar.end) {
    add("timeline.signup_window_close", "must fall inside the calendar (" + s.calendar.start.iso() + " to " +
                                            s.calendar.end.iso() + ")");
  }
  if (s.population.source == "synthetic" && s.population.synthetic.commissioners > s.population.synthetic.practices) {
    add("population.synthetic.commissioners", "cannot exceed population.synthetic.practices");
  }
}

// A dated series is 0 before its first entry. One that begins after the
// calendar start where the built-in series had a value (typically a --set or
// a scenario listing only its new entries) silently zeroes the earlier years:
// say so.
void warn_late_series(const Scenario& s, const YamlSource& source, std::vector<Diagnostic>& warnings) {
  const Scenario defaults;
  for (const ParamRow& row : parameter_rows(s)) {
    if (row.type != "dated series") continue;
    const auto mine = dated_series(s, row.path), built_in = dated_series(defaults, row.path);
    if (!mine || !built_in || mine->entries.empty() || built_in->entries.empty()) continue;
    const Date first = mine->entries.front().from;
    const Date since = std::max(s.calendar.start, built_in->entries.front().from);
    if (first <= since || built_in->at(since) == 0) continue;
    warnings.push_back(place_of(
        source, row.path,
        "the series begins on " + first.iso() + ", after the calendar start " + s.calendar.start.iso() +
            ", so it is 0 before then, where the built-in series is " + format_number(built_in->at(since)) + " from " +
            since.iso() + "; list the earlier entries too, or write {scale: F, from: " + first.iso() +
            "} to change the series from that date"));
  }
}

// `problems` holds those found while loading the files (duplicate keys).
Scenario finish_loading(YamlSource source, const std::vector<Override>& overrides, DiagnosticList problems,
                        std::vector<Diagnostic>* warnings) {
  for (const auto& o : overrides) apply_override(source, o, problems);
  Scenario scenario;
  YamlReader reader(source, source.root, "", problems);
  scenario.describe(reader);
  reader.finish();
  check_name(scenario, source, problems);
  if (problems.empty()) check_consistency(scenario, source, problems);
  problems.throw_if_any();
  if (warnings) warn_late_series(scenario, source, *warnings);
  return scenario;
}

}  // namespace

std::string name_problem(const std::string& name) {
  const std::string why = " (it names the output file outputs/<name>.h5)";
  if (name.empty()) return "must not be empty";
  if (name.size() > kMaxNameLength) return "longer than " + std::to_string(kMaxNameLength) + " characters" + why;
  if (name.front() == '.') return "must not start with '.'" + why;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') continue;
    const auto control = control_character_position(name);
    return "may hold only letters, digits, '.', '_' and '-'" + why + ", got " +
           (control ? control_character_message(control->code) : "'" + name + "'");
  }
  return "";
}

Override parse_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw InputError(Diagnostic{"--set", 0, 0, text, "expected --set path.to.key=value"});
  }
  return Override{text.substr(0, eq), text.substr(eq + 1)};
}

Scenario load_scenario(const std::string& path, const std::vector<Override>& overrides, std::vector<Diagnostic>* warnings) {
  std::set<std::string> seen;
  std::error_code ec;
  seen.insert(fs::weakly_canonical(path, ec).string());
  DiagnosticList problems;
  YamlSource source = load_chain(read_yaml_file(path, "scenario file"), path, seen, 0, problems);
  return finish_loading(std::move(source), overrides, std::move(problems), warnings);
}

Scenario load_scenario_text(const std::string& text, const std::string& file, const std::vector<Override>& overrides,
                            std::vector<Diagnostic>* warnings) {
  std::set<std::string> seen;
  DiagnosticList problems;
  YamlSource source = load_chain(text, file, seen, 0, problems);
  return finish_loading(std::move(source), overrides, std::move(problems), warnings);
}

void set_number(Scenario& scenario, const std::string& path, double value, bool scale, const std::string& by) {
  DiagnosticList problems;
  const std::string text = format_number(value);
  auto problem = [&](const std::string& message) { problems.add({by, 0, 0, path, message}); };
  bool found = false;
  auto use = [&](auto& field, const Meta& meta) {
    using T = std::decay_t<decltype(field)>;
    if constexpr (std::is_same_v<T, double> || std::is_same_v<T, int> || std::is_same_v<T, std::int64_t>) {
      if (scale) return;
      found = true;
      if constexpr (!std::is_same_v<T, double>) {
        if (std::floor(value) != value) return problem("expected a whole number, got '" + text + "'");
      }
      // As the reader does: an int parameter holds what an int can.
      const double min = std::is_same_v<T, int> ? std::max(meta.min, -2147483648.0) : meta.min;
      const double max = std::is_same_v<T, int> ? std::min(meta.max, 2147483647.0) : meta.max;
      if (auto why = range_problem(text, value, min, max); !why.empty()) return problem(why);
      field = static_cast<T>(value);
    } else if constexpr (std::is_same_v<T, DatedSeries>) {
      if (!scale) return;
      found = true;
      field = field.scaled(value, std::nullopt, " (x" + text + ", " + by + ")");
      for (const auto& e : field.entries) {
        if (auto why = range_problem(format_number(e.value), e.value, meta.min, meta.max); !why.empty()) problem(why);
      }
    }
  };
  ParameterFinder<decltype(use)> finder(path, use);
  scenario.describe(finder);
  if (!found) problem(scale ? "not a dated series" : "not a number parameter");
  if (problems.empty()) {
    YamlSource source;
    source.origin[""] = by;
    check_consistency(scenario, source, problems);
  }
  problems.throw_if_any();
}

std::optional<DatedSeries> dated_series(const Scenario& scenario, const std::string& path) {
  std::optional<DatedSeries> out;
  auto use = [&](auto& field, const Meta&) {
    if constexpr (std::is_same_v<std::decay_t<decltype(field)>, DatedSeries>) out = field;
  };
  Scenario copy = scenario;  // describe() is not const
  ParameterFinder<decltype(use)> finder(path, use);
  copy.describe(finder);
  return out;
}

std::string resolved_yaml(const Scenario& scenario) {
  Scenario copy = scenario;
  YAML::Emitter out;
  out << YAML::BeginMap;
  YamlWriter writer(out);
  copy.describe(writer);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::vector<ParamRow> parameter_rows(const Scenario& scenario) {
  Scenario copy = scenario;
  std::vector<ParamRow> rows;
  ParamLister lister(rows);
  copy.describe(lister);
  return rows;
}

}  // namespace pcnsim
