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

void WeeklyArrays::start(std::size_t steps, std::size_t practice_count) {
  practices = practice_count;
  each_network_array([&](auto& a) { a.steps = steps; });
  // Reserved, not filled: pages are touched once, when a week is recorded.
  for (auto* v : {&gp_demand_hours, &gp_supplied_hours, &arrs_hours}) v->reserve(steps * practices);
}

void WeeklyArrays::grow_networks(std::size_t new_networks) {
  if (new_networks <= networks) return;
  each_network_array([&](auto& a) { a.networks = new_networks; });
  networks = new_networks;
}

void WeeklyArrays::finish() {
  const std::size_t steps = arrs_wte.steps;
  for (auto* v : {&gp_demand_hours, &gp_supplied_hours, &arrs_hours}) v->resize(steps * practices, 0.0f);
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

}  // namespace

RunResult run_simulation(const Scenario& scenario, std::uint64_t replicate, const WeekObserver& observe) {
  RunResult result;
  result.scenario = scenario;
  result.replicate = replicate;
  result.calendar = Calendar(scenario.calendar.start, scenario.calendar.end);
  const Calendar& cal = result.calendar;
  const std::uint64_t seed = replicate_seed(scenario, replicate);
  World& world = result.world;

  result.population_report = build_population(world, scenario.population, seed);
  const std::size_t n_practices = world.practices.size();
  world.signed_up.assign(n_practices, 0);
  world.network_of.assign(n_practices, -1);
  world.covering_network.assign(n_practices, -1);

  result.recorder = Recorder(cal.steps());
  Recorder& rec = result.recorder;
  const NationalSeries series(rec);
  WeeklyArrays& weekly = result.weekly;
  const auto steps = static_cast<std::size_t>(cal.steps());
  weekly.start(steps, n_practices);

  const auto& tl = scenario.timeline;
  auto step_of = [&](Date d) { return cal.step_of(d).value_or(-1); };
  const int formation_step = step_of(tl.signup_window_close);
  const int live_step = step_of(tl.networks_live);
  double total_patients = 0.0;
  for (double l : world.practices.list_size) total_patients += l;

  std::optional<Affinity> affinity;
  std::vector<std::vector<int>> neighbours;
  std::optional<FundingFlows> funding;
  std::optional<ArrsWorkforce> arrs;
  std::optional<ClinicalDirectors> cds;
  ManagementState management;
  Engine management_rng = make_stream(seed, "management", 0);
  SupportWeek support;
  std::vector<double> spec_setup, spec_gp;
  CdInputs cd_in;
  Engine iif_rng = make_stream(seed, "iif", 0);
  std::vector<double> spare_sum;   // per network: spare GP capacity share summed over the year's live weeks
  int spare_weeks = 0;
  std::vector<double> reinvested;  // per network: IIF money reinvested in management this year
  Deployment arrs_staff;  // nothing deployed until networks are live
  GpWeek gp;
  bool live = false;
  for (int step = 0; step < cal.steps(); ++step) {
    const Date date = cal.step_start(step);
    // 1. Timeline events of this week.
    if (cal.starts_financial_year(step)) {
      result.events.push_back({step, date, "financial year " + financial_year_label(cal.financial_year(step)) + " starts"});
    }
    if (step == step_of(tl.signup_window_open)) result.events.push_back({step, tl.signup_window_open, "DES sign-up window opens"});
    if (step == live_step) {
      result.events.push_back({step, tl.networks_live, "networks go live"});
      live = true;
    }
    if (scenario.covid.enabled && step == step_of(scenario.covid.start)) {
      result.events.push_back({step, scenario.covid.start, "COVID-19 shock starts"});
    }
    if (scenario.covid.enabled && step == step_of(scenario.covid.end)) {
      result.events.push_back({step, scenario.covid.end, "COVID-19 shock ends"});
    }
    // 2. Mechanisms. Sign-up and formation happen at the registration deadline.
    if (step == formation_step) {
      result.events.push_back({step, tl.signup_window_close, "DES sign-up deadline: practices sign, networks form"});
      const auto t0 = std::chrono::steady_clock::now();
      decide_signup(world, scenario.signup, scenario.funding, tl.networks_live, seed);
      affinity.emplace(world.practices, scenario.relationships, seed);
      result.graph = build_relationship_graph(world, scenario.relationships, *affinity);
      neighbours = neighbour_lists(result.graph);
      result.formation_stats = form_networks(world, result.graph, *affinity, scenario.formation, seed, step);
      result.formation_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      result.network_mean_affinity = network_mean_affinity(world, *affinity);  // trust inside each network
      result.membership.push_back({tl.signup_window_close, step, world.network_of, result.network_mean_affinity});

      funding.emplace(world, scenario.funding, cal);
      arrs.emplace(world, scenario.arrs, scenario.funding, cal, seed);
      funding->start_year(date.financial_year());
      arrs->start_year(date.financial_year());
      reinvested.assign(world.networks.size(), 0.0);
      spare_sum.assign(world.networks.size(), 0.0);
      decide_managers(world, scenario.management, funding->leadership_management_year_gbp(), management_rng, management);
      cds.emplace(world, scenario.cd_workload, result.network_mean_affinity, seed, step);
      weekly.grow_networks(world.networks.size());
    } else if (funding && cal.starts_financial_year(step)) {
      if (scenario.dynamics.enabled) {
        const std::vector<int> vacant = cds->vacant_weeks(step);
        const DynamicsInputs in{scenario.dynamics, scenario.formation, scenario.signup, scenario.funding,
                                scenario.cd_workload.low_trust_affinity, vacant};
        Reorganisation change;
        const ReevaluationCounts counts =
            reevaluate_networks(world, *affinity, neighbours, in, step, date, seed, result.network_events, change);
        result.network_mean_affinity = network_mean_affinity(world, *affinity);
        arrs->reorganise(change);
        cds->reorganise(change, result.network_mean_affinity);
        const std::size_t nets = world.networks.size();
        for (int n : change.ended) reinvested[n] = 0.0;
        reinvested.resize(nets, 0.0);
        spare_sum.resize(nets, 0.0);
        weekly.grow_networks(nets);
        result.membership.push_back({date, step, world.network_of, result.network_mean_affinity});
        rec.set(series.exits, step, counts.exits);
        rec.set(series.joins, step, counts.joins);
        rec.set(series.switches, step, counts.switches);
        rec.set(series.merges, step, counts.merges);
        rec.set(series.splits, step, counts.splits);
        rec.set(series.dissolutions, step, counts.dissolutions);
        rec.set(series.conflicts, step, counts.conflicts);
        result.events.push_back({step, date, "networks re-evaluated: " + std::to_string(world.live_networks()) + " live"});
      }
      funding->start_year(date.financial_year());
      arrs->start_year(date.financial_year());
      std::vector<double> management_money = funding->leadership_management_year_gbp();
      for (std::size_t n = 0; n < management_money.size(); ++n) management_money[n] += reinvested[n];
      decide_managers(world, scenario.management, management_money, management_rng, management);
    }
    const bool covid = scenario.covid.enabled && date >= scenario.covid.start && date <= scenario.covid.end;
    if (live && funding) {
      funding->step(step);
      arrs->step(step, covid ? scenario.covid.arrs_inflow_multiplier : 1.0);
      arrs->deploy(step, arrs_staff);
    }
    const double demand_multiplier = covid ? 1.0 + scenario.covid.extra_gp_demand_share : 1.0;
    if (live && funding) service_spec_week(world, scenario.service_specs, date, spec_setup, spec_gp);
    if (scenario.gp_workload.enabled) {
      gp_workload_week(world.practices, scenario.gp_workload, scenario.arrs, demand_multiplier, spec_gp, arrs_staff, gp);
    }
    // IIF: spare GP capacity accrues over the year; achievement and payment in
    // the week that ends the financial year.
    if (live && funding) {
      for (const auto& net : world.networks) {
        double supplied = 0, capacity = 0;
        for (int m : net.members) {
          supplied += scenario.gp_workload.enabled ? gp.supplied[m] : 0.0;
          capacity += world.practices.gp_fte[m] * scenario.gp_workload.max_hours_per_fte_week;
        }
        spare_sum[net.id] += capacity > 0 ? 1.0 - supplied / capacity : 0.0;
      }
      ++spare_weeks;
      const int fy = date.financial_year();
      const bool year_end = step + 1 < cal.steps() ? cal.starts_financial_year(step + 1)
                                                   : date + 6 >= Date::from_ymd(fy + 1, 3, 31);
      if (year_end) {
        std::vector<double> spare(world.networks.size());
        for (std::size_t n = 0; n < spare.size(); ++n) spare[n] = spare_sum[n] / spare_weeks;
        std::vector<int> achieved;
        auto paid = iif_year_end(world, scenario.service_specs.iif, scenario.funding, fy, spare, iif_rng, achieved);
        if (!scenario.funding.enabled) std::fill(paid.begin(), paid.end(), 0);  // no DES money at all
        for (std::size_t n = 0; n < paid.size(); ++n) {
          funding->pay(static_cast<int>(n), FundingLine::iif, paid[n]);
          reinvested[n] = scenario.service_specs.iif.reinvest_share * to_gbp(paid[n]);
        }
        result.finance.iif_achieved.push_back(std::move(achieved));
        std::fill(spare_sum.begin(), spare_sum.end(), 0.0);
        spare_weeks = 0;
      }
    }
    if (live && funding && scenario.cd_workload.enabled) {
      support_week(world, scenario.management, management, date, support);
      const std::size_t nets = world.networks.size();
      cd_in.arrs_vacancies.assign(nets, 0);
      cd_in.arrs_wte.assign(nets, 0.0);
      cd_in.hosted_employment.assign(nets, 0);
      cd_in.other_support_hours.assign(nets, 0.0);
      for (std::size_t n = 0; n < nets; ++n) {
        for (std::size_t r = 0; r < kRoleCount; ++r) {
          cd_in.arrs_vacancies[n] += arrs->vacancies_by_network_role()[n * kRoleCount + r];
          cd_in.arrs_wte[n] += arrs->wte_by_network_role()[n * kRoleCount + r];
        }
        cd_in.hosted_employment[n] = arrs->employers()[n] != Employer::lead_practice ? 1 : 0;
        cd_in.other_support_hours[n] = support.commissioner_hours[n] + support.federation_hours[n];
      }
      cd_in.manager_hours = support.manager_hours;
      cd_in.manager_absorbs_share = scenario.management.manager_absorbs_share;
      cd_in.spec_setup_hours = spec_setup;
      cd_in.covid = covid;
      cds->step(step, date, cd_in);
    }

    // 3. Recording.
    int signed_count = 0, members = 0;
    double member_patients = 0.0, covered = 0.0;
    for (std::size_t i = 0; i < n_practices; ++i) {
      signed_count += world.signed_up[i];
      if (world.network_of[i] >= 0) {
        ++members;
        member_patients += world.practices.list_size[i];
      }
      if (world.covering_network[i] >= 0) covered += world.practices.list_size[i];
    }
    rec.set(series.signed_up, step, signed_count);
    rec.set(series.signup_share, step, static_cast<double>(signed_count) / static_cast<double>(n_practices));
    rec.set(series.networks, step, world.live_networks());
    rec.set(series.practices_in_networks, step, members);
    rec.set(series.patients_in_networks, step, member_patients);
    rec.set(series.patient_coverage, step, covered / total_patients);
    rec.set(series.networks_live, step, live ? 1.0 : 0.0);

    if (funding) {
      const std::size_t nets = weekly.networks;
      const auto& w = arrs->wte_by_network_role();
      const auto& vac = arrs->vacancies_by_network_role();
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
        const double net_claimed = live ? to_gbp(arrs->claimed_this_week()[n]) : 0.0;
        claimed_row[n] = static_cast<float>(net_claimed);
        ceiling_row[n] = static_cast<float>(to_gbp(arrs->ceiling_this_year(static_cast<int>(n))));
        claimed += net_claimed;
        ceiling += to_gbp(arrs->ceiling_this_year(static_cast<int>(n)));
        if (live) {
          for (int line = 0; line < kFundingLines; ++line) paid[line] += to_gbp(funding->week()[n * kFundingLines + line]);
        }
      }
      rec.set(series.arrs_wte, step, total_wte);
      rec.set(series.arrs_vacancies, step, vacancies);
      rec.set(series.arrs_claimed, step, claimed);
      rec.set(series.arrs_ceiling, step, ceiling);
      for (std::size_t r = 0; r < kRoleCount; ++r) rec.set(series.arrs_role_wte[r], step, role_wte[r]);
      for (int line = 0; line < kFundingLines; ++line) rec.set(series.payments[line], step, paid[line]);
    }
    if (cds && live) {
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
      for (std::size_t n = 0; n < nets; ++n) {
        for (int src = 0; src < kCdSources; ++src) {
          const double h = cds->hours_by_source()[n * kCdSources + src];
          by_source[src] += h;
          hours_row[n * kCdSources + src] = static_cast<float>(h);
        }
        funded += cds->funded_hours()[n];
        supported += cds->support_used()[n];
        funded_row[n] = static_cast<float>(cds->funded_hours()[n]);
        support_row[n] = static_cast<float>(cds->support_used()[n]);
        strain_row[n] = static_cast<float>(cds->strain()[n]);
        in_post_row[n] = cds->in_post()[n];
        manager_row[n] = static_cast<float>(management.manager_wte.empty() ? 0.0 : management.manager_wte[n]);
        with_manager += !management.manager_wte.empty() && management.manager_wte[n] > 0 ? 1 : 0;
        if (cds->in_post()[n]) {
          ++in_post;
          strain += cds->strain()[n];
          unmanageable += cds->strain()[n] > scenario.cd_workload.unmanageable_strain ? 1 : 0;
        }
      }
      for (int src = 0; src < kCdSources; ++src) rec.set(series.cd_source[src], step, by_source[src]);
      rec.set(series.cd_funded, step, funded);
      rec.set(series.cd_support, step, supported);
      rec.set(series.cd_unmanageable, step, in_post > 0 ? static_cast<double>(unmanageable) / in_post : 0.0);
      rec.set(series.cd_resignations, step, cds->resignations_this_week());
      rec.set(series.cd_vacant, step, world.live_networks() - in_post);
      rec.set(series.cd_strain, step, in_post > 0 ? strain / in_post : 0.0);
      rec.set(series.managers, step, with_manager);
    }
    if (scenario.gp_workload.enabled) {
      double demand = 0, supplied = 0, unmet = 0, arrs_hours = 0, substituted = 0, supervision = 0, fte = 0;
      for (std::size_t i = 0; i < n_practices; ++i) {
        demand += gp.demand[i];
        supplied += gp.supplied[i];
        unmet += gp.unmet[i];
        arrs_hours += gp.arrs_hours[i];
        substituted += gp.substituted[i];
        supervision += gp.supervision[i];
        fte += world.practices.gp_fte[i];
        weekly.gp_demand_hours.push_back(static_cast<float>(gp.demand[i]));
        weekly.gp_supplied_hours.push_back(static_cast<float>(gp.supplied[i]));
        weekly.arrs_hours.push_back(static_cast<float>(gp.arrs_hours[i]));
      }
      rec.set(series.gp_demand, step, demand);
      rec.set(series.gp_supplied, step, supplied);
      rec.set(series.gp_unmet, step, unmet);
      rec.set(series.hours_per_gp_fte, step, fte > 0 ? supplied / fte : 0.0);
      rec.set(series.arrs_hours, step, arrs_hours);
      rec.set(series.gp_substituted, step, substituted);
      rec.set(series.gp_supervision, step, supervision);
    }
    if (observe) observe(step, world);
  }
  weekly.finish();
  if (funding) {
    result.finance.years = arrs->years();
    result.finance.arrs = arrs->money();
    result.finance.lines = funding->year_totals();
    // A financial year cut off by the horizon has no IIF outcome yet (-1);
    // years before a network split off have no row for it (zero money, -1).
    const std::size_t nets = world.networks.size();
    while (result.finance.iif_achieved.size() < result.finance.years.size()) {
      result.finance.iif_achieved.emplace_back(nets, -1);
    }
    for (auto& year : result.finance.iif_achieved) year.resize(nets, -1);
    for (auto& year : result.finance.arrs) year.resize(nets);
    for (auto& year : result.finance.lines) year.resize(nets * kFundingLines, 0);
    for (auto e : arrs->employers()) result.employers.push_back(to_string(e));
    result.arrs_staff = arrs->staff();
    result.clinical_directors = cds->records();
    result.arrs_hires = arrs->hires();
  }
  return result;
}

}  // namespace pcnsim
