#include "pcnsim/analysis/workforce.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <set>

#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/kernel/csv.hpp"

namespace pcnsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool digits(const std::string& s, std::size_t from, std::size_t count) {
  if (from + count > s.size()) return false;
  return std::all_of(s.begin() + static_cast<long>(from), s.begin() + static_cast<long>(from + count),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// YYYY-MM, YYYYMM, YYYY-MM-DD or DD/MM/YYYY -> year * 12 + month - 1.
std::optional<int> parse_census(const std::string& s) {
  int year = 0, month = 0;
  if ((s.size() == 7 || s.size() == 10) && s[4] == '-' && digits(s, 0, 4) && digits(s, 5, 2)) {
    if (s.size() == 10 && !Date::parse(s)) return std::nullopt;
    year = std::stoi(s.substr(0, 4)), month = std::stoi(s.substr(5, 2));
  } else if (s.size() == 6 && digits(s, 0, 6)) {
    year = std::stoi(s.substr(0, 4)), month = std::stoi(s.substr(4, 2));
  } else if (s.size() == 10 && s[2] == '/' && s[5] == '/' && digits(s, 0, 2) && digits(s, 3, 2) && digits(s, 6, 4)) {
    if (!Date::parse(s.substr(6, 4) + "-" + s.substr(3, 2) + "-" + s.substr(0, 2))) return std::nullopt;
    year = std::stoi(s.substr(6, 4)), month = std::stoi(s.substr(3, 2));
  } else {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || year < 1900) return std::nullopt;
  return year * 12 + month - 1;
}

std::optional<double> parse_fte(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v) || v < 0) return std::nullopt;
  return v;
}

struct WorkforceColumns {
  std::optional<std::size_t> census, pcn, role, fte, group;
};

bool workforce_row(const CsvTable& table, const CsvRow& row, const WorkforceColumns& c, WorkforceRow& out,
                   DiagnosticList& problems) {
  auto complain = [&](std::size_t col, const std::string& message) {
    problems.add({table.file, row.line, row.places[col].column, table.header[col], message});
  };
  const std::size_t before = problems.size();
  out.line = row.line;
  out.pcn_code = row.fields[*c.pcn];
  out.staff_role = row.fields[*c.role];
  out.staff_group = c.group ? row.fields[*c.group] : "";
  if (out.pcn_code.empty()) complain(*c.pcn, "empty network code");
  if (out.staff_role.empty()) complain(*c.role, "empty staff role");
  const std::string& census = row.fields[*c.census];
  if (const auto m = parse_census(census)) {
    out.census = *m;
  } else {
    complain(*c.census, "'" + census + "' is not a census month (YYYY-MM, YYYYMM, YYYY-MM-DD or DD/MM/YYYY)");
  }
  const std::string& fte = row.fields[*c.fte];
  if (const auto v = parse_fte(fte)) {
    out.fte = *v;
  } else {
    complain(*c.fte, "'" + fte + "' is not a full-time equivalent (a finite number, at least 0)");
  }
  return problems.size() == before;
}

RealWorkforce workforce_from_table(const CsvTable& table) {
  DiagnosticList problems;
  for (const auto& d : table.row_problems) problems.add(d);
  WorkforceColumns c;
  c.census = find_required_column(table, {"census_month", "Census Date", "census"}, problems);
  c.pcn = find_required_column(table, {"pcn_code", "PCN Code"}, problems);
  c.role = find_required_column(table, {"staff_role", "Staff Role", "Detailed Staff Role"}, problems);
  c.fte = find_required_column(table, {"fte", "FTE"}, problems);
  c.group = table.column({"staff_group", "Staff Group"});
  if (!c.census || !c.pcn || !c.role || !c.fte) throw_by_line(problems);
  RealWorkforce w;
  w.file = table.file;
  w.rows = accepted_rows<WorkforceRow>(table, problems, "workforce",
                                       [&](const auto& row, WorkforceRow& r) { return workforce_row(table, row, c, r, problems); });
  return w;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

int role_index(const char* name) {
  for (std::size_t r = 0; r < kRoleCount; ++r) {
    if (std::string(kArrsRoles[r]) == name) return static_cast<int>(r);
  }
  return -2;
}

}  // namespace

RealWorkforce read_workforce(const std::string& path) { return workforce_from_table(read_csv_utf8_or_cp1252(path, true)); }

RealWorkforce parse_workforce(const std::string& text, const std::string& file) {
  return workforce_from_table(parse_csv(utf8_or_cp1252(text), file, true));
}

std::string census_label(int census, char separator) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%c%02d", census / 12, separator, census % 12 + 1);
  return buf;
}

Date census_day(int census) {
  const int year = census / 12, month = census % 12 + 1;
  return Date::from_ymd(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) + (-1);
}

int growth_reference_census() { return 2022 * 12 + 8; }

int arrs_role_of(const std::string& staff_group, const std::string& staff_role) {
  static const std::map<std::string, const char*> kMap = {
      {"pharmacists", "clinical_pharmacist"},
      {"clinical pharmacists", "clinical_pharmacist"},
      {"social prescribing link workers", "social_prescribing_link_worker"},
      {"physiotherapists", "first_contact_physiotherapist"},
      {"first contact physiotherapists", "first_contact_physiotherapist"},
      {"physician associates", "physician_associate"},
      {"pharmacy technicians", "pharmacy_technician"},
      {"care coordinators", "care_coordinator"},
      {"health and wellbeing coaches", "health_wellbeing_coach"},
      {"nursing associates", "nursing_associate"},
      {"trainee nursing associates", "nursing_associate"},
      {"paramedics", "paramedic"},
      {"mental health practitioners", "mental_health_practitioner"},
      {"advanced pharmacist practitioners", "advanced_practitioner"},
      {"advanced paramedic practitioners", "advanced_practitioner"},
      {"advanced physiotherapist practitioners", "advanced_practitioner"},
      {"advanced occupational therapist practitioners", "advanced_practitioner"},
      {"advanced dietician practitioners", "advanced_practitioner"},
      {"dieticians", "dietitian"},
      {"dietitians", "dietitian"},
      {"podiatrists", "podiatrist"},
      {"therapists", "occupational_therapist"},
      {"occupational therapists", "occupational_therapist"},
      {"gp assistants", "gp_assistant"},
      {"digital and transformation leads", "digital_lead"}};
  static const std::set<std::string> kNotArrs = {"managers", "other admin/non-clinical", "other direct patient care",
                                                 "health support workers"};
  const std::string role = lower(staff_role);
  if (lower(staff_group) == "directors" || role.find("director") != std::string::npos || kNotArrs.count(role)) return -1;
  const auto it = kMap.find(role);
  return it == kMap.end() ? -2 : role_index(it->second);
}

std::vector<std::string> unknown_staff_roles(const RealWorkforce& workforce) {
  std::set<std::string> unknown;
  for (const auto& r : workforce.rows) {
    if (arrs_role_of(r.staff_group, r.staff_role) == -2) unknown.insert(r.staff_role);
  }
  return {unknown.begin(), unknown.end()};
}

std::vector<int> census_months(const RealWorkforce& workforce) {
  std::set<int> months;
  for (const auto& r : workforce.rows) months.insert(r.census);
  return {months.begin(), months.end()};
}

std::map<std::string, double> workforce_distribution(const std::vector<NetworkStaff>& networks) {
  std::map<std::string, double> m;
  std::array<double, kRoleCount> roles{};
  std::vector<double> rates;
  double fte_any = 0, patients_any = 0, total = 0;
  int counted = 0, none = 0;
  for (const auto& n : networks) {
    double fte = 0;
    for (std::size_t r = 0; r < kRoleCount; ++r) fte += n.fte[r], roles[r] += n.fte[r];
    total += fte;
    if (n.patients <= 0) continue;
    ++counted;
    if (fte <= 0) {
      ++none;
      continue;
    }
    rates.push_back(fte / n.patients * 1e4);
    fte_any += fte, patients_any += n.patients;
  }
  m["networks"] = counted;
  m["share_none"] = counted > 0 ? static_cast<double>(none) / counted : kNaN;
  m["fte_per_10k_p10"] = rates.empty() ? kNaN : quantile(rates, 0.1);
  m["fte_per_10k_median"] = rates.empty() ? kNaN : quantile(rates, 0.5);
  m["fte_per_10k_p90"] = rates.empty() ? kNaN : quantile(rates, 0.9);
  m["fte_per_10k_p90_p10"] = m["fte_per_10k_p90"] / m["fte_per_10k_p10"];
  m["fte_per_10k_median_normalised"] = rates.empty() ? kNaN : m["fte_per_10k_median"] / (fte_any / patients_any * 1e4);
  for (std::size_t r = 0; r < kRoleCount; ++r) m["role_share_" + std::string(kArrsRoles[r])] = total > 0 ? roles[r] / total : kNaN;
  m["total_fte"] = total;
  return m;
}

namespace {

// Keys "<key>_YYYY_MM" of each census, and growth_YYYY_MM against September 2022.
void put_census(std::map<std::string, double>& out, int census, const std::map<std::string, double>& d) {
  for (const auto& [k, v] : d) out[k + "_" + census_label(census)] = v;
}

void put_growth(std::map<std::string, double>& out, const std::vector<int>& months) {
  const auto ref = out.find("total_fte_" + census_label(growth_reference_census()));
  if (ref == out.end() || !(ref->second > 0)) return;
  for (const int c : months) {
    const auto it = out.find("total_fte_" + census_label(c));
    if (it != out.end()) out["growth_" + census_label(c)] = it->second / ref->second;
  }
}

}  // namespace

std::map<std::string, double> real_workforce(const RealWorkforce& workforce, const RealHistory& history,
                                             const std::vector<std::string>& codes, const std::vector<double>& lists) {
  std::map<std::string, double> list_size;
  for (std::size_t i = 0; i < codes.size(); ++i) list_size[codes[i]] = lists[i];
  std::map<std::string, double> out;
  const std::vector<int> months = census_months(workforce);
  for (const int census : months) {
    std::map<std::string, NetworkStaff> networks;
    for (const auto& [practice, pcn] : history_membership_on(history, census_day(census))) {
      const auto it = list_size.find(practice);
      networks[pcn].patients += it == list_size.end() ? 0.0 : it->second;
    }
    for (const auto& r : workforce.rows) {
      const int role = r.census == census ? arrs_role_of(r.staff_group, r.staff_role) : -1;
      if (role >= 0) networks[r.pcn_code].fte[static_cast<std::size_t>(role)] += r.fte;
    }
    std::vector<NetworkStaff> list;
    for (const auto& [code, n] : networks) list.push_back(n);
    put_census(out, census, workforce_distribution(list));
  }
  put_growth(out, months);
  return out;
}

std::map<std::string, double> simulated_workforce(const RunResult& run, const RealWorkforce& workforce,
                                                  const RealHistory& history) {
  std::map<std::string, double> out;
  if (run.membership.empty()) return out;
  const std::vector<std::uint8_t> listed = listed_in_history(history, run.world.practices);
  const auto& wte = run.weekly.floats("/networks/weekly/arrs_wte");
  const std::vector<int> months = census_months(workforce);
  for (const int census : months) {
    const auto step = run.calendar.step_of(census_day(census));
    if (!step) continue;
    const MembershipSnapshot& snap = run.membership[membership_row(run, *step)];
    const auto& network_of = snap.network_of;
    const auto [staff, covered] = wte.week(static_cast<std::size_t>(*step));
    std::vector<NetworkStaff> networks(covered);
    std::vector<std::uint8_t> counted(covered, 0);  // networks with a member listed in the history
    for (std::size_t i = 0; i < network_of.size(); ++i) {
      const int n = network_of[i];
      if (n < 0 || static_cast<std::size_t>(n) >= covered) continue;
      networks[static_cast<std::size_t>(n)].patients += snap.list_size[i];
      counted[static_cast<std::size_t>(n)] |= listed[i];
    }
    std::vector<NetworkStaff> list;
    for (std::size_t n = 0; n < covered; ++n) {
      if (!counted[n]) continue;
      for (std::size_t r = 0; r < kRoleCount; ++r) networks[n].fte[r] = staff[n * kRoleCount + r];
      list.push_back(networks[n]);
    }
    put_census(out, census, workforce_distribution(list));
  }
  put_growth(out, months);
  return out;
}

}  // namespace pcnsim
