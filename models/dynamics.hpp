#pragma once
// Mechanism 9, network dynamics. Each 1 April after the first year every
// commissioner's networks are re-evaluated under the formation potential Phi
// (models/coalition_game.hpp), in this fixed order:
//   1. history: each pair of practices in the same network gains affinity
//      (relationships.a_hist_per_year, up to a_hist_max); each network has a
//      conflict with probability conflict_per_year (higher under low trust),
//      which costs one member affinity with each co-member;
//   2. re-sign-up (models/signup.hpp): practices that no longer sign exit
//      their network, practices that sign again join the adjacent network
//      with the best gain;
//   3. repair: a network an exit left in pieces keeps the piece with most
//      patients; each other piece becomes a network of its own (a split);
//   4. dissolution: a network whose clinical-director post has been vacant
//      for dissolution_vacancy_weeks and whose members' mean affinity is below
//      dissolution_trust_affinity dissolves with dissolution_probability; its
//      members join adjacent networks one at a time by best gain (never when
//      no network is adjacent, so coverage stays complete);
//   5. under-size networks (after exits, pieces and splits) are approved by
//      the commissioner as at formation, or merge whole into the adjacent
//      network with the best gain in Phi;
//   6. voluntary merges of two adjacent networks that raise Phi by more than
//      merge_cost, best first, when at least one of the two reviews its shape
//      this year (each network with probability first_review_per_year at the
//      first re-evaluation, review_per_year at later ones);
//   7. splits: a reviewing network of at least split_min_threshold_multiple
//      times the size threshold divides in two contiguous parts grown from its
//      least-compatible pair when that raises Phi by more than split_cost; the
//      larger part keeps the network and must reach the threshold, the part
//      that leaves needs the commissioner's approval if it does not;
//   8. switches: single-practice moves as in formation's improvement step, but
//      needing a gain above formation.inertia + switch_cost, by the practices
//      that reconsider their network this year (switch_review_per_year).
// Reviews make changes of shape occasional decisions rather than a yearly
// optimisation: the moves formation left worth making are taken over several
// years, as the real networks' were.
// Every merge, split and switch raises Phi by more than its switching cost.
// Networks that end keep their id (rows are never reused); new networks get
// new ids. Non-signers' patients are then covered by the nearest network.
#include <cstdint>
#include <string>
#include <vector>

#include "models/formation.hpp"
#include "models/funding.hpp"
#include "models/relationships.hpp"
#include "models/signup.hpp"
#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/rng.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

struct DynamicsParams {
  bool enabled = true;
  bool resignup = true;
  double switch_cost = 0.5;
  double merge_cost = 1.0;
  double split_cost = 4.53389;
  int min_part_practices = 1;
  double conflict_per_year = 0.1;
  double low_trust_conflict_multiplier = 2.0;
  double conflict_affinity_loss = 1.0;
  double dissolution_vacancy_weeks = 16;
  double dissolution_trust_affinity = 0.0;
  double dissolution_probability = 0.5;
  int max_switch_rounds = 50;
  double first_review_per_year = 0.0735345;
  double review_per_year = 0.411172;
  double split_min_threshold_multiple = 1.90833;
  double switch_review_per_year = 0.926894;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"networks are re-evaluated each 1 April (exit, join, switch, merge, split, dissolution)"});
    v.field("resignup", resignup, {"practices decide each 1 April whether to sign the DES again"});
    v.field("switch_cost", switch_cost,
            {"gain in Phi beyond formation.inertia a practice needs to switch network (switching cost)", "", 0, 1e6});
    v.field("merge_cost", merge_cost, {"gain in Phi two adjacent networks need to merge voluntarily", "", 0, 1e6});
    v.field("split_cost", split_cost, {"gain in Phi a network needs to split in two", "", 0, 1e6});
    v.field("min_part_practices", min_part_practices, {"fewest practices in each part of a split", "practices", 1, 1000});
    v.field("conflict_per_year", conflict_per_year,
            {"chance a network has a conflict in a year (one member at odds with the rest: money, staff, free-riding)",
             "1/year", 0, 1});
    v.field("low_trust_conflict_multiplier", low_trust_conflict_multiplier,
            {"conflicts are this much likelier in networks whose mean affinity is below cd_workload.low_trust_affinity",
             "", 0, 100});
    v.field("conflict_affinity_loss", conflict_affinity_loss,
            {"affinity the member in conflict loses with each co-member", "", 0, 1000});
    v.field("dissolution_vacancy_weeks", dissolution_vacancy_weeks,
            {"a network may dissolve once its clinical-director post has been vacant this long", "weeks", 0, 5200});
    v.field("dissolution_trust_affinity", dissolution_trust_affinity,
            {"... and its members' mean pair affinity is below this (low trust)", "", -1000, 1000});
    v.field("dissolution_probability", dissolution_probability,
            {"chance such a network dissolves at the re-evaluation", "", 0, 1});
    v.field("max_switch_rounds", max_switch_rounds, {"safety cap on passes of switch moves", "", 1, 1e6});
    v.field("first_review_per_year", first_review_per_year,
            {"chance a network reviews its shape at the first re-evaluation, when networks have existed for less "
             "than a year", "1/year", 0, 1});
    v.field("review_per_year", review_per_year,
            {"chance a network reviews its shape at each later re-evaluation: only a reviewing network splits, and "
             "a voluntary merge needs one of the two to be reviewing (changes of shape are occasional decisions, not "
             "yearly optimisation)", "1/year", 0, 1});
    v.field("split_min_threshold_multiple", split_min_threshold_multiple,
            {"a network may split once its list reaches this multiple of the size threshold; the part that leaves "
             "may be under the threshold with the commissioner's approval (formation's approval chances)", "", 1, 100});
    v.field("switch_review_per_year", switch_review_per_year,
            {"chance a practice reconsiders its network in a year: only those may switch", "1/year", 0, 1});
  }
};

/// What happened to a network at a re-evaluation.
enum class NetworkEventKind : std::uint8_t { exit, join, switch_network, merge, split, dissolution, approval, conflict };
/// "exit", "join", "switch", "merge", "split", "dissolution", "approval", "conflict" (as written to the output).
const char* to_string(NetworkEventKind kind);

/// Every change to a network, one row each (written to /network_events).
struct NetworkEventLog {
  std::vector<int> step;
  std::vector<NetworkEventKind> kind;
  std::vector<int> network;       // the network the event happened to
  std::vector<int> other;         // the other network (switch/merge target, split-off part), or -1
  std::vector<int> practice;      // the practice concerned, or -1 for whole-network events
  std::vector<std::string> reason;
  std::size_t size() const { return step.size(); }
  void add(int at, NetworkEventKind what, int net, int other_net, int pr, std::string why);
  /// Events of one kind.
  int count(NetworkEventKind what) const;
};

/// What one re-evaluation did, counted by kind.
struct ReevaluationCounts {
  int exits = 0, joins = 0, switches = 0, merges = 0, splits = 0, dissolutions = 0, conflicts = 0, approvals = 0;
};

/// Everything the re-evaluation reads besides the world.
struct DynamicsInputs {
  const DynamicsParams& params;
  const FormationParams& formation;
  const SignupParams& signup;
  const FundingParams& funding;
  double low_trust_affinity;             // cd_workload.low_trust_affinity
  const std::vector<int>& cd_vacant_weeks;  // per network: weeks its CD post has been vacant (0 = in post)
  bool first_reevaluation = false;          // the first 1 April after the networks formed
};

/// The yearly re-evaluation of `date` (step `step`). Changes world.networks,
/// network_of, covering_network and signed_up, the affinity history; appends
/// to `log`; fills `reorganisation` for mechanisms with per-network state.
ReevaluationCounts reevaluate_networks(World& world, Affinity& affinity,
                                       const std::vector<std::vector<int>>& neighbours, const DynamicsInputs& in,
                                       int step, Date date, std::uint64_t seed, NetworkEventLog& log,
                                       Reorganisation& reorganisation);

/// Mean affinity of the pairs of `members` (trust); 0 for fewer than two.
double mean_pair_affinity(const std::vector<int>& members, const Affinity& affinity);
/// Mean affinity of each network's member pairs (trust); 0 for fewer than two.
std::vector<double> network_mean_affinity(const World& world, const Affinity& affinity);

/// Problems with the partition, empty when every signed practice is in exactly
/// one network, every member signed, every open practice covered, and every
/// live network contiguous.
std::vector<std::string> partition_problems(const World& world, const std::vector<std::vector<int>>& neighbours);

}  // namespace pcnsim
