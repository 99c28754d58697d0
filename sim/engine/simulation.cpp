#include "pcnsim/engine/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "models/signup.hpp"
#include "pcnsim/kernel/rng.hpp"

namespace pcnsim {

std::uint64_t replicate_seed(const Scenario& scenario, std::uint64_t replicate) {
  const auto seed = static_cast<std::uint64_t>(scenario.seed);
  // In the scenario's seed range, so that `pcnsim run --seed S` reruns replicate r alone.
  const auto seeds = static_cast<std::uint64_t>(kMaxSeed) + 1;
  return replicate == 0 ? seed : stream_seed(seed, "replicate", replicate) % seeds;
}

void WeeklyArrays::start(const std::vector<WeeklyOutput>& outputs, std::size_t steps, std::size_t practice_count,
                         int compression) {
  practices = practice_count;
  arrays.clear();
  if (compression > 0) compressor = std::make_unique<BackgroundWorker>();
  for (const WeeklyOutput& out : outputs) {
    WeeklyArray a{&out, WeeklyStore<float>(out.width), WeeklyStore<std::int32_t>(out.width)};
    const std::size_t entities = out.entity == WeeklyOutput::Entity::practice ? practices : 0;
    a.floats.steps = a.ints.steps = steps;
    a.floats.entities = a.ints.entities = entities;
    a.floats.compression = a.ints.compression = compression;
    a.floats.worker = a.ints.worker = compressor.get();
    arrays.push_back(std::move(a));
  }
}

void WeeklyArrays::finish_recording() {
  for (WeeklyArray& a : arrays) {
    a.floats.finish_recording();
    a.ints.finish_recording();
  }
}

void WeeklyArrays::grow_networks(std::size_t new_networks) {
  if (new_networks <= networks) return;
  for (WeeklyArray& a : arrays) {
    if (a.output->entity != WeeklyOutput::Entity::network) continue;
    a.floats.entities = new_networks;
    a.ints.entities = new_networks;
  }
  networks = new_networks;
}

void WeeklyArrays::record(const ModelState& state, int step) {
  for (WeeklyArray& a : arrays) {
    const WeeklyOutput& out = *a.output;
    // No networks (nobody signed up) means no row to record, not an error.
    if (!out.when(state) || a.floats.entities * a.floats.width == 0) continue;
    if (out.info.dtype == Dtype::int32) {
      out.fill_int(state, a.ints.week_row(step));
    } else {
      out.fill_float(state, a.floats.week_row(step));
    }
  }
}

const WeeklyArray& WeeklyArrays::array(std::string_view path, Dtype dtype) const {
  for (const WeeklyArray& a : arrays) {
    if (a.output->info.path == path && a.output->info.dtype == dtype) return a;
  }
  throw std::logic_error("no weekly output " + std::string(path) + " of type " + to_string(dtype));
}

const WeeklyStore<float>& WeeklyArrays::floats(std::string_view path) const { return array(path, Dtype::float32).floats; }
const WeeklyStore<std::int32_t>& WeeklyArrays::ints(std::string_view path) const {
  return array(path, Dtype::int32).ints;
}

std::size_t membership_row(const RunResult& run, int step) {
  std::size_t row = 0;
  for (std::size_t r = 0; r < run.membership.size(); ++r) {
    if (run.membership[r].step <= step) row = r;
  }
  return row;
}

World world_at(const RunResult& run, std::size_t row) {
  World w = run.world;
  for (auto& net : w.networks) net.members.clear();
  w.network_of = run.membership.at(row).network_of;
  w.practices.list_size = run.membership[row].list_size;
  w.practices.needs_index = run.membership[row].needs_index;
  w.practices.care_home_beds = run.membership[row].care_home_beds;
  for (std::size_t i = 0; i < w.network_of.size(); ++i) {
    if (w.network_of[i] >= 0) w.networks[w.network_of[i]].members.push_back(static_cast<int>(i));
  }
  const int step = run.membership[row].step;
  for (auto& net : w.networks) {
    // Live in that year: formed by then and not yet ended.
    const bool existed = net.formed_step <= step && (net.ended_step < 0 || net.ended_step > step);
    net.ended_step = existed ? -1 : std::max(net.ended_step, step);
  }
  return w;
}

namespace {

// One run, week by week, in the documented order (simulation.hpp): the
// engine keeps the calendar and the timeline, calls each phase of each
// mechanism (models/model.hpp) in order and records what they declare.
class Simulation {
 public:
  Simulation(const Scenario& scenario, std::uint64_t replicate, int weekly_compression)
      : sc_(scenario),
        tl_(scenario.timeline),
        state_(scenario, replicate_seed(scenario, replicate), Calendar(scenario.calendar.start, scenario.calendar.end)),
        outputs_(model_outputs()) {
    result_.scenario = scenario;
    result_.replicate = replicate;
    result_.calendar = state_.calendar;
    phase(&Mechanism::setup);
    result_.recorder = Recorder(cal().steps());
    for (const SeriesOutput& s : outputs_.series) {
      result_.recorder.declare(s.info.path.substr(std::string("/series/").size()), s.info.units, s.info.description);
    }
    result_.weekly.start(outputs_.weekly, static_cast<std::size_t>(cal().steps()), state_.world.practices.size(),
                         weekly_compression);
    deadline_step_ = step_of(tl_.signup_window_close);
    live_step_ = step_of(tl_.networks_live);
  }

  RunResult run(const WeekObserver& observe) {
    for (int step = 0; step < cal().steps(); ++step) {
      start_week(step);                                                 // 1
      if (step == deadline_step_) {                                     // 2
        deadline();
      } else if (state_.funding && cal().starts_financial_year(step)) {
        year_start();
      }
      phase(&Mechanism::each_week);                                     // 3
      record(step);                                                     // 4
      if (observe) observe(step, state_.world);
    }
    result_.weekly.finish_recording();
    return finish();
  }

 private:
  const Calendar& cal() const { return state_.calendar; }
  int step_of(Date d) const { return cal().step_of(d).value_or(-1); }

  void phase(std::function<void(ModelState&)> Mechanism::*which) {
    for (const Mechanism& m : mechanisms()) {
      if (m.*which) (m.*which)(state_);
    }
  }

  // 1. The week's date and the timeline events dated in it.
  void start_week(int step) {
    const Date date = cal().step_start(step);
    state_.step = step;
    state_.date = date;
    state_.covid = sc_.covid.enabled && date >= sc_.covid.start && date <= sc_.covid.end;
    auto& events = state_.events;
    if (cal().starts_financial_year(step)) {
      events.push_back({step, date, "financial year " + financial_year_label(cal().financial_year(step)) + " starts"});
    }
    if (step == step_of(tl_.signup_window_open)) {
      events.push_back({step, tl_.signup_window_open, "DES sign-up window opens"});
    }
    if (step == live_step_) {
      events.push_back({step, tl_.networks_live, "networks go live"});
      state_.live = true;
    }
    if (sc_.covid.enabled && step == step_of(sc_.covid.start)) {
      events.push_back({step, sc_.covid.start, "COVID-19 shock starts"});
    }
    if (sc_.covid.enabled && step == step_of(sc_.covid.end)) {
      events.push_back({step, sc_.covid.end, "COVID-19 shock ends"});
    }
  }

  // 2a. The registration deadline: practices sign, networks form, the money,
  // workforce, managers and clinical directors start.
  void deadline() {
    state_.events.push_back({state_.step, tl_.signup_window_close, "DES sign-up deadline: practices sign, networks form"});
    const auto t0 = std::chrono::steady_clock::now();
    phase(&Mechanism::at_deadline);
    result_.formation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result_.weekly.grow_networks(state_.world.networks.size());
  }

  // 2b. A later financial year: the re-evaluation (when dynamics is on), then the year's money and managers.
  void year_start() {
    if (sc_.dynamics.enabled) {
      phase(&Mechanism::at_reevaluation);
      result_.weekly.grow_networks(state_.world.networks.size());
    }
    phase(&Mechanism::at_year_start);
  }

  // 4. Every declared output: national series and weekly arrays.
  void record(int step) {
    for (std::size_t k = 0; k < outputs_.series.size(); ++k) {
      const SeriesOutput& s = outputs_.series[k];
      if (s.when(state_)) result_.recorder.set(static_cast<int>(k), step, s.value(state_));
    }
    result_.weekly.record(state_, step);
  }

  // After the last week: the run's records and the yearly money.
  RunResult finish() {
    ModelState& s = state_;
    result_.population_report = std::move(s.population_report);
    result_.graph = std::move(s.graph);
    result_.formation_stats = std::move(s.formation_stats);
    result_.membership = std::move(s.membership);
    result_.events = std::move(s.events);
    result_.network_events = std::move(s.network_events);
    result_.practice_events = std::move(s.practice_events);
    result_.network_mean_affinity = std::move(s.network_mean_affinity);
    if (s.funding) finish_money();
    result_.world = std::move(s.world);
    return std::move(result_);
  }

  void finish_money() {
    ModelState& s = state_;
    FinanceRecord& finance = result_.finance;
    finance.years = s.arrs->years();
    finance.arrs = s.arrs->money();
    finance.lines = s.funding->year_totals();
    finance.iif_achieved = std::move(s.iif.achieved);
    // A financial year cut off by the horizon has no IIF outcome yet (-1);
    // years before a network split off have no row for it (zero money, -1).
    const std::size_t nets = s.world.networks.size();
    while (finance.iif_achieved.size() < finance.years.size()) finance.iif_achieved.emplace_back(nets, -1);
    for (auto& year : finance.iif_achieved) year.resize(nets, -1);
    for (auto& year : finance.arrs) year.resize(nets);
    for (auto& year : finance.lines) year.resize(nets * kFundingLines, 0);
    for (auto e : s.arrs->employers()) result_.employers.push_back(to_string(e));
    result_.arrs_staff = s.arrs->staff();
    result_.clinical_directors = s.cds->records();
    result_.arrs_hires = s.arrs->hires();
  }

  const Scenario& sc_;
  const TimelineParams& tl_;
  ModelState state_;
  const ModelOutputs& outputs_;
  RunResult result_;
  int deadline_step_ = -1, live_step_ = -1;
};

}  // namespace

RunResult run_simulation(const Scenario& scenario, std::uint64_t replicate, const WeekObserver& observe,
                         int weekly_compression) {
  return Simulation(scenario, replicate, weekly_compression).run(observe);
}

}  // namespace pcnsim
