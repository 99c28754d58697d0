#pragma once
// Mechanism 2, network formation: per commissioner, a coalition game with one
// potential
//   Phi = sum over networks C of [ sum_{i<j in C} (a_ij - g_pair - g_size p_i p_j)
//                                  + B [P_C >= T] - D [P_C < T and |C| > 1] ]
// (p in thousands of patients, P_C the network's list, T the size threshold).
// 1. Construction (construction: towns, the baseline): the commissioner cuts
//    each town into compact localities of its preferred size; the connected
//    pieces of each locality in the relationship graph are the coalitions. Or
//    (construction: initiators) super-partnerships, then federation hubs, then
//    the rest (in random order within each class) invite the adjacent
//    unassigned practice with the best gain, always while under T and
//    afterwards while the gain is positive.
// 2. Leftover coalitions under T: the commissioner approves some of those with
//    several practices (rural ones more often) and any isolated one; the
//    members of the others join the adjacent network with the best gain, one
//    practice at a time.
// 3. Improvement: single-practice moves to an adjacent network that raise Phi
//    by more than `inertia`, win a majority of the receiving network and keep
//    the donor contiguous and not newly under-size; every accepted move raises
//    Phi, so the loop terminates.
// 4. Each network's lead practice (largest list) and hosting model follow
//    from prior relationships.
#include <cstdint>
#include <string>
#include <vector>

#include "models/relationships.hpp"
#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

struct FormationParams {
  bool enabled = true;
  double size_threshold_patients = 30000;
  double g_pair = 0.554631;
  double g_size = 0.00886211;
  double bonus_viable = 8.94895;
  double penalty_under_size = 1.11;
  double inertia = 0.05;
  double approve_rural_probability = 0.72;
  double approve_other_probability = 0.37;
  double rural_member_share = 0.52;
  double federation_hosting_probability = 0.35;
  double lead_practice_list_share = 0.5;
  int max_improvement_rounds = 200;
  std::string construction = "towns";
  double town_link_km = 1.63649;
  double locality_size_median = 37006.3;
  double locality_size_log_sd = 0.119525;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"practices form networks by the game; off = every signed practice is its own network"});
    v.field("size_threshold_patients", size_threshold_patients,
            {"the DES minimum network size T (30,000 patients)", "patients", 0, 1e7});
    v.field("g_pair", g_pair, {"cost of each pair of practices in a network (coordination)", "", 0, 1000});
    v.field("g_size", g_size, {"cost per pair proportional to p_i p_j (size penalty)", "1/(1000 patients)^2", 0, 1000});
    v.field("bonus_viable", bonus_viable, {"B: gain of a network at or above T", "", 0, 1e6});
    v.field("penalty_under_size", penalty_under_size, {"D: loss of a multi-practice network under T", "", 0, 1e6});
    v.field("inertia", inertia, {"minimum gain in Phi for a practice to move", "", 0, 1e6});
    v.field("approve_rural_probability", approve_rural_probability,
            {"probability the commissioner approves an under-size coalition of several, mostly rural practices (a lone practice under T only when isolated)", "", 0, 1});
    v.field("approve_other_probability", approve_other_probability,
            {"probability the commissioner approves any other under-size coalition of several practices", "", 0, 1});
    v.field("rural_member_share", rural_member_share, {"share of rural members that makes a network rural", "", 0, 1});
    v.field("federation_hosting_probability", federation_hosting_probability,
            {"probability a network whose members mostly share a federation is federation-hosted", "", 0, 1});
    v.field("lead_practice_list_share", lead_practice_list_share,
            {"a network is lead-practice hosted when its largest member holds at least this share of the list", "", 0, 1});
    v.field("max_improvement_rounds", max_improvement_rounds, {"safety cap on passes of improvement moves", "", 1, 1e6});
    v.choice("construction", construction, {"initiators", "towns"},
             {"how the first coalitions are drawn: initiators (super-partnerships, federation hubs, the rest) grow "
              "greedily; or towns: the commissioner cuts each town into compact localities of its preferred size "
              "(then under-size approvals and improvement moves as for initiators)"});
    v.field("town_link_km", town_link_km,
            {"towns construction: practices within this distance of each other are one town (single linkage); "
             "towns under the size threshold join the nearest; 0 = the commissioner is one town", "km", 0, 100});
    v.field("locality_size_median", locality_size_median,
            {"towns construction: median across commissioners of the preferred network size", "patients", 1000, 1e7});
    v.field("locality_size_log_sd", locality_size_log_sd,
            {"towns construction: sd of the log preferred size across commissioners", "", 0, 5});
  }
};

/// Per-commissioner record of how formation went.
struct FormationStats {
  double potential_after_construction = 0.0;
  double potential_final = 0.0;
  int improvement_moves = 0;
  int merges = 0;  // under-size coalitions dissolved into adjacent networks
  int approved_under_size = 0;
};

/// Forms networks among signed practices; fills world.networks, world.network_of
/// and world.covering_network. Returns one FormationStats per commissioner.
std::vector<FormationStats> form_networks(World& world, const RelationshipGraph& graph, const Affinity& affinity,
                                          const FormationParams& params, std::uint64_t seed, int step);

/// Phi for a commissioner's current partition (used by tests and dynamics).
double formation_potential(const World& world, int commissioner, const Affinity& affinity,
                           const FormationParams& params);

/// Lead practice (largest list) and hosting model of a network from its
/// members' prior relationships; `draw` is a uniform(0,1) number.
void settle_network(Network& net, const Practices& p, const FormationParams& params, double draw);

/// Non-signers' patients are covered by the nearest network of their commissioner.
void assign_covering_networks(World& world, const Affinity& affinity);

/// True when the members of `network` form one connected piece of the graph.
bool is_contiguous(const std::vector<int>& members, const std::vector<std::vector<int>>& neighbours);

}  // namespace pcnsim
