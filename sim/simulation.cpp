#include "pcnsim/simulation.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "models/signup.hpp"
#include "pcnsim/rng.hpp"

namespace pcnsim {

std::uint64_t replicate_seed(const Scenario& scenario, std::uint64_t replicate) {
  const auto seed = static_cast<std::uint64_t>(scenario.seed);
  return replicate == 0 ? seed : stream_seed(seed, "replicate", replicate);
}

void WeeklyArrays::start(std::size_t steps, std::size_t practice_count, int compression) {
  practices = practice_count;
  each_network_array([&](auto& a) { a.steps = steps; a.compression = compression; });
  for (auto* v : {&gp_demand_hours, &gp_supplied_hours, &arrs_hours}) {
    v->steps = steps;
    v->entities = practices;
    v->compression = compression;
  }
}

void WeeklyArrays::finish_recording() {
  each_network_array([](auto& a) { a.finish_recording(); });
  for (auto* v : {&gp_demand_hours, &gp_supplied_hours, &arrs_hours}) v->finish_recording();
}

void WeeklyArrays::grow_networks(std::size_t new_networks) {
  if (new_networks <= networks) return;
  each_network_array([&](auto& a) { a.entities = new_networks; });
  networks = new_networks;
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

struct NationalSeries {
  int signed_up, signup_share, networks, practices_in_networks, patients_in_networks, patient_coverage,
      networks_live;
  int arrs_wte, arrs_vacancies, arrs_claimed, arrs_ceiling;
  std::array<int, kRoleCount> arrs_role_wte{};
  std::array<int, kFundingLines> payments{};
  int gp_demand, gp_supplied, gp_unmet, hours_per_gp_fte, arrs_hours, gp_substituted, gp_supervision;
  std::array<int, kCdSources> cd_source{};
  int cd_funded, cd_support, cd_unmanageable, cd_resignations, cd_vacant, cd_strain, managers;
  int exits, joins, switches, merges, splits, dissolutions, conflicts;

  explicit NationalSeries(Recorder& r)
      : signed_up(r.declare("practices_signed_up", "practices", "practices that signed the Network DES")),
        signup_share(r.declare("signup_share", "1", "share of practices that signed the Network DES")),
        networks(r.declare("networks", "networks", "networks live (formed and not merged or dissolved)")),
        practices_in_networks(r.declare("practices_in_networks", "practices", "practices that are members of a network")),
        patients_in_networks(r.declare("patients_in_networks", "patients", "registered patients of member practices")),
        patient_coverage(r.declare("patient_coverage", "1",
                                   "share of all registered patients covered by a network (members and covered non-signers)")),
        networks_live(r.declare("networks_live", "1", "1 once networks are live and paid, else 0")),
        arrs_wte(r.declare("arrs_wte", "WTE", "ARRS staff in post, all roles")),
        arrs_vacancies(r.declare("arrs_vacancies", "posts", "ARRS vacancies open")),
        arrs_claimed(r.declare("arrs_claimed_gbp", "GBP/week", "ARRS reimbursement claimed this week")),
        arrs_ceiling(r.declare("arrs_ceiling_gbp", "GBP/year", "sum of networks' ARRS ceilings for the financial year")),
        gp_demand(r.declare("gp_demand_hours", "hours/week", "GP time demanded before ARRS substitution")),
        gp_supplied(r.declare("gp_supplied_hours", "hours/week", "GP time worked")),
        gp_unmet(r.declare("gp_unmet_hours", "hours/week", "GP demand left unmet (beyond the maximum hours)")),
        hours_per_gp_fte(r.declare("hours_per_gp_fte", "hours/week", "GP hours worked per GP FTE")),
        arrs_hours(r.declare("arrs_hours", "hours/week", "productive ARRS hours delivered to practices")),
        gp_substituted(r.declare("gp_hours_substituted", "hours/week", "GP hours taken over by ARRS staff")),
        gp_supervision(r.declare("gp_supervision_hours", "hours/week", "GP hours spent supervising ARRS staff")) {
    for (std::size_t role = 0; role < kRoleCount; ++role) {
      arrs_role_wte[role] = r.declare(std::string("arrs_wte_") + kArrsRoles[role], "WTE",
                                      std::string("ARRS staff in post: ") + kArrsRoles[role]);
    }
    for (int src = 0; src < kCdSources; ++src) {
      cd_source[src] = r.declare(std::string("cd_hours_") + kCdSourceNames[src], "hours/week",
                                 std::string("clinical-director demand, all networks: ") + kCdSourceNames[src]);
    }
    exits = r.declare("network_exits", "practices/week", "practices leaving their network (not signing again), 1 April");
    joins = r.declare("network_joins", "practices/week", "practices joining a network (signing again, or after a dissolution)");
    switches = r.declare("network_switches", "practices/week", "practices switching network at the re-evaluation");
    merges = r.declare("network_merges", "networks/week", "networks merging into another at the re-evaluation");
    splits = r.declare("network_splits", "networks/week", "networks splitting off at the re-evaluation");
    dissolutions = r.declare("network_dissolutions", "networks/week", "networks dissolving at the re-evaluation");
    conflicts = r.declare("network_conflicts", "conflicts/week", "conflicts in networks (counted at the re-evaluation)");
    cd_funded = r.declare("cd_funded_hours", "hours/week", "funded clinical-director hours, all networks");
    cd_support = r.declare("cd_support_hours", "hours/week", "CD demand taken by managers, commissioners and federations");
    cd_unmanageable = r.declare("cd_unmanageable_share", "1", "share of CDs in post whose strain is over the threshold");
    cd_resignations = r.declare("cd_resignations", "CDs/week", "clinical directors resigning this week");
    cd_vacant = r.declare("cd_vacant_posts", "posts", "networks without a clinical director");
    cd_strain = r.declare("cd_mean_strain", "1", "mean strain of CDs in post");
    managers = r.declare("networks_with_manager", "networks", "networks with a manager (any funding)");
    for (int line = 0; line < kFundingLines; ++line) {
      payments[line] = r.declare(std::string("payment_") + kFundingLineNames[line] + "_gbp", "GBP/week",
                                 std::string("DES payments this week: ") + kFundingLineNames[line]);
    }
  }
};

// One run, week by week, in the documented order (docs/model.md, "Data flow
// and the week"): 1. timeline events; 2. at the registration deadline sign-up
// and formation, at each later financial year the re-evaluation and the year's
// money; then the mechanisms of the week (funding, ARRS, service
// specifications, GP workload, IIF, clinical directors); 3. recording.
class Simulation {
 public:
  Simulation(const Scenario& scenario, std::uint64_t replicate, int weekly_compression)
      : sc_(scenario), seed_(replicate_seed(scenario, replicate)), tl_(scenario.timeline) {
    result_.scenario = scenario;
    result_.replicate = replicate;
    result_.calendar = Calendar(scenario.calendar.start, scenario.calendar.end);
    result_.population_report = build_population(world(), scenario.population, seed_);
    const std::size_t n = world().practices.size();
    world().signed_up.assign(n, 0);
    world().network_of.assign(n, -1);
    world().covering_network.assign(n, -1);
    result_.recorder = Recorder(cal().steps());
    series_.emplace(result_.recorder);
    result_.weekly.start(static_cast<std::size_t>(cal().steps()), n, weekly_compression);
    formation_step_ = step_of(tl_.signup_window_close);
    live_step_ = step_of(tl_.networks_live);
    for (double l : world().practices.list_size) total_patients_ += l;
    management_rng_ = make_stream(seed_, "management", 0);
    iif_rng_ = make_stream(seed_, "iif", 0);
  }

  RunResult run(const WeekObserver& observe) {
    for (int step = 0; step < cal().steps(); ++step) {
      const Date date = cal().step_start(step);
      timeline_events(step, date);                                      // 1
      if (step == formation_step_) {                                    // 2
        form_networks_at_deadline(step, date);
      } else if (funding_ && cal().starts_financial_year(step)) {
        start_financial_year(step, date);
      }
      mechanisms_of_the_week(step, date);
      record_national(step);                                            // 3
      record_arrs_and_payments(step);
      record_clinical_directors(step);
      record_gp_workload(step);
      if (observe) observe(step, world());
    }
    result_.weekly.finish_recording();
    finish();
    return std::move(result_);
  }

 private:
  World& world() { return result_.world; }
  const Calendar& cal() const { return result_.calendar; }
  int step_of(Date d) const { return cal().step_of(d).value_or(-1); }
  bool covid_on(Date date) const { return sc_.covid.enabled && date >= sc_.covid.start && date <= sc_.covid.end; }
  bool paying() const { return live_ && funding_.has_value(); }

  // 1. Timeline events of this week.
  void timeline_events(int step, Date date) {
    auto& events = result_.events;
    if (cal().starts_financial_year(step)) {
      events.push_back({step, date, "financial year " + financial_year_label(cal().financial_year(step)) + " starts"});
    }
    if (step == step_of(tl_.signup_window_open)) {
      events.push_back({step, tl_.signup_window_open, "DES sign-up window opens"});
    }
    if (step == live_step_) {
      events.push_back({step, tl_.networks_live, "networks go live"});
      live_ = true;
    }
    if (sc_.covid.enabled && step == step_of(sc_.covid.start)) {
      events.push_back({step, sc_.covid.start, "COVID-19 shock starts"});
    }
    if (sc_.covid.enabled && step == step_of(sc_.covid.end)) {
      events.push_back({step, sc_.covid.end, "COVID-19 shock ends"});
    }
  }

  // 2a. The registration deadline: practices sign, the relationship graph is
  // built, networks form; the money, workforce, managers and CDs start.
  void form_networks_at_deadline(int step, Date date) {
    result_.events.push_back({step, tl_.signup_window_close, "DES sign-up deadline: practices sign, networks form"});
    const auto t0 = std::chrono::steady_clock::now();
    decide_signup(world(), sc_.signup, sc_.funding, tl_.networks_live, seed_);
    affinity_.emplace(world().practices, sc_.relationships, seed_);
    result_.graph = build_relationship_graph(world(), sc_.relationships, *affinity_);
    neighbours_ = neighbour_lists(result_.graph);
    result_.formation_stats = form_networks(world(), result_.graph, *affinity_, sc_.formation, seed_, step);
    result_.formation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result_.network_mean_affinity = network_mean_affinity(world(), *affinity_);  // trust inside each network
    result_.membership.push_back({tl_.signup_window_close, step, world().network_of, result_.network_mean_affinity});

    funding_.emplace(world(), sc_.funding, cal());
    arrs_.emplace(world(), sc_.arrs, sc_.funding, cal(), seed_);
    funding_->start_year(date.financial_year());
    arrs_->start_year(date.financial_year());
    reinvested_.assign(world().networks.size(), 0.0);
    spare_sum_.assign(world().networks.size(), 0.0);
    decide_managers(world(), sc_.management, funding_->leadership_management_year_gbp(), management_rng_, management_);
    cds_.emplace(world(), sc_.cd_workload, result_.network_mean_affinity, seed_, step);
    result_.weekly.grow_networks(world().networks.size());
  }

  // 2b. A later financial year: the networks' re-evaluation (mechanism 9),
  // then the year's money and managers (with last year's IIF reinvestment).
  void start_financial_year(int step, Date date) {
    if (sc_.dynamics.enabled) reevaluate(step, date);
    funding_->start_year(date.financial_year());
    arrs_->start_year(date.financial_year());
    std::vector<double> management_money = funding_->leadership_management_year_gbp();
    for (std::size_t n = 0; n < management_money.size(); ++n) management_money[n] += reinvested_[n];
    decide_managers(world(), sc_.management, management_money, management_rng_, management_);
  }

  void reevaluate(int step, Date date) {
    const std::vector<int> vacant = cds_->vacant_weeks(step);
    const DynamicsInputs in{sc_.dynamics, sc_.formation, sc_.signup,
                            sc_.funding,  sc_.cd_workload.low_trust_affinity, vacant};
    Reorganisation change;
    const ReevaluationCounts counts =
        reevaluate_networks(world(), *affinity_, neighbours_, in, step, date, seed_, result_.network_events, change);
    result_.network_mean_affinity = network_mean_affinity(world(), *affinity_);
    arrs_->reorganise(change);
    cds_->reorganise(change, result_.network_mean_affinity);
    const std::size_t nets = world().networks.size();
    for (int n : change.ended) reinvested_[n] = 0.0;
    reinvested_.resize(nets, 0.0);
    spare_sum_.resize(nets, 0.0);
    result_.weekly.grow_networks(nets);
    result_.membership.push_back({date, step, world().network_of, result_.network_mean_affinity});
    Recorder& rec = result_.recorder;
    rec.set(series_->exits, step, counts.exits);
    rec.set(series_->joins, step, counts.joins);
    rec.set(series_->switches, step, counts.switches);
    rec.set(series_->merges, step, counts.merges);
    rec.set(series_->splits, step, counts.splits);
    rec.set(series_->dissolutions, step, counts.dissolutions);
    rec.set(series_->conflicts, step, counts.conflicts);
    result_.events.push_back(
        {step, date, "networks re-evaluated: " + std::to_string(world().live_networks()) + " live"});
  }

  // The mechanisms of every week once networks are live: funding (3), ARRS
  // (4), service specifications (8), GP workload (5), IIF, clinical directors (6, 7).
  void mechanisms_of_the_week(int step, Date date) {
    const bool covid = covid_on(date);
    if (paying()) {
      funding_->step(step);
      arrs_->step(step, covid ? sc_.covid.arrs_inflow_multiplier : 1.0);
      arrs_->deploy(step, arrs_staff_);
      service_spec_week(world(), sc_.service_specs, date, spec_setup_, spec_gp_);
    }
    if (sc_.gp_workload.enabled) {
      const double demand_multiplier = covid ? 1.0 + sc_.covid.extra_gp_demand_share : 1.0;
      gp_workload_week(world().practices, sc_.gp_workload, sc_.arrs, demand_multiplier, spec_gp_, arrs_staff_, gp_);
    }
    if (paying()) accrue_iif(step, date);
    if (paying() && sc_.cd_workload.enabled) clinical_director_week(step, date, covid);
  }

  // IIF: spare GP capacity accrues over the year; achievement and payment in
  // the week that ends the financial year.
  void accrue_iif(int step, Date date) {
    for (const auto& net : world().networks) {
      double supplied = 0, capacity = 0;
      for (int m : net.members) {
        supplied += sc_.gp_workload.enabled ? gp_.supplied[m] : 0.0;
        capacity += world().practices.gp_fte[m] * sc_.gp_workload.max_hours_per_fte_week;
      }
      spare_sum_[net.id] += capacity > 0 ? 1.0 - supplied / capacity : 0.0;
    }
    ++spare_weeks_;
    const int fy = date.financial_year();
    const bool year_end = step + 1 < cal().steps() ? cal().starts_financial_year(step + 1)
                                                   : date + 6 >= Date::from_ymd(fy + 1, 3, 31);
    if (!year_end) return;
    std::vector<double> spare(world().networks.size());
    for (std::size_t n = 0; n < spare.size(); ++n) spare[n] = spare_sum_[n] / spare_weeks_;
    std::vector<int> achieved;
    auto paid = iif_year_end(world(), sc_.service_specs.iif, sc_.funding, fy, spare, iif_rng_, achieved);
    if (!sc_.funding.enabled) std::fill(paid.begin(), paid.end(), 0);  // no DES money at all
    for (std::size_t n = 0; n < paid.size(); ++n) {
      funding_->pay(static_cast<int>(n), FundingLine::iif, paid[n]);
      reinvested_[n] = sc_.service_specs.iif.reinvest_share * to_gbp(paid[n]);
    }
    result_.finance.iif_achieved.push_back(std::move(achieved));
    std::fill(spare_sum_.begin(), spare_sum_.end(), 0.0);
    spare_weeks_ = 0;
  }

  // Mechanisms 6-7: the support available, then the clinical directors' week
  // from the ARRS workforce each network runs and the specifications' set-up.
  void clinical_director_week(int step, Date date, bool covid) {
    support_week(world(), sc_.management, management_, date, support_);
    const std::size_t nets = world().networks.size();
    cd_in_.arrs_vacancies.assign(nets, 0);
    cd_in_.arrs_wte.assign(nets, 0.0);
    cd_in_.hosted_employment.assign(nets, 0);
    cd_in_.other_support_hours.assign(nets, 0.0);
    for (std::size_t n = 0; n < nets; ++n) {
      for (std::size_t r = 0; r < kRoleCount; ++r) {
        cd_in_.arrs_vacancies[n] += arrs_->vacancies_by_network_role()[n * kRoleCount + r];
        cd_in_.arrs_wte[n] += arrs_->wte_by_network_role()[n * kRoleCount + r];
      }
      cd_in_.hosted_employment[n] = arrs_->employers()[n] != Employer::lead_practice ? 1 : 0;
      cd_in_.other_support_hours[n] = support_.commissioner_hours[n] + support_.federation_hours[n];
    }
    cd_in_.manager_hours = support_.manager_hours;
    cd_in_.manager_absorbs_share = sc_.management.manager_absorbs_share;
    cd_in_.spec_setup_hours = spec_setup_;
    cd_in_.covid = covid;
    cds_->step(step, date, cd_in_);
  }

  // 3. Recording: sign-up and coverage.
  void record_national(int step) {
    const Practices& p = world().practices;
    int signed_count = 0, members = 0;
    double member_patients = 0.0, covered = 0.0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      signed_count += world().signed_up[i];
      if (world().network_of[i] >= 0) {
        ++members;
        member_patients += p.list_size[i];
      }
      if (world().covering_network[i] >= 0) covered += p.list_size[i];
    }
    Recorder& rec = result_.recorder;
    rec.set(series_->signed_up, step, signed_count);
    rec.set(series_->signup_share, step, static_cast<double>(signed_count) / static_cast<double>(p.size()));
    rec.set(series_->networks, step, world().live_networks());
    rec.set(series_->practices_in_networks, step, members);
    rec.set(series_->patients_in_networks, step, member_patients);
    rec.set(series_->patient_coverage, step, covered / total_patients_);
    rec.set(series_->networks_live, step, live_ ? 1.0 : 0.0);
  }

  // 3. Recording: ARRS per network and role, claims, ceilings and DES payments.
  void record_arrs_and_payments(int step) {
    if (!funding_) return;
    WeeklyArrays& weekly = result_.weekly;
    const std::size_t nets = weekly.networks;
    const auto& w = arrs_->wte_by_network_role();
    const auto& vac = arrs_->vacancies_by_network_role();
    float* wte_row = weekly.arrs_wte.week_row(step);
    std::int32_t* vacancies_row = weekly.vacancies.week_row(step);
    float* claimed_row = weekly.arrs_claimed_gbp.week_row(step);
    float* ceiling_row = weekly.arrs_ceiling_gbp.week_row(step);
    double total_wte = 0, claimed = 0, ceiling = 0;
    int vacancies = 0;
    std::array<double, kRoleCount> role_wte{};
    std::array<double, kFundingLines> paid{};
    for (std::size_t n = 0; n < nets; ++n) {
      int net_vacancies = 0;
      for (std::size_t r = 0; r < kRoleCount; ++r) {
        const double x = w[n * kRoleCount + r];
        wte_row[n * kRoleCount + r] = static_cast<float>(x);
        role_wte[r] += x;
        total_wte += x;
        net_vacancies += vac[n * kRoleCount + r];
      }
      vacancies += net_vacancies;
      vacancies_row[n] = net_vacancies;
      const double net_claimed = live_ ? to_gbp(arrs_->claimed_this_week()[n]) : 0.0;
      claimed_row[n] = static_cast<float>(net_claimed);
      ceiling_row[n] = static_cast<float>(to_gbp(arrs_->ceiling_this_year(static_cast<int>(n))));
      claimed += net_claimed;
      ceiling += to_gbp(arrs_->ceiling_this_year(static_cast<int>(n)));
      if (live_) {
        for (int line = 0; line < kFundingLines; ++line) {
          paid[line] += to_gbp(funding_->week()[n * kFundingLines + line]);
        }
      }
    }
    Recorder& rec = result_.recorder;
    rec.set(series_->arrs_wte, step, total_wte);
    rec.set(series_->arrs_vacancies, step, vacancies);
    rec.set(series_->arrs_claimed, step, claimed);
    rec.set(series_->arrs_ceiling, step, ceiling);
    for (std::size_t r = 0; r < kRoleCount; ++r) rec.set(series_->arrs_role_wte[r], step, role_wte[r]);
    for (int line = 0; line < kFundingLines; ++line) rec.set(series_->payments[line], step, paid[line]);
  }

  // 3. Recording: clinical directors and managers per network.
  void record_clinical_directors(int step) {
    if (!cds_ || !live_) return;
    WeeklyArrays& weekly = result_.weekly;
    const std::size_t nets = weekly.networks;
    float* hours_row = weekly.cd_hours.week_row(step);
    float* funded_row = weekly.cd_funded_hours.week_row(step);
    float* support_row = weekly.cd_support_hours.week_row(step);
    float* strain_row = weekly.cd_strain.week_row(step);
    std::int32_t* in_post_row = weekly.cd_in_post.week_row(step);
    float* manager_row = weekly.manager_wte.week_row(step);
    std::array<double, kCdSources> by_source{};
    double funded = 0, supported = 0, strain = 0;
    int unmanageable = 0, in_post = 0, with_manager = 0;
    const ClinicalDirectors& cds = *cds_;
    for (std::size_t n = 0; n < nets; ++n) {
      for (int src = 0; src < kCdSources; ++src) {
        const double h = cds.hours_by_source()[n * kCdSources + src];
        by_source[src] += h;
        hours_row[n * kCdSources + src] = static_cast<float>(h);
      }
      funded += cds.funded_hours()[n];
      supported += cds.support_used()[n];
      funded_row[n] = static_cast<float>(cds.funded_hours()[n]);
      support_row[n] = static_cast<float>(cds.support_used()[n]);
      strain_row[n] = static_cast<float>(cds.strain()[n]);
      in_post_row[n] = cds.in_post()[n];
      manager_row[n] = static_cast<float>(management_.manager_wte.empty() ? 0.0 : management_.manager_wte[n]);
      with_manager += !management_.manager_wte.empty() && management_.manager_wte[n] > 0 ? 1 : 0;
      if (cds.in_post()[n]) {
        ++in_post;
        strain += cds.strain()[n];
        unmanageable += cds.strain()[n] > sc_.cd_workload.unmanageable_strain ? 1 : 0;
      }
    }
    Recorder& rec = result_.recorder;
    for (int src = 0; src < kCdSources; ++src) rec.set(series_->cd_source[src], step, by_source[src]);
    rec.set(series_->cd_funded, step, funded);
    rec.set(series_->cd_support, step, supported);
    rec.set(series_->cd_unmanageable, step, in_post > 0 ? static_cast<double>(unmanageable) / in_post : 0.0);
    rec.set(series_->cd_resignations, step, cds.resignations_this_week());
    rec.set(series_->cd_vacant, step, world().live_networks() - in_post);
    rec.set(series_->cd_strain, step, in_post > 0 ? strain / in_post : 0.0);
    rec.set(series_->managers, step, with_manager);
  }

  // 3. Recording: GP workload per practice and nationally.
  void record_gp_workload(int step) {
    if (!sc_.gp_workload.enabled) return;
    WeeklyArrays& weekly = result_.weekly;
    double demand = 0, supplied = 0, unmet = 0, arrs_hours = 0, substituted = 0, supervision = 0, fte = 0;
    float* demand_row = weekly.gp_demand_hours.week_row(step);
    float* supplied_row = weekly.gp_supplied_hours.week_row(step);
    float* arrs_row = weekly.arrs_hours.week_row(step);
    for (std::size_t i = 0; i < world().practices.size(); ++i) {
      demand += gp_.demand[i];
      supplied += gp_.supplied[i];
      unmet += gp_.unmet[i];
      arrs_hours += gp_.arrs_hours[i];
      substituted += gp_.substituted[i];
      supervision += gp_.supervision[i];
      fte += world().practices.gp_fte[i];
      demand_row[i] = static_cast<float>(gp_.demand[i]);
      supplied_row[i] = static_cast<float>(gp_.supplied[i]);
      arrs_row[i] = static_cast<float>(gp_.arrs_hours[i]);
    }
    Recorder& rec = result_.recorder;
    rec.set(series_->gp_demand, step, demand);
    rec.set(series_->gp_supplied, step, supplied);
    rec.set(series_->gp_unmet, step, unmet);
    rec.set(series_->hours_per_gp_fte, step, fte > 0 ? supplied / fte : 0.0);
    rec.set(series_->arrs_hours, step, arrs_hours);
    rec.set(series_->gp_substituted, step, substituted);
    rec.set(series_->gp_supervision, step, supervision);
  }

  // After the last week: the yearly money and the tables of staff and CDs.
  void finish() {
    if (!funding_) return;
    FinanceRecord& finance = result_.finance;
    finance.years = arrs_->years();
    finance.arrs = arrs_->money();
    finance.lines = funding_->year_totals();
    // A financial year cut off by the horizon has no IIF outcome yet (-1);
    // years before a network split off have no row for it (zero money, -1).
    const std::size_t nets = world().networks.size();
    while (finance.iif_achieved.size() < finance.years.size()) finance.iif_achieved.emplace_back(nets, -1);
    for (auto& year : finance.iif_achieved) year.resize(nets, -1);
    for (auto& year : finance.arrs) year.resize(nets);
    for (auto& year : finance.lines) year.resize(nets * kFundingLines, 0);
    for (auto e : arrs_->employers()) result_.employers.push_back(to_string(e));
    result_.arrs_staff = arrs_->staff();
    result_.clinical_directors = cds_->records();
    result_.arrs_hires = arrs_->hires();
  }

  const Scenario& sc_;
  const std::uint64_t seed_;
  const TimelineParams& tl_;
  RunResult result_;
  std::optional<NationalSeries> series_;
  int formation_step_ = -1, live_step_ = -1;
  double total_patients_ = 0.0;
  bool live_ = false;
  std::optional<Affinity> affinity_;
  std::vector<std::vector<int>> neighbours_;
  std::optional<FundingFlows> funding_;
  std::optional<ArrsWorkforce> arrs_;
  std::optional<ClinicalDirectors> cds_;
  ManagementState management_;
  Engine management_rng_;
  Engine iif_rng_;
  SupportWeek support_;
  std::vector<double> spec_setup_, spec_gp_;
  CdInputs cd_in_;
  std::vector<double> spare_sum_;   // per network: spare GP capacity share summed over the year's live weeks
  int spare_weeks_ = 0;
  std::vector<double> reinvested_;  // per network: IIF money reinvested in management this year
  Deployment arrs_staff_;           // nothing deployed until networks are live
  GpWeek gp_;
};

}  // namespace

RunResult run_simulation(const Scenario& scenario, std::uint64_t replicate, const WeekObserver& observe,
                         int weekly_compression) {
  return Simulation(scenario, replicate, weekly_compression).run(observe);
}

}  // namespace pcnsim
