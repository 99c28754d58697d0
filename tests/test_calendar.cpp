#include <catch2/catch.hpp>
#include <vector>

#include "pcnsim/kernel/calendar.hpp"

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
