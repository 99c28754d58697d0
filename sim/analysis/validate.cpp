#include "pcnsim/analysis/validate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <yaml-cpp/yaml.h>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/kernel/kmeans.hpp"
#include "pcnsim/analysis/membership.hpp"
#include "pcnsim/engine/spec_file.hpp"
#include "pcnsim/kernel/yaml.hpp"

namespace pcnsim {

std::vector<std::string> target_sections() { return {"formation", "membership", "arrs", "clinical_directors"}; }

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
    for (const auto& [k, v] : formation_metrics(run.world, run.membership.front().network_of)) metrics["formation." + k] = v;
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

void compare_membership_targets(std::vector<TargetRow>& rows, const MembershipComparison& c) {
  for (auto& row : rows) {
    if (row.section != "membership") continue;
    const auto sim = c.simulated.find(row.name);
    row.simulated = sim != c.simulated.end();
    if (!row.simulated) continue;
    if (row.observed_from_data) {
      row.observed = c.real.at(row.name);
      // Nothing to measure on the real side (e.g. no postcodes): no comparison.
      if (!std::isfinite(row.observed)) {
        row.simulated = false;
        continue;
      }
    }
    row.simulated_value = sim->second;
    row.has_naive = true;
    row.naive_value = c.naive.at(row.name);
    const double allowed = row.relative ? row.tolerance * std::fabs(row.observed) : row.tolerance;
    row.pass = std::isfinite(row.simulated_value) && std::fabs(row.simulated_value - row.observed) <= allowed;
  }
}

std::string format_targets(const std::vector<TargetRow>& rows) {
  std::string out;
  char buf[256];
  auto rounded = [](double v) { return format_number(std::round(v * 1000) / 1000); };
  bool naive = false;
  for (const auto& r : rows) naive = naive || r.has_naive;
  std::snprintf(buf, sizeof buf, "%-20s %-34s %12s %12s %12s  %-7s%s", "section", "target", "observed", "simulated",
                "tolerance", "result", naive ? "  naive geography" : "");
  out += buf;
  while (out.back() == ' ') out.pop_back();
  out += "\n";
  for (const auto& r : rows) {
    const std::string tol = r.relative ? "±" + std::to_string(static_cast<int>(std::lround(r.tolerance * 100))) + "%"
                                       : "±" + format_number(r.tolerance);
    const std::string observed = r.observed_from_data && !r.simulated ? "real" : rounded(r.observed);
    const std::string result = r.simulated ? (r.pass ? "pass" : "FAIL") : "not simulated yet";
    std::snprintf(buf, sizeof buf, "%-20s %-34s %12s %12s %12s  %-7s", r.section.c_str(), r.name.c_str(),
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
