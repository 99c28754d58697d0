// Mechanism 4, ARRS workforce: claims priced from caps and recomputed to the
// penny, ceilings and redistribution, and what more money or no labour does.
#include <catch2/catch.hpp>
#include <map>

#include "models/arrs.hpp"
#include "oracles.hpp"
#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

namespace {


// WTE in post at the end of each financial year.
std::vector<double> year_end_wte(const RunResult& run) {
  std::vector<double> out;
  const auto& wte = run.recorder.at("arrs_wte").value;
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

// A role's reimbursable cost of one WTE for one week, from the model design:
// the employment cost (a share of the role's maximum reimbursable amount)
// times the reimbursement rate (100% for roles always fully reimbursed),
// accrued at 7/365 (7/366) of the annual amount.
static std::int64_t oracle_week_cost(const Scenario& sc, int role, Date d) {
  const RoleParams& r = sc.arrs.roles[static_cast<std::size_t>(role)];
  const double rate = r.always_fully_reimbursed ? 1.0 : oracle::value_on(sc.funding.arrs_reimbursement_rate, d);
  const double annual = sc.arrs.cost_share_of_maximum * oracle::value_on(r.max_reimbursable_gbp_per_wte, d) * rate;
  return oracle::week_of(annual, oracle::financial_year(d));
}

TEST_CASE("ARRS claims are the recomputed staff costs, up to each ceiling, to the penny", "[arrs][money]") {
  // Plain; with redistribution; and with networks planning beyond their
  // ceilings, so that the cap binds.
  for (const std::string config : {"plain", "redistribution", "overplanned"}) {
    const bool redistribution = config == "redistribution";
    const RunResult run = run_small({{"funding.arrs_redistribution", redistribution ? "true" : "false"},
                                 {"arrs.plan_share", config == "overplanned" ? "1.6" : "1"}});
    const Scenario& sc = run.scenario;
    REQUIRE(run.finance.years == std::vector<int>{2019, 2020, 2021, 2022, 2023});
    const std::size_t nets = run.world.networks.size();
    const ArrsStaff& staff = run.arrs_staff;
    REQUIRE(staff.network.size() > 100);
    std::int64_t moved = 0, claimed_total = 0, due_total = 0;
    for (std::size_t y = 0; y < run.finance.years.size(); ++y) {
      const int fy = run.finance.years[y];
      INFO(config << ", year " << fy);
      const auto& money = run.finance.arrs[y];
      // Ceilings: the year's pot (in force on 1 April) shared by weighted
      // population over the national patients, among the networks with members
      // when the year starts (at formation in 2019).
      int start = run.membership.front().step;  // the first week of the year (counted by its start date)
      while (oracle::financial_year(run.calendar.step_start(start)) < fy) ++start;
      const MembershipSnapshot* snap = nullptr;
      for (const auto& m : run.membership) {
        if (m.step <= start) snap = &m;
      }
      std::vector<double> weighted(nets, 0.0);
      for (std::size_t i = 0; i < snap->network_of.size(); ++i) {
        if (snap->network_of[i] >= 0) weighted[snap->network_of[i]] += snap->list_size[i] * snap->needs_index[i];
      }
      const double pot = oracle::value_on(sc.funding.arrs_national_pot_gbp, Date::from_ymd(fy, 4, 1));
      std::vector<std::int64_t> allocated(nets);
      for (std::size_t n = 0; n < nets; ++n) {
        allocated[n] = weighted[n] > 0 ? oracle::pence(pot * (weighted[n] / sc.funding.national_patients)) : 0;
        REQUIRE(money[n].ceiling - money[n].redistributed == allocated[n]);
        moved += std::llabs(money[n].redistributed);
      }
      // Claims: every week from go-live, each network claims the recomputed
      // cost of its staff in post, up to what is left of its ceiling (the
      // allocated one until the commissioner redistributes in the month set).
      std::vector<std::int64_t> claimed(nets, 0);
      bool redistributed = false;
      for (int s = 0; s < run.calendar.steps(); ++s) {
        const Date date = run.calendar.step_start(s);
        if (oracle::financial_year(date) != fy || date + 6 < sc.timeline.networks_live) continue;
        if (redistribution && date.month() == sc.funding.arrs_redistribution_month && date.day() <= 7) redistributed = true;
        std::vector<std::int64_t> due(nets, 0);
        for (std::size_t k = 0; k < staff.network.size(); ++k) {
          if (staff.start_step[k] <= s && (staff.end_step[k] < 0 || staff.end_step[k] > s)) {
            due[staff.network[k]] += oracle_week_cost(sc, staff.role[k], date);
          }
        }
        for (std::size_t n = 0; n < nets; ++n) {
          const std::int64_t ceiling = redistributed ? money[n].ceiling : allocated[n];
          claimed[n] += std::min(due[n], ceiling - claimed[n]);
          due_total += due[n];
        }
      }
      for (std::size_t n = 0; n < nets; ++n) {
        INFO("network " << n);
        REQUIRE(money[n].claimed == claimed[n]);
        REQUIRE(claimed[n] <= money[n].ceiling);
        claimed_total += claimed[n];
      }
      // Redistribution only moves ceiling between a commissioner's networks.
      std::map<int, std::int64_t> net_moved;
      for (std::size_t n = 0; n < nets; ++n) net_moved[run.world.networks[n].commissioner] += money[n].redistributed;
      for (const auto& [c, m] : net_moved) REQUIRE(m == 0);
    }
    CHECK(claimed_total > 0);
    if (config == "overplanned") CHECK(claimed_total < due_total);  // ceilings bind: the cap above is exercised
    CHECK((moved > 0) == redistribution);
  }
}

TEST_CASE("redistribution moves ceiling within commissioners and keeps the national total", "[arrs][money]") {
  const RunResult off = run_small({{"funding.arrs_redistribution", "false"}}),
                  on = run_small({{"funding.arrs_redistribution", "true"}});
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
    const auto b = year_end_wte(run_small(doubled));
    REQUIRE(a.size() == 5);
    REQUIRE(b.size() == 5);
    for (std::size_t y = 0; y < a.size(); ++y) {
      INFO("seed " << seed << ", year " << y);
      CHECK(b[y] >= a[y]);
    }
    // Once the pot, not the labour pool, limits hiring (2021/22 on), more money buys more staff.
    INFO("seed " << seed);
    CHECK(b[4] > a[4]);
    CHECK(b[2] + b[3] + b[4] > a[2] + a[3] + a[4]);
  }
}

TEST_CASE("an empty labour pool gives no hires and leaves all money unclaimed", "[arrs][metamorphic]") {
  std::vector<Override> empty;
  for (const char* role : kArrsRoles) empty.push_back({std::string("arrs.roles.") + role + ".pool_inflow_wte_per_week", "0"});
  const RunResult run = run_small(empty);
  CHECK(run.arrs_hires == 0);
  for (double w : run.recorder.at("arrs_wte").value) REQUIRE(w == 0.0);
  // Nothing claimed although every network had a ceiling to claim from.
  for (const auto& year : run.finance.arrs) {
    for (const auto& m : year) REQUIRE(m.claimed == 0);
  }
  const RunResult off = run_small({{"arrs.enabled", "false"}});
  CHECK(off.arrs_hires == 0);
  CHECK(off.arrs_staff.network.empty());
  for (const RunResult* r : {&run, &off}) {
    for (std::size_t y = 0; y < r->finance.years.size(); ++y) {
      const auto& column = r->membership[std::min(y, r->membership.size() - 1)].network_of;
      for (int n : column) {
        if (n >= 0) REQUIRE(r->finance.arrs[y][n].ceiling > 0);
      }
      for (const auto& m : r->finance.arrs[y]) REQUIRE(m.claimed == 0);
    }
  }
}

// Issue 14: a role reimbursed nothing used to spin forever in the plan (its
// cost never exhausted the budget); now it is not recruited, and the run ends.
TEST_CASE("a role reimbursed nothing is not recruited and the run ends", "[arrs][extreme]") {
  Scenario zero_max = synthetic_small();
  set_number(zero_max, "arrs.roles.clinical_pharmacist.max_reimbursable_gbp_per_wte", 0, true, "test");
  const RunResult run = run_simulation(zero_max);
  int pharmacists = 0, others = 0;
  for (std::size_t k = 0; k < run.arrs_staff.role.size(); ++k) (run.arrs_staff.role[k] == 0 ? pharmacists : others)++;
  REQUIRE(pharmacists == 0);
  REQUIRE(others > 0);

  Scenario zero_rate = synthetic_small();
  set_number(zero_rate, "funding.arrs_reimbursement_rate", 0, true, "test");
  const RunResult unpaid = run_simulation(zero_rate);
  // Only the roles reimbursed in full whatever the rate (link workers) are recruited; nothing else is claimed.
  for (int role : unpaid.arrs_staff.role) REQUIRE(zero_rate.arrs.roles[static_cast<std::size_t>(role)].always_fully_reimbursed);
}

// Issue 14: an enormous pot per patient used to spin forever too; posts are
// capped at one per kPatientsPerArrsPost patients of the network.
TEST_CASE("posts per network stay within the cap when the pot is enormous", "[arrs][extreme]") {
  // Every network plans its whole (enormous) ceiling from the start: readiness off.
  const RunResult run = run_small({{"funding.national_patients", "1000"}, {"arrs.readiness.enabled", "false"}});
  const auto& wte = run.weekly.floats("/networks/weekly/arrs_wte");
  const auto& vacancies = run.weekly.ints("/networks/weekly/vacancies");
  REQUIRE(run.arrs_hires > 0);
  double most = 0;  // the largest national share of the cap used in a week
  for (std::size_t step = 0; step < wte.steps; ++step) {
    const auto [staff, covered] = wte.week(step);
    const auto [open, open_covered] = vacancies.week(step);
    const auto& network_of = run.membership[membership_row(run, static_cast<int>(step))].network_of;
    std::vector<double> list(covered, 0.0);
    for (std::size_t i = 0; i < network_of.size(); ++i) {
      if (network_of[i] >= 0 && static_cast<std::size_t>(network_of[i]) < covered) list[network_of[i]] += run.world.practices.list_size[i];
    }
    double posts = 0, cap = 0;
    for (std::size_t n = 0; n < covered && n < open_covered; ++n) {
      posts += open[n];
      for (std::size_t r = 0; r < kRoleCount; ++r) posts += staff[n * kRoleCount + r];
      cap += std::floor(list[n] / kPatientsPerArrsPost);
    }
    if (cap > 0) most = std::max(most, posts / cap);
  }
  // The cap binds (the plan fills it) and is kept, but for staff who stay when
  // practices leave their network at 1 April (until leavers make room).
  REQUIRE(most > 0.9);
  REQUIRE(most <= 1.05);
}
