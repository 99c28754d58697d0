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

std::vector<Outcome> key_outcomes(const RunResult& run) {
  std::vector<Outcome> out;
  auto add = [&](std::string name, std::string units, std::string description, double value) {
    out.push_back({std::move(name), std::move(units), std::move(description), value});
  };
  const auto formed = formation_metrics(run.world, run.membership.empty() ? run.world.network_of
                                                                          : run.membership.front().network_of);
  add("networks_formed", "networks", "networks formed in 2019", formed.at("networks"));
  add("share_networks_30k_50k", "1", "share of the 2019 networks with 30,000-50,000 patients", formed.at("share_in_30k_50k"));
  add("share_networks_under_30k", "1", "share of the 2019 networks under 30,000 patients", formed.at("share_under_30k"));
  add("networks_live_end", "networks", "networks live at the end of the run", run.world.live_networks());
  std::map<std::string, int> events;
  for (const auto& k : run.network_events.kind) ++events[k];
  add("network_exits", "practices", "practices that left the DES at a re-sign-up", events["exit"]);
  add("network_switches", "practices", "practices that switched network", events["switch"]);
  add("network_merges", "networks", "networks that merged into another", events["merge"]);
  add("network_splits", "networks", "networks split off", events["split"]);
  add("network_dissolutions", "networks", "networks dissolved", events["dissolution"]);
  for (std::size_t y = 0; y < run.finance.years.size(); ++y) {
    const int fy = run.finance.years[y];
    const std::vector<int> steps = live_steps(run, fy);
    if (steps.empty()) continue;
    std::string label = financial_year_label(fy);
    std::replace(label.begin(), label.end(), '/', '_');
    const std::string in = " in " + financial_year_label(fy);
    const int last = steps.back();
    auto mean = [&](const std::string& name) {
      double s = 0;
      for (int k : steps) s += series_value(run, name, k);
      return s / static_cast<double>(steps.size());
    };
    auto sum = [&](const std::string& name) {
      double s = 0;
      for (int k : steps) s += series_value(run, name, k);
      return s;
    };
    Pence ceiling = 0, claimed = 0;
    for (const auto& m : run.finance.arrs[y]) {
      ceiling += m.ceiling;
      claimed += m.claimed;
    }
    double cd_demand = 0, networks = 0;
    for (int k : steps) {
      for (int src = 0; src < kCdSources; ++src) cd_demand += series_value(run, std::string("cd_hours_") + kCdSourceNames[src], k);
      networks += series_value(run, "networks", k);
    }
    add("arrs_wte_" + label, "WTE", "ARRS staff in post at the end of the year" + in, series_value(run, "arrs_wte", last));
    add("arrs_unclaimed_gbp_" + label, "GBP", "ARRS ceiling left unclaimed" + in, to_gbp(ceiling - claimed));
    add("arrs_unclaimed_share_" + label, "1", "share of the ARRS ceiling left unclaimed" + in,
        ceiling > 0 ? static_cast<double>(ceiling - claimed) / static_cast<double>(ceiling) : 0.0);
    add("hours_per_gp_fte_" + label, "hours/week", "GP hours worked per GP FTE, mean week" + in, mean("hours_per_gp_fte"));
    add("cd_demand_hours_" + label, "hours/week", "clinical-director demand per network, mean week" + in,
        networks > 0 ? cd_demand / networks : 0.0);
    add("cd_resignations_" + label, "CDs", "clinical directors resigning" + in, sum("cd_resignations"));
    add("cd_unmanageable_share_" + label, "1", "share of CDs over the strain threshold at the end of the year" + in,
        series_value(run, "cd_unmanageable_share", last));
    add("networks_with_manager_" + label, "networks", "networks with a manager at the end of the year" + in,
        series_value(run, "networks_with_manager", last));
  }
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
