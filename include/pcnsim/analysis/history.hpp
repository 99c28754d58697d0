#pragma once
// Network dynamics, real and simulated: the real practice-to-network history
// (NHS Digital ePCN, cumulative edition: one row per membership with its start
// and end dates) and the year-on-year changes of a membership, measured the
// same way on the history and on a run's 1 April re-evaluations
// (docs/validation.md, "Network dynamics").
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pcnsim/engine/simulation.hpp"
#include "pcnsim/kernel/calendar.hpp"

namespace pcnsim {

/// One membership of a practice in a network, from `start` to `end` inclusive.
struct HistoryRow {
  std::string practice_code;  // ODS code, e.g. A81001
  std::string pcn_code;       // e.g. U89141
  std::string commissioner;   // the commissioner column if the file has one, else ""
  Date start;
  Date end;                   // the last day, when `ended`
  bool ended = false;         // false: the membership has not ended
  int line = 0;               // 1-based line in the file
};

struct RealHistory {
  std::string file;
  std::vector<HistoryRow> rows;  // in file order
  Date first;                    // the earliest start date of any row
};

/// Reads a history file (a file that is not valid UTF-8 is read as cp1252).
/// Columns, case-insensitive: practice_code (or "Partner Organisation Code",
/// "Practice Code"), pcn_code ("PCN Code"), start_date ("Practice to PCN
/// Relationship Start Date"), end_date ("Practice to PCN Relationship End
/// Date"); optional commissioner column: commissioner_2021, "CCG", "CCG Code",
/// "Sub ICB Loc", "Sub ICB Loc Code", "Sub ICB Location Code", "Practice Parent
/// CCG Code", "Practice Parent Sub ICB Loc Code"; other columns are ignored.
/// Dates are YYYYMMDD, YYYY-MM-DD or DD/MM/YYYY; an empty end date is an open
/// membership. Throws InputError listing every problem with its line and
/// column: missing or empty file, malformed CSV, missing columns, empty codes,
/// a bad date, an end before its start, no rows at all.
RealHistory read_history(const std::string& path);
/// Same, from the file's text (tests, fuzzing); `file` names it in messages.
RealHistory parse_history(const std::string& text, const std::string& file);

/// Practice code -> network code on `date`: the rows started on or before it
/// and not ended before it. When two rows of one practice hold on the date
/// (a correction, or a move recorded as ending the day the next one starts),
/// the one that started later wins, the later line on a tie.
std::map<std::string, std::string> history_membership_on(const RealHistory& history, Date date);

/// How a membership changed between two dates, over the same items
/// (practices): labels per item, -1 = in no network.
///   base: items in a network at both dates;
///   moved: of them, items whose co-members after share less than half of
///     their co-members before: |old co-members ∩ new co-members| * 2 <
///     |old co-members| (co-members: the other items of the item's network;
///     an item alone in its network before has none and never counts as moved);
///   left: items in a network before, in none after, that still exist after;
///   ceased: items in a network before that no longer exist after;
///   formed / ended: networks with items after but not before / before but not after;
///   networks_before, networks_after: networks with at least one item.
/// `exists_after[i]` says whether item i exists at the later date.
/// Throws std::invalid_argument if the sizes differ.
struct MembershipChange {
  int base = 0, moved = 0, left = 0, ceased = 0, formed = 0, ended = 0;
  int networks_before = 0, networks_after = 0;
  /// moved / base (NaN when base is 0).
  double moving_share() const;
};
MembershipChange membership_change(const std::vector<int>& before, const std::vector<int>& after,
                                   const std::vector<std::uint8_t>& exists_after);

/// The years measured: each compares 1 April of the year with 1 April of the
/// year before (for the first year, the history's first date, or the formation).
std::vector<int> dynamics_years();

/// The dynamics metrics of the real history, keyed "<name>_<year>":
/// moving_share, practices_leaving, practices_ceasing, networks_formed,
/// networks_ended, networks (on 1 April of the year). Over every practice code
/// of the file; a code exists after a date when one of its rows holds on or
/// after that date (the history cannot tell a practice that left the DES for
/// good from one that closed: both cease).
std::map<std::string, double> real_dynamics(const RealHistory& history);

/// The same metrics of a run, from its membership rows in force in the weeks
/// containing each 1 April (the formation for the first year's start), over
/// the practices of the population that the history lists. Practices never
/// cease: the simulated population is fixed.
std::map<std::string, double> simulated_dynamics(const RunResult& run, const RealHistory& history);

/// Per practice of the population: 1 when the history lists its code.
std::vector<std::uint8_t> listed_in_history(const RealHistory& history, const Practices& p);

}  // namespace pcnsim
