#include "models/formation.hpp"
#include "models/model.hpp"

#include "models/coalition_game.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <tuple>

#include "pcnsim/kernel/kmeans.hpp"
#include "pcnsim/kernel/rng.hpp"

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

// 1. Construction by initiators: super-partnerships, then federation hubs,
// then the rest; within a class the order is random (seeded), since which
// practice moved first in spring 2019 is not known. Each initiator invites the
// adjacent unassigned practice with the best gain, always while under T and
// afterwards while the gain is positive.
void construct_by_initiators(Game& game, const World& world, int ci, const std::vector<int>& players,
                             const std::vector<std::vector<int>>& neighbours, const std::vector<int>& coalition_of,
                             Engine& rng) {
  const Practices& p = world.practices;
  boost::random::uniform_01<double> uniform;
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
}

// The commissioner's towns among `players`: practices within town_link_km of
// each other (single linkage) are one town; a town under the size threshold
// joins the nearest town (by centroid), smallest first, until none is left.
std::vector<std::vector<int>> commissioner_towns(const std::vector<int>& players, const Practices& p,
                                                 const Affinity& affinity, const FormationParams& params) {
  std::vector<int> parent(players.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto root = [&](int a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  };
  for (std::size_t a = 0; a < players.size(); ++a) {
    for (std::size_t b = a + 1; b < players.size(); ++b) {
      if (affinity.distance_km(players[a], players[b]) <= params.town_link_km) {
        parent[root(static_cast<int>(a))] = root(static_cast<int>(b));
      }
    }
  }
  std::map<int, std::vector<int>> by_root;  // members ascending, towns in order of their root
  for (std::size_t a = 0; a < players.size(); ++a) by_root[root(static_cast<int>(a))].push_back(players[a]);
  struct Town {
    std::vector<int> members;
    double list = 0, x = 0, y = 0;  // patients; centroid of members (km)
  };
  std::vector<Town> towns;
  auto finish = [&](Town& t) {
    t.list = t.x = t.y = 0;
    for (int m : t.members) {
      t.list += p.list_size[m];
      t.x += p.x_km[m];
      t.y += p.y_km[m];
    }
    t.x /= static_cast<double>(t.members.size());
    t.y /= static_cast<double>(t.members.size());
  };
  for (auto& [r, members] : by_root) {
    towns.push_back(Town{members});
    finish(towns.back());
  }
  while (towns.size() > 1) {
    std::size_t small = 0;
    for (std::size_t t = 1; t < towns.size(); ++t) {
      if (std::tie(towns[t].list, towns[t].members.front()) < std::tie(towns[small].list, towns[small].members.front())) small = t;
    }
    if (towns[small].list >= params.size_threshold_patients) break;
    std::size_t nearest = small == 0 ? 1 : 0;
    for (std::size_t t = 0; t < towns.size(); ++t) {
      if (t == small) continue;
      if (std::hypot(towns[t].x - towns[small].x, towns[t].y - towns[small].y) <
          std::hypot(towns[nearest].x - towns[small].x, towns[nearest].y - towns[small].y)) {
        nearest = t;
      }
    }
    auto& into = towns[nearest].members;
    into.insert(into.end(), towns[small].members.begin(), towns[small].members.end());
    std::sort(into.begin(), into.end());
    finish(towns[nearest]);
    towns.erase(towns.begin() + static_cast<std::ptrdiff_t>(small));
  }
  std::vector<std::vector<int>> out;
  for (auto& t : towns) out.push_back(std::move(t.members));
  return out;
}

// 1'. Construction by the commissioner's localities, drawn around towns: the
// commissioner has a preferred network size (lognormal across commissioners);
// each town (commissioner_towns, or the whole commissioner when town_link_km
// is 0) is cut into round(list / preferred size) compact parts by k-means on
// locations (the same seeded k-means as validate's naive geography); a part
// that is not connected in the relationship graph becomes several coalitions.
void construct_by_towns(Game& game, const World& world, int ci, const std::vector<int>& players,
                        const std::vector<std::vector<int>>& neighbours, const std::vector<int>& coalition_of,
                        const Affinity& affinity, const FormationParams& params, std::uint64_t seed, Engine& rng) {
  const Practices& p = world.practices;
  const double preferred = params.locality_size_median *
                           std::exp(params.locality_size_log_sd * boost::random::normal_distribution<double>()(rng));
  const std::vector<std::vector<int>> towns =
      params.town_link_km > 0 ? commissioner_towns(players, p, affinity, params) : std::vector<std::vector<int>>{players};
  std::vector<int> part(p.size(), -1);
  int parts = 0;
  for (std::size_t t = 0; t < towns.size(); ++t) {
    std::vector<Commissioner> town{world.commissioners[static_cast<std::size_t>(ci)]};
    town[0].members = towns[t];
    std::vector<std::uint8_t> in_town(p.size(), 0);
    for (int m : towns[t]) in_town[m] = 1;
    const std::uint64_t town_seed = stream_seed(seed, "formation_towns", static_cast<std::uint64_t>(ci), t);
    const std::vector<int> label = naive_geographic_partition(p, town, in_town, preferred, town_seed);
    int top = -1;
    for (int m : towns[t]) {
      part[m] = parts + label[m];
      top = std::max(top, label[m]);
    }
    parts += top + 1;
  }
  // Coalitions: connected pieces of each part, by a search through graph neighbours.
  std::vector<std::uint8_t> taken(p.size(), 0);  // already in a piece
  for (int i : players) {
    if (coalition_of[i] >= 0) continue;
    game.coalitions.push_back(Coalition{});
    const int c = static_cast<int>(game.coalitions.size()) - 1;
    std::vector<int> stack{i}, members{i};
    taken[i] = 1;
    while (!stack.empty()) {
      const int k = stack.back();
      stack.pop_back();
      for (int nb : neighbours[k]) {
        if (!taken[nb] && part[nb] == part[i] && coalition_of[nb] < 0) {
          taken[nb] = 1;
          members.push_back(nb);
          stack.push_back(nb);
        }
      }
    }
    std::sort(members.begin(), members.end());
    for (int k : members) game.add(k, c);
  }
}

// 2. Under-size coalitions (leftovers that could not reach T). The
// commissioner approves some of those with several practices, rural ones more
// often; a lone practice under T is no network, so it is approved only when
// isolated (no adjacent network to join). The members of the rest join
// adjacent networks one at a time, always the practice and network with the
// best gain, so every receiving network stays contiguous.
void settle_under_size(Game& game, const Practices& p, const FormationParams& params, Engine& rng, FormationStats& st) {
  boost::random::uniform_01<double> uniform;
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
}

void assign_covering_networks(World& world, const Affinity& affinity) {
  const Practices& p = world.practices;
  world.covering_network = world.network_of;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (world.network_of[i] >= 0 || !world.is_open(i)) continue;
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
      if (params.construction == "towns") {
        construct_by_towns(game, world, static_cast<int>(ci), players, neighbours, coalition_of, affinity, params, seed,
                           rng);
      } else {
        construct_by_initiators(game, world, static_cast<int>(ci), players, neighbours, coalition_of, rng);
      }
      settle_under_size(game, p, params, rng, st);
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

Mechanism formation_mechanism() {
  Mechanism m{"formation", "mechanism 2: networks form inside each commissioner at the deadline"};
  m.at_deadline = [](ModelState& s) {
    s.formation_stats = form_networks(s.world, *s.graph, *s.affinity, s.params.formation, s.seed, s.step);
    s.network_mean_affinity = network_mean_affinity(s.world, *s.affinity);  // trust inside each network
    snapshot_membership(s, s.params.timeline.signup_window_close);
  };
  m.declare_outputs = [](OutputDeclarations& out) {
    out.series("networks", "networks", "networks live (formed and not merged or dissolved)", always,
               [](const ModelState& s) { return s.world.live_networks(); });
    out.series("practices_in_networks", "practices", "practices that are members of a network", always,
               [](const ModelState& s) {
                 int members = 0;
                 for (int k : s.world.network_of) members += k >= 0 ? 1 : 0;
                 return members;
               });
    out.series("patients_in_networks", "patients", "registered patients of member practices", always,
               [](const ModelState& s) {
                 double patients = 0.0;
                 for (std::size_t i = 0; i < s.world.network_of.size(); ++i) {
                   if (s.world.network_of[i] >= 0) patients += s.world.practices.list_size[i];
                 }
                 return patients;
               });
    out.series("patient_coverage", "1",
               "share of all registered patients covered by a network (members and covered non-signers)", always,
               [](const ModelState& s) {
                 double covered = 0.0;
                 for (std::size_t i = 0; i < s.world.covering_network.size(); ++i) {
                   if (s.world.covering_network[i] >= 0) covered += s.world.practices.list_size[i];
                 }
                 return covered / s.total_patients;
               });
  };
  return m;
}

}  // namespace pcnsim
