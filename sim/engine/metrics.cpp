#include "pcnsim/engine/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace pcnsim {

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::nan("");
  std::sort(values.begin(), values.end());
  const double h = (static_cast<double>(values.size()) - 1.0) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

std::map<std::string, double> formation_metrics(const RunResult& run) {
  if (run.membership.empty()) return formation_metrics(run.world.practices.list_size, run.world.network_of);
  return formation_metrics(run.membership.front().list_size, run.membership.front().network_of);
}

std::map<std::string, double> formation_metrics(const std::vector<double>& list_size, const std::vector<int>& network_of) {
  std::map<int, std::pair<double, int>> networks;  // id -> (list, practices)
  int signed_count = 0;  // at the snapshot every signed practice is in a network
  for (std::size_t i = 0; i < network_of.size(); ++i) {
    if (network_of[i] < 0) continue;
    ++signed_count;
    auto& n = networks[network_of[i]];
    n.first += list_size[i];
    n.second += 1;
  }
  std::vector<double> lists, counts;
  int under = 0, band = 0, over = 0, single = 0, over_ten = 0;
  for (const auto& [id, n] : networks) {
    lists.push_back(n.first);
    counts.push_back(n.second);
    if (n.first < 30000) {
      ++under;
    } else if (n.first <= 50000) {
      ++band;
    } else {
      ++over;
    }
    single += n.second == 1 ? 1 : 0;
    over_ten += n.second > 10 ? 1 : 0;
  }
  const double total = static_cast<double>(networks.size());
  std::map<std::string, double> m;
  m["networks"] = total;
  m["share_in_30k_50k"] = total > 0 ? band / total : 0.0;
  m["share_under_30k"] = total > 0 ? under / total : 0.0;
  m["share_over_50k"] = total > 0 ? over / total : 0.0;
  double sum_list = 0, sum_count = 0;
  for (double l : lists) sum_list += l;
  for (double c : counts) sum_count += c;
  m["list_mean"] = total > 0 ? sum_list / total : 0.0;
  m["list_median"] = quantile(lists, 0.5);
  m["list_p10"] = quantile(lists, 0.1);
  m["list_p90"] = quantile(lists, 0.9);
  m["practices_mean"] = total > 0 ? sum_count / total : 0.0;
  m["practices_median"] = quantile(counts, 0.5);
  m["practices_p10"] = quantile(counts, 0.1);
  m["practices_p90"] = quantile(counts, 0.9);
  m["single_practice_networks"] = single;
  m["networks_over_10_practices"] = over_ten;
  m["signup_share_2019"] = network_of.empty() ? 0.0 : static_cast<double>(signed_count) / static_cast<double>(network_of.size());
  return m;
}

double ArrsYearTotals::unclaimed_share() const {
  return ceiling > 0 ? static_cast<double>(ceiling - claimed) / static_cast<double>(ceiling) : 0.0;
}

std::vector<ArrsYearTotals> arrs_year_totals(const FinanceRecord& finance) {
  std::vector<ArrsYearTotals> out;
  for (std::size_t y = 0; y < finance.years.size(); ++y) {
    ArrsYearTotals t{finance.years[y], 0, 0};
    for (const auto& money : finance.arrs[y]) {
      t.ceiling += money.ceiling;
      t.claimed += money.claimed;
    }
    out.push_back(t);
  }
  return out;
}

NetworkSizes network_sizes_at_formation(const RunResult& run) {
  const std::size_t m = run.world.networks.size();
  NetworkSizes sizes{std::vector<double>(m, 0.0), std::vector<double>(m, 0.0), std::vector<std::int32_t>(m, 0)};
  for (std::size_t r = 0; r < run.membership.size(); ++r) {
    const MembershipSnapshot& snap = run.membership[r];
    for (std::size_t i = 0; i < snap.network_of.size(); ++i) {
      const int k = snap.network_of[i];
      if (k < 0 || membership_row(run, run.world.networks[k].formed_step) != r) continue;
      sizes.list_size[k] += snap.list_size[i];
      sizes.weighted_list_size[k] += snap.list_size[i] * snap.needs_index[i];
      ++sizes.practices[k];
    }
  }
  return sizes;
}

std::string year_suffix(int fy) {
  std::string label = financial_year_label(fy);
  std::replace(label.begin(), label.end(), '/', '_');
  return label;
}

std::map<std::string, double> arrs_metrics(const RunResult& run) {
  std::map<std::string, double> m;
  for (const ArrsYearTotals& year : arrs_year_totals(run.finance)) {
    if (year.ceiling > 0) m["unclaimed_share_" + year_suffix(year.year)] = year.unclaimed_share();
  }
  // WTE in post in the week containing 31 March 2023.
  if (auto step = run.calendar.step_of(Date::from_ymd(2023, 3, 31))) {
    m["fte_march_2023"] = run.recorder.at("arrs_wte").value[*step];
  }
  return m;
}

std::map<std::string, double> clinical_director_metrics(const RunResult& run) {
  std::map<std::string, double> m;
  if (!run.scenario.cd_workload.enabled || run.world.networks.empty()) return m;
  // The BMA survey of late 2019: the week containing 30 November 2019.
  if (auto step = run.calendar.step_of(Date::from_ymd(2019, 11, 30))) {
    m["share_unmanageable_2019"] = run.recorder.at("cd_unmanageable_share").value[*step];
  }
  // Resignations in the first 12 months after go-live, per network.
  const Series* resigned = &run.recorder.at("cd_resignations");
  const auto from = run.calendar.step_of(run.scenario.timeline.networks_live);
  const auto to = run.calendar.step_of(run.scenario.timeline.networks_live + 364);
  if (from && to) {
    double total = 0;
    for (int s = *from; s <= *to; ++s) total += resigned->value[s];
    m["annual_turnover_2019_20"] = total / static_cast<double>(run.world.networks.size());
  }
  return m;
}

namespace {

// Steps of financial year `fy` once networks are live.
std::vector<int> live_steps(const RunResult& run, int fy) {
  std::vector<int> out;
  const auto live = run.calendar.step_of(run.scenario.timeline.networks_live);
  for (int s = 0; s < run.calendar.steps(); ++s) {
    if (run.calendar.financial_year(s) == fy && (!live || s >= *live)) out.push_back(s);
  }
  return out;
}

double series_value(const RunResult& run, const std::string& name, int step) {
  return run.recorder.at(name).value[static_cast<std::size_t>(step)];
}

}  // namespace

namespace {

// The key outcomes, in order: totals, then per financial year (name + "_YYYY_YY").
struct OutcomeDef {
  const char* name;
  const char* units;
  const char* description;
};
constexpr OutcomeDef kTotals[] = {
    {"networks_formed", "networks", "networks formed at the 2019 deadline (later split-offs not counted)"},
    {"share_networks_30k_50k", "1", "share of the networks formed at the 2019 deadline with 30,000-50,000 patients"},
    {"share_networks_under_30k", "1", "share of the networks formed at the 2019 deadline with under 30,000 patients"},
    {"networks_live_end", "networks", "networks live in the last week of the run"},
    {"network_exits", "practices", "practices that left the DES at a re-sign-up, all years of the run"},
    {"network_switches", "practices", "practices that switched network, all years of the run"},
    {"network_merges", "networks", "networks that merged into another, all years of the run"},
    {"network_splits", "networks", "networks split off, all years of the run"},
    {"network_dissolutions", "networks", "networks dissolved, all years of the run"}};
constexpr OutcomeDef kYearly[] = {
    {"arrs_wte_", "WTE", "ARRS staff in post in the last week of the financial year"},
    {"arrs_unclaimed_gbp_", "GBP", "ARRS ceiling left unclaimed at the end of the financial year"},
    {"arrs_unclaimed_share_", "1", "share of the ARRS ceiling left unclaimed at the end of the financial year"},
    {"hours_per_gp_fte_", "hours/week", "GP hours worked per GP FTE, mean over the weeks of the financial year"},
    {"cd_demand_hours_", "hours/week", "clinical-director demand per network, mean over the weeks of the financial year"},
    {"cd_resignations_", "CDs", "clinical directors resigning during the financial year"},
    {"cd_unmanageable_share_", "1", "share of CDs over the strain threshold in the last week of the financial year"},
    {"networks_with_manager_", "networks", "networks with a manager in the last week of the financial year"}};

// Financial years with live weeks, in order.
std::vector<int> outcome_years(const Calendar& calendar, Date networks_live) {
  std::vector<int> years;
  const auto live = calendar.step_of(networks_live);
  for (int s = 0; s < calendar.steps(); ++s) {
    const int fy = calendar.financial_year(s);
    if ((!live || s >= *live) && (years.empty() || years.back() != fy)) years.push_back(fy);
  }
  return years;
}

std::vector<Outcome> outcome_table(const std::vector<int>& years) {
  std::vector<Outcome> out;
  for (const auto& d : kTotals) out.push_back({d.name, d.units, d.description, 0.0});
  for (int fy : years) {
    for (const auto& d : kYearly) {
      out.push_back({d.name + year_suffix(fy), d.units, d.description + (" in " + financial_year_label(fy)), 0.0});
    }
  }
  return out;
}

}  // namespace

std::vector<OutcomeDeclaration> key_outcome_declarations() {
  std::vector<OutcomeDeclaration> out;
  for (const auto& d : kTotals) out.push_back({d.name, d.units, d.description, false});
  for (const auto& d : kYearly) out.push_back({std::string(d.name) + "YYYY_YY", d.units, d.description, true});
  return out;
}

std::vector<std::string> key_outcome_names(const Scenario& scenario) {
  std::vector<std::string> names;
  const Calendar calendar(scenario.calendar.start, scenario.calendar.end);
  for (const auto& o : outcome_table(outcome_years(calendar, scenario.timeline.networks_live))) names.push_back(o.name);
  return names;
}

std::vector<Outcome> key_outcomes(const RunResult& run) {
  const std::vector<int> years = outcome_years(run.calendar, run.scenario.timeline.networks_live);
  std::vector<Outcome> out = outcome_table(years);
  std::vector<double> values;
  const auto formed = formation_metrics(run);
  const NetworkEventLog& events = run.network_events;
  values = {formed.at("networks"), formed.at("share_in_30k_50k"), formed.at("share_under_30k"),
            static_cast<double>(run.world.live_networks()), static_cast<double>(events.count(NetworkEventKind::exit)),
            static_cast<double>(events.count(NetworkEventKind::switch_network)),
            static_cast<double>(events.count(NetworkEventKind::merge)),
            static_cast<double>(events.count(NetworkEventKind::split)),
            static_cast<double>(events.count(NetworkEventKind::dissolution))};
  for (int fy : years) {
    const std::vector<int> steps = live_steps(run, fy);
    const int last = steps.back();
    auto mean = [&](const std::string& name) {
      double s = 0;
      for (int k : steps) s += series_value(run, name, k);
      return s / static_cast<double>(steps.size());
    };
    double resignations = 0, cd_demand = 0, networks = 0;
    for (int k : steps) {
      resignations += series_value(run, "cd_resignations", k);
      for (int src = 0; src < kCdSources; ++src) cd_demand += series_value(run, std::string("cd_hours_") + kCdSourceNames[src], k);
      networks += series_value(run, "networks", k);
    }
    ArrsYearTotals money{fy, 0, 0};
    for (const ArrsYearTotals& year : arrs_year_totals(run.finance)) {
      if (year.year == fy) money = year;
    }
    const double yearly[] = {series_value(run, "arrs_wte", last), to_gbp(money.unclaimed()), money.unclaimed_share(),
                             mean("hours_per_gp_fte"), networks > 0 ? cd_demand / networks : 0.0, resignations,
                             series_value(run, "cd_unmanageable_share", last),
                             series_value(run, "networks_with_manager", last)};
    static_assert(sizeof yearly / sizeof yearly[0] == sizeof kYearly / sizeof kYearly[0]);
    values.insert(values.end(), std::begin(yearly), std::end(yearly));
  }
  for (std::size_t k = 0; k < out.size(); ++k) out[k].value = values[k];
  return out;
}

}  // namespace pcnsim
