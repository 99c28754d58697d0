#include "models/formation.hpp"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>
#include <map>

#include "pcnsim/rng.hpp"

namespace pcnsim {

namespace {

struct Coalition {
  std::vector<int> members;  // ascending practice ids
  double list_k = 0.0;       // list size in thousands of patients
  bool approved = false;     // commissioner approved it under the size threshold
  bool alive = true;
};

// The game of one commissioner. Practices of other commissioners are never
// touched, so commissioners are independent (and could run in parallel).
class Game {
 public:
  // Pair values are cached in a dense matrix over the commissioner's
  // practices, filled lazily: the game evaluates some pairs many times and
  // most pairs (practices far apart) never.
  Game(const World& world, int commissioner, const Affinity& affinity, const FormationParams& params,
       const std::vector<std::vector<int>>& neighbours, std::vector<int>& coalition_of, std::vector<int>& local_of)
      : p_(world.practices), affinity_(affinity), params_(params), neighbours_(neighbours), of_(coalition_of),
        local_(local_of), threshold_k_(params.size_threshold_patients / 1000.0) {
    const auto& members = world.commissioners[commissioner].members;
    n_ = members.size();
    for (std::size_t a = 0; a < n_; ++a) local_[members[a]] = static_cast<int>(a);
    pair_.assign(n_ * n_, std::numeric_limits<double>::quiet_NaN());
  }

  std::vector<Coalition> coalitions;

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
  // members of a dissolving leftover coalition, whose own terms vanish anyway).
  double join_gain(int k, const Coalition& c) const {
    return pair_sum(k, c) + size_term(c.list_k + list_k(k), c.members.size() + 1) -
           size_term(c.list_k, c.members.size()) - size_term(list_k(k), 1);
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
    of_[k] = c;
  }
  void remove(int k) {
    auto& c = coalitions[of_[k]];
    c.members.erase(std::lower_bound(c.members.begin(), c.members.end(), k));
    c.list_k -= list_k(k);
    if (c.members.empty()) c.alive = false;
    of_[k] = -1;
  }

  // Distinct coalitions adjacent to the members of c (or to practice k), ascending.
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

  const Practices& p_;
  const Affinity& affinity_;
  const FormationParams& params_;
  const std::vector<std::vector<int>>& neighbours_;
  std::vector<int>& of_;     // practice -> coalition index in this game, -1 = unassigned or not playing
  std::vector<int>& local_;  // practice -> row of the pair matrix
  std::size_t n_ = 0;
  mutable std::vector<double> pair_;  // NaN until first needed
  double threshold_k_;
};

}  // namespace

bool is_contiguous(const std::vector<int>& members, const std::vector<std::vector<int>>& neighbours) {
  if (members.size() <= 1) return true;
  std::vector<int> stack{members.front()}, seen{members.front()};
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    for (int u : neighbours[v]) {
      if (std::binary_search(members.begin(), members.end(), u) &&
          std::find(seen.begin(), seen.end(), u) == seen.end()) {
        seen.push_back(u);
        stack.push_back(u);
      }
    }
  }
  return seen.size() == members.size();
}

std::vector<FormationStats> form_networks(World& world, const RelationshipGraph& graph, const Affinity& affinity,
                                          const FormationParams& params, std::uint64_t seed, int step) {
  const Practices& p = world.practices;
  const auto neighbours = neighbour_lists(graph);
  std::vector<FormationStats> stats(world.commissioners.size());
  world.networks.clear();
  world.network_of.assign(p.size(), -1);
  std::vector<int> coalition_of(p.size(), -1), local_of(p.size(), -1);

  for (std::size_t ci = 0; ci < world.commissioners.size(); ++ci) {
    const auto& commissioner = world.commissioners[ci];
    std::vector<int> players;
    for (int i : commissioner.members) {
      if (world.signed_up[i]) players.push_back(i);
    }
    Game game(world, static_cast<int>(ci), affinity, params, neighbours, coalition_of, local_of);
    Engine rng = make_stream(seed, "formation", 0, ci);
    boost::random::uniform_01<double> uniform;
    FormationStats& st = stats[ci];

    if (!params.enabled) {
      for (int i : players) {
        game.coalitions.push_back(Coalition{});
        game.add(i, static_cast<int>(game.coalitions.size()) - 1);
        game.coalitions.back().approved = true;
      }
    } else {
      // 1. Construction. Initiators: super-partnerships, then federation hubs,
      // then the rest; within a class the order is random (seeded), since
      // which practice moved first in spring 2019 is not known.
      std::map<int, int> federation_hub;  // federation -> its largest signed member here
      for (int i : players) {
        const int f = p.federation[i];
        if (f < 0) continue;
        auto it = federation_hub.find(f);
        if (it == federation_hub.end() || p.list_size[i] > p.list_size[it->second]) federation_hub[f] = i;
      }
      auto priority = [&](int i) {
        if (p.super_partnership[i] >= 0) return 2;
        const int f = p.federation[i];
        return f >= 0 && federation_hub[f] == i ? 1 : 0;
      };
      std::map<int, double> draw;  // practice -> random key within its class
      for (int i : players) draw[i] = uniform(rng);
      std::vector<int> order = players;
      std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        const int pa = priority(a), pb = priority(b);
        if (pa != pb) return pa > pb;
        return draw[a] < draw[b];
      });
      for (int initiator : order) {
        if (coalition_of[initiator] >= 0) continue;
        game.coalitions.push_back(Coalition{});
        const int c = static_cast<int>(game.coalitions.size()) - 1;
        game.add(initiator, c);
        while (true) {
          int best = -1;
          double best_gain = 0.0;
          for (int m : game.coalitions[c].members) {
            for (int k : neighbours[m]) {
              if (coalition_of[k] >= 0 || !world.signed_up[k] || p.commissioner[k] != static_cast<int>(ci)) continue;
              const double g = game.join_gain(k, game.coalitions[c]);
              if (best < 0 || g > best_gain || (g == best_gain && k < best)) {
                best = k;
                best_gain = g;
              }
            }
          }
          const bool under = game.coalitions[c].list_k < game.threshold_k_;
          if (best < 0 || (!under && best_gain <= 0.0)) break;
          game.add(best, c);
        }
      }

      // 2. Under-size coalitions (leftovers that could not reach T). The
      // commissioner approves some of those with several practices, rural ones
      // more often; a lone practice under T is no network, so it is approved
      // only when isolated (no adjacent network to join). The members of the
      // rest join adjacent networks one at a time, always the practice and
      // network with the best gain, so every receiving network stays contiguous.
      while (true) {
        int target = -1;
        for (std::size_t c = 0; c < game.coalitions.size(); ++c) {
          const auto& co = game.coalitions[c];
          if (co.alive && !co.approved && co.list_k < game.threshold_k_) {
            target = static_cast<int>(c);
            break;
          }
        }
        if (target < 0) break;
        Coalition& small = game.coalitions[target];
        if (game.adjacent_coalitions(small.members, target).empty()) {
          small.approved = true;
          continue;
        }
        if (small.members.size() > 1) {
          int rural = 0;
          for (int m : small.members) rural += p.rural[m];
          const bool is_rural = rural >= params.rural_member_share * static_cast<double>(small.members.size());
          if (uniform(rng) < (is_rural ? params.approve_rural_probability : params.approve_other_probability)) {
            small.approved = true;
            continue;
          }
        }
        while (!small.members.empty()) {
          int best_k = -1, best_c = -1;
          double best_gain = 0.0;
          for (int k : small.members) {
            for (int c : game.adjacent_coalitions({k}, target)) {
              const double g = game.join_gain(k, game.coalitions[c]);
              if (best_k < 0 || g > best_gain) {
                best_k = k;
                best_c = c;
                best_gain = g;
              }
            }
          }
          game.remove(best_k);
          game.add(best_k, best_c);
        }
        ++st.merges;
      }
      st.potential_after_construction = game.potential();

      // 3. Improvement moves until none raises Phi by more than the inertia.
      for (int round = 0; round < params.max_improvement_rounds; ++round) {
        int moved = 0;
        for (int k : players) {
          const int from = coalition_of[k];
          const Coalition& donor = game.coalitions[from];
          const double rest_list = donor.list_k - game.list_k(k);
          const std::size_t rest_count = donor.members.size() - 1;
          if (rest_count > 0 && rest_list < game.threshold_k_ && !donor.approved) continue;  // would be newly under-size
          const double loss = game.pair_sum(k, donor) + game.size_term(donor.list_k, donor.members.size()) -
                              game.size_term(rest_list, rest_count);
          int best = -1;
          double best_delta = params.inertia;
          for (int c : game.adjacent_coalitions({k}, from)) {
            const Coalition& receiver = game.coalitions[c];
            const double delta = game.pair_sum(k, receiver) +
                                 game.size_term(receiver.list_k + game.list_k(k), receiver.members.size() + 1) -
                                 game.size_term(receiver.list_k, receiver.members.size()) - loss;
            if (delta <= best_delta) continue;
            int in_favour = 0;
            for (int m : receiver.members) in_favour += game.pair_value(k, m) > 0.0 ? 1 : 0;
            if (2 * in_favour <= static_cast<int>(receiver.members.size())) continue;
            best = c;
            best_delta = delta;
          }
          if (best < 0 || !game.contiguous_without(donor, k)) continue;
          game.remove(k);
          game.add(k, best);
          ++moved;
          ++st.improvement_moves;
        }
        if (moved == 0) break;
      }
      st.potential_final = game.potential();
    }

    // 4. Networks in a fixed order (by lowest member id), with lead and hosting model.
    std::vector<int> alive;
    for (std::size_t c = 0; c < game.coalitions.size(); ++c) {
      if (game.coalitions[c].alive) alive.push_back(static_cast<int>(c));
    }
    std::sort(alive.begin(), alive.end(), [&](int a, int b) {
      return game.coalitions[a].members.front() < game.coalitions[b].members.front();
    });
    for (int c : alive) {
      const Coalition& co = game.coalitions[c];
      Network net;
      net.id = static_cast<int>(world.networks.size());
      net.commissioner = static_cast<int>(ci);
      net.members = co.members;
      net.formed_step = step;
      net.approved_under_size = co.list_k < game.threshold_k_;
      if (net.approved_under_size) ++st.approved_under_size;
      double total = 0.0;
      std::map<int, int> federations, partnerships;
      for (int m : co.members) {
        total += p.list_size[m];
        if (net.lead_practice < 0 || p.list_size[m] > p.list_size[net.lead_practice]) net.lead_practice = m;
        if (p.federation[m] >= 0) ++federations[p.federation[m]];
        if (p.super_partnership[m] >= 0) ++partnerships[p.super_partnership[m]];
      }
      auto majority = [&](const std::map<int, int>& counts) {
        for (const auto& [id, n] : counts) {
          if (2 * n > static_cast<int>(co.members.size())) return true;
        }
        return false;
      };
      const double draw = uniform(rng);
      if (majority(partnerships)) {
        net.hosting = HostingModel::super_practice;
      } else if (majority(federations) && draw < params.federation_hosting_probability) {
        net.hosting = HostingModel::federation;
      } else if (co.members.size() > 1 && p.list_size[net.lead_practice] >= params.lead_practice_list_share * total) {
        net.hosting = HostingModel::lead_practice;
      } else {
        net.hosting = co.members.size() == 1 ? HostingModel::lead_practice : HostingModel::flat;
      }
      for (int m : co.members) world.network_of[m] = net.id;
      world.networks.push_back(std::move(net));
    }
  }

  // Non-signers' patients are covered by the nearest network of their commissioner.
  world.covering_network = world.network_of;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (world.network_of[i] >= 0) continue;
    double best = 1e300;
    for (int j : world.commissioners[p.commissioner[i]].members) {
      if (world.network_of[j] < 0) continue;
      const double d = affinity.distance_km(static_cast<int>(i), j);
      if (d < best) {
        best = d;
        world.covering_network[i] = world.network_of[j];
      }
    }
  }
  return stats;
}

double formation_potential(const World& world, int commissioner, const Affinity& affinity,
                           const FormationParams& params) {
  // The game's own definition of Phi, over the world's current partition.
  const std::size_t n = world.practices.size();
  const std::vector<std::vector<int>> no_moves(n);  // neighbours matter only for moves
  std::vector<int> coalition_of(n, -1), local_of(n, -1);
  Game game(world, commissioner, affinity, params, no_moves, coalition_of, local_of);
  std::map<int, int> coalition_of_network;
  for (int i : world.commissioners[commissioner].members) {
    if (world.network_of[i] < 0) continue;
    const auto [it, added] = coalition_of_network.emplace(world.network_of[i], static_cast<int>(game.coalitions.size()));
    if (added) game.coalitions.push_back(Coalition{});
    game.add(i, it->second);
  }
  return game.potential();
}

}  // namespace pcnsim
