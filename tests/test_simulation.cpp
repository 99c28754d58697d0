// The step loop: each mechanism switched off gives its counterfactual while
// the others still run.
#include <catch2/catch.hpp>
#include <cstddef>
#include <stdexcept>

#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

TEST_CASE("switching money, ARRS, GP workload or COVID off gives their counterfactuals", "[switches]") {
  const RunResult no_money = run_small({{"funding.enabled", "false"}});
  for (const auto& year : no_money.finance.lines) {
    for (Pence p : year) REQUIRE(p == 0);
  }
  for (const auto& year : no_money.finance.arrs) {
    for (const auto& m : year) REQUIRE(m.ceiling == 0);
  }
  CHECK(no_money.arrs_hires == 0);

  // (Downstream, GP workload off leaves all GP capacity spare: see the IIF test.)
  const RunResult no_gp = run_small({{"gp_workload.enabled", "false"}}), with_gp = run_small();
  CHECK(no_gp.arrs_hires > 0);  // the other mechanisms still run

  const RunResult no_covid = run_small({{"covid.enabled", "false"}});
  const RunResult& with_covid = with_gp;
  const int during = *with_covid.calendar.step_of(Date::from_ymd(2020, 6, 1));
  CHECK(no_covid.recorder.at("gp_demand_hours").value[during] <
        with_covid.recorder.at("gp_demand_hours").value[during]);
  // Recruitment was disrupted by the shock: fewer staff in post by its end.
  const int after = *with_covid.calendar.step_of(Date::from_ymd(2021, 3, 1));
  CHECK(no_covid.recorder.at("arrs_wte").value[after] > with_covid.recorder.at("arrs_wte").value[after]);
}

TEST_CASE("an undeclared series or a weekly array read as the wrong type is an error", "[simulation]") {
  const RunResult run = run_small();
  CHECK_THROWS_AS(run.recorder.at("no_such_series"), std::logic_error);
  // Vacancies are counts (int32): reading them as floats is an error, not zeros.
  CHECK_THROWS_AS(run.weekly.floats("/networks/weekly/vacancies"), std::logic_error);
  const auto& vacancies = run.weekly.ints("/networks/weekly/vacancies");
  REQUIRE_FALSE(run.world.networks.empty());
  CHECK(vacancies.size() == static_cast<std::size_t>(run.calendar.steps()) * run.world.networks.size());
}

// Issue 14 (found by the property test): with nobody signed up there are no
// networks, and recording (and writing) their weekly arrays was an internal error.
TEST_CASE("a run in which no practice signs up records no network rows", "[simulation][extreme]") {
  const RunResult run = run_small({{"signup.autonomy_mean_gbp_per_patient", "1000"}});
  REQUIRE(run.world.networks.empty());
  REQUIRE(run.weekly.floats("/networks/weekly/arrs_wte").week(100).second == 0);
}
