#pragma once
// Weekly calendar: step k covers the 7 days starting at start + 7k. Financial
// years run 1 April to 31 March and are labelled by their first year (2019 =
// FY 2019/20). Dates are whole days since 1970-01-01 (proleptic Gregorian).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pcnsim {

struct Date {
  std::int32_t days = 0;  // days since 1970-01-01

  static Date from_ymd(int year, int month, int day);
  /// Strict ISO "YYYY-MM-DD"; std::nullopt when malformed or not a real date.
  static std::optional<Date> parse(const std::string& text);
  void to_ymd(int& year, int& month, int& day) const;
  std::string iso() const;
  int year() const;
  int month() const;
  int day() const;
  /// Financial year that contains the date, e.g. 2019 for 2020-03-31.
  int financial_year() const;

  friend bool operator==(Date a, Date b) { return a.days == b.days; }
  friend auto operator<=>(Date a, Date b) { return a.days <=> b.days; }
  Date operator+(int n) const { return Date{days + n}; }
};

/// "2019/20" for 2019.
std::string financial_year_label(int financial_year);

class Calendar {
 public:
  /// Steps cover [start, end] inclusive; the last step may run past `end`.
  Calendar(Date start, Date end);

  int steps() const { return steps_; }
  Date start() const { return start_; }
  Date end() const { return end_; }
  Date step_start(int step) const { return start_ + 7 * step; }
  /// Step whose week contains `d`; std::nullopt outside the horizon.
  std::optional<int> step_of(Date d) const;
  /// True when the week of `step` contains 1 April (the first step of a new
  /// financial year); the first step is always the start of its year.
  bool starts_financial_year(int step) const;
  int financial_year(int step) const { return step_start(step).financial_year(); }
  /// Financial years touched by the horizon, in order.
  std::vector<int> financial_years() const;
  /// ISO date of the first day of every step.
  std::vector<std::string> step_dates() const;

 private:
  Date start_;
  Date end_;
  int steps_;
};

}  // namespace pcnsim
