#include "pcnsim/simulation.hpp"

#include <chrono>

#include "models/signup.hpp"
#include "pcnsim/rng.hpp"

namespace pcnsim {

std::uint64_t replicate_seed(const Scenario& scenario, std::uint64_t replicate) {
  const auto seed = static_cast<std::uint64_t>(scenario.seed);
  return replicate == 0 ? seed : stream_seed(seed, "replicate", replicate);
}

namespace {

struct NationalSeries {
  int signed_up, signup_share, networks, practices_in_networks, patients_in_networks, patient_coverage,
      networks_live;

  explicit NationalSeries(Recorder& r)
      : signed_up(r.declare("practices_signed_up", "practices", "practices that signed the Network DES")),
        signup_share(r.declare("signup_share", "1", "share of practices that signed the Network DES")),
        networks(r.declare("networks", "networks", "networks in existence")),
        practices_in_networks(r.declare("practices_in_networks", "practices", "practices that are members of a network")),
        patients_in_networks(r.declare("patients_in_networks", "patients", "registered patients of member practices")),
        patient_coverage(r.declare("patient_coverage", "1",
                                   "share of all registered patients covered by a network (members and covered non-signers)")),
        networks_live(r.declare("networks_live", "1", "1 once networks are live and paid, else 0")) {}
};

}  // namespace

RunResult run_simulation(const Scenario& scenario, std::uint64_t replicate) {
  RunResult result;
  result.scenario = scenario;
  result.replicate = replicate;
  result.calendar = Calendar(scenario.calendar.start, scenario.calendar.end);
  const Calendar& cal = result.calendar;
  const std::uint64_t seed = replicate_seed(scenario, replicate);
  World& world = result.world;

  result.population_report = build_population(world, scenario.population, seed);
  world.signed_up.assign(world.practices.size(), 0);
  world.network_of.assign(world.practices.size(), -1);
  world.covering_network.assign(world.practices.size(), -1);

  result.recorder = Recorder(cal.steps());
  Recorder& rec = result.recorder;
  const NationalSeries series(rec);

  const auto& tl = scenario.timeline;
  auto step_of = [&](Date d) { return cal.step_of(d).value_or(-1); };
  const int formation_step = step_of(tl.signup_window_close);
  const int live_step = step_of(tl.networks_live);
  double total_patients = 0.0;
  for (double l : world.practices.list_size) total_patients += l;

  bool live = false;
  for (int step = 0; step < cal.steps(); ++step) {
    // 1. Timeline events of this week.
    if (cal.starts_financial_year(step)) {
      result.events.push_back({step, cal.step_start(step),
                               "financial year " + financial_year_label(cal.financial_year(step)) + " starts"});
    }
    if (step == step_of(tl.signup_window_open)) result.events.push_back({step, tl.signup_window_open, "DES sign-up window opens"});
    if (step == live_step) {
      result.events.push_back({step, tl.networks_live, "networks go live"});
      live = true;
    }
    // 2. Mechanisms. Sign-up and formation happen at the registration deadline.
    if (step == formation_step) {
      result.events.push_back({step, tl.signup_window_close, "DES sign-up deadline: practices sign, networks form"});
      const auto t0 = std::chrono::steady_clock::now();
      decide_signup(world, scenario.signup, scenario.funding, tl.networks_live, seed);
      const Affinity affinity(world.practices, scenario.relationships, seed);
      result.graph = build_relationship_graph(world, scenario.relationships, affinity);
      result.formation_stats = form_networks(world, result.graph, affinity, scenario.formation, seed, step);
      result.formation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      result.membership.push_back({tl.signup_window_close, world.network_of});
    }
    // 3. Recording.
    int signed_count = 0, members = 0;
    double member_patients = 0.0, covered = 0.0;
    for (std::size_t i = 0; i < world.practices.size(); ++i) {
      signed_count += world.signed_up[i];
      if (world.network_of[i] >= 0) {
        ++members;
        member_patients += world.practices.list_size[i];
      }
      if (world.covering_network[i] >= 0) covered += world.practices.list_size[i];
    }
    rec.set(series.signed_up, step, signed_count);
    rec.set(series.signup_share, step, static_cast<double>(signed_count) / static_cast<double>(world.practices.size()));
    rec.set(series.networks, step, static_cast<double>(world.networks.size()));
    rec.set(series.practices_in_networks, step, members);
    rec.set(series.patients_in_networks, step, member_patients);
    rec.set(series.patient_coverage, step, covered / total_patients);
    rec.set(series.networks_live, step, live ? 1.0 : 0.0);
  }
  return result;
}

}  // namespace pcnsim
