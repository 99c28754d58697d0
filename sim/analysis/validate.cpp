#include "pcnsim/analysis/validate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <yaml-cpp/yaml.h>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/kernel/kmeans.hpp"
#include "pcnsim/analysis/history.hpp"
#include "pcnsim/analysis/membership.hpp"
#include "pcnsim/analysis/workforce.hpp"
#include "pcnsim/engine/spec_file.hpp"
#include "pcnsim/kernel/yaml.hpp"

namespace pcnsim {

std::vector<std::string> target_sections() {
  return {"formation", "membership", "arrs", "clinical_directors", "dynamics", "workforce"};
}

std::vector<TargetRow> read_targets(const std::string& path) {
  DiagnosticList problems;
  const YAML::Node root = parse_yaml_map(read_yaml_file(path, "targets file"), path, "targets file", problems);
  SpecReader reader(path, problems);
  const std::vector<std::string> sections = target_sections();
  reader.check_keys(root, "", sections);
  std::vector<TargetRow> rows;
  for (const auto& section : root) {
    const std::string name = section.first.IsScalar() ? section.first.Scalar() : "";
    if (std::find(sections.begin(), sections.end(), name) == sections.end()) continue;  // reported above
    if (!section.second.IsMap()) {
      reader.complain(section.second, name, "expected a block of targets, each name: {observed, tolerance}");
      continue;
    }
    // Names are not checked against the metrics: a row may be "not simulated yet".
    for (const auto& target : section.second) {
      TargetRow row;
      row.section = name;
      row.name = target.first.Scalar();
      const std::string where = name + "." + row.name;
      const YAML::Node t = target.second;
      const std::size_t before = problems.size();
      if (!t.IsMap() || !t["observed"] || !t["tolerance"]) {
        reader.complain(t, where, "each target needs 'observed' (a number, or real) and 'tolerance'");
      }
      reader.check_keys(t, where + ".", {"observed", "tolerance", "relative", "source"});
      if (t.IsMap()) {
        const YAML::Node observed = t["observed"];
        // `observed: real`: measured on the real membership file at validation time.
        row.observed_from_data = observed && observed.IsScalar() && observed.Scalar() == "real";
        if (!row.observed_from_data) reader.scalar(observed, where + ".observed", row.observed, -kUnbounded, kUnbounded);
        reader.scalar(t["tolerance"], where + ".tolerance", row.tolerance, 0, kUnbounded);
        reader.scalar(t["relative"], where + ".relative", row.relative, 0, 0);
        reader.scalar(t["source"], where + ".source", row.source, 0, 0);
      }
      if (problems.size() == before) rows.push_back(row);
    }
  }
  problems.throw_if_any();
  return rows;
}

void compare_targets(std::vector<TargetRow>& rows, const RunResult& run) {
  std::map<std::string, double> metrics;
  if (!run.membership.empty()) {
    for (const auto& [k, v] : formation_metrics(run)) metrics["formation." + k] = v;
  }
  for (const auto& [k, v] : arrs_metrics(run)) metrics["arrs." + k] = v;
  for (const auto& [k, v] : clinical_director_metrics(run)) metrics["clinical_directors." + k] = v;
  for (auto& row : rows) {
    auto it = metrics.find(row.section + "." + row.name);
    row.simulated = it != metrics.end();
    if (!row.simulated) continue;
    row.simulated_value = it->second;
    const double allowed = row.relative ? row.tolerance * std::fabs(row.observed) : row.tolerance;
    row.pass = std::fabs(row.simulated_value - row.observed) <= allowed;
  }
}

MembershipComparison compare_membership(const RunResult& run, const RealMembership& membership) {
  MembershipComparison c;
  c.file = membership.file;
  c.rows = static_cast<int>(membership.rows.size());
  const Practices& p = run.world.practices;
  const std::vector<int> real = real_network_of(membership, p, &c.unknown_codes);
  // The simulated 2019 formation, over the practices the file lists.
  std::vector<int> simulated = run.membership.empty() ? std::vector<int>(p.size(), -1) : run.membership.front().network_of;
  std::vector<std::uint8_t> listed(p.size(), 0);
  std::set<int> networks, commissioners;
  for (std::size_t i = 0; i < p.size(); ++i) {
    listed[i] = real[i] >= 0;
    if (!listed[i]) simulated[i] = -1;
    if (listed[i]) {
      ++c.matched;
      networks.insert(real[i]);
      commissioners.insert(p.commissioner[i]);
    }
  }
  c.real_networks = static_cast<int>(networks.size());
  c.commissioners = static_cast<int>(commissioners.size());
  const std::vector<int> naive =
      naive_geographic_partition(p, run.world.commissioners, listed, c.naive_patients_per_cluster, run.scenario.seed);
  c.simulated = map_metrics(p, simulated);
  c.real = map_metrics(p, real);
  c.naive = map_metrics(p, naive);
  for (const auto& [k, v] : agreement_metrics(p, simulated, real)) c.simulated[k] = v;
  for (const auto& [k, v] : agreement_metrics(p, naive, real)) c.naive[k] = v;
  for (const auto& [k, v] : agreement_metrics(p, real, real)) c.real[k] = v;
  return c;
}

void compare_section_targets(std::vector<TargetRow>& rows, const std::string& section,
                             const std::map<std::string, double>& simulated, const std::map<std::string, double>& real,
                             const std::map<std::string, double>* naive) {
  for (auto& row : rows) {
    if (row.section != section) continue;
    const auto sim = simulated.find(row.name);
    row.simulated = sim != simulated.end();
    if (!row.simulated) continue;
    if (row.observed_from_data) {
      const auto r = real.find(row.name);
      // Nothing to measure on the real side (e.g. no postcodes): no comparison.
      if (r == real.end() || !std::isfinite(r->second)) {
        row.simulated = false;
        continue;
      }
      row.observed = r->second;
    }
    row.simulated_value = sim->second;
    if (naive != nullptr) {
      row.has_naive = true;
      row.naive_value = naive->at(row.name);
    }
    const double allowed = row.relative ? row.tolerance * std::fabs(row.observed) : row.tolerance;
    row.pass = std::isfinite(row.simulated_value) && std::fabs(row.simulated_value - row.observed) <= allowed;
  }
}

void compare_membership_targets(std::vector<TargetRow>& rows, const MembershipComparison& c) {
  compare_section_targets(rows, "membership", c.simulated, c.real, &c.naive);
}

HistoryComparison compare_histories(const RunResult& run, const RealHistory* history, const RealWorkforce* workforce) {
  HistoryComparison c;
  if (history == nullptr) return c;
  c.history_file = history->file;
  c.history_rows = static_cast<int>(history->rows.size());
  std::set<std::string> codes;
  for (const auto& r : history->rows) codes.insert(r.practice_code);
  c.history_practices = static_cast<int>(codes.size());
  for (const std::uint8_t l : listed_in_history(*history, run.world.practices)) c.matched += l;
  for (const auto& [k, v] : real_dynamics(*history)) c.real["dynamics." + k] = v;
  for (const auto& [k, v] : simulated_dynamics(run, *history)) c.simulated["dynamics." + k] = v;
  if (workforce == nullptr) return c;
  c.workforce_file = workforce->file;
  c.workforce_rows = static_cast<int>(workforce->rows.size());
  c.census = census_months(*workforce);
  c.unknown_roles = unknown_staff_roles(*workforce);
  // The real networks' patients: the population file's lists (before any simulated merger).
  const auto& lists = run.membership.empty() ? run.world.practices.list_size : run.membership.front().list_size;
  for (const auto& [k, v] : real_workforce(*workforce, *history, run.world.practices.code, lists)) {
    c.real["workforce." + k] = v;
  }
  for (const auto& [k, v] : simulated_workforce(run, *workforce, *history)) c.simulated["workforce." + k] = v;
  return c;
}

void compare_history_targets(std::vector<TargetRow>& rows, const HistoryComparison& c) {
  for (const char* section : {"dynamics", "workforce"}) {
    std::map<std::string, double> sim, real;
    const std::string prefix = std::string(section) + ".";
    for (const auto& [k, v] : c.simulated) {
      if (k.rfind(prefix, 0) == 0) sim[k.substr(prefix.size())] = v;
    }
    for (const auto& [k, v] : c.real) {
      if (k.rfind(prefix, 0) == 0) real[k.substr(prefix.size())] = v;
    }
    compare_section_targets(rows, section, sim, real);
  }
}

std::string format_workforce_quarters(const HistoryComparison& c) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-8s %-10s %9s %11s %7s %7s %7s %8s %7s\n", "census", "", "networks", "share none",
                "P10", "median", "P90", "P90/P10", "growth");
  out += buf;
  auto value = [](const std::map<std::string, double>& m, const std::string& key) {
    const auto it = m.find("workforce." + key);
    return it == m.end() || !std::isfinite(it->second) ? std::string("-") : format_number(std::round(it->second * 100) / 100);
  };
  for (const int census : c.census) {
    std::string q = "_";  // (not "_" + census_label(...): GCC 12 warns falsely, -Wrestrict)
    q += census_label(census);
    for (const auto* side : {&c.real, &c.simulated}) {
      std::snprintf(buf, sizeof buf, "%-8s %-10s %9s %11s %7s %7s %7s %8s %7s\n",
                    side == &c.real ? census_label(census, '-').c_str() : "", side == &c.real ? "real" : "simulated",
                    value(*side, "networks" + q).c_str(), value(*side, "share_none" + q).c_str(),
                    value(*side, "fte_per_10k_p10" + q).c_str(), value(*side, "fte_per_10k_median" + q).c_str(),
                    value(*side, "fte_per_10k_p90" + q).c_str(), value(*side, "fte_per_10k_p90_p10" + q).c_str(),
                    value(*side, "growth" + q).c_str());
      out += buf;
    }
  }
  return out;
}

std::string format_targets(const std::vector<TargetRow>& rows) {
  std::string out;
  char buf[512];
  auto rounded = [](double v) { return format_number(std::round(v * 1000) / 1000); };
  bool naive = false;
  int width = 34;  // of the target column: the longest name
  for (const auto& r : rows) {
    naive = naive || r.has_naive;
    width = std::max(width, static_cast<int>(std::min<std::size_t>(r.name.size(), 120)));
  }
  std::snprintf(buf, sizeof buf, "%-20s %-*s %12s %12s %12s  %-7s%s", "section", width, "target", "observed", "simulated",
                "tolerance", "result", naive ? "  naive geography" : "");
  out += buf;
  while (out.back() == ' ') out.pop_back();
  out += "\n";
  for (const auto& r : rows) {
    const std::string tol = r.relative ? "±" + std::to_string(static_cast<int>(std::lround(r.tolerance * 100))) + "%"
                                       : "±" + format_number(r.tolerance);
    const std::string observed = r.observed_from_data && !r.simulated ? "real" : rounded(r.observed);
    const std::string result = r.simulated ? (r.pass ? "pass" : "FAIL") : "not simulated yet";
    std::snprintf(buf, sizeof buf, "%-20s %-*s %12s %12s %12s  %-7s", r.section.c_str(), width, r.name.c_str(),
                  observed.c_str(), r.simulated ? rounded(r.simulated_value).c_str() : "-", tol.c_str(), result.c_str());
    out += buf;
    if (r.has_naive) out += "  " + std::string(12 - std::min<std::size_t>(12, rounded(r.naive_value).size()), ' ') + rounded(r.naive_value);
    // Trailing spaces of the fixed-width result column are dropped.
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  return out;
}

}  // namespace pcnsim
