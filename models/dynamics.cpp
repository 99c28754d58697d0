#include "models/dynamics.hpp"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <array>
#include <cstdio>
#include <functional>
#include <map>

#include "models/coalition_game.hpp"

namespace pcnsim {

void NetworkEventLog::add(int at, std::string what, int net, int other_net, int pr, std::string why) {
  step.push_back(at);
  kind.push_back(std::move(what));
  network.push_back(net);
  other.push_back(other_net);
  practice.push_back(pr);
  reason.push_back(std::move(why));
}

double mean_pair_affinity(const std::vector<int>& members, const Affinity& affinity) {
  double sum = 0;
  int pairs = 0;
  for (std::size_t a = 0; a < members.size(); ++a) {
    for (std::size_t b = a + 1; b < members.size(); ++b, ++pairs) sum += affinity(members[a], members[b]);
  }
  return pairs > 0 ? sum / pairs : 0.0;
}

std::vector<double> network_mean_affinity(const World& world, const Affinity& affinity) {
  std::vector<double> out;
  out.reserve(world.networks.size());
  for (const auto& net : world.networks) out.push_back(mean_pair_affinity(net.members, affinity));
  return out;
}

std::vector<std::string> partition_problems(const World& world, const std::vector<std::vector<int>>& neighbours) {
  std::vector<std::string> problems;
  const std::size_t n = world.practices.size();
  std::vector<int> count(n, 0);
  for (const auto& net : world.networks) {
    const std::string name = "network " + std::to_string(net.id);
    if (!net.live()) {
      if (!net.members.empty()) problems.push_back(name + " has ended but still has members");
      continue;
    }
    if (net.members.empty()) problems.push_back(name + " is live with no members");
    if (!std::is_sorted(net.members.begin(), net.members.end())) problems.push_back(name + ": members not sorted");
    if (!is_contiguous(net.members, neighbours)) problems.push_back(name + " is not contiguous");
    for (int m : net.members) {
      ++count[m];
      if (world.network_of[m] != net.id) problems.push_back(name + ": member " + world.practices.code[m] + " has network_of " + std::to_string(world.network_of[m]));
      if (world.practices.commissioner[m] != net.commissioner) problems.push_back(name + ": member " + world.practices.code[m] + " of another commissioner");
    }
  }
  const std::vector<int> per_commissioner = world.networks_per_commissioner();
  for (std::size_t i = 0; i < n; ++i) {
    const std::string who = "practice " + world.practices.code[i];
    if (world.signed_up[i] && count[i] != 1) problems.push_back(who + " signed but in " + std::to_string(count[i]) + " networks");
    if (!world.signed_up[i] && count[i] != 0) problems.push_back(who + " did not sign but is in a network");
    if (world.covering_network[i] < 0 && per_commissioner[world.practices.commissioner[i]] > 0) {
      problems.push_back(who + " is not covered by any network");
    }
  }
  return problems;
}

namespace {

std::string fixed2(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", x);
  return buf;
}

std::string phi_change(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "Phi %+.2f", x);
  return buf;
}

// Connected pieces of a member list (ascending members, pieces ordered by
// their lowest member).
std::vector<std::vector<int>> pieces(const std::vector<int>& members, const std::vector<std::vector<int>>& neighbours) {
  std::vector<std::vector<int>> out;
  std::vector<int> seen;
  for (int start : members) {
    if (std::binary_search(seen.begin(), seen.end(), start)) continue;
    std::vector<int> piece{start}, stack{start};
    seen.insert(std::lower_bound(seen.begin(), seen.end(), start), start);
    while (!stack.empty()) {
      const int v = stack.back();
      stack.pop_back();
      for (int u : neighbours[v]) {
        if (std::binary_search(members.begin(), members.end(), u) && !std::binary_search(seen.begin(), seen.end(), u)) {
          seen.insert(std::lower_bound(seen.begin(), seen.end(), u), u);
          piece.push_back(u);
          stack.push_back(u);
        }
      }
    }
    std::sort(piece.begin(), piece.end());
    out.push_back(std::move(piece));
  }
  return out;
}

// Two contiguous parts of a coalition grown from its least-compatible pair:
// each step adds the unassigned member, adjacent to a part, with the largest
// pair sum with that part over the other. Empty when the members cannot be
// divided that way.
std::pair<std::vector<int>, std::vector<int>> bipartition(const Game& game, const std::vector<int>& members,
                                                          const std::vector<std::vector<int>>& neighbours) {
  int sa = -1, sb = -1;
  double worst = 0;
  for (std::size_t a = 0; a < members.size(); ++a) {
    for (std::size_t b = a + 1; b < members.size(); ++b) {
      const double v = game.pair_value(members[a], members[b]);
      if (sa < 0 || v < worst) {
        sa = members[a];
        sb = members[b];
        worst = v;
      }
    }
  }
  std::vector<int> side(members.size(), -1);  // 0 = part A, 1 = part B
  auto index = [&](int k) { return static_cast<std::size_t>(std::lower_bound(members.begin(), members.end(), k) - members.begin()); };
  side[index(sa)] = 0;
  side[index(sb)] = 1;
  for (std::size_t placed = 2; placed < members.size(); ++placed) {
    int best_k = -1, best_side = -1;
    double best_score = 0;
    for (std::size_t a = 0; a < members.size(); ++a) {
      if (side[a] >= 0) continue;
      const int k = members[a];
      std::array<bool, 2> adjacent{false, false};
      std::array<double, 2> sum{0, 0};
      for (int u : neighbours[k]) {
        const auto it = std::lower_bound(members.begin(), members.end(), u);
        if (it != members.end() && *it == u && side[it - members.begin()] >= 0) adjacent[side[it - members.begin()]] = true;
      }
      for (std::size_t b = 0; b < members.size(); ++b) {
        if (side[b] >= 0) sum[side[b]] += game.pair_value(k, members[b]);
      }
      for (int s = 0; s < 2; ++s) {
        if (!adjacent[s]) continue;
        const double score = sum[s] - sum[1 - s];
        if (best_k < 0 || score > best_score) {
          best_k = static_cast<int>(a);
          best_side = s;
          best_score = score;
        }
      }
    }
    if (best_k < 0) return {};
    side[best_k] = best_side;
  }
  std::pair<std::vector<int>, std::vector<int>> parts;
  for (std::size_t a = 0; a < members.size(); ++a) (side[a] == 0 ? parts.first : parts.second).push_back(members[a]);
  return parts;
}

bool mostly_rural(const Practices& p, const std::vector<int>& members, double share) {
  int rural = 0;
  for (int m : members) rural += p.rural[m];
  return rural >= share * static_cast<double>(members.size());
}

// One commissioner's re-evaluation, steps 2 (joins) to 8, in the game's
// coalition space; events name coalitions until the write-back.
struct LocalEvent {
  std::string kind;
  int coalition, other, practice;
  std::string reason;
};

}  // namespace

ReevaluationCounts reevaluate_networks(World& world, Affinity& affinity,
                                       const std::vector<std::vector<int>>& neighbours, const DynamicsInputs& in,
                                       int step, Date date, std::uint64_t seed, NetworkEventLog& log,
                                       Reorganisation& reorganisation) {
  const DynamicsParams& dp = in.params;
  const FormationParams& fp = in.formation;
  const Practices& p = world.practices;
  ReevaluationCounts counts;
  reorganisation = Reorganisation{};
  reorganisation.step = step;
  Engine rng = make_stream(seed, "dynamics", static_cast<std::uint64_t>(date.financial_year()));
  boost::random::uniform_01<double> uniform;

  // 1. History and conflicts over last year's networks.
  const std::vector<double> trust = network_mean_affinity(world, affinity);
  for (const auto& net : world.networks) {
    if (!net.live()) continue;
    const auto& m = net.members;
    for (std::size_t a = 0; a < m.size(); ++a) {
      for (std::size_t b = a + 1; b < m.size(); ++b) affinity.add_year_together(m[a], m[b]);
    }
    const double chance = dp.conflict_per_year * (trust[net.id] < in.low_trust_affinity ? dp.low_trust_conflict_multiplier : 1.0);
    const double draw = uniform(rng);
    if (m.size() < 2 || draw >= chance) continue;
    const int k = m[boost::random::uniform_int_distribution<std::size_t>(0, m.size() - 1)(rng)];
    for (int j : m) {
      if (j != k) affinity.add_history(k, j, -dp.conflict_affinity_loss);
    }
    log.add(step, "conflict", net.id, -1, k, "at odds with the other members; affinity -" + fixed2(dp.conflict_affinity_loss) + " with each");
    ++counts.conflicts;
  }

  // 2a. Re-sign-up: leavers exit now; joiners are placed per commissioner below.
  const std::vector<std::uint8_t> was_signed = world.signed_up;
  if (dp.resignup) redecide_signup(world, in.signup, in.funding, date);
  const double obligations = in.signup.obligation_cost_gbp_per_patient.at(date);
  for (std::size_t i = 0; i < p.size(); ++i) {
    const int n = world.network_of[i];
    if (world.signed_up[i] || n < 0) continue;
    auto& members = world.networks[n].members;
    members.erase(std::lower_bound(members.begin(), members.end(), static_cast<int>(i)));
    world.network_of[i] = -1;
    log.add(step, "exit", n, -1, static_cast<int>(i),
            "did not sign the DES again (obligations " + fixed2(obligations) + " GBP/patient)");
    ++counts.exits;
  }

  for (auto& net : world.networks) {
    if (net.live() && net.members.empty()) {  // every member left: no game to play
      net.ended_step = step;
      net.end_reason = "every member left the DES";
      reorganisation.ended.push_back(net.id);
    }
  }
  std::vector<int> coalition_of(p.size(), -1), local_of(p.size(), -1);
  for (std::size_t ci = 0; ci < world.commissioners.size(); ++ci) {
    const int commissioner = static_cast<int>(ci);
    Game game(world, commissioner, affinity, fp, neighbours, coalition_of, local_of);
    const std::vector<int> network_of_coalition = load_networks(game, world, commissioner);
    const std::size_t loaded = game.coalitions.size();
    std::vector<int> parent_of(loaded, -1);          // per coalition: coalition it split from
    std::vector<std::string> split_reason(loaded);  // per new coalition: why it split off
    std::vector<LocalEvent> events;
    auto new_coalition = [&](int parent, std::string why) {
      game.coalitions.push_back(Coalition{});
      parent_of.push_back(parent);
      split_reason.push_back(std::move(why));
      return static_cast<int>(game.coalitions.size()) - 1;
    };

    // 3. Repair: pieces left by exits.
    for (std::size_t c = 0; c < loaded; ++c) {
      if (!game.coalitions[c].alive) continue;
      auto parts = pieces(game.coalitions[c].members, neighbours);
      if (parts.size() < 2) continue;
      auto list_of = [&](const std::vector<int>& m) {
        double s = 0;
        for (int k : m) s += p.list_size[k];
        return s;
      };
      std::size_t keep = 0;
      for (std::size_t q = 1; q < parts.size(); ++q) {
        if (list_of(parts[q]) > list_of(parts[keep])) keep = q;
      }
      for (std::size_t q = 0; q < parts.size(); ++q) {
        if (q == keep) continue;
        const int fresh = new_coalition(static_cast<int>(c), "left in pieces when a member left the DES");
        for (int k : parts[q]) {
          game.remove(k);
          game.add(k, fresh);
        }
      }
    }

    // 2b. Joiners: the adjacent network with the best gain, or their own if isolated.
    for (int k : world.commissioners[ci].members) {
      if (!world.signed_up[k] || was_signed[k]) continue;
      int best = -1;
      double best_gain = 0;
      for (int c : game.adjacent_coalitions({k}, -1)) {
        const double g = game.join_gain(k, game.coalitions[c]);
        if (best < 0 || g > best_gain) {
          best = c;
          best_gain = g;
        }
      }
      if (best < 0) {
        best = new_coalition(-1, "");
        game.coalitions[best].approved = true;
      }
      game.add(k, best);
      events.push_back({"join", best, -1, k, "signed the DES again"});
      ++counts.joins;
    }

    // 4. Dissolution after a long CD vacancy under low trust.
    for (std::size_t c = 0; c < loaded; ++c) {
      const int net = network_of_coalition[c];
      const Coalition& co = game.coalitions[c];
      if (!co.alive || co.members.size() < 2 || in.cd_vacant_weeks[net] < dp.dissolution_vacancy_weeks) continue;
      const double mean = mean_pair_affinity(co.members, affinity);
      if (mean >= dp.dissolution_trust_affinity || uniform(rng) >= dp.dissolution_probability) continue;
      std::vector<std::pair<int, int>> joined;
      if (!game.dissolve_into_neighbours(static_cast<int>(c), &joined)) continue;
      events.push_back({"dissolution", static_cast<int>(c), -1, -1,
                        "clinical-director post vacant " + std::to_string(in.cd_vacant_weeks[net]) +
                            " weeks; mean affinity " + fixed2(mean)});
      for (const auto& [k, d] : joined) events.push_back({"join", d, static_cast<int>(c), k, "its network dissolved"});
      ++counts.dissolutions;
    }

    // 5. Under-size networks: approved, or merged whole into the best neighbour.
    // Change in Phi when a and b merge: their cross pairs and the size terms.
    auto merge_gain = [&](int a, int b) {
      const Coalition &ca = game.coalitions[a], &cb = game.coalitions[b];
      double cross = 0;
      for (int i : ca.members) cross += game.pair_sum(i, cb);
      return cross + game.size_term(ca.list_k + cb.list_k, ca.members.size() + cb.members.size()) -
             game.size_term(ca.list_k, ca.members.size()) - game.size_term(cb.list_k, cb.members.size());
    };
    // A piece that never became a network shows as its members joining.
    auto merge = [&](int from, int into, const std::string& why) {
      const std::vector<int> moving = game.coalitions[from].members;
      for (int k : moving) {
        game.remove(k);
        game.add(k, into);
      }
      if (static_cast<std::size_t>(from) < loaded) {
        events.push_back({"merge", from, into, -1, why});
      } else {
        for (int k : moving) events.push_back({"join", into, parent_of[from], k, split_reason[from] + "; " + why});
      }
    };
    for (std::size_t c = 0; c < game.coalitions.size(); ++c) {
      Coalition& co = game.coalitions[c];
      if (!co.alive || co.approved || co.list_k >= game.threshold_k_) continue;
      const auto adjacent = game.adjacent_coalitions(co.members, static_cast<int>(c));
      const bool several = co.members.size() > 1;
      const double chance = mostly_rural(p, co.members, fp.rural_member_share) ? fp.approve_rural_probability
                                                                               : fp.approve_other_probability;
      if (adjacent.empty() || (several && uniform(rng) < chance)) {
        co.approved = true;
        events.push_back({"approval", static_cast<int>(c), -1, -1,
                          adjacent.empty() ? "under the size threshold and isolated" : "under the size threshold, approved"});
        ++counts.approvals;
        continue;
      }
      int best = -1;
      double best_gain = 0;
      for (int d : adjacent) {
        const double g = merge_gain(static_cast<int>(c), d);
        if (best < 0 || g > best_gain) {
          best = d;
          best_gain = g;
        }
      }
      merge(static_cast<int>(c), best, "under the size threshold; " + phi_change(best_gain));
      counts.merges += static_cast<std::size_t>(c) < loaded ? 1 : 0;
    }

    // 6. Voluntary merges, best first.
    while (true) {
      int best_a = -1, best_b = -1;
      double best_gain = dp.merge_cost;
      for (std::size_t a = 0; a < game.coalitions.size(); ++a) {
        if (!game.coalitions[a].alive) continue;
        for (int b : game.adjacent_coalitions(game.coalitions[a].members, static_cast<int>(a))) {
          if (b < static_cast<int>(a)) continue;
          const double g = merge_gain(static_cast<int>(a), b);
          if (g > best_gain) {
            best_a = static_cast<int>(a);
            best_b = b;
            best_gain = g;
          }
        }
      }
      if (best_a < 0) break;
      // The smaller network joins the larger one, which keeps its id.
      if (game.coalitions[best_a].list_k > game.coalitions[best_b].list_k) std::swap(best_a, best_b);
      merge(best_a, best_b, "voluntary; " + phi_change(best_gain));
      game.coalitions[best_b].approved = game.coalitions[best_b].list_k < game.threshold_k_;
      counts.merges += static_cast<std::size_t>(best_a) < loaded ? 1 : 0;
    }

    // 7. Splits of large networks.
    const std::size_t before_splits = game.coalitions.size();
    for (std::size_t c = 0; c < before_splits; ++c) {
      const Coalition& co = game.coalitions[c];
      if (!co.alive || co.list_k < 2 * game.threshold_k_ ||
          co.members.size() < 2 * static_cast<std::size_t>(dp.min_part_practices)) {
        continue;
      }
      auto [part_a, part_b] = bipartition(game, co.members, neighbours);
      if (part_a.size() < static_cast<std::size_t>(dp.min_part_practices) ||
          part_b.size() < static_cast<std::size_t>(dp.min_part_practices)) {
        continue;
      }
      double list_a = 0, list_b = 0;
      for (int k : part_a) list_a += game.list_k(k);
      for (int k : part_b) list_b += game.list_k(k);
      if (list_a < game.threshold_k_ || list_b < game.threshold_k_) continue;
      const double gain = game.value(part_a) + game.value(part_b) - game.value(co.members);
      if (gain <= dp.split_cost) continue;
      // The part with the larger list keeps the network; the other is new.
      const std::vector<int>& leaving = list_a >= list_b ? part_b : part_a;
      const int fresh = new_coalition(static_cast<int>(c), phi_change(gain));
      for (int k : std::vector<int>(leaving)) {
        game.remove(k);
        game.add(k, fresh);
      }
    }

    // 8. Switches under the switching cost.
    std::vector<int> players;
    for (int k : world.commissioners[ci].members) {
      if (world.signed_up[k]) players.push_back(k);
    }
    std::vector<PracticeMove> moves;
    counts.switches += game.improve(players, fp.inertia + dp.switch_cost, dp.max_switch_rounds, &moves);
    for (const auto& mv : moves) events.push_back({"switch", mv.from, mv.to, mv.practice, phi_change(mv.gain)});

    // Write back: coalitions -> networks (new ids for new coalitions).
    std::vector<int> id_of(game.coalitions.size(), -1);
    for (std::size_t c = 0; c < loaded; ++c) id_of[c] = network_of_coalition[c];
    for (std::size_t c = loaded; c < game.coalitions.size(); ++c) {
      if (!game.coalitions[c].alive) continue;
      Network net;
      net.id = static_cast<int>(world.networks.size());
      net.commissioner = commissioner;
      net.formed_step = step;
      id_of[c] = net.id;
      world.networks.push_back(std::move(net));
      if (parent_of[c] >= 0) {
        world.networks.back().parent = id_of[parent_of[c]];
        events.push_back({"split", parent_of[c], static_cast<int>(c), -1, split_reason[c]});
        ++counts.splits;
      }
    }
    // A new coalition that did not survive stands for the network it came from.
    std::function<int(int)> event_id = [&](int c) {
      return c < 0 ? -1 : id_of[c] >= 0 ? id_of[c] : event_id(parent_of[c]);
    };
    for (std::size_t c = 0; c < game.coalitions.size(); ++c) {
      const Coalition& co = game.coalitions[c];
      if (id_of[c] < 0) continue;
      Network& net = world.networks[id_of[c]];
      if (!co.alive) {
        if (!net.live()) continue;
        // Heir: the network that took most of its patients (lowest id on ties).
        std::map<int, double> taken;
        for (int m : net.members) {
          if (coalition_of[m] >= 0) taken[event_id(coalition_of[m])] += p.list_size[m];
        }
        for (const auto& [id, list] : taken) {
          if (net.successor < 0 || list > taken[net.successor]) net.successor = id;
        }
        net.ended_step = step;
        net.members.clear();
        reorganisation.ended.push_back(net.id);
        continue;
      }
      const bool lead_left = !std::binary_search(co.members.begin(), co.members.end(), net.lead_practice);
      const double parent_list = c >= loaded && parent_of[c] >= 0 ? game.coalitions[parent_of[c]].list_k : 0.0;
      net.members = co.members;
      net.approved_under_size = co.list_k < game.threshold_k_;
      for (int m : co.members) world.network_of[m] = net.id;
      if (c >= loaded || lead_left) settle_network(net, p, fp, uniform(rng));
      if (c >= loaded) {
        reorganisation.created.push_back(net.id);
        reorganisation.parent.push_back(net.parent);
        reorganisation.parent_share.push_back(net.parent >= 0 ? co.list_k / (co.list_k + parent_list) : 0.0);
      }
    }
    for (const auto& e : events) log.add(step, e.kind, event_id(e.coalition), event_id(e.other), e.practice, e.reason);
  }

  // End reasons from this year's log.
  for (std::size_t e = 0; e < log.size(); ++e) {
    if (log.step[e] != step || log.network[e] < 0) continue;
    Network& net = world.networks[log.network[e]];
    if (log.kind[e] == "merge") net.end_reason = "merged: " + log.reason[e];
    if (log.kind[e] == "dissolution") net.end_reason = "dissolved: " + log.reason[e];
  }
  for (int id : reorganisation.ended) {
    if (world.networks[id].end_reason.empty()) world.networks[id].end_reason = "every member left";  // by switches
  }
  std::sort(reorganisation.ended.begin(), reorganisation.ended.end());
  assign_covering_networks(world, affinity);
  return counts;
}

}  // namespace pcnsim
