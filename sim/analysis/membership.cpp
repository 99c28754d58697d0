#include "pcnsim/analysis/membership.hpp"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/kmeans.hpp"
#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/kernel/rng.hpp"

namespace pcnsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// ------------------------------------------------------------- reading ----

// Builds the membership from a table read leniently, so that malformed rows,
// bad bytes and the file's own content problems are reported together.
RealMembership membership_from_table(const CsvTable& table) {
  DiagnosticList problems;
  for (const auto& d : table.row_problems) problems.add(d);
  const auto c_practice = find_required_column(table, {"practice_code", "Partner Organisation Code"}, problems);
  const auto c_pcn = find_required_column(table, {"pcn_code", "PCN Code"}, problems);
  if (!c_practice || !c_pcn) problems.throw_if_any();  // rows cannot be read without their columns

  RealMembership m;
  m.file = table.file;
  std::map<std::string, int> first_line;
  for (const auto& row : table.rows) {
    const std::string& practice = row.fields[*c_practice];
    const std::string& pcn = row.fields[*c_pcn];
    bool ok = true;
    if (practice.empty()) {
      problems.add({table.file, row.line, 0, table.header[*c_practice], "empty practice code"});
      ok = false;
    }
    if (pcn.empty()) {
      problems.add({table.file, row.line, 0, table.header[*c_pcn],
                    "empty network code" + (practice.empty() ? std::string() : " for practice " + practice)});
      ok = false;
    }
    if (!practice.empty()) {
      // A practice belongs to one network at a time; a second row is either a
      // stale relationship or a typo, and which one is meant cannot be guessed.
      auto [it, inserted] = first_line.emplace(practice, row.line);
      if (!inserted) {
        problems.add({table.file, row.line, 0, table.header[*c_practice],
                      "practice " + practice + " is listed twice (lines " + std::to_string(it->second) + " and " +
                          std::to_string(row.line) + ")"});
        ok = false;
      }
    }
    if (ok) m.rows.push_back({practice, pcn, row.line});
  }
  if (problems.empty() && m.rows.empty()) {
    problems.add({table.file, 0, 0, "", "no membership rows after the header"});
  }
  throw_by_line(problems);  // row problems from the CSV reader first, then in line order
  return m;
}

// ----------------------------------------------------------- agreement ----

// Counts of the items used (both labels >= 0): per cell, per row (a), per column (b).
struct Contingency {
  std::map<std::pair<int, int>, std::int64_t> cells;
  std::map<int, std::int64_t> a, b;
  std::int64_t n = 0;
};

template <class T>
void require_same_size(const std::vector<T>& a, const std::vector<T>& b, const char* what) {
  if (a.size() != b.size()) {
    throw std::invalid_argument(std::string(what) + ": the two inputs differ in length (" + std::to_string(a.size()) +
                                " and " + std::to_string(b.size()) + ")");
  }
}

Contingency contingency(const std::vector<int>& a, const std::vector<int>& b) {
  Contingency t;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] < 0 || b[i] < 0) continue;
    ++t.cells[{a[i], b[i]}];
    ++t.a[a[i]];
    ++t.b[b[i]];
    ++t.n;
  }
  return t;
}

std::int64_t pairs_of(std::int64_t n) { return n * (n - 1) / 2; }

// ------------------------------------------------------------ map ----

std::string upper_without_spaces(const std::string& postcode) {
  std::string s;
  for (unsigned char c : postcode) {
    if (!std::isspace(c)) s += static_cast<char>(std::toupper(c));
  }
  return s;
}

// Outward code (postcode district): the text before the space. Without a
// space the inward code is still the last three characters (digit, two letters).
std::string postcode_district(const std::string& postcode) {
  const auto b = postcode.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = postcode.find_last_not_of(" \t");
  const std::string trimmed = postcode.substr(b, e - b + 1);
  const auto space = trimmed.find_first_of(" \t");
  if (space != std::string::npos) return upper_without_spaces(trimmed.substr(0, space));
  const std::string whole = upper_without_spaces(trimmed);
  return whole.size() > 3 ? whole.substr(0, whole.size() - 3) : whole;
}

// Share of unordered pairs within each group that share a network.
double together_share(const std::map<std::pair<int, std::string>, std::vector<int>>& groups,
                      const std::vector<int>& network_of) {
  std::int64_t pairs = 0, together = 0;
  for (const auto& [key, members] : groups) {
    for (std::size_t u = 0; u < members.size(); ++u) {
      for (std::size_t v = u + 1; v < members.size(); ++v) {
        ++pairs;
        if (network_of[members[u]] == network_of[members[v]]) ++together;
      }
    }
  }
  return pairs > 0 ? static_cast<double>(together) / static_cast<double>(pairs) : kNaN;
}

}  // namespace

// ------------------------------------------------------------- reading ----

RealMembership read_membership(const std::string& path) { return membership_from_table(read_csv(path, true)); }

RealMembership parse_membership(const std::string& text, const std::string& file) {
  return membership_from_table(parse_csv(text, file, true));
}

std::vector<int> real_network_of(const RealMembership& m, const Practices& p,
                                 std::vector<std::string>* unknown_codes) {
  std::map<std::string, int> practice_index;
  for (std::size_t i = 0; i < p.size(); ++i) practice_index.emplace(p.code[i], static_cast<int>(i));
  std::vector<const std::string*> pcn_of(p.size(), nullptr);
  std::vector<std::string> unknown;
  for (const auto& row : m.rows) {
    const auto it = practice_index.find(row.practice_code);
    if (it == practice_index.end()) {
      unknown.push_back(row.practice_code);
    } else if (pcn_of[it->second] == nullptr) {  // the file's first row wins (parse_membership rejects repeats)
      pcn_of[it->second] = &row.pcn_code;
    }
  }
  // Dense ids by first appearance in practice order, so they do not depend on the file's row order.
  std::map<std::string, int> network_id;
  std::vector<int> network_of(p.size(), -1);
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (pcn_of[i] == nullptr) continue;
    network_of[i] = network_id.emplace(*pcn_of[i], static_cast<int>(network_id.size())).first->second;
  }
  if (unknown_codes != nullptr) {
    std::sort(unknown.begin(), unknown.end());
    unknown.erase(std::unique(unknown.begin(), unknown.end()), unknown.end());
    unknown_codes->insert(unknown_codes->end(), unknown.begin(), unknown.end());
  }
  return network_of;
}

// ----------------------------------------------------------- agreement ----

double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b) {
  require_same_size(a, b, "adjusted_rand_index");
  const Contingency t = contingency(a, b);
  std::int64_t index = 0, sum_a = 0, sum_b = 0;
  for (const auto& [cell, n] : t.cells) index += pairs_of(n);
  for (const auto& [label, n] : t.a) sum_a += pairs_of(n);
  for (const auto& [label, n] : t.b) sum_b += pairs_of(n);
  const std::int64_t all = pairs_of(t.n);
  // Both all-in-one (sums = all pairs) or both all-singletons (sums = 0), or
  // no pairs at all: the denominator is 0 and the partitions agree perfectly.
  // Tested on the integer sums, so it is exact.
  if ((sum_a == 0 && sum_b == 0) || (sum_a == all && sum_b == all)) return 1.0;
  const double expected = static_cast<double>(sum_a) * static_cast<double>(sum_b) / static_cast<double>(all);
  const double max_index = 0.5 * static_cast<double>(sum_a + sum_b);
  return (static_cast<double>(index) - expected) / (max_index - expected);
}

double normalised_mutual_information(const std::vector<int>& a, const std::vector<int>& b) {
  require_same_size(a, b, "normalised_mutual_information");
  const Contingency t = contingency(a, b);
  // Both partitions one cluster (or nothing used): both entropies are 0, the
  // ratio is 0/0, and the partitions are identical, so 1 by definition.
  if (t.a.size() <= 1 && t.b.size() <= 1) return 1.0;
  const double n = static_cast<double>(t.n);
  const double log_n = std::log(n);
  auto entropy = [&](const std::map<int, std::int64_t>& marginal) {
    double h = 0.0;
    for (const auto& [label, count] : marginal) {
      const double c = static_cast<double>(count);
      h -= c / n * (std::log(c) - log_n);
    }
    return h;
  };
  double mi = 0.0;
  for (const auto& [cell, count] : t.cells) {
    const double c = static_cast<double>(count);
    const double ca = static_cast<double>(t.a.at(cell.first)), cb = static_cast<double>(t.b.at(cell.second));
    mi += c / n * (std::log(c) + log_n - std::log(ca) - std::log(cb));
  }
  const double mean_entropy = 0.5 * (entropy(t.a) + entropy(t.b));  // > 0: one side has two clusters
  // Rounding can push identical partitions a hair above 1 or independent ones below 0.
  return std::clamp(mi / mean_entropy, 0.0, 1.0);
}

double spearman_correlation(const std::vector<double>& x, const std::vector<double>& y) {
  require_same_size(x, y, "spearman_correlation");
  std::vector<double> xs, ys;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) continue;
    xs.push_back(x[i]);
    ys.push_back(y[i]);
  }
  const std::size_t n = xs.size();
  if (n < 2) return kNaN;
  // Average ranks (1-based): a run of tied values shares the mean of its ranks.
  auto ranks = [n](const std::vector<double>& v) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(n);
    for (std::size_t s = 0; s < n;) {
      std::size_t e = s + 1;
      while (e < n && v[order[e]] == v[order[s]]) ++e;
      const double average = 0.5 * static_cast<double>(s + 1 + e);  // mean of ranks s+1 .. e
      for (std::size_t k = s; k < e; ++k) r[order[k]] = average;
      s = e;
    }
    return r;
  };
  const std::vector<double> rx = ranks(xs), ry = ranks(ys);
  const double mean = 0.5 * static_cast<double>(n + 1);  // mean rank, ties or not
  double sxy = 0.0, sxx = 0.0, syy = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  if (sxx <= 0.0 || syy <= 0.0) return kNaN;
  return sxy / std::sqrt(sxx * syy);
}

// ------------------------------------------------------------ map ----

std::map<std::string, double> map_metrics(const Practices& p, const std::vector<int>& network_of) {
  if (network_of.size() != p.size()) {
    throw std::invalid_argument("map_metrics: " + std::to_string(network_of.size()) + " labels for " +
                                std::to_string(p.size()) + " practices");
  }
  // Networked practices of each commissioner, ascending.
  std::map<int, std::vector<int>> by_commissioner;
  std::map<std::pair<int, std::string>, std::vector<int>> by_district, by_site;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (network_of[i] < 0 || p.commissioner[i] < 0) continue;
    const int c = p.commissioner[i];
    by_commissioner[c].push_back(static_cast<int>(i));
    const std::string district = postcode_district(p.postcode[i]);
    if (!district.empty()) {
      by_district[{c, district}].push_back(static_cast<int>(i));
      by_site[{c, upper_without_spaces(p.postcode[i])}].push_back(static_cast<int>(i));
    }
  }

  std::map<std::string, double> m;
  std::int64_t eligible = 0, together = 0;
  double networks_sum = 0.0;
  for (const auto& [c, members] : by_commissioner) {
    std::set<int> networks;
    for (int i : members) networks.insert(network_of[i]);
    networks_sum += static_cast<double>(networks.size());
    if (members.size() < 2) continue;
    // Commissioners hold a few hundred practices at most: all pairs is cheap.
    for (int i : members) {
      int nearest = -1;
      double nearest_d = std::numeric_limits<double>::infinity();
      for (int j : members) {  // ascending, so strict < keeps the lower index on ties
        if (j == i) continue;
        const double d = squared_distance(p.x_km[i], p.y_km[i], p.x_km[j], p.y_km[j]);
        if (d < nearest_d) {
          nearest_d = d;
          nearest = j;
        }
      }
      ++eligible;
      if (network_of[nearest] == network_of[i]) ++together;
    }
  }
  m["together_nearest"] = eligible > 0 ? static_cast<double>(together) / static_cast<double>(eligible) : kNaN;
  m["together_district"] = together_share(by_district, network_of);
  m["together_site"] = together_share(by_site, network_of);
  m["networks_per_commissioner"] =
      by_commissioner.empty() ? kNaN : networks_sum / static_cast<double>(by_commissioner.size());

  // Centroids need no commissioner: every networked practice counts.
  struct Sum {
    double x = 0.0, y = 0.0;
    int n = 0;
  };
  std::map<int, Sum> centroid;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (network_of[i] < 0) continue;
    Sum& s = centroid[network_of[i]];
    s.x += p.x_km[i];
    s.y += p.y_km[i];
    ++s.n;
  }
  std::vector<double> km;
  km.reserve(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (network_of[i] < 0) continue;
    const Sum& s = centroid.at(network_of[i]);
    km.push_back(std::hypot(p.x_km[i] - s.x / s.n, p.y_km[i] - s.y / s.n));
  }
  m["km_to_centroid_median"] = quantile(km, 0.5);
  m["km_to_centroid_p90"] = quantile(std::move(km), 0.9);
  return m;
}

std::map<std::string, double> agreement_metrics(const Practices& p, const std::vector<int>& simulated,
                                                const std::vector<int>& real) {
  if (simulated.size() != p.size() || real.size() != p.size()) {
    throw std::invalid_argument("agreement_metrics: " + std::to_string(simulated.size()) + " simulated and " +
                                std::to_string(real.size()) + " real labels for " + std::to_string(p.size()) +
                                " practices");
  }
  // Per commissioner, the labels of the practices in the real file.
  struct Labels {
    std::vector<int> simulated, real;
  };
  std::map<int, Labels> by_commissioner;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (real[i] < 0 || p.commissioner[i] < 0) continue;
    Labels& l = by_commissioner[p.commissioner[i]];
    l.simulated.push_back(simulated[i]);
    l.real.push_back(real[i]);
  }
  double weighted = 0.0, weight = 0.0;
  std::vector<double> simulated_count, real_count;
  for (const auto& [c, l] : by_commissioner) {
    std::int64_t used = 0;
    std::set<int> sim_networks, real_networks;
    for (std::size_t k = 0; k < l.real.size(); ++k) {
      real_networks.insert(l.real[k]);
      if (l.simulated[k] < 0) continue;
      sim_networks.insert(l.simulated[k]);
      ++used;
    }
    simulated_count.push_back(static_cast<double>(sim_networks.size()));
    real_count.push_back(static_cast<double>(real_networks.size()));
    if (used == 0) continue;
    weighted += static_cast<double>(used) * adjusted_rand_index(l.simulated, l.real);
    weight += static_cast<double>(used);
  }
  std::map<std::string, double> m;
  m["ari_per_commissioner"] = weight > 0.0 ? weighted / weight : kNaN;
  // ARI and NMI skip items where either label is negative, which is the restriction wanted.
  std::int64_t used = 0;
  for (std::size_t i = 0; i < p.size(); ++i) used += (simulated[i] >= 0 && real[i] >= 0) ? 1 : 0;
  m["ari_overall"] = used > 0 ? adjusted_rand_index(simulated, real) : kNaN;
  m["nmi"] = used > 0 ? normalised_mutual_information(simulated, real) : kNaN;
  m["spearman_networks_per_commissioner"] = spearman_correlation(simulated_count, real_count);
  return m;
}

}  // namespace pcnsim
