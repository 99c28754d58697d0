#include <catch2/catch.hpp>
#include <map>

#include "models/arrs.hpp"
#include "pcnsim/scenario.hpp"
#include "pcnsim/simulation.hpp"
#include "pcnsim/validate.hpp"

using namespace pcnsim;

namespace {

const std::string kScenarios = std::string(PCNSIM_SOURCE_DIR) + "/scenarios/";

RunResult small(std::vector<Override> overrides = {}) {
  return run_simulation(load_scenario(kScenarios + "synthetic-small.yaml", overrides));
}

// WTE in post at the end of each financial year.
std::vector<double> year_end_wte(const RunResult& run) {
  std::vector<double> out;
  const auto& wte = run.recorder.find("arrs_wte")->value;
  for (int s = 1; s < run.calendar.steps(); ++s) {
    if (run.calendar.starts_financial_year(s)) out.push_back(wte[s - 1]);
  }
  out.push_back(wte.back());
  return out;
}

Pence total_ceiling(const RunResult& run, std::size_t year) {
  Pence c = 0;
  for (const auto& m : run.finance.arrs[year]) c += m.ceiling;
  return c;
}

}  // namespace

TEST_CASE("ARRS money is conserved to the penny", "[arrs][money]") {
  for (const bool redistribution : {false, true}) {
    const RunResult run = small({{"funding.arrs_redistribution", redistribution ? "true" : "false"}});
    const Scenario& sc = run.scenario;
    REQUIRE(run.finance.years == std::vector<int>{2019, 2020, 2021, 2022, 2023});
    const std::size_t nets = run.world.networks.size();
    // Recompute every network's weekly claims from the staff records alone.
    ArrsWorkforce pricing(run.world, sc.arrs, sc.funding, run.calendar, 0);
    const ArrsStaff& staff = run.arrs_staff;
    REQUIRE(staff.network.size() > 100);
    for (std::size_t y = 0; y < run.finance.years.size(); ++y) {
      const int fy = run.finance.years[y];
      // Networks as they were that year (mechanism 9 changes them each April).
      const World year = world_at(run, membership_row(run, *run.calendar.step_of(Date::from_ymd(fy, 4, 7))));
      // The ceilings share out the population's part of the national pot (each rounded to the penny).
      double weighted = 0;
      for (const auto& net : year.networks) weighted += year.network_weighted_list_size(net);
      const double pot = sc.funding.arrs_national_pot_gbp.at(Date::from_ymd(fy, 4, 1));
      const Pence share = to_pence(pot * weighted / sc.funding.national_patients);
      CHECK(std::llabs(total_ceiling(run, y) - share) <= static_cast<Pence>(nets));
      if (!redistribution) {
        for (const auto& net : year.networks) {
          REQUIRE(run.finance.arrs[y][net.id].ceiling ==
                  to_pence(pot * year.network_weighted_list_size(net) / sc.funding.national_patients));
        }
      }
      std::vector<Pence> claimed(nets, 0);
      for (int s = 0; s < run.calendar.steps(); ++s) {
        const Date date = run.calendar.step_start(s);
        if (date.financial_year() != fy || date < sc.timeline.networks_live) continue;
        std::vector<Pence> due(nets, 0);
        for (std::size_t k = 0; k < staff.network.size(); ++k) {
          if (staff.start_step[k] <= s && (staff.end_step[k] < 0 || staff.end_step[k] > s)) {
            due[staff.network[k]] += pricing.weekly_cost_pence(staff.role[k], date);
          }
        }
        for (std::size_t n = 0; n < nets; ++n) {
          const Pence ceiling = run.finance.arrs[y][n].ceiling;
          claimed[n] += std::min(due[n], ceiling - claimed[n]);
        }
      }
      for (std::size_t n = 0; n < nets; ++n) {
        const auto& money = run.finance.arrs[y][n];
        REQUIRE(money.claimed == claimed[n]);
        REQUIRE(money.claimed + money.unclaimed() == money.ceiling);
        REQUIRE(money.claimed <= money.ceiling);
        REQUIRE(money.unclaimed() >= 0);
      }
      // Redistribution only moves ceiling between a commissioner's networks.
      std::map<int, Pence> moved;
      for (std::size_t n = 0; n < nets; ++n) moved[run.world.networks[n].commissioner] += run.finance.arrs[y][n].redistributed;
      for (const auto& [c, m] : moved) REQUIRE(m == 0);
    }
  }
}

TEST_CASE("redistribution moves ceiling within commissioners and keeps the national total", "[arrs][money]") {
  const RunResult off = small(), on = small({{"funding.arrs_redistribution", "true"}});
  Pence moved = 0;
  for (std::size_t y = 0; y < off.finance.years.size(); ++y) {
    CHECK(total_ceiling(on, y) == total_ceiling(off, y));
    for (const auto& m : on.finance.arrs[y]) moved += std::llabs(m.redistributed);
    for (const auto& m : off.finance.arrs[y]) REQUIRE(m.redistributed == 0);
  }
  // With a fixed labour pool, moving money does not by itself create staff,
  // so no claim is made here about the unclaimed total; see docs/model.md.
  CHECK(moved > 0);
}

TEST_CASE("doubling the ARRS pot never lowers national ARRS WTE", "[arrs][metamorphic]") {
  for (const std::string seed : {"1", "2", "3"}) {
    std::vector<Override> doubled{{"seed", seed}};
    Scenario base = load_scenario(kScenarios + "synthetic-small.yaml", {{"seed", seed}});
    std::string pot;
    for (const auto& e : base.funding.arrs_national_pot_gbp.entries) {
      pot += (pot.empty() ? "" : ", ") + std::string("{from: ") + e.from.iso() + ", value: " + format_number(2 * e.value) + "}";
    }
    doubled.push_back({"funding.arrs_national_pot_gbp", "[" + pot + "]"});
    const auto a = year_end_wte(run_simulation(base));
    const auto b = year_end_wte(small(doubled));
    REQUIRE(a.size() == b.size());
    for (std::size_t y = 0; y < a.size(); ++y) {
      INFO("seed " << seed << ", year " << y);
      CHECK(b[y] >= a[y]);
    }
  }
}

TEST_CASE("an empty labour pool gives no hires and leaves all money unclaimed", "[arrs][metamorphic]") {
  std::vector<Override> empty;
  for (const char* role : kArrsRoles) empty.push_back({std::string("arrs.roles.") + role + ".pool_inflow_wte_per_week", "0"});
  const RunResult run = small(empty);
  CHECK(run.arrs_hires == 0);
  for (double w : run.recorder.find("arrs_wte")->value) REQUIRE(w == 0.0);
  for (const auto& year : run.finance.arrs) {
    for (const auto& m : year) {
      REQUIRE(m.claimed == 0);
      REQUIRE(m.unclaimed() == m.ceiling);
    }
  }
  const RunResult off = small({{"arrs.enabled", "false"}});
  CHECK(off.arrs_hires == 0);
}

TEST_CASE("switching substitution off never lowers GP workload", "[gp_workload][metamorphic]") {
  const RunResult on = small(), off = small({{"gp_workload.substitution", "false"}});
  const auto& a = on.weekly, &b = off.weekly;
  REQUIRE(a.gp_supplied_hours.size() == b.gp_supplied_hours.size());
  for (std::size_t k = 0; k < a.gp_supplied_hours.size(); ++k) REQUIRE(b.gp_supplied_hours[k] >= a.gp_supplied_hours[k]);
  const auto& ha = on.recorder.find("hours_per_gp_fte")->value, &hb = off.recorder.find("hours_per_gp_fte")->value;
  const auto& ua = on.recorder.find("gp_unmet_hours")->value, &ub = off.recorder.find("gp_unmet_hours")->value;
  for (std::size_t s = 0; s < ha.size(); ++s) {
    REQUIRE(hb[s] >= ha[s] - 1e-9);
    REQUIRE(ub[s] >= ua[s] - 1e-9);
  }
  CHECK(hb.back() > ha.back());  // by 2024 the substitution matters
}

TEST_CASE("GP demand follows list, needs and the COVID-19 shock", "[gp_workload]") {
  const RunResult run = small();
  const auto& p = run.world.practices;
  const auto& gp = run.scenario.gp_workload;
  const double per_patient_week = gp.consultations_per_patient_year * gp.minutes_per_consultation / 60.0 / (365.25 / 7.0);
  const int before = 0, during = *run.calendar.step_of(Date::from_ymd(2020, 6, 1));
  for (std::size_t i = 0; i < p.size(); i += 37) {
    const double base = p.list_size[i] * p.needs_index[i] * per_patient_week;
    CHECK(run.weekly.gp_demand_hours[before * p.size() + i] == Approx(base).epsilon(1e-5));
    CHECK(run.weekly.gp_demand_hours[during * p.size() + i] ==
          Approx(base * (1 + run.scenario.covid.extra_gp_demand_share)).epsilon(1e-5));
  }
}

TEST_CASE("funding lines pay their annual rates", "[funding]") {
  const RunResult run = small();
  const auto& fin = run.finance;
  const std::size_t y2021 = 2;
  REQUIRE(fin.years[y2021] == 2021);
  const World year = world_at(run, membership_row(run, *run.calendar.step_of(Date::from_ymd(2021, 4, 7))));
  for (const auto& net : year.networks) {
    if (!net.live()) continue;
    const double list = year.network_list_size(net);
    const Pence core = fin.lines[y2021][net.id * kFundingLines + FundingLine::core];
    // 52 weekly payments of 7/365 of the annual amount: 52*7/365 of it.
    CHECK(to_gbp(core) == Approx(1.50 * list * 364.0 / 365.0).epsilon(1e-3));
    const Pence lm = fin.lines[y2021][net.id * kFundingLines + FundingLine::leadership_management];
    CHECK(lm > 0);  // the 2021/22 one-off pot
  }
  Pence lm_total = 0;
  for (const auto& net : year.networks) lm_total += fin.lines[y2021][net.id * kFundingLines + FundingLine::leadership_management];
  double weighted = 0;
  for (const auto& net : year.networks) weighted += year.network_weighted_list_size(net);
  CHECK(to_gbp(lm_total) == Approx(43e6 * weighted / run.scenario.funding.national_patients).epsilon(1e-6));
  CHECK(weighted < 0.15 * run.scenario.funding.national_patients);  // a small population gets a small share
}

TEST_CASE("switching money, ARRS, GP workload or COVID off gives their counterfactuals", "[switches]") {
  const RunResult no_money = small({{"funding.enabled", "false"}});
  for (const auto& year : no_money.finance.lines) {
    for (Pence p : year) REQUIRE(p == 0);
  }
  for (const auto& year : no_money.finance.arrs) {
    for (const auto& m : year) REQUIRE(m.ceiling == 0);
  }
  CHECK(no_money.arrs_hires == 0);

  const RunResult no_gp = small({{"gp_workload.enabled", "false"}});
  for (double h : no_gp.recorder.find("gp_supplied_hours")->value) REQUIRE(h == 0.0);
  CHECK(no_gp.arrs_hires > 0);  // the other mechanisms still run

  const RunResult no_covid = small({{"covid.enabled", "false"}}), with_covid = small();
  const int during = *with_covid.calendar.step_of(Date::from_ymd(2020, 6, 1));
  CHECK(no_covid.recorder.find("gp_demand_hours")->value[during] <
        with_covid.recorder.find("gp_demand_hours")->value[during]);
  CHECK(no_covid.arrs_hires > with_covid.arrs_hires);  // recruitment was disrupted by the shock
}
