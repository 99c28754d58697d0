#include "pcnsim/kernel/calendar.hpp"

#include <cstdio>

namespace pcnsim {

// Civil-date conversions after H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
Date Date::from_ymd(int year, int month, int day) {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int mp = (month + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Date{era * 146097 + doe - 719468};
}

void Date::to_ymd(int& year, int& month, int& day) const {
  const int z = days + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = z - era * 146097;
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = yoe + era * 400 + (month <= 2 ? 1 : 0);
}

std::optional<Date> Date::parse(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const int y = std::stoi(text.substr(0, 4));
  const int m = std::stoi(text.substr(5, 2));
  const int d = std::stoi(text.substr(8, 2));
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const Date date = from_ymd(y, m, d);
  int yy, mm, dd;
  date.to_ymd(yy, mm, dd);
  if (yy != y || mm != m || dd != d) return std::nullopt;  // e.g. 2021-02-30
  return date;
}

std::string Date::iso() const {
  int y, m, d;
  to_ymd(y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

int Date::year() const {
  int y, m, d;
  to_ymd(y, m, d);
  return y;
}

int Date::month() const {
  int y, m, d;
  to_ymd(y, m, d);
  return m;
}

int Date::day() const {
  int y, m, d;
  to_ymd(y, m, d);
  return d;
}

int Date::financial_year() const {
  int y, m, d;
  to_ymd(y, m, d);
  return m >= 4 ? y : y - 1;
}

std::string financial_year_label(int fy) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d/%02d", fy, (fy + 1) % 100);
  return buf;
}

Calendar::Calendar(Date start, Date end)
    : start_(start), end_(end), steps_(end.days >= start.days ? (end.days - start.days) / 7 + 1 : 0) {}

std::optional<int> Calendar::step_of(Date d) const {
  if (d < start_ || d > end_) return std::nullopt;
  return (d.days - start_.days) / 7;
}

bool Calendar::starts_financial_year(int step) const {
  if (step == 0) return true;
  return step_start(step).financial_year() != step_start(step - 1).financial_year();
}

std::vector<int> Calendar::financial_years() const {
  std::vector<int> years;
  for (int fy = start_.financial_year(); fy <= end_.financial_year(); ++fy) years.push_back(fy);
  return years;
}

std::vector<std::string> Calendar::step_dates() const {
  std::vector<std::string> dates;
  dates.reserve(steps_);
  for (int s = 0; s < steps_; ++s) dates.push_back(step_start(s).iso());
  return dates;
}

}  // namespace pcnsim
