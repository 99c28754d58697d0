#include <boost/random/uniform_01.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/kernel/rng.hpp"

using namespace pcnsim;

TEST_CASE("dates parse strictly and round-trip", "[calendar]") {
  REQUIRE(Date::parse("2019-04-01").has_value());
  CHECK(Date::parse("2019-04-01")->iso() == "2019-04-01");
  CHECK(Date::parse("2020-02-29").has_value());   // leap year
  CHECK_FALSE(Date::parse("2021-02-29"));         // not a leap year
  CHECK_FALSE(Date::parse("2021-13-01"));
  CHECK_FALSE(Date::parse("2021-4-1"));
  CHECK_FALSE(Date::parse("01/04/2019"));
  CHECK(Date::from_ymd(1970, 1, 1).days == 0);
  CHECK(Date::from_ymd(2019, 4, 1).days == 17987);
  for (int d = -1000; d < 30000; d += 37) CHECK(Date::parse(Date{d}.iso())->days == d);
}

TEST_CASE("financial years run April to March", "[calendar]") {
  CHECK(Date::from_ymd(2019, 4, 1).financial_year() == 2019);
  CHECK(Date::from_ymd(2020, 3, 31).financial_year() == 2019);
  CHECK(Date::from_ymd(2020, 4, 1).financial_year() == 2020);
  CHECK(financial_year_label(2019) == "2019/20");
  CHECK(financial_year_label(2099) == "2099/00");
}

TEST_CASE("weekly calendar covers the horizon", "[calendar]") {
  const Calendar cal(Date::from_ymd(2019, 4, 1), Date::from_ymd(2024, 3, 31));
  CHECK(cal.steps() == 261);  // 1,827 days
  CHECK(cal.step_start(0).iso() == "2019-04-01");
  CHECK(cal.step_of(Date::from_ymd(2019, 5, 15)) == 6);
  CHECK_FALSE(cal.step_of(Date::from_ymd(2019, 3, 31)));
  CHECK_FALSE(cal.step_of(Date::from_ymd(2024, 4, 1)));
  CHECK(cal.financial_years() == std::vector<int>{2019, 2020, 2021, 2022, 2023});
  int year_starts = 0;
  for (int s = 0; s < cal.steps(); ++s) year_starts += cal.starts_financial_year(s) ? 1 : 0;
  CHECK(year_starts == 5);
  // Each year-start step is the week that contains 1 April.
  for (int s = 1; s < cal.steps(); ++s) {
    if (!cal.starts_financial_year(s)) continue;
    const Date first = cal.step_start(s);
    CHECK(first.month() == 4);
    CHECK(first + (-7) < Date::from_ymd(first.year(), 4, 1));
  }
  const Calendar long_run(Date::from_ymd(2019, 4, 1), Date::from_ymd(2036, 3, 31));
  CHECK(long_run.financial_years().back() == 2035);
  CHECK(long_run.step_dates().size() == static_cast<std::size_t>(long_run.steps()));
}

TEST_CASE("random streams are reproducible and independent", "[rng]") {
  Engine a = make_stream(42, "formation", 0), b = make_stream(42, "formation", 0);
  for (int i = 0; i < 100; ++i) REQUIRE(a() == b());
  Engine c = make_stream(42, "signup", 0), d = make_stream(42, "formation", 1), e = make_stream(43, "formation", 0);
  Engine f = make_stream(42, "formation", 0, 7);
  Engine base = make_stream(42, "formation", 0);
  const auto x = base();
  CHECK(c() != x);
  CHECK(d() != x);
  CHECK(e() != x);
  CHECK(f() != x);
  std::set<std::uint64_t> seeds;
  for (std::uint64_t r = 0; r < 1000; ++r) seeds.insert(stream_seed(1, "x", r));
  CHECK(seeds.size() == 1000);
}

TEST_CASE("counter-based draws have the right distribution", "[rng]") {
  const std::uint64_t s = stream_seed(7, "noise", 0);
  double sum = 0, sum2 = 0, usum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = hash_normal(s, static_cast<std::uint64_t>(i), 3);
    sum += z;
    sum2 += z * z;
    const double u = hash_uniform(s, 3, static_cast<std::uint64_t>(i));
    REQUIRE(u > 0.0);
    REQUIRE(u < 1.0);
    usum += u;
  }
  CHECK(std::fabs(sum / n) < 0.01);
  CHECK(std::fabs(sum2 / n - 1.0) < 0.02);
  CHECK(std::fabs(usum / n - 0.5) < 0.005);
  // Pinned values: every seeded result of every earlier run depends on these
  // functions, so a change to them must be deliberate (new pins in the same
  // commit, saying why), never a side effect.
  CHECK(s == 12536505481657098401ull);
  CHECK(hash_normal(s, 5, 9) == Approx(0.00019826462751034861).margin(1e-15));
  CHECK(hash_normal(s, 9, 5) == Approx(0.26540542503901798).margin(1e-15));  // callers order the pair themselves
  CHECK(hash_uniform(s, 3, 4) == Approx(0.95834030248426738).margin(1e-15));
}
