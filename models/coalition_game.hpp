#pragma once
// The coalition game of one commissioner, shared by formation (mechanism 2)
// and the yearly network dynamics (mechanism 9), so both play under exactly
// one definition of the potential
//   Phi = sum over coalitions C of [ sum_{i<j in C} (a_ij - g_pair - g_size p_i p_j)
//                                    + B [P_C >= T] - D [P_C < T and |C| > 1] ].
// Internal to models/: not part of the public headers.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "models/formation.hpp"

namespace pcnsim {

struct Coalition {
  std::vector<int> members;  // ascending practice ids
  double list_k = 0.0;       // list size in thousands of patients
  bool approved = false;     // commissioner approved it under the size threshold
  bool alive = true;
};

/// One single-practice move of the improvement loop.
struct PracticeMove {
  int practice, from, to;  // coalition indices
  double gain;             // rise in Phi
};

// Practices of other commissioners are never touched, so commissioners are
// independent (and could run in parallel).
class Game {
 public:
  // Pair values are cached in a dense matrix over the commissioner's
  // practices, filled lazily: the game evaluates some pairs many times and
  // most pairs (practices far apart) never.
  Game(const World& world, int commissioner, const Affinity& affinity, const FormationParams& params,
       const std::vector<std::vector<int>>& neighbours, std::vector<int>& coalition_of, std::vector<int>& local_of)
      : threshold_k_(params.size_threshold_patients / 1000.0), p_(world.practices), affinity_(affinity),
        params_(params), neighbours_(neighbours), of_(coalition_of), local_(local_of) {
    const auto& members = world.commissioners[commissioner].members;
    n_ = members.size();
    for (std::size_t a = 0; a < n_; ++a) local_[members[a]] = static_cast<int>(a);
    pair_.assign(n_ * n_, std::numeric_limits<double>::quiet_NaN());
  }

  std::vector<Coalition> coalitions;
  const double threshold_k_;

  double list_k(int i) const { return p_.list_size[i] / 1000.0; }
  double pair_value(int i, int j) const {
    const auto a = static_cast<std::size_t>(local_[i]), b = static_cast<std::size_t>(local_[j]);
    double& v = pair_[a * n_ + b];
    if (std::isnan(v)) {
      v = affinity_(i, j) - params_.g_pair - params_.g_size * list_k(i) * list_k(j);
      pair_[b * n_ + a] = v;
    }
    return v;
  }
  double size_term(double list, std::size_t count) const {
    if (count == 0) return 0.0;
    if (list >= threshold_k_) return params_.bonus_viable;
    return count > 1 ? -params_.penalty_under_size : 0.0;
  }
  double pair_sum(int k, const Coalition& c) const {
    double s = 0.0;
    for (int m : c.members) {
      if (m != k) s += pair_value(k, m);
    }
    return s;
  }
  // Change in Phi when practice k, on its own, joins c (also used for the
  // members of a dissolving coalition, whose own terms vanish anyway).
  double join_gain(int k, const Coalition& c) const {
    return pair_sum(k, c) + size_term(c.list_k + list_k(k), c.members.size() + 1) -
           size_term(c.list_k, c.members.size()) - size_term(list_k(k), 1);
  }
  // Phi of a set of practices taken as one coalition.
  double value(const std::vector<int>& members) const {
    double v = 0.0, list = 0.0;
    for (std::size_t a = 0; a < members.size(); ++a) {
      list += list_k(members[a]);
      for (std::size_t b = a + 1; b < members.size(); ++b) v += pair_value(members[a], members[b]);
    }
    return v + size_term(list, members.size());
  }
  double potential() const {
    double phi = 0.0;
    for (const auto& c : coalitions) {
      if (!c.alive) continue;
      for (std::size_t a = 0; a < c.members.size(); ++a) {
        for (std::size_t b = a + 1; b < c.members.size(); ++b) phi += pair_value(c.members[a], c.members[b]);
      }
      phi += size_term(c.list_k, c.members.size());
    }
    return phi;
  }

  void add(int k, int c) {
    auto& m = coalitions[c].members;
    m.insert(std::lower_bound(m.begin(), m.end(), k), k);
    coalitions[c].list_k += list_k(k);
    coalitions[c].alive = true;
    of_[k] = c;
  }
  void remove(int k) {
    auto& c = coalitions[of_[k]];
    c.members.erase(std::lower_bound(c.members.begin(), c.members.end(), k));
    c.list_k -= list_k(k);
    if (c.members.empty()) c.alive = false;
    of_[k] = -1;
  }

  // Distinct coalitions adjacent to the given practices, ascending.
  std::vector<int> adjacent_coalitions(const std::vector<int>& members, int exclude) const {
    std::vector<int> out;
    for (int m : members) {
      for (int j : neighbours_[m]) {
        const int c = of_[j];
        if (c >= 0 && c != exclude) out.push_back(c);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  bool contiguous_without(const Coalition& c, int k) const {
    std::vector<int> rest;
    for (int m : c.members) {
      if (m != k) rest.push_back(m);
    }
    return is_contiguous(rest, neighbours_);
  }

  // Dissolves coalition `c`: its members join adjacent coalitions one at a
  // time, always the practice and coalition with the best gain, so every
  // receiving coalition stays contiguous. Returns false (changing nothing)
  // when c touches no other coalition. `joined` gets (practice, coalition).
  bool dissolve_into_neighbours(int c, std::vector<std::pair<int, int>>* joined = nullptr) {
    if (adjacent_coalitions(coalitions[c].members, c).empty()) return false;
    while (!coalitions[c].members.empty()) {
      int best_k = -1, best_c = -1;
      double best_gain = 0.0;
      for (int k : coalitions[c].members) {
        for (int d : adjacent_coalitions({k}, c)) {
          const double g = join_gain(k, coalitions[d]);
          if (best_k < 0 || g > best_gain) {
            best_k = k;
            best_c = d;
            best_gain = g;
          }
        }
      }
      // c is connected and touches another coalition, so some member always can move.
      remove(best_k);
      add(best_k, best_c);
      if (joined) joined->emplace_back(best_k, best_c);
    }
    return true;
  }

  // Single-practice moves to an adjacent coalition that raise Phi by more
  // than `threshold`, win a majority of the receiving coalition and keep the
  // donor contiguous and not newly under-size; passes over `players` in order
  // until none moves. Every accepted move raises Phi, so this terminates.
  int improve(const std::vector<int>& players, double threshold, int max_rounds, std::vector<PracticeMove>* moves) {
    int total = 0;
    for (int round = 0; round < max_rounds; ++round) {
      int moved = 0;
      for (int k : players) {
        const int from = of_[k];
        if (from < 0) continue;
        const Coalition& donor = coalitions[from];
        const double rest_list = donor.list_k - list_k(k);
        const std::size_t rest_count = donor.members.size() - 1;
        if (rest_count > 0 && rest_list < threshold_k_ && !donor.approved) continue;  // would be newly under-size
        const double loss = pair_sum(k, donor) + size_term(donor.list_k, donor.members.size()) -
                            size_term(rest_list, rest_count);
        int best = -1;
        double best_delta = threshold;
        for (int c : adjacent_coalitions({k}, from)) {
          const Coalition& receiver = coalitions[c];
          const double delta = pair_sum(k, receiver) +
                               size_term(receiver.list_k + list_k(k), receiver.members.size() + 1) -
                               size_term(receiver.list_k, receiver.members.size()) - loss;
          if (delta <= best_delta) continue;
          int in_favour = 0;
          for (int m : receiver.members) in_favour += pair_value(k, m) > 0.0 ? 1 : 0;
          if (2 * in_favour <= static_cast<int>(receiver.members.size())) continue;
          best = c;
          best_delta = delta;
        }
        if (best < 0 || !contiguous_without(donor, k)) continue;
        remove(k);
        add(k, best);
        if (moves) moves->push_back({k, from, best, best_delta});
        ++moved;
      }
      total += moved;
      if (moved == 0) break;
    }
    return total;
  }

 private:
  const Practices& p_;
  const Affinity& affinity_;
  const FormationParams& params_;
  const std::vector<std::vector<int>>& neighbours_;
  std::vector<int>& of_;     // practice -> coalition index in this game, -1 = unassigned or not playing
  std::vector<int>& local_;  // practice -> row of the pair matrix
  std::size_t n_ = 0;
  mutable std::vector<double> pair_;  // NaN until first needed
};

/// The game over the world's current networks of one commissioner: one
/// coalition per network, in ascending network id (approval copied); returns
/// the network id of each coalition.
std::vector<int> load_networks(Game& game, const World& world, int commissioner);

}  // namespace pcnsim
