// Mechanism 4, recruitment readiness (issue 15): bounds, the direction of each
// driver on crafted small worlds, a network of zero readiness recruiting
// nothing, determinism with the seed, and money still conserved.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "models/arrs.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

namespace {

// One commissioner; `networks` networks of `members` practices each (9,000
// patients, IMD 20, urban, flat hosting), practices 1 km apart.
World crafted_world(int networks, int members) {
  World w;
  w.commissioners.push_back(Commissioner{"C1", {}, 0.0, 0.0});
  const int n = networks * members;
  w.practices.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    w.practices.code[i] = "P" + std::to_string(i);
    w.practices.commissioner[i] = 0;
    w.practices.list_size[i] = 9000;
    w.practices.x_km[i] = i;
    w.practices.imd_score[i] = 20;
    w.commissioners[0].members.push_back(i);
  }
  w.signed_up.assign(n, 1);
  w.network_of.assign(n, -1);
  for (int k = 0; k < networks; ++k) {
    Network net;
    net.id = k;
    net.commissioner = 0;
    for (int m = 0; m < members; ++m) net.members.push_back(k * members + m), w.network_of[k * members + m] = k;
    net.lead_practice = net.members.front();
    w.networks.push_back(net);
  }
  w.covering_network = w.network_of;
  return w;
}

// Readiness in the first week of networks 0 and 1, which differ only as the caller made them.
struct Pair {
  double first, second;
};
Pair readiness_of(const World& world, const ArrsParams& params, const ReadinessInputs& inputs = {}) {
  static const FundingParams funding;
  static const Calendar calendar(Date::from_ymd(2019, 7, 1), Date::from_ymd(2020, 3, 31));
  ArrsWorkforce arrs(world, params, funding, calendar, 7);
  arrs.start_year(2019);
  arrs.step(0, 1.0, inputs);
  for (double r : arrs.readiness()) {
    REQUIRE(std::isfinite(r));
    REQUIRE(r >= 0.0);
    REQUIRE(r <= params.readiness.max);
  }
  return {arrs.readiness()[0], arrs.readiness()[1]};
}

// Only the driver under test: no idiosyncratic spread, every other driver off.
ArrsParams drivers_only() {
  ArrsParams p;
  ReadinessParams& r = p.readiness;
  r.sd_log = 0;
  r.manager = r.hosted_employer = r.deprivation_per_sd = r.rurality = r.cd_strain = 0;
  r.members_per_log = r.practice_size_per_log = 0;
  return p;
}

}  // namespace

TEST_CASE("readiness stays within [0, max] and is lognormal around 1 without drivers", "[arrs][readiness]") {
  const World world = crafted_world(400, 2);
  ArrsParams params = drivers_only();
  params.readiness.sd_log = 1.0;
  params.readiness.max = 3;
  static const FundingParams funding;
  static const Calendar calendar(Date::from_ymd(2019, 7, 1), Date::from_ymd(2020, 3, 31));
  ArrsWorkforce arrs(world, params, funding, calendar, 11);
  int above_one = 0, capped = 0;
  for (double r : arrs.readiness()) {
    REQUIRE(r > 0.0);
    REQUIRE(r <= 3.0);
    above_one += r > 1.0;
    capped += r == 3.0;
  }
  CHECK(above_one > 150);  // median 1: about half above
  CHECK(above_one < 250);
  CHECK(capped > 0);       // exp(1 x z) > 3 for z > 1.1: about 14%
  params.readiness.enabled = false;
  ArrsWorkforce off(world, params, funding, calendar, 11);
  for (double r : off.readiness()) REQUIRE(r == 1.0);
}

TEST_CASE("each driver moves readiness in its documented direction", "[arrs][readiness]") {
  ArrsParams p = drivers_only();
  SECTION("a manager in post raises it") {
    p.readiness.manager = 0.5;
    const std::vector<double> managers = {0.0, 1.0};
    ReadinessInputs in;
    in.manager_wte = &managers;
    const Pair r = readiness_of(crafted_world(2, 5), p, in);
    CHECK(r.second == Approx(r.first * std::exp(0.5)));
    p.readiness.manager = -0.5;  // the sign of the parameter is the direction
    CHECK(readiness_of(crafted_world(2, 5), p, in).second < r.first);
  }
  SECTION("a federation employer raises it") {
    p.readiness.hosted_employer = 0.3;
    World w = crafted_world(2, 5);
    w.networks[1].hosting = HostingModel::federation;
    const Pair r = readiness_of(w, p);
    CHECK(r.second == Approx(r.first * std::exp(0.3)));
  }
  SECTION("deprivation lowers it") {
    p.readiness.deprivation_per_sd = -0.2;
    World w = crafted_world(2, 5);
    for (int m : w.networks[1].members) w.practices.imd_score[m] = 40;
    const Pair r = readiness_of(w, p);
    CHECK(r.second < r.first);
  }
  SECTION("rurality lowers it") {
    p.readiness.rurality = -0.3;
    World w = crafted_world(2, 4);
    for (int m : w.networks[1].members) w.practices.rural[m] = 1;
    const Pair r = readiness_of(w, p);
    CHECK(r.second == Approx(r.first * std::exp(-0.3)));
  }
  SECTION("clinical-director strain lowers it") {
    p.readiness.cd_strain = -0.3;
    const std::vector<double> strain = {0.0, 2.0};
    ReadinessInputs in;
    in.cd_strain = &strain;
    const Pair r = readiness_of(crafted_world(2, 5), p, in);
    CHECK(r.second == Approx(r.first * std::exp(-0.6)));
  }
  SECTION("more members lower it, larger practices raise it") {
    p.readiness.members_per_log = -0.1;
    World w = crafted_world(2, 5);
    w.networks[0].members.resize(2);  // 2 members against 5, same practices
    Pair r = readiness_of(w, p);
    CHECK(r.first > r.second);
    p = drivers_only();
    p.readiness.practice_size_per_log = 0.2;
    World big = crafted_world(2, 5);
    for (int m : big.networks[1].members) big.practices.list_size[m] = 18000;
    r = readiness_of(big, p);
    CHECK(r.second == Approx(r.first * std::exp(0.2 * std::log(2.0))));
  }
}

TEST_CASE("networks of zero readiness never recruit and leave their ceiling unclaimed", "[arrs][readiness][money]") {
  const RunResult run = run_small({{"arrs.readiness.max", "0"}, {"funding.arrs_redistribution", "false"}});
  CHECK(run.arrs_hires == 0);
  for (const auto& year : run.finance.arrs) {
    for (const auto& m : year) REQUIRE(m.claimed == 0);
  }
  const auto& recruiting = run.weekly.ints("/networks/weekly/arrs_recruiting");
  const auto [last, covered] = recruiting.week(recruiting.steps - 1);
  for (std::size_t n = 0; n < covered; ++n) REQUIRE(last[n] == 0);
  // With readiness, some networks start late: at the first live week not all recruit.
  const RunResult base = run_small();
  CHECK(base.arrs_hires > 0);
}

TEST_CASE("readiness is determined by the seed", "[arrs][readiness]") {
  const RunResult a = run_small(), b = run_small(), c = run_small({{"seed", "12345"}});
  const auto& ra = a.weekly.floats("/networks/weekly/arrs_readiness");
  const auto& rb = b.weekly.floats("/networks/weekly/arrs_readiness");
  const auto& rc = c.weekly.floats("/networks/weekly/arrs_readiness");
  const std::size_t step = ra.steps - 1;
  const auto [wa, na] = ra.week(step);
  const auto [wb, nb] = rb.week(step);
  const auto [wc, nc] = rc.week(step);
  REQUIRE(na == nb);
  bool differs = false;
  for (std::size_t n = 0; n < na; ++n) REQUIRE(wa[n] == wb[n]);
  for (std::size_t n = 0; n < std::min(na, nc); ++n) differs |= wa[n] != wc[n];
  CHECK(differs);
  CHECK(a.arrs_hires == b.arrs_hires);
}

TEST_CASE("with readiness and redistribution, claims stay within ceilings and the pot is kept", "[arrs][readiness][money]") {
  for (const char* redistribution : {"false", "true"}) {
    const RunResult run = run_small({{"funding.arrs_redistribution", redistribution}});
    for (const auto& year : run.finance.arrs) {
      Pence moved = 0;
      for (const auto& m : year) {
        REQUIRE(m.claimed >= 0);
        REQUIRE(m.claimed <= m.ceiling);
        moved += m.redistributed;
      }
      REQUIRE(moved == 0);  // redistribution moves money between networks, never creates it
    }
  }
}
