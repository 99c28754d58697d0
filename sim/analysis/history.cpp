#include "pcnsim/analysis/history.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>

#include "pcnsim/kernel/csv.hpp"

namespace pcnsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool all_digits(const std::string& s, std::size_t from, std::size_t count) {
  for (std::size_t i = from; i < from + count; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY.
std::optional<Date> parse_history_date(const std::string& s) {
  if (s.size() == 8 && all_digits(s, 0, 8)) return Date::parse(s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2));
  if (s.size() == 10 && s[2] == '/' && s[5] == '/' && all_digits(s, 0, 2) && all_digits(s, 3, 2) && all_digits(s, 6, 4)) {
    return Date::parse(s.substr(6, 4) + "-" + s.substr(3, 2) + "-" + s.substr(0, 2));
  }
  return Date::parse(s);
}

struct HistoryColumns {
  std::optional<std::size_t> practice, pcn, start, end, commissioner;
};

HistoryColumns history_columns(const CsvTable& table, DiagnosticList& problems) {
  HistoryColumns c;
  c.practice = find_required_column(table, {"practice_code", "Partner Organisation Code", "Practice Code"}, problems);
  c.pcn = find_required_column(table, {"pcn_code", "PCN Code"}, problems);
  c.start = find_required_column(table, {"start_date", "Practice to PCN Relationship Start Date"}, problems);
  c.end = find_required_column(table, {"end_date", "Practice to PCN Relationship End Date"}, problems);
  c.commissioner = table.column({"commissioner_2021", "commissioner", "Sub ICB Loc Code", "Sub ICB Location Code",
                                 "Practice Parent Sub ICB Loc Code", "Sub ICB Loc", "CCG Code", "Practice Parent CCG Code",
                                 "CCG"});
  return c;
}

// One row; false (with its problems recorded) when it cannot be used.
bool history_row(const CsvTable& table, const CsvRow& row, const HistoryColumns& c, HistoryRow& out,
                 DiagnosticList& problems) {
  auto where = [&](std::size_t col) { return row.places[col].column; };
  auto complain = [&](std::size_t col, const std::string& message) {
    problems.add({table.file, row.line, where(col), table.header[col], message});
  };
  const std::size_t before = problems.size();
  out.practice_code = row.fields[*c.practice];
  out.pcn_code = row.fields[*c.pcn];
  out.commissioner = c.commissioner ? row.fields[*c.commissioner] : "";
  out.line = row.line;
  if (out.practice_code.empty()) complain(*c.practice, "empty practice code");
  if (out.pcn_code.empty()) complain(*c.pcn, "empty network code");
  const std::string& start = row.fields[*c.start];
  const std::string& end = row.fields[*c.end];
  const auto start_date = parse_history_date(start);
  if (!start_date) complain(*c.start, "'" + start + "' is not a date (YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY)");
  out.ended = !end.empty();
  const auto end_date = out.ended ? parse_history_date(end) : std::optional<Date>(Date{});
  if (!end_date) complain(*c.end, "'" + end + "' is not a date (YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY; empty: not ended)");
  if (start_date && end_date && out.ended && *end_date < *start_date) {
    complain(*c.end, "the membership ends (" + end + ") before it starts (" + start + ")");
  }
  if (start_date) out.start = *start_date;
  if (end_date) out.end = *end_date;
  return problems.size() == before;
}

RealHistory history_from_table(const CsvTable& table) {
  DiagnosticList problems;
  for (const auto& d : table.row_problems) problems.add(d);
  const HistoryColumns c = history_columns(table, problems);
  if (!c.practice || !c.pcn || !c.start || !c.end) throw_by_line(problems);  // rows cannot be read without them
  RealHistory h;
  h.file = table.file;
  h.rows = accepted_rows<HistoryRow>(table, problems, "membership",
                                     [&](const auto& row, HistoryRow& r) { return history_row(table, row, c, r, problems); });
  h.first = h.rows.front().start;
  for (const auto& r : h.rows) h.first = std::min(h.first, r.start);
  return h;
}

bool holds_on(const HistoryRow& r, Date d) { return r.start <= d && (!r.ended || r.end >= d); }

}  // namespace

RealHistory read_history(const std::string& path) { return history_from_table(read_csv_utf8_or_cp1252(path, true)); }

RealHistory parse_history(const std::string& text, const std::string& file) {
  return history_from_table(parse_csv(utf8_or_cp1252(text), file, true));
}

std::map<std::string, std::string> history_membership_on(const RealHistory& history, Date date) {
  std::map<std::string, const HistoryRow*> chosen;
  for (const auto& r : history.rows) {
    if (!holds_on(r, date)) continue;
    const HistoryRow*& c = chosen[r.practice_code];
    if (c == nullptr || r.start > c->start || (r.start == c->start && r.line > c->line)) c = &r;
  }
  std::map<std::string, std::string> out;
  for (const auto& [code, row] : chosen) out.emplace(code, row->pcn_code);
  return out;
}

double MembershipChange::moving_share() const { return base > 0 ? static_cast<double>(moved) / base : kNaN; }

MembershipChange membership_change(const std::vector<int>& before, const std::vector<int>& after,
                                   const std::vector<std::uint8_t>& exists_after) {
  if (before.size() != after.size() || before.size() != exists_after.size()) {
    throw std::invalid_argument("membership_change: the memberships differ in length");
  }
  std::map<int, std::vector<std::size_t>> members_before;  // network -> items, ascending
  std::set<int> nets_before, nets_after;
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (before[i] >= 0) members_before[before[i]].push_back(i), nets_before.insert(before[i]);
    if (after[i] >= 0) nets_after.insert(after[i]);
  }
  MembershipChange c;
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (before[i] < 0) continue;
    if (after[i] < 0) {
      ++(exists_after[i] ? c.left : c.ceased);
      continue;
    }
    ++c.base;
    int old_co = 0, kept = 0;  // old co-members, and of them those still co-members
    for (const std::size_t j : members_before[before[i]]) {
      if (j == i) continue;
      ++old_co;
      kept += after[j] == after[i] ? 1 : 0;
    }
    c.moved += old_co > 0 && 2 * kept < old_co ? 1 : 0;
  }
  for (int n : nets_after) c.formed += nets_before.count(n) ? 0 : 1;
  for (int n : nets_before) c.ended += nets_after.count(n) ? 0 : 1;
  c.networks_before = static_cast<int>(nets_before.size());
  c.networks_after = static_cast<int>(nets_after.size());
  return c;
}

std::vector<int> dynamics_years() { return {2020, 2021, 2022, 2023}; }

namespace {

void put_change(std::map<std::string, double>& m, int year, const MembershipChange& c, bool ceasing) {
  std::string y = "_";  // (not "_" + std::to_string(year): GCC 12 warns falsely, -Wrestrict)
  y += std::to_string(year);
  m["moving_share" + y] = c.moving_share();
  m["practices_leaving" + y] = c.left;
  if (ceasing) m["practices_ceasing" + y] = c.ceased;
  m["networks_formed" + y] = c.formed;
  m["networks_ended" + y] = c.ended;
  m["networks" + y] = c.networks_after;
}

// Labels per practice code (index in `codes`) on a date: dense network ids.
std::vector<int> labels_on(const RealHistory& h, Date d, const std::vector<std::string>& codes,
                           std::map<std::string, int>& network_ids) {
  const auto on = history_membership_on(h, d);
  std::vector<int> labels(codes.size(), -1);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const auto it = on.find(codes[i]);
    if (it != on.end()) labels[i] = network_ids.emplace(it->second, static_cast<int>(network_ids.size())).first->second;
  }
  return labels;
}

}  // namespace

std::map<std::string, double> real_dynamics(const RealHistory& history) {
  std::vector<std::string> codes;
  std::map<std::string, Date> last_day;  // per code: the last day any row holds (open rows: far future)
  for (const auto& r : history.rows) {
    const Date last = r.ended ? r.end : Date::from_ymd(9999, 12, 31);
    auto [it, inserted] = last_day.emplace(r.practice_code, last);
    if (inserted) codes.push_back(r.practice_code);
    it->second = std::max(it->second, last);
  }
  std::map<std::string, int> network_ids;
  std::map<std::string, double> m;
  for (const int year : dynamics_years()) {
    const Date at = Date::from_ymd(year, 4, 1);
    const Date before = std::max(Date::from_ymd(year - 1, 4, 1), history.first);
    std::vector<std::uint8_t> exists(codes.size());
    for (std::size_t i = 0; i < codes.size(); ++i) exists[i] = last_day.at(codes[i]) >= at;
    const MembershipChange c = membership_change(labels_on(history, before, codes, network_ids),
                                                 labels_on(history, at, codes, network_ids), exists);
    put_change(m, year, c, true);
  }
  return m;
}

std::vector<std::uint8_t> listed_in_history(const RealHistory& history, const Practices& p) {
  std::set<std::string> codes;
  for (const auto& r : history.rows) codes.insert(r.practice_code);
  std::vector<std::uint8_t> listed(p.size(), 0);
  for (std::size_t i = 0; i < p.size(); ++i) listed[i] = codes.count(p.code[i]) ? 1 : 0;
  return listed;
}

std::map<std::string, double> simulated_dynamics(const RunResult& run, const RealHistory& history) {
  std::map<std::string, double> m;
  if (run.membership.empty()) return m;
  const std::vector<std::uint8_t> listed = listed_in_history(history, run.world.practices);
  // The membership row in force in the week that starts in the 7 days from `d` (the week of the 1 April
  // re-evaluation, the first week of the financial year; the formation before the first re-evaluation).
  auto labels = [&](Date d) {
    const auto step = run.calendar.step_of(d + 6);
    std::vector<int> l = run.membership[step ? membership_row(run, *step) : 0].network_of;
    for (std::size_t i = 0; i < l.size(); ++i) l[i] = listed[i] ? l[i] : -1;
    return l;
  };
  for (const int year : dynamics_years()) {
    const Date at = Date::from_ymd(year, 4, 1);
    const auto step = run.calendar.step_of(at + 6);
    if (!step) continue;  // the run does not reach that year
    std::vector<std::uint8_t> exists(listed.size(), 1);  // merged and closed practices (mechanism 9a) do not
    for (std::size_t i = 0; i < exists.size(); ++i) {
      const int ceased = i < run.world.ceased_step.size() ? run.world.ceased_step[i] : -1;
      exists[i] = ceased < 0 || ceased > *step;
    }
    put_change(m, year, membership_change(labels(Date::from_ymd(year - 1, 4, 1)), labels(at), exists), true);
  }
  return m;
}

}  // namespace pcnsim
