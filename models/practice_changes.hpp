#pragma once
// Mechanism 9a, practice mergers and closures: the practice population itself
// changes. Each later 1 April, before the networks are re-evaluated (9), a
// share of the open practices stops existing, small practices more often than
// large ones:
//   - a merger: the practice joins a nearby practice (one of its own network's
//     members when it has one, with probability same_network_partner_share),
//     which takes its whole list, its GPs, nurses and care-home beds, and its
//     clinical director if the partner is in the same network;
//   - a closure: the practice's patients go to the nearest open practices of
//     its commissioner, in equal shares; its GPs and nurses leave (the
//     receiving practices carry the extra patients with the staff they have).
// The practice leaves its network (the re-evaluation then repairs a network
// left in pieces and settles one left under size) and stays a node of the
// relationship graph with no patients. Patients are conserved; every transfer
// is one row of /practice_events.
#include <cstdint>
#include <string>
#include <vector>

#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

struct PracticeChangeParams {
  bool enabled = true;
  DatedSeries ceasing_share_per_year{{{Date::from_ymd(2020, 4, 1), 0.001, "calibration-half history, 2019/20"},
                                      {Date::from_ymd(2021, 4, 1), 0.0105, "calibration-half history, 2020/21"},
                                      {Date::from_ymd(2022, 4, 1), 0.0133, "calibration-half history, 2021/22"},
                                      {Date::from_ymd(2023, 4, 1), 0.015, "calibration-half history, 2022/23"}}};
  double small_list_elasticity = 1.7;
  double merger_share = 0.7;
  double same_network_partner_share = 0.9;
  int closure_receivers = 3;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled,
            {"practices merge and close each 1 April (runs with the yearly re-evaluation: off too when "
             "dynamics.enabled is false); off = the practice population is fixed"});
    v.field("ceasing_share_per_year", ceasing_share_per_year,
            {"share of open practices that stop existing (merge or close) at the 1 April re-evaluation, for the "
             "year before it", "1/year", 0, 0.5});
    v.field("small_list_elasticity", small_list_elasticity,
            {"a practice's chance scales with (list size / median list size) to minus this power: small practices "
             "merge and close more often", "", 0, 5});
    v.field("merger_share", merger_share,
            {"share of ceasing practices that merge into another practice; the rest close and their patients "
             "disperse", "", 0, 1});
    v.field("same_network_partner_share", same_network_partner_share,
            {"chance a merging practice's partner is the nearest member of its own network (else the nearest open "
             "practice of its commissioner)", "", 0, 1});
    v.field("closure_receivers", closure_receivers,
            {"nearest open practices of the commissioner that share a closed practice's patients", "practices", 1,
             100});
  }
};

enum class PracticeEventKind : std::uint8_t { merger, closure };
/// "merger" or "closure" (as written to the output).
const char* to_string(PracticeEventKind kind);

/// Every transfer of patients from a practice that stopped existing, one row
/// per receiving practice (written to /practice_events).
struct PracticeEventLog {
  std::vector<int> step;
  std::vector<PracticeEventKind> kind;
  std::vector<int> practice;          // the practice that stopped existing
  std::vector<int> receiver;          // the practice that took the patients
  std::vector<double> patients;       // patients moved to the receiver
  std::vector<double> gp_fte;         // GP FTE moved with them (0 for a closure)
  std::vector<int> network;           // the ceased practice's network then, -1 = none
  std::vector<int> receiver_network;  // the receiver's network then, -1 = none
  std::vector<std::string> reason;
  std::size_t size() const { return step.size(); }
  /// Practices that stopped existing at `at` (all steps when at < 0) by kind.
  int ceased(PracticeEventKind what, int at = -1) const;
};

/// What one year's changes did.
struct PracticeChangeCounts {
  int mergers = 0, closures = 0;
  double patients_moved = 0;
};

/// Moves `share` of practice `from`'s patients to practice `to`, with that
/// share of its GPs, nurses and care-home beds when `with_staff`; the needs
/// index, age and deprivation of `to` become the list-weighted means.
void transfer_patients(Practices& p, int from, int to, double share, bool with_staff);

/// The year's mergers and closures at `step` (1 April of `date`'s year). Changes
/// the practices, world.network_of, signed_up, covering_network, ceased_step
/// and networks' members and lead practices; appends to `log`. Returns the
/// partner of each merged practice whose partner is in the same network
/// (pairs from, to), for the clinical directors that move with their practice.
std::vector<std::pair<int, int>> change_practices(World& world, const PracticeChangeParams& params, int step, Date date,
                                                  std::uint64_t seed, PracticeEventLog& log,
                                                  PracticeChangeCounts& counts);

}  // namespace pcnsim
