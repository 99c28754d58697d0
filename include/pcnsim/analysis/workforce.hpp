#pragma once
// The ARRS workforce across networks, real and simulated: the real workforce
// file (NHS Digital "Primary Care Networks Workforce", FTE by census month,
// network and staff role), the mapping of its staff roles to the model's ARRS
// roles, and the distribution of ARRS FTE per 10,000 patients across networks,
// measured the same way on the file and on a run (docs/validation.md,
// "The ARRS workforce across networks"). The file records only the staff that
// networks report, below the national ARRS total: compare shapes and shares,
// not levels.
#include <array>
#include <map>
#include <string>
#include <vector>

#include "models/arrs.hpp"
#include "pcnsim/analysis/history.hpp"
#include "pcnsim/engine/simulation.hpp"

namespace pcnsim {

struct WorkforceRow {
  int census = 0;  // census month as year * 12 + month - 1
  std::string pcn_code, staff_group, staff_role;
  double fte = 0.0;
  int line = 0;  // 1-based line in the file
};

struct RealWorkforce {
  std::string file;
  std::vector<WorkforceRow> rows;  // in file order
};

/// Reads a workforce file (a file that is not valid UTF-8 is read as cp1252).
/// Columns, case-insensitive: census_month (or "Census Date", "census"),
/// pcn_code ("PCN Code"), staff_role ("Staff Role", "Detailed Staff Role"),
/// fte ("FTE"); optional staff_group ("Staff Group"); others (headcount) are
/// ignored. The census is YYYY-MM, YYYYMM, YYYY-MM-DD or DD/MM/YYYY (the day is
/// dropped). Throws InputError listing every problem with its line and column:
/// missing or empty file, malformed CSV, missing columns, empty codes or roles,
/// a bad census month, an FTE that is not a finite number >= 0, no rows.
RealWorkforce read_workforce(const std::string& path);
/// Same, from the file's text (tests, fuzzing); `file` names it in messages.
RealWorkforce parse_workforce(const std::string& text, const std::string& file);

/// "2022_09" for a census month (metric keys); "2022-09" with `separator` '-'.
std::string census_label(int census, char separator = '_');
/// The last day of a census month: the date the census counts.
Date census_day(int census);

/// The model's ARRS role (index into kArrsRoles) of a staff role of the file,
/// case-insensitive (the table is in docs/validation.md); -1 for a role that is
/// not an ARRS role: clinical directors and anything in the "Directors" staff
/// group, managers, administrative staff, "Other Direct Patient Care" and
/// health support workers; -2 for a role the table does not know (not ARRS,
/// listed by validate).
int arrs_role_of(const std::string& staff_group, const std::string& staff_role);

/// One network at a census: its patients and ARRS FTE per role.
struct NetworkStaff {
  double patients = 0.0;
  std::array<double, kRoleCount> fte{};
};

/// The distribution across networks at one census, keys:
///   networks: networks with patients > 0 (the others are left out of every share and quantile);
///   share_none: of them, the share with no ARRS FTE;
///   fte_per_10k_p10, _median, _p90: quantiles (R type 7) of ARRS FTE per
///     10,000 patients among networks with any;
///   fte_per_10k_p90_p10: P90 / P10;
///   fte_per_10k_median_normalised: the median divided by the pooled rate
///     (their FTE / their patients x 10,000), free of the level;
///   role_share_<role>: the role's share of all ARRS FTE (every network, the
///     ones without patients included), for every role of kArrsRoles;
///   total_fte: all ARRS FTE.
/// NaN where there is nothing to measure.
std::map<std::string, double> workforce_distribution(const std::vector<NetworkStaff>& networks);

/// The census months of the file, ascending.
std::vector<int> census_months(const RealWorkforce& workforce);
/// The census all growth is normalised to: September 2022.
int growth_reference_census();

/// Real workforce metrics: workforce_distribution at every census of the file,
/// keyed "<key>_YYYY_MM", plus growth_YYYY_MM = total_fte / total_fte of
/// September 2022 (when the file has it). The networks at a census are those of
/// the history on its last day; their patients are the population file's list
/// sizes (January 2021; `list_size` per practice of `codes`) of their member
/// practices (codes not in the population add none); staff of network codes
/// the history does not hold then have no patients. Non-ARRS roles are left out.
std::map<std::string, double> real_workforce(const RealWorkforce& workforce, const RealHistory& history,
                                             const std::vector<std::string>& codes, const std::vector<double>& list_size);

/// The same of a run at the census months of the file: the weekly ARRS WTE
/// (/networks/weekly/arrs_wte) of the week containing each census day, per
/// network with a member listed in the history (members as in force that week),
/// patients = the members' list sizes.
std::map<std::string, double> simulated_workforce(const RunResult& run, const RealWorkforce& workforce,
                                                  const RealHistory& history);

/// Staff roles of the file that arrs_role_of does not know, sorted, each once.
std::vector<std::string> unknown_staff_roles(const RealWorkforce& workforce);

}  // namespace pcnsim
