// Issue 15, measurement: the real history and workforce loaders, the
// year-on-year change of a membership (moving share and the counts), and the
// distribution of ARRS FTE across networks, on crafted inputs computed by hand.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "pcnsim/analysis/history.hpp"
#include "pcnsim/analysis/workforce.hpp"
#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "synthetic.hpp"

using namespace pcnsim;

namespace {

template <class F>
std::vector<Diagnostic> problems_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

int role(const char* name) {
  for (std::size_t r = 0; r < kRoleCount; ++r) {
    if (std::string(kArrsRoles[r]) == name) return static_cast<int>(r);
  }
  return -3;
}

const char* const kHistory =
    "practice_code,pcn_code,pcn_name,pcn_open_date,pcn_close_date,start_date,end_date,commissioner_2021\n"
    "P1,N1,ONE,20191001,,20191001,,C1\n"
    "P2,N1,ONE,20191001,,20191001,,C1\n"
    "P3,N1,ONE,20191001,,20191001,20200815,C1\n"
    "P3,N2,TWO,20191001,,20200816,,C1\n"
    "P4,N2,TWO,20191001,,20191001,,C1\n"
    "P5,N3,THREE,20191001,,20191001,20210301,C1\n"
    "P6,N4,FOUR,20191001,,20191001,20200601,C1\n"
    "P6,N4,FOUR,20191001,,20210601,,C1\n";

}  // namespace

TEST_CASE("the history loader reads the ePCN layouts, commissioner columns and cp1252 names", "[histories]") {
  const RealHistory a = parse_history(kHistory, "a.csv");
  REQUIRE(a.rows.size() == 8);
  CHECK(a.first == Date::from_ymd(2019, 10, 1));
  CHECK(a.rows[2].ended);
  CHECK(a.rows[2].end == Date::from_ymd(2020, 8, 15));
  CHECK_FALSE(a.rows[3].ended);
  CHECK(a.rows[3].line == 5);
  CHECK(a.rows[0].commissioner == "C1");
  // The national edition's headers, a "Sub ICB Loc" commissioner, dates as DD/MM/YYYY, a cp1252 name (0x92).
  const std::string national =
      "Partner Organisation Code,PCN Code,PCN Name,Practice to PCN Relationship Start Date,"
      "Practice to PCN Relationship End Date,Practice Parent Sub ICB Loc Code\n"
      "P1,N1,ST MARY\x92S PCN,01/10/2019,,15N\n"
      "P3,N1,ST MARY\x92S PCN,01/10/2019,15/08/2020,15N\n";
  const RealHistory b = parse_history(national, "b.csv");
  REQUIRE(b.rows.size() == 2);
  CHECK(b.rows[1].end == Date::from_ymd(2020, 8, 15));
  CHECK(b.rows[0].commissioner == "15N");
  const RealHistory c = parse_history("PRACTICE_CODE,PCN_CODE,START_DATE,END_DATE,CCG\nP1,N1,2019-10-01,,00L\n", "c.csv");
  CHECK(c.rows[0].commissioner == "00L");
  CHECK(c.rows[0].start == Date::from_ymd(2019, 10, 1));
  // cp1252 decoding: 0x92 is U+2019; valid UTF-8 is left alone.
  CHECK(utf8_or_cp1252("St Mary\x92s") == "St Mary\xE2\x80\x99s");
  CHECK(utf8_or_cp1252("St Mary\xE2\x80\x99s") == "St Mary\xE2\x80\x99s");
  CHECK(utf8_or_cp1252("caf\xE9") == "caf\xC3\xA9");
}

TEST_CASE("bad history rows are InputErrors naming the line and column", "[histories]") {
  const auto p = problems_of([] {
    parse_history("practice_code,pcn_code,start_date,end_date\n"
                  "P1,N1,20191001,\n"
                  "P2,N1,2019-13-01,\n"
                  ",N1,20191001,\n"
                  "P4,N1,20200101,20191231\n"
                  "P5,N1\n",
                  "h.csv");
  });
  REQUIRE(p.size() == 4);
  CHECK(p[0].line == 3);
  CHECK(p[0].column == 7);
  CHECK(p[0].key == "start_date");
  CHECK(p[0].message.find("'2019-13-01' is not a date") != std::string::npos);
  CHECK(p[1].line == 4);
  CHECK(p[1].column == 1);
  CHECK(p[1].message == "empty practice code");
  CHECK(p[2].line == 5);
  CHECK(p[2].column == 16);
  CHECK(p[2].message.find("ends (20191231) before it starts") != std::string::npos);
  CHECK(p[3].line == 6);  // a row with too few fields, from the CSV reader
  const auto missing = problems_of([] { parse_history("practice_code,pcn_code,start_date\nP1,N1,20191001\n", "m.csv"); });
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].line == 1);
  CHECK(missing[0].message.find("missing column (expected end_date") != std::string::npos);
  CHECK(problems_of([] { parse_history("practice_code,pcn_code,start_date,end_date\n", "e.csv"); }).size() == 1);
}

TEST_CASE("the membership on a date takes the latest-started row of a practice", "[histories]") {
  const RealHistory h = parse_history("practice_code,pcn_code,start_date,end_date\n"
                                      "P1,N1,20191001,20230401\n"
                                      "P1,N2,20230401,\n"
                                      "P2,N1,20191001,20200331\n",
                                      "h.csv");
  const auto before = history_membership_on(h, Date::from_ymd(2023, 3, 31));
  CHECK(before.at("P1") == "N1");
  CHECK(before.count("P2") == 0);
  CHECK(history_membership_on(h, Date::from_ymd(2023, 4, 1)).at("P1") == "N2");
  CHECK(history_membership_on(h, Date::from_ymd(2020, 3, 31)).at("P2") == "N1");
}

TEST_CASE("the moving share and the counts of a change match a hand computation", "[histories]") {
  // Items 0-4 in network 0, 5-6 in 1, 7 alone in 2, 8-9 in 3, 10 in none.
  const std::vector<int> before = {0, 0, 0, 0, 0, 1, 1, 2, 3, 3, -1};
  // After: 0-2 stay, 3-4 split off to 4 together, 6 leaves the DES, 7 goes to
  // a new network 5, 9 ceases, 10 joins network 1.
  const std::vector<int> after = {0, 0, 0, 4, 4, 1, -1, 5, 3, -1, 1};
  std::vector<std::uint8_t> exists(11, 1);
  exists[9] = 0;
  const MembershipChange c = membership_change(before, after, exists);
  // In a network at both dates: 0-5, 7, 8.
  CHECK(c.base == 8);
  // 0 keeps 2 of its 4 old co-members (1, 2): not moved (2 * 2 < 4 is false).
  // 3 keeps 1 of 4 (4): moved; 4 likewise. 5 keeps 0 of 1 (6 left): moved.
  // 7 had no co-members: never moved. 8 keeps 0 of 1 (9 ceased): moved.
  CHECK(c.moved == 4);
  CHECK(c.moving_share() == Approx(0.5));
  CHECK(c.left == 1);
  CHECK(c.ceased == 1);
  CHECK(c.formed == 2);  // 4 and 5
  CHECK(c.ended == 1);   // 2
  CHECK(c.networks_before == 4);
  CHECK(c.networks_after == 5);
  // An even split: every member keeps 1 of 3 old co-members, so all moved.
  const MembershipChange split = membership_change({0, 0, 0, 0}, {0, 0, 1, 1}, {1, 1, 1, 1});
  CHECK(split.moved == 4);
  CHECK(std::isnan(membership_change({-1}, {0}, {1}).moving_share()));
  CHECK_THROWS_AS(membership_change({0}, {0, 1}, {1}), std::invalid_argument);
}

TEST_CASE("the dynamics of a crafted history match a hand computation", "[histories]") {
  const auto m = real_dynamics(parse_history(kHistory, "h.csv"));
  // 2020 (1 October 2019 -> 1 April 2020): nothing changes.
  CHECK(m.at("moving_share_2020") == 0.0);
  CHECK(m.at("networks_2020") == 4);
  CHECK(m.at("networks_formed_2020") == 0);
  // 2021: P3 moves N1 -> N2 (keeps none of P1, P2: moved); P1 and P2 keep 1
  // of 2 (not moved); P4 was alone. P5's last row ended 1 March 2021: it
  // ceased. P6 is in none on 1 April 2021 but has a later row: it left.
  CHECK(m.at("moving_share_2021") == Approx(0.25));
  CHECK(m.at("practices_ceasing_2021") == 1);
  CHECK(m.at("practices_leaving_2021") == 1);
  CHECK(m.at("networks_ended_2021") == 2);  // N3, N4
  CHECK(m.at("networks_2021") == 2);
  // 2022: P6 is back in N4, which has members again: formed.
  CHECK(m.at("networks_formed_2022") == 1);
  CHECK(m.at("networks_2022") == 3);
  CHECK(m.at("practices_leaving_2022") == 0);
  CHECK(m.at("moving_share_2023") == 0.0);
}

TEST_CASE("a history written from a run's own memberships measures what the run measures", "[histories]") {
  const RunResult run = pcnsim::testing::run_small();
  REQUIRE(run.membership.size() >= 5);
  // One row per practice and membership period: from the first date (the
  // formation) or the 1 April of the re-evaluation to the day before the next.
  std::string text = "practice_code,pcn_code,start_date,end_date\n";
  const auto& p = run.world.practices;
  std::vector<Date> starts = {Date::from_ymd(2019, 10, 1)};
  for (std::size_t r = 1; r < run.membership.size(); ++r) starts.push_back(Date::from_ymd(run.membership[r].date.year(), 4, 1));
  for (std::size_t i = 0; i < p.size(); ++i) {
    for (std::size_t r = 0; r < run.membership.size(); ++r) {
      const int n = run.membership[r].network_of[i];
      if (n < 0) continue;
      text += p.code[i] + ",N" + std::to_string(n) + "," + starts[r].iso() + ",";
      text += (r + 1 < starts.size() ? (starts[r + 1] + (-1)).iso() : std::string()) + "\n";
    }
  }
  const RealHistory h = parse_history(text, "own.csv");
  const auto real = real_dynamics(h);
  const auto sim = simulated_dynamics(run, h);
  double ceased = 0;
  for (const int y : dynamics_years()) {
    const std::string s = "_" + std::to_string(y);
    INFO(y);
    for (const char* k : {"moving_share", "networks_formed", "networks_ended", "networks"}) {
      INFO(k);
      CHECK(sim.at(k + s) == Approx(real.at(k + s)).margin(1e-12));
    }
    // A practice out of every network at the end has no later row: the history
    // calls it ceased, whether it merged or closed (9a) or only left the DES.
    CHECK(sim.at("practices_leaving" + s) + sim.at("practices_ceasing" + s) ==
          real.at("practices_leaving" + s) + real.at("practices_ceasing" + s));
    CHECK(sim.at("practices_ceasing" + s) <= real.at("practices_ceasing" + s));
    ceased += sim.at("practices_ceasing" + s);
  }
  CHECK(ceased > 0);  // the run's practices merge and close
}

TEST_CASE("the workforce loader reads its layouts and names bad rows", "[histories]") {
  const RealWorkforce a = parse_workforce("census_month,pcn_code,staff_group,staff_role,fte,headcount\n"
                                          "2022-09,U1,Other Direct Patient Care staff,Pharmacists,2.5,3\n"
                                          "202206,U1,Directors,Clinical Director,0.5,1\n",
                                          "w.csv");
  REQUIRE(a.rows.size() == 2);
  CHECK(a.rows[0].census == 2022 * 12 + 8);
  CHECK(a.rows[1].census == 2022 * 12 + 5);
  CHECK(a.rows[0].fte == 2.5);
  CHECK(census_label(a.rows[0].census) == "2022_09");
  CHECK(census_day(a.rows[0].census) == Date::from_ymd(2022, 9, 30));
  CHECK(census_day(2022 * 12 + 11) == Date::from_ymd(2022, 12, 31));
  const RealWorkforce b = parse_workforce("Census Date,PCN Code,Staff Role,FTE\n30/09/2022,U1,Care Coordinators,1\n"
                                          "2021-03-31,U2,Health and Wellbeing Coaches \x96 trainee,1\n",
                                          "national.csv");
  REQUIRE(b.rows.size() == 2);
  CHECK(b.rows[1].census == 2021 * 12 + 2);
  CHECK(unknown_staff_roles(b) == std::vector<std::string>{"Health and Wellbeing Coaches \xE2\x80\x93 trainee"});
  const auto p = problems_of([] {
    parse_workforce("census_month,pcn_code,staff_role,fte\n"
                    "2022-13,U1,Pharmacists,1\n"
                    "2022-09,U1,Pharmacists,-1\n"
                    "2022-09,,Pharmacists,abc\n",
                    "w.csv");
  });
  REQUIRE(p.size() == 4);
  CHECK(p[0].line == 2);
  CHECK(p[0].column == 1);
  CHECK(p[0].message.find("not a census month") != std::string::npos);
  CHECK(p[1].line == 3);
  CHECK(p[1].column == 24);
  CHECK(p[1].key == "fte");
  CHECK(p[2].line == 4);
  CHECK(p[2].message == "empty network code");
  CHECK(p[3].line == 4);
  CHECK(p[3].message.find("'abc' is not a full-time equivalent") != std::string::npos);
  CHECK(problems_of([] { parse_workforce("census_month,pcn_code,fte\n2022-09,U1,1\n", "m.csv"); }).size() == 1);
}

TEST_CASE("staff roles map to the model's ARRS roles, directors and managers to none", "[histories]") {
  CHECK(arrs_role_of("Other Direct Patient Care staff", "Pharmacists") == role("clinical_pharmacist"));
  CHECK(arrs_role_of("", "SOCIAL PRESCRIBING LINK WORKERS") == role("social_prescribing_link_worker"));
  CHECK(arrs_role_of("", "Physiotherapists") == role("first_contact_physiotherapist"));
  CHECK(arrs_role_of("", "Trainee Nursing Associates") == role("nursing_associate"));
  CHECK(arrs_role_of("", "Advanced Paramedic Practitioners") == role("advanced_practitioner"));
  CHECK(arrs_role_of("", "Therapists") == role("occupational_therapist"));
  CHECK(arrs_role_of("Directors", "Medical Clinical Director") == -1);
  CHECK(arrs_role_of("", "Clinical Director (Nurse)") == -1);
  CHECK(arrs_role_of("Directors", "Pharmacists") == -1);  // a director who is a pharmacist
  CHECK(arrs_role_of("Other Admin/Non-clinical staff", "Managers") == -1);
  CHECK(arrs_role_of("", "Other Direct Patient Care") == -1);
  CHECK(arrs_role_of("", "Astronauts") == -2);
}

TEST_CASE("the ARRS distribution across networks matches a hand computation", "[histories]") {
  auto staff = [](double patients, std::map<const char*, double> fte) {
    NetworkStaff n;
    n.patients = patients;
    for (const auto& [r, v] : fte) n.fte[static_cast<std::size_t>(role(r))] = v;
    return n;
  };
  const std::vector<NetworkStaff> networks = {
      staff(10000, {{"clinical_pharmacist", 1}}),                                         // 1 per 10,000
      staff(10000, {{"clinical_pharmacist", 2}, {"social_prescribing_link_worker", 2}}),  // 4
      staff(10000, {{"social_prescribing_link_worker", 3}}),                              // 3
      staff(5000, {}),                                                                    // none
      staff(0, {{"care_coordinator", 1}}),  // no patients: in the role mix only
  };
  const auto m = workforce_distribution(networks);
  CHECK(m.at("networks") == 4);
  CHECK(m.at("share_none") == Approx(0.25));
  // Rates 1, 3, 4: R type 7 quantiles.
  CHECK(m.at("fte_per_10k_p10") == Approx(1.4));
  CHECK(m.at("fte_per_10k_median") == Approx(3));
  CHECK(m.at("fte_per_10k_p90") == Approx(3.8));
  CHECK(m.at("fte_per_10k_p90_p10") == Approx(3.8 / 1.4));
  CHECK(m.at("fte_per_10k_median_normalised") == Approx(3 / (8.0 / 30000 * 1e4)));
  CHECK(m.at("role_share_clinical_pharmacist") == Approx(3.0 / 9));
  CHECK(m.at("role_share_social_prescribing_link_worker") == Approx(5.0 / 9));
  CHECK(m.at("role_share_care_coordinator") == Approx(1.0 / 9));
  CHECK(m.at("role_share_paramedic") == 0.0);
  CHECK(m.at("total_fte") == Approx(9));
  CHECK(std::isnan(workforce_distribution({staff(1000, {})}).at("fte_per_10k_median")));
}

TEST_CASE("the real workforce of a crafted file: networks from the history, growth to September 2022",
          "[histories]") {
  const RealHistory h = parse_history("practice_code,pcn_code,start_date,end_date\n"
                                      "P1,N1,20191001,\nP2,N1,20191001,\nP3,N2,20191001,\nP4,N3,20191001,\n",
                                      "h.csv");
  Practices p;
  p.code = {"P1", "P2", "P3", "P4"};
  p.list_size = {6000, 4000, 20000, 10000};
  const RealWorkforce w = parse_workforce("census_month,pcn_code,staff_group,staff_role,fte\n"
                                          "2022-03,N1,x,Pharmacists,1\n"
                                          "2022-09,N1,x,Pharmacists,1\n"
                                          "2022-09,N1,x,Care Coordinators,1\n"
                                          "2022-09,N1,Directors,Clinical Director,5\n"
                                          "2022-09,N2,x,Managers,3\n"
                                          "2022-09,N3,x,Social Prescribing Link Workers,2\n",
                                          "w.csv");
  const auto m = real_workforce(w, h, p.code, p.list_size);
  // September 2022: N1 2 FTE / 10,000 patients = 2; N2 none (a manager only); N3 2 / 10,000 = 2.
  CHECK(m.at("networks_2022_09") == 3);
  CHECK(m.at("share_none_2022_09") == Approx(1.0 / 3));
  CHECK(m.at("fte_per_10k_median_2022_09") == Approx(2));
  CHECK(m.at("role_share_care_coordinator_2022_09") == Approx(0.25));
  CHECK(m.at("growth_2022_03") == Approx(0.25));
  CHECK(m.at("growth_2022_09") == Approx(1));
  CHECK(m.at("share_none_2022_03") == Approx(2.0 / 3));
}
