#include "pcnsim/analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/kernel/outputs.hpp"

namespace pcnsim {

namespace {

InputError bad_file(const std::string& path, const std::string& message) {
  return InputError(Diagnostic{path, 0, 0, "", message});
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? std::nan("") : s / static_cast<double>(v.size());
}

double variance_of(const std::vector<double>& v) {
  if (v.size() < 2) return std::nan("");
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

std::string csv_number(double x) {
  if (std::isnan(x)) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

}  // namespace

double t_quantile_975(double df) {
  static const double table[] = {0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080, 2.074,  2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (!(df >= 1)) return std::nan("");
  if (df <= 30) return table[static_cast<int>(std::floor(df))];
  const double z = 1.959964;  // large df: Cornish-Fisher expansion
  return z + (z * z * z + z) / (4 * df) + (5 * std::pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * df * df);
}

ComparedRun read_compared_run(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw bad_file(path, std::filesystem::is_directory(path) ? "is a directory, expected an output file" : "no such output file");
  }
  ComparedRun run;
  run.path = path;
  try {
    const h5::File f = h5::File::open_read(path);
    if (!f.exists("/outcomes/value") || !f.exists("/parameters/name")) {
      throw bad_file(path, "not a pcnsim output with key outcomes (run it again with this version of pcnsim)");
    }
    run.scenario_name = f.string_attribute("/", "scenario_name");
    run.seeds = f.read_ints("/replicates/seed");
    const auto names = f.read_strings("/outcomes/name"), units = f.read_strings("/outcomes/units"),
               descriptions = f.read_strings("/outcomes/description");
    std::vector<hsize_t> shape;
    const auto values = f.read_doubles("/outcomes/value", &shape);
    // A crafted or damaged file is bad input: every column must fit the table.
    if (shape.size() != 2 || shape[1] != names.size() || values.size() != shape[0] * shape[1]) {
      throw bad_file(path, "/outcomes/value is not [replicates, outcomes] for the outcomes of /outcomes/name");
    }
    if (units.size() != names.size() || descriptions.size() != names.size()) {
      throw bad_file(path, "/outcomes/units and /outcomes/description must have one entry per outcome of /outcomes/name");
    }
    if (run.seeds.size() != shape[0]) {
      throw bad_file(path, "/replicates/seed must have one seed per row of /outcomes/value");
    }
    for (std::size_t k = 0; k < names.size(); ++k) {
      OutcomeColumn col{names[k], units[k], descriptions[k], {}};
      for (std::size_t r = 0; r < shape[0]; ++r) col.values.push_back(values[r * shape[1] + k]);
      run.outcomes.push_back(std::move(col));
    }
    run.population_source = f.string_attribute("/", "population_source");
    if (f.exists("/practices/code")) run.practice_codes = f.read_strings("/practices/code");
    run.parameter_names = f.read_strings("/parameters/name");
    run.parameter_values = f.read_strings("/parameters/value");
    if (run.parameter_values.size() != run.parameter_names.size()) {
      throw bad_file(path, "/parameters/value must have one value per name of /parameters/name");
    }
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw bad_file(path, std::string("cannot read it as a pcnsim output: ") + e.what());
  }
  return run;
}

namespace {

OutcomeComparison outcome_row(const OutcomeColumn& b, const OutcomeColumn& o, bool paired) {
  OutcomeComparison row;
  row.name = b.name;
  row.units = b.units;
  row.description = b.description;
  row.base_n = static_cast<int>(b.values.size());
  row.other_n = static_cast<int>(o.values.size());
  row.base_mean = mean_of(b.values);
  row.other_mean = mean_of(o.values);
  row.base_p10 = quantile(b.values, 0.1);
  row.base_p90 = quantile(b.values, 0.9);
  row.other_p10 = quantile(o.values, 0.1);
  row.other_p90 = quantile(o.values, 0.9);
  row.difference = row.other_mean - row.base_mean;
  row.paired = paired;
  double half = std::nan("");
  if (paired) {
    // Common random numbers: replicate r of both runs shares its seed.
    std::vector<double> d(b.values.size());
    for (std::size_t r = 0; r < d.size(); ++r) d[r] = o.values[r] - b.values[r];
    half = t_quantile_975(static_cast<double>(d.size() - 1)) * std::sqrt(variance_of(d) / static_cast<double>(d.size()));
  } else if (b.values.size() > 1 && o.values.size() > 1) {
    // Welch's interval for independent samples.
    const double vb = variance_of(b.values) / static_cast<double>(b.values.size());
    const double vo = variance_of(o.values) / static_cast<double>(o.values.size());
    const double se2 = vb + vo;
    const double df = se2 > 0 ? se2 * se2 / (vb * vb / static_cast<double>(b.values.size() - 1) +
                                              vo * vo / static_cast<double>(o.values.size() - 1))
                              : 1e9;
    half = t_quantile_975(df) * std::sqrt(se2);
  }
  row.ci_low = row.difference - half;
  row.ci_high = row.difference + half;
  return row;
}

std::map<std::string, std::string> parameters_of(const ComparedRun& run) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < run.parameter_names.size(); ++i) out[run.parameter_names[i]] = run.parameter_values[i];
  return out;
}

std::vector<ParameterChange> parameter_changes(const ComparedRun& base, const ComparedRun& other) {
  const auto base_params = parameters_of(base), other_params = parameters_of(other);
  std::vector<ParameterChange> changes;
  for (const auto& [name, value] : base_params) {
    const auto it = other_params.find(name);
    if (it == other_params.end()) {
      changes.push_back({name, value, "(absent)"});
    } else if (it->second != value) {
      changes.push_back({name, value, it->second});
    }
  }
  for (const auto& [name, value] : other_params) {
    if (!base_params.count(name)) changes.push_back({name, "(absent)", value});
  }
  std::sort(changes.begin(), changes.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return changes;
}

// A dated series as /parameters/value writes it ("2019-04-01: 1.5; 2020-04-01: 2"),
// as (date, value text) pairs; nothing when the text is not one.
std::optional<std::vector<std::pair<Date, std::string>>> dated_entries(const std::string& text) {
  std::vector<std::pair<Date, std::string>> entries;
  for (std::size_t start = 0; start < text.size();) {
    const auto end = std::min(text.find("; ", start), text.size());
    const std::string entry = text.substr(start, end - start);
    const auto date = entry.size() > 12 && entry.compare(10, 2, ": ") == 0 ? Date::parse(entry.substr(0, 10)) : std::nullopt;
    if (!date) return std::nullopt;
    entries.emplace_back(*date, entry.substr(12));
    start = end + 2;
  }
  if (entries.empty()) return std::nullopt;
  return entries;
}

// The value in force on `d` ("" before the first entry, where a series is 0).
std::string value_on(const std::vector<std::pair<Date, std::string>>& series, Date d) {
  std::string value;
  for (const auto& [from, v] : series) {
    if (from <= d) value = v;
  }
  return value;
}

// The first date on which one parameter's two values differ.
std::optional<Date> first_difference(const ParameterChange& p, Date calendar_start) {
  const auto a = dated_entries(p.base_value), b = dated_entries(p.other_value);
  if (a && b) {
    std::vector<Date> dates;
    for (const auto& e : *a) dates.push_back(e.first);
    for (const auto& e : *b) dates.push_back(e.first);
    std::sort(dates.begin(), dates.end());
    for (Date d : dates) {
      if (value_on(*a, d) != value_on(*b, d)) return std::max(d, calendar_start);
    }
    return std::nullopt;  // the same step function written differently
  }
  const auto da = Date::parse(p.base_value), db = Date::parse(p.other_value);
  if (da && db) return std::max(std::min(*da, *db), calendar_start);
  return calendar_start;
}

std::string takes_effect(const std::vector<ParameterChange>& changes, const ComparedRun& base) {
  static const char* const kNotPolicy[] = {"name", "description", "seed"};
  const auto params = parameters_of(base);
  const auto start_it = params.find("calendar.start");
  const auto calendar_start = start_it == params.end() ? std::nullopt : Date::parse(start_it->second);
  std::optional<Date> first;
  for (const auto& p : changes) {
    if (std::find(std::begin(kNotPolicy), std::end(kNotPolicy), p.name) != std::end(kNotPolicy)) continue;
    if (p.name.rfind("output.", 0) == 0) continue;
    const auto d = first_difference(p, calendar_start.value_or(Date{}));
    if (d && (!first || *d < *first)) first = d;
  }
  return first ? first->iso() : "";
}

std::vector<std::string> incompatibilities(const ComparedRun& base, const ComparedRun& other) {
  std::vector<std::string> why;
  auto practices = [](const ComparedRun& r) {
    return std::to_string(r.practice_codes.size()) + " " + r.population_source + " practices";
  };
  if (base.population_source != other.population_source || base.practice_codes != other.practice_codes) {
    why.push_back("its practices differ from the base's (" + practices(other) + " against " + practices(base) + ")");
  }
  const auto bp = parameters_of(base), op = parameters_of(other);
  for (const char* key : {"calendar.start", "calendar.end"}) {
    const auto b = bp.find(key), o = op.find(key);
    const std::string bv = b == bp.end() ? "(absent)" : b->second, ov = o == op.end() ? "(absent)" : o->second;
    if (bv != ov) why.push_back(std::string("its ") + key + " is " + ov + ", the base's " + bv);
  }
  return why;
}

}  // namespace

bool OutcomeComparison::significant() const { return !std::isnan(ci_low) && (ci_low > 0 || ci_high < 0); }

Comparison compare_runs(const ComparedRun& base, const ComparedRun& other) {
  Comparison c{base, other, {}, {}, "", {}};
  std::map<std::string, const OutcomeColumn*> by_name;
  for (const auto& o : other.outcomes) by_name[o.name] = &o;
  const bool paired = base.seeds == other.seeds && base.seeds.size() > 1;
  for (const auto& b : base.outcomes) {
    const auto it = by_name.find(b.name);
    if (it == by_name.end()) continue;  // e.g. a financial year one run does not reach
    c.outcomes.push_back(outcome_row(b, *it->second, paired));
  }
  c.parameters = parameter_changes(base, other);
  c.takes_effect = takes_effect(c.parameters, base);
  c.incompatibilities = incompatibilities(base, other);
  return c;
}

namespace {

std::string shorten(const std::string& s, std::size_t most = 140) {
  return s.size() <= most ? s : s.substr(0, most - 3) + "...";
}

// Characters shown, not bytes ("£" is two bytes of UTF-8).
std::size_t utf8_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char ch) { return (static_cast<unsigned char>(ch) & 0xC0) != 0x80; }));
}

std::string replicates_text(const ComparedRun& r) {
  return std::to_string(r.seeds.size()) + (r.seeds.size() == 1 ? " replicate" : " replicates");
}

// Column titles: scenario names, with the file's name where two share one.
std::vector<std::string> column_names(const std::vector<Comparison>& comparisons) {
  std::vector<const ComparedRun*> runs = {&comparisons.front().base};
  for (const auto& c : comparisons) runs.push_back(&c.other);
  std::vector<std::string> names;
  for (const auto* r : runs) {
    const auto same = std::count_if(runs.begin(), runs.end(), [&](const auto* o) { return o->scenario_name == r->scenario_name; });
    const std::string stem = std::filesystem::path(r->path).stem().string();
    names.push_back(same > 1 && stem != r->scenario_name ? r->scenario_name + " (" + stem + ")" : r->scenario_name);
  }
  return names;
}

std::string header_text(const std::vector<Comparison>& comparisons, const std::vector<std::string>& names) {
  const ComparedRun& base = comparisons.front().base;
  std::string out = "compare: " + std::to_string(comparisons.size() + 1) + " runs against the base " + names[0] + " (" +
                    base.path + ", " + replicates_text(base) + ")\n";
  for (std::size_t k = 0; k < comparisons.size(); ++k) {
    const Comparison& c = comparisons[k];
    const bool paired = !c.outcomes.empty() && c.outcomes.front().paired;
    out += "  " + names[k + 1] + " (" + c.other.path + ", " + replicates_text(c.other) + "): " +
           (c.takes_effect.empty() ? "no policy parameter differs" : "differs from " + c.takes_effect) + "; " +
           (paired ? "paired by seed" : c.other.seeds.size() > 1 && base.seeds.size() > 1 ? "Welch" : "no interval") + "\n";
    for (const auto& why : c.incompatibilities) out += "    WARNING (--force): " + why + "\n";
  }
  return out + "difference: run mean - base mean, 95% interval of the mean difference; shares in %, differences of "
               "shares in percentage points; money in £m\n\n";
}

bool wanted(const std::string& name, const std::vector<std::string>& filters) {
  return filters.empty() ||
         std::any_of(filters.begin(), filters.end(), [&](const std::string& f) { return name.find(f) != std::string::npos; });
}

// One table row per outcome of the base: base mean, then per run its mean and difference.
std::vector<std::vector<std::string>> outcome_rows(const std::vector<Comparison>& comparisons,
                                                   const std::vector<std::string>& filters, bool& starred) {
  std::vector<std::vector<std::string>> rows;
  const Comparison& first = comparisons.front();
  for (const auto& base_outcome : first.base.outcomes) {
    if (!wanted(base_outcome.name, filters)) continue;
    const DisplayUnits shown = display_units(base_outcome.units);
    std::vector<std::string> row = {base_outcome.name, shown.label,
                                    display_number(mean_of(base_outcome.values) * shown.factor)};
    for (const auto& c : comparisons) {
      const auto it = std::find_if(c.outcomes.begin(), c.outcomes.end(), [&](const auto& o) { return o.name == base_outcome.name; });
      if (it == c.outcomes.end()) {
        row.insert(row.end(), {"-", "-"});
        continue;
      }
      const double f = shown.factor;
      std::string diff = display_number(it->difference * f, true);
      if (!std::isnan(it->ci_low)) {
        diff += " [" + display_number(it->ci_low * f, true) + ", " + display_number(it->ci_high * f, true) + "]";
      }
      if (it->significant()) diff += " *";
      starred = starred || it->significant();
      row.insert(row.end(), {display_number(it->other_mean * f), diff});
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string aligned(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t k = 0; k < r.size(); ++k) width[k] = std::max(width[k], utf8_width(r[k]));
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t k = 0; k < r.size(); ++k) {
      const std::string pad(width[k] - utf8_width(r[k]), ' ');
      line += (k ? "  " : "") + (k < 2 ? r[k] + pad : pad + r[k]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string format_comparisons(const std::vector<Comparison>& comparisons, const std::vector<std::string>& filters) {
  if (comparisons.empty()) return "";
  const auto names = column_names(comparisons);
  std::vector<std::string> title = {"outcome", "units", names[0]};
  for (std::size_t k = 1; k < names.size(); ++k) title.insert(title.end(), {names[k], "difference"});
  bool starred = false;
  std::vector<std::vector<std::string>> rows = {title};
  for (auto& r : outcome_rows(comparisons, filters, starred)) rows.push_back(std::move(r));
  std::string out = header_text(comparisons, names) + aligned(rows);
  if (starred) out += "* the 95% interval excludes zero\n";
  for (std::size_t k = 0; k < comparisons.size(); ++k) {
    const auto& c = comparisons[k];
    out += "\nparameters of " + names[k + 1] + " that differ from " + names[0] + " (" + std::to_string(c.parameters.size()) + "):\n";
    for (const auto& p : c.parameters) {
      out += "  " + p.name + ": " + shorten(p.base_value) + "  ->  " + shorten(p.other_value) + "\n";
    }
  }
  return out;
}

namespace {

std::string csv_row(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (k) line += ',';
    line += csv_quote(cells[k]);
  }
  line += '\n';
  return line;
}

}  // namespace

std::string comparison_csv(const std::vector<Comparison>& comparisons) {
  std::string out = "scenario,file,baseline,outcome,units,replicates,mean,p10,p90,difference,ci95_low,ci95_high,paired,"
                    "significant,takes_effect,description\n";
  if (comparisons.empty()) return out;
  const auto names = column_names(comparisons);
  const ComparedRun& base = comparisons.front().base;
  for (const auto& o : base.outcomes) {
    out += csv_row({names[0], base.path, "1", o.name, o.units, std::to_string(o.values.size()), csv_number(mean_of(o.values)),
                    csv_number(quantile(o.values, 0.1)), csv_number(quantile(o.values, 0.9)), "", "", "", "", "", "",
                    o.description});
  }
  for (std::size_t k = 0; k < comparisons.size(); ++k) {
    const Comparison& c = comparisons[k];
    for (const auto& o : c.outcomes) {
      out += csv_row({names[k + 1], c.other.path, "0", o.name, o.units, std::to_string(o.other_n), csv_number(o.other_mean),
                      csv_number(o.other_p10), csv_number(o.other_p90), csv_number(o.difference), csv_number(o.ci_low),
                      csv_number(o.ci_high), o.paired ? "1" : "0", o.significant() ? "1" : "0", c.takes_effect,
                      o.description});
    }
  }
  return out;
}

}  // namespace pcnsim
