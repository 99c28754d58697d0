#include "pcnsim/analysis/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/engine/metrics.hpp"

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

std::string number(double x) {
  if (std::isnan(x)) return "n/a";
  char buf[64];
  const double a = std::fabs(x);
  if (a != 0 && (a >= 1e7 || a < 1e-3)) {
    std::snprintf(buf, sizeof buf, "%.4g", x);
  } else if (a >= 1000) {
    std::snprintf(buf, sizeof buf, "%.0f", x);
  } else if (a >= 10) {
    std::snprintf(buf, sizeof buf, "%.1f", x);
  } else {
    std::snprintf(buf, sizeof buf, "%.3f", x);
  }
  return buf;
}

std::string signed_number(double x) {
  const std::string s = number(x);
  return std::isnan(x) || x < 0 ? s : "+" + s;
}

std::string interval_text(double low, double high) {
  if (std::isnan(low)) return "n/a";
  std::string s(1, '[');
  s.append(signed_number(low)).append(", ").append(signed_number(high)).append("]");
  return s;
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

Comparison compare_runs(const ComparedRun& base, const ComparedRun& other) {
  Comparison c{base, other, {}, {}};
  std::map<std::string, const OutcomeColumn*> by_name;
  for (const auto& o : other.outcomes) by_name[o.name] = &o;
  const bool paired = base.seeds == other.seeds && base.seeds.size() > 1;
  for (const auto& b : base.outcomes) {
    const auto it = by_name.find(b.name);
    if (it == by_name.end()) continue;  // e.g. a financial year one run does not reach
    const OutcomeColumn& o = *it->second;
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
    c.outcomes.push_back(row);
  }
  std::map<std::string, std::string> base_params, other_params;
  for (std::size_t i = 0; i < base.parameter_names.size(); ++i) base_params[base.parameter_names[i]] = base.parameter_values[i];
  for (std::size_t i = 0; i < other.parameter_names.size(); ++i) other_params[other.parameter_names[i]] = other.parameter_values[i];
  for (const auto& [name, value] : base_params) {
    const auto it = other_params.find(name);
    if (it == other_params.end()) {
      c.parameters.push_back({name, value, "(absent)"});
    } else if (it->second != value) {
      c.parameters.push_back({name, value, it->second});
    }
  }
  for (const auto& [name, value] : other_params) {
    if (!base_params.count(name)) c.parameters.push_back({name, "(absent)", value});
  }
  std::sort(c.parameters.begin(), c.parameters.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return c;
}

std::string shorten(const std::string& s, std::size_t most = 140) {
  return s.size() <= most ? s : s.substr(0, most - 3) + "...";
}

std::string format_comparison(const Comparison& c, const std::vector<std::string>& filters) {
  std::string out;
  auto replicates = [](const ComparedRun& r) {
    return std::to_string(r.seeds.size()) + (r.seeds.size() == 1 ? " replicate" : " replicates");
  };
  out += "compare: " + c.base.scenario_name + " (" + c.base.path + ", " + replicates(c.base) + ") vs " +
         c.other.scenario_name + " (" + c.other.path + ", " + replicates(c.other) + ")\n";
  const bool paired = !c.outcomes.empty() && c.outcomes.front().paired;
  out += paired ? "differences paired replicate by replicate (same seeds); interval: 95% for the mean difference\n"
                : "interval: 95% for the difference of means (Welch); n/a with a single replicate\n\n";
  if (paired) out += "\n";
  std::vector<std::vector<std::string>> rows = {
      {"outcome", "units", c.base.scenario_name, c.other.scenario_name, "difference", "95% interval", ""}};
  for (const auto& o : c.outcomes) {
    const bool wanted = filters.empty() || std::any_of(filters.begin(), filters.end(), [&](const std::string& f) {
                          return o.name.find(f) != std::string::npos;
                        });
    if (!wanted) continue;
    const bool sure = !std::isnan(o.ci_low) && (o.ci_low > 0 || o.ci_high < 0);
    rows.push_back({o.name, o.units, number(o.base_mean), number(o.other_mean), signed_number(o.difference),
                    interval_text(o.ci_low, o.ci_high),
                    sure ? "*" : ""});
  }
  std::vector<std::size_t> width(rows.front().size(), 0);
  for (const auto& r : rows) {
    for (std::size_t k = 0; k < r.size(); ++k) width[k] = std::max(width[k], r[k].size());
  }
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t k = 0; k < r.size(); ++k) {
      const bool left = k < 2;
      const std::string pad(width[k] - r[k].size(), ' ');
      line += (k ? "  " : "") + (left ? r[k] + pad : pad + r[k]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  out += "* the interval excludes zero\n\n";
  out += "parameters that differ (" + std::to_string(c.parameters.size()) + "):\n";
  for (const auto& p : c.parameters) {
    out += "  " + p.name + ": " + shorten(p.base_value) + "  ->  " + shorten(p.other_value) + "\n";
  }
  return out;
}

std::string comparison_csv(const std::vector<Comparison>& comparisons) {
  std::string out =
      "base,other,outcome,units,base_replicates,other_replicates,base_mean,other_mean,difference,ci95_low,ci95_high,"
      "paired,base_p10,base_p90,other_p10,other_p90,description\n";
  for (const auto& c : comparisons) {
    for (const auto& o : c.outcomes) {
      out += csv_quote(c.base.scenario_name) + "," + csv_quote(c.other.scenario_name) + "," + csv_quote(o.name) + "," +
             csv_quote(o.units) + "," + std::to_string(o.base_n) + "," + std::to_string(o.other_n) + "," +
             csv_number(o.base_mean) + "," + csv_number(o.other_mean) + "," + csv_number(o.difference) + "," +
             csv_number(o.ci_low) + "," + csv_number(o.ci_high) + "," + (o.paired ? "1" : "0") + "," +
             csv_number(o.base_p10) + "," + csv_number(o.base_p90) + "," + csv_number(o.other_p10) + "," +
             csv_number(o.other_p90) + "," + csv_quote(o.description) + "\n";
    }
  }
  return out;
}

}  // namespace pcnsim
