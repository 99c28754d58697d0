// Mechanism 3, funding flows: every DES payment line recomputed from its dated
// rate and the practices' data by the oracle (tests/oracles.hpp), week by
// week and network by network, and compared to the penny with the run and
// with the file a user reads.
#include <catch2/catch.hpp>
#include <filesystem>
#include <unistd.h>

#include "models/funding.hpp"
#include "oracles.hpp"
#include "synthetic.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "pcnsim/io/writer.hpp"

using namespace pcnsim;
namespace fs = std::filesystem;

namespace {

using testing::kScenarios;
using testing::kTurbulent;

// Settings under which networks merge, split and dissolve, so that ended and
// new networks are in the money tables too.
// Many practices merging and closing (9a): 8% a year, a third of them closures.
const std::vector<Override> kPracticesChanging = {
    {"practice_changes.ceasing_share_per_year", "[{from: 2020-04-01, value: 0.08}]"},
    {"practice_changes.merger_share", "0.67"}};

// The evaluation in force at `step`: members and the practices' patients then.
const MembershipSnapshot& membership_at(const RunResult& run, int step) {
  const MembershipSnapshot* column = nullptr;
  for (const auto& m : run.membership) {
    if (m.step <= step) column = &m;
  }
  REQUIRE(column != nullptr);
  return *column;
}

struct NetworkTotals {
  double list = 0, weighted = 0, beds = 0;
};

std::map<int, NetworkTotals> totals(const MembershipSnapshot& snap) {
  std::map<int, NetworkTotals> out;
  for (const auto& [id, members] : oracle::groups(snap.network_of)) {
    auto& t = out[id];
    for (int m : members) {
      t.list += snap.list_size[m];
      t.weighted += snap.list_size[m] * snap.needs_index[m];
      t.beds += snap.care_home_beds[m];
    }
  }
  return out;
}

// Expected payments [year][network * kFundingLines + line], in pence, by the
// rules of the model design:
// - core, participation, clinical director, care-home premium and the
//   per-patient leadership line accrue each week from the week networks go
//   live, at 7/365 (7/366) of the annual rate in force at the week's start,
//   times the network's patients (weighted patients; care-home beds), to each
//   network with members that week;
// - the one-off leadership pot of a year is shared at the year's start (at
//   formation in 2019) by weighted population over the national patients;
// - the IIF pays in the year's last week the network's share of the year's
//   pot times the share of indicators it achieved (the achievement draws are
//   the run's).
std::vector<std::vector<std::int64_t>> expected_lines(const RunResult& run) {
  const Scenario& sc = run.scenario;
  const FundingParams& f = sc.funding;
  const auto& iif = sc.service_specs.iif;
  const std::size_t nets = run.world.networks.size();
  const auto& years = run.finance.years;
  std::vector<std::vector<std::int64_t>> out(years.size(), std::vector<std::int64_t>(nets * kFundingLines, 0));
  if (!f.enabled) return out;
  const int formation_step = run.membership.front().step;
  auto year_index = [&](int fy) {
    const auto it = std::find(years.begin(), years.end(), fy);
    REQUIRE(it != years.end());
    return static_cast<std::size_t>(it - years.begin());
  };
  const int steps = run.calendar.steps();
  for (int s = formation_step; s < steps; ++s) {
    const Date d = run.calendar.step_start(s);
    const int fy = oracle::financial_year(d);
    const std::size_t y = year_index(fy);
    const auto net = totals(membership_at(run, s));
    auto& paid = out[y];
    const bool year_start = s == formation_step || oracle::financial_year(run.calendar.step_start(s - 1)) != fy;
    if (year_start) {
      const double pot = oracle::value_on(f.leadership_management_national_gbp, Date::from_ymd(fy, 4, 1));
      for (const auto& [id, t] : net) {
        paid[id * kFundingLines + leadership_management] += oracle::pence(pot * (t.weighted / f.national_patients));
      }
    }
    if (d + 6 < sc.timeline.networks_live) continue;  // payments start the week networks go live
    for (const auto& [id, t] : net) {
      std::int64_t* line = &paid[id * kFundingLines];
      line[core] += oracle::week_of(oracle::value_on(f.core_gbp_per_patient, d) * t.list, fy);
      line[participation] += oracle::week_of(oracle::value_on(f.participation_gbp_per_weighted_patient, d) * t.weighted, fy);
      line[clinical_director] += oracle::week_of(oracle::value_on(f.clinical_director_gbp_per_patient, d) * t.list, fy);
      line[care_home_premium] += oracle::week_of(oracle::value_on(f.care_home_premium_gbp_per_bed, d) * t.beds, fy);
      line[leadership_management] +=
          oracle::week_of(oracle::value_on(f.leadership_management_gbp_per_weighted_patient, d) * t.weighted, fy);
    }
    const bool year_end = s + 1 < steps ? oracle::financial_year(run.calendar.step_start(s + 1)) != fy
                                        : d + 6 >= Date::from_ymd(fy + 1, 3, 31);
    if (year_end && iif.enabled) {
      const double pot = oracle::value_on(iif.national_pot_gbp, Date::from_ymd(fy, 4, 1));
      const auto& achieved = run.finance.iif_achieved.at(y);
      for (std::size_t n = 0; n < nets; ++n) {
        const auto it = net.find(static_cast<int>(n));
        INFO("year " << fy << ", network " << n);
        if (it == net.end()) {
          REQUIRE(achieved[n] == -1);  // no members at the year end: not assessed
          continue;
        }
        REQUIRE(achieved[n] >= 0);
        REQUIRE(achieved[n] <= iif.indicators);
        paid[n * kFundingLines + FundingLine::iif] +=
            oracle::pence(pot * (it->second.weighted / f.national_patients) * achieved[n] / iif.indicators);
      }
    }
  }
  return out;
}

void check_lines(const RunResult& run, const std::vector<std::vector<std::int64_t>>& expected) {
  REQUIRE(run.finance.lines.size() == expected.size());
  for (std::size_t y = 0; y < expected.size(); ++y) {
    REQUIRE(run.finance.lines[y].size() == expected[y].size());
    for (std::size_t k = 0; k < expected[y].size(); ++k) {
      INFO("year " << run.finance.years[y] << ", network " << k / kFundingLines << ", line "
                   << kFundingLineNames[k % kFundingLines]);
      REQUIRE(run.finance.lines[y][k] == expected[y][k]);
    }
  }
}

}  // namespace

TEST_CASE("every DES payment line pays its dated rate to the penny", "[funding][money]") {
  for (const auto& overrides : {std::vector<Override>{}, kTurbulent, kPracticesChanging}) {
    const RunResult run = run_simulation(load_scenario(kScenarios + "synthetic-small.yaml", overrides));
    INFO(run.practice_events.size() << " practice transfers");
    CHECK(run.practice_events.size() > 0);
    const auto expected = expected_lines(run);
    check_lines(run, expected);
    // Each line pays something positive over the run, and every network that
    // existed was paid core funding in some year.
    std::array<std::int64_t, kFundingLines> line_total{};
    std::vector<std::int64_t> core_paid(run.world.networks.size(), 0);
    for (const auto& year : expected) {
      for (std::size_t k = 0; k < year.size(); ++k) {
        line_total[k % kFundingLines] += year[k];
        if (k % kFundingLines == core) core_paid[k / kFundingLines] += year[k];
      }
    }
    for (int line = 0; line < kFundingLines; ++line) {
      INFO(kFundingLineNames[line]);
      CHECK(line_total[line] > 0);
    }
    for (std::int64_t c : core_paid) CHECK(c > 0);
    if (!overrides.empty()) {
      // The turbulent run has ended networks, which stop being paid.
      int ended = 0;
      for (const auto& net : run.world.networks) ended += net.live() ? 0 : 1;
      CHECK(ended > 0);
    }
  }
}

TEST_CASE("the payment lines a user reads from the file are the recomputed ones", "[funding][money][output]") {
  const fs::path dir = fs::temp_directory_path() / ("pcnsim-funding-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const RunResult run = run_simulation(load_scenario(kScenarios + "synthetic-small.yaml", kTurbulent));
  const auto expected = expected_lines(run);
  {
    AtomicOutput out((dir / "run.h5").string(), true);
    write_run(run, out.temp_path());
    out.commit();
  }
  const h5::File file = h5::File::open_read((dir / "run.h5").string());
  const std::size_t nets = run.world.networks.size();
  for (int line = 0; line < kFundingLines; ++line) {
    std::vector<hsize_t> shape;
    const auto paid = file.read_ints(std::string("/finance/network/") + kFundingLineNames[line] + "_pence", &shape);
    REQUIRE(shape == std::vector<hsize_t>{expected.size(), nets});
    for (std::size_t y = 0; y < expected.size(); ++y) {
      for (std::size_t n = 0; n < nets; ++n) {
        INFO(kFundingLineNames[line] << ", year " << y << ", network " << n);
        REQUIRE(paid[y * nets + n] == expected[y][n * kFundingLines + line]);
      }
    }
  }
  fs::remove_all(dir);
}

TEST_CASE("a small population gets its share of the national pots, not the whole pot", "[funding]") {
  const RunResult run = run_simulation(load_scenario(kScenarios + "synthetic-small.yaml"));
  const std::size_t y2021 = 2;
  REQUIRE(run.finance.years[y2021] == 2021);
  std::int64_t leadership = 0;
  for (std::size_t n = 0; n < run.world.networks.size(); ++n) {
    leadership += run.finance.lines[y2021][n * kFundingLines + leadership_management];
  }
  // 2021/22 leadership money is the £43m one-off pot alone; 600 practices hold
  // about 1/10 of England's patients.
  CHECK(leadership > 0);
  CHECK(static_cast<double>(leadership) < 0.15 * static_cast<double>(oracle::pence(43e6)));
}

TEST_CASE("the oracle's calendar arithmetic", "[funding][oracle]") {
  CHECK(oracle::days_in_financial_year(2019) == 366);  // March 2020 follows 29 February 2020
  CHECK(oracle::days_in_financial_year(2020) == 365);
  CHECK(oracle::days_in_financial_year(2023) == 366);
  CHECK(oracle::financial_year(Date::from_ymd(2020, 3, 31)) == 2019);
  CHECK(oracle::financial_year(Date::from_ymd(2020, 4, 1)) == 2020);
  CHECK(oracle::week_of(365.0, 2020) == 700);
  CHECK(oracle::pence(0.005) == 1);
  DatedSeries s{{{Date::from_ymd(2020, 4, 1), 2.0, ""}, {Date::from_ymd(2021, 4, 1), 3.0, ""}}};
  CHECK(oracle::value_on(s, Date::from_ymd(2020, 3, 31)) == 0.0);
  CHECK(oracle::value_on(s, Date::from_ymd(2021, 3, 31)) == 2.0);
  CHECK(oracle::value_on(s, Date::from_ymd(2021, 4, 1)) == 3.0);
}

// Issue 14: a pot shared over 1 national patient gave ceilings beyond what
// int64 pence hold; it is now an input error naming the parameter.
TEST_CASE("money that could overflow is an input error naming the parameter", "[funding][money][extreme]") {
  auto message = [](const std::vector<Override>& overrides) {
    try {
      run_simulation(load_scenario(std::string(PCNSIM_SOURCE_DIR) + "/scenarios/synthetic-small.yaml", overrides));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  REQUIRE_THAT(message({{"funding.national_patients", "1"}}), Catch::Contains("'funding.national_patients'"));
  REQUIRE_THAT(message({{"funding.national_patients", "1"}}), Catch::Contains("funding.arrs_national_pot_gbp"));
}
