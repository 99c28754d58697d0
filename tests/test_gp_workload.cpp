// Mechanism 5, GP workload: demand from list, needs and COVID-19; ARRS
// substitution takes work off GPs.
#include <catch2/catch.hpp>

#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

TEST_CASE("switching substitution off never lowers GP workload", "[gp_workload][metamorphic]") {
  const RunResult on = run_small(), off = run_small({{"gp_workload.substitution", "false"}});
  const auto& a = on.weekly.floats("/practices/weekly/gp_supplied_hours");
  const auto& b = off.weekly.floats("/practices/weekly/gp_supplied_hours");
  REQUIRE(a.size() == b.size());
  for (std::size_t k = 0; k < a.size(); ++k) REQUIRE(b[k] >= a[k]);
  const auto& ha = on.recorder.at("hours_per_gp_fte").value, &hb = off.recorder.at("hours_per_gp_fte").value;
  const auto& ua = on.recorder.at("gp_unmet_hours").value, &ub = off.recorder.at("gp_unmet_hours").value;
  for (std::size_t s = 0; s < ha.size(); ++s) {
    REQUIRE(hb[s] >= ha[s] - 1e-9);
    REQUIRE(ub[s] >= ua[s] - 1e-9);
  }
  CHECK(hb.back() > ha.back());  // by 2024 the substitution matters
}

TEST_CASE("GP demand follows list, needs and the COVID-19 shock", "[gp_workload]") {
  const RunResult run = run_small();
  const auto& gp = run.scenario.gp_workload;
  const double per_patient_week = gp.consultations_per_patient_year * gp.minutes_per_consultation / 60.0 / (365.25 / 7.0);
  const int before = 0, during = *run.calendar.step_of(Date::from_ymd(2020, 6, 1));
  // The practices' patients as they were in each week (mergers and closures, 9a, move them each 1 April).
  const auto& p0 = run.membership.front();
  const auto& p1 = run.membership[membership_row(run, during)];
  const std::size_t n = p0.list_size.size();
  const auto& demand = run.weekly.floats("/practices/weekly/gp_demand_hours");
  for (std::size_t i = 0; i < n; i += 37) {
    CHECK(demand[before * n + i] == Approx(p0.list_size[i] * p0.needs_index[i] * per_patient_week).epsilon(1e-5));
    CHECK(demand[during * n + i] == Approx(p1.list_size[i] * p1.needs_index[i] * per_patient_week *
                                           (1 + run.scenario.covid.extra_gp_demand_share))
                                        .epsilon(1e-5));
  }
}
