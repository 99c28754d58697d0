#include "models/formation.hpp"

#include "models/coalition_game.hpp"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>
#include <map>

#include "pcnsim/rng.hpp"

namespace pcnsim {

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

void settle_network(Network& net, const Practices& p, const FormationParams& params, double draw) {
  double total = 0.0;
  std::map<int, int> federations, partnerships;
  net.lead_practice = -1;
  for (int m : net.members) {
    total += p.list_size[m];
    if (net.lead_practice < 0 || p.list_size[m] > p.list_size[net.lead_practice]) net.lead_practice = m;
    if (p.federation[m] >= 0) ++federations[p.federation[m]];
    if (p.super_partnership[m] >= 0) ++partnerships[p.super_partnership[m]];
  }
  auto majority = [&](const std::map<int, int>& counts) {
    for (const auto& [id, n] : counts) {
      if (2 * n > static_cast<int>(net.members.size())) return true;
    }
    return false;
  };
  if (majority(partnerships)) {
    net.hosting = HostingModel::super_practice;
  } else if (majority(federations) && draw < params.federation_hosting_probability) {
    net.hosting = HostingModel::federation;
  } else if (net.members.size() > 1 && p.list_size[net.lead_practice] >= params.lead_practice_list_share * total) {
    net.hosting = HostingModel::lead_practice;
  } else {
    net.hosting = net.members.size() == 1 ? HostingModel::lead_practice : HostingModel::flat;
  }
}

std::vector<int> load_networks(Game& game, const World& world, int commissioner) {
  std::vector<int> network_of_coalition;
  std::map<int, int> coalition_of_network;
  for (int i : world.commissioners[commissioner].members) {
    const int n = world.network_of[i];
    if (n >= 0) coalition_of_network.emplace(n, 0);
  }
  for (auto& [n, c] : coalition_of_network) {
    c = static_cast<int>(game.coalitions.size());
    game.coalitions.push_back(Coalition{});
    game.coalitions.back().approved = world.networks[n].approved_under_size;
    network_of_coalition.push_back(n);
  }
  for (int i : world.commissioners[commissioner].members) {
    const int n = world.network_of[i];
    if (n >= 0) game.add(i, coalition_of_network[n]);
  }
  return network_of_coalition;
}

void assign_covering_networks(World& world, const Affinity& affinity) {
  const Practices& p = world.practices;
  world.covering_network = world.network_of;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (world.network_of[i] >= 0) continue;
    double best = 1e300;
    world.covering_network[i] = -1;
    for (int j : world.commissioners[p.commissioner[i]].members) {
      if (world.network_of[j] < 0) continue;
      const double d = affinity.distance_km(static_cast<int>(i), j);
      if (d < best) {
        best = d;
        world.covering_network[i] = world.network_of[j];
      }
    }
  }
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
        game.dissolve_into_neighbours(target);
        ++st.merges;
      }
      st.potential_after_construction = game.potential();

      // 3. Improvement moves until none raises Phi by more than the inertia.
      st.improvement_moves = game.improve(players, params.inertia, params.max_improvement_rounds, nullptr);
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
      settle_network(net, p, params, uniform(rng));
      for (int m : co.members) world.network_of[m] = net.id;
      world.networks.push_back(std::move(net));
    }
  }

  assign_covering_networks(world, affinity);
  return stats;
}

double formation_potential(const World& world, int commissioner, const Affinity& affinity,
                           const FormationParams& params) {
  // The game's own definition of Phi, over the world's current partition.
  const std::size_t n = world.practices.size();
  const std::vector<std::vector<int>> no_moves(n);  // neighbours matter only for moves
  std::vector<int> coalition_of(n, -1), local_of(n, -1);
  Game game(world, commissioner, affinity, params, no_moves, coalition_of, local_of);
  load_networks(game, world, commissioner);
  return game.potential();
}

}  // namespace pcnsim
