#include "pcnsim/ensemble.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "pcnsim/validate.hpp"

namespace pcnsim {

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
  const Series* s = run.recorder.find(name);
  return s ? s->value[static_cast<std::size_t>(step)] : 0.0;
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
    {"networks_formed", "networks", "networks formed in 2019"},
    {"share_networks_30k_50k", "1", "share of the 2019 networks with 30,000-50,000 patients"},
    {"share_networks_under_30k", "1", "share of the 2019 networks under 30,000 patients"},
    {"networks_live_end", "networks", "networks live at the end of the run"},
    {"network_exits", "practices", "practices that left the DES at a re-sign-up"},
    {"network_switches", "practices", "practices that switched network"},
    {"network_merges", "networks", "networks that merged into another"},
    {"network_splits", "networks", "networks split off"},
    {"network_dissolutions", "networks", "networks dissolved"}};
constexpr OutcomeDef kYearly[] = {
    {"arrs_wte_", "WTE", "ARRS staff in post at the end of the year"},
    {"arrs_unclaimed_gbp_", "GBP", "ARRS ceiling left unclaimed"},
    {"arrs_unclaimed_share_", "1", "share of the ARRS ceiling left unclaimed"},
    {"hours_per_gp_fte_", "hours/week", "GP hours worked per GP FTE, mean week"},
    {"cd_demand_hours_", "hours/week", "clinical-director demand per network, mean week"},
    {"cd_resignations_", "CDs", "clinical directors resigning"},
    {"cd_unmanageable_share_", "1", "share of CDs over the strain threshold at the end of the year"},
    {"networks_with_manager_", "networks", "networks with a manager at the end of the year"}};

std::string year_suffix(int fy) {
  std::string label = financial_year_label(fy);
  std::replace(label.begin(), label.end(), '/', '_');
  return label;
}

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
  const auto formed = formation_metrics(run.world, run.membership.empty() ? run.world.network_of
                                                                          : run.membership.front().network_of);
  std::map<std::string, int> events;
  for (const auto& k : run.network_events.kind) ++events[k];
  values = {formed.at("networks"), formed.at("share_in_30k_50k"), formed.at("share_under_30k"),
            static_cast<double>(run.world.live_networks()), static_cast<double>(events["exit"]),
            static_cast<double>(events["switch"]), static_cast<double>(events["merge"]),
            static_cast<double>(events["split"]), static_cast<double>(events["dissolution"])};
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
    Pence ceiling = 0, claimed = 0;
    const auto y = std::find(run.finance.years.begin(), run.finance.years.end(), fy);
    if (y != run.finance.years.end()) {
      for (const auto& m : run.finance.arrs[static_cast<std::size_t>(y - run.finance.years.begin())]) {
        ceiling += m.ceiling;
        claimed += m.claimed;
      }
    }
    const double yearly[] = {series_value(run, "arrs_wte", last), to_gbp(ceiling - claimed),
                             ceiling > 0 ? static_cast<double>(ceiling - claimed) / static_cast<double>(ceiling) : 0.0,
                             mean("hours_per_gp_fte"), networks > 0 ? cd_demand / networks : 0.0, resignations,
                             series_value(run, "cd_unmanageable_share", last),
                             series_value(run, "networks_with_manager", last)};
    static_assert(sizeof yearly / sizeof yearly[0] == sizeof kYearly / sizeof kYearly[0]);
    values.insert(values.end(), std::begin(yearly), std::end(yearly));
  }
  for (std::size_t k = 0; k < out.size(); ++k) out[k].value = values[k];
  return out;
}

ReplicateSummary summarise(const RunResult& run) {
  ReplicateSummary r;
  r.seed = replicate_seed(run.scenario, run.replicate);
  for (const auto& s : run.recorder.series()) r.series.push_back(s.value);
  for (const auto& o : key_outcomes(run)) r.outcomes.push_back(o.value);
  return r;
}

Ensemble run_ensemble(const Scenario& scenario, int replicates, int threads, Progress* progress) {
  Ensemble ensemble;
  ensemble.replicates.resize(static_cast<std::size_t>(replicates));
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min(threads, replicates);
  std::atomic<int> next{0};
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
  auto worker = [&](int id) {
    try {
      for (int r = next++; r < replicates; r = next++) {
        RunResult run = run_simulation(scenario, static_cast<std::uint64_t>(r));
        ensemble.replicates[static_cast<std::size_t>(r)] = summarise(run);
        if (r == 0) {
          ensemble.outcome_meta = key_outcomes(run);
          ensemble.detail = std::move(run);
        }
        if (progress) progress->advance();
      }
    } catch (...) {
      errors[static_cast<std::size_t>(id)] = std::current_exception();
      next = replicates;  // stop the others early
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return ensemble;
}

}  // namespace pcnsim
