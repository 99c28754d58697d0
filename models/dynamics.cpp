#include "models/dynamics.hpp"
#include "models/model.hpp"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <array>
#include <cstdio>
#include <map>

#include "models/coalition_game.hpp"

namespace pcnsim {

const char* to_string(NetworkEventKind kind) {
  switch (kind) {
    case NetworkEventKind::exit: return "exit";
    case NetworkEventKind::join: return "join";
    case NetworkEventKind::switch_network: return "switch";
    case NetworkEventKind::merge: return "merge";
    case NetworkEventKind::split: return "split";
    case NetworkEventKind::dissolution: return "dissolution";
    case NetworkEventKind::approval: return "approval";
    case NetworkEventKind::conflict: return "conflict";
  }
  return "?";
}

int NetworkEventLog::count(NetworkEventKind what) const {
  return static_cast<int>(std::count(kind.begin(), kind.end(), what));
}

void NetworkEventLog::add(int at, NetworkEventKind what, int net, int other_net, int pr, std::string why) {
  step.push_back(at);
  kind.push_back(what);
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
    if (world.is_open(i) && world.covering_network[i] < 0 && per_commissioner[world.practices.commissioner[i]] > 0) {
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

// One commissioner's re-evaluation, steps 2b (joins) to 8, in the game's
// coalition space; events name coalitions until the write-back.
struct LocalEvent {
  NetworkEventKind kind;
  int coalition, other, practice;
  std::string reason;
};

// The shared state of one year's re-evaluation.
struct YearContext {
  World& world;
  Affinity& affinity;
  const std::vector<std::vector<int>>& neighbours;
  const DynamicsInputs& in;
  int step;
  double review_chance;  // dynamics.first_review_per_year or review_per_year
  Engine& rng;
  NetworkEventLog& log;
  Reorganisation& reorganisation;
  ReevaluationCounts& counts;
};

// 1. History and conflicts over last year's networks.
void record_history_and_conflicts(YearContext& y) {
  const DynamicsParams& dp = y.in.params;
  boost::random::uniform_01<double> uniform;
  const std::vector<double> trust = network_mean_affinity(y.world, y.affinity);
  for (const auto& net : y.world.networks) {
    if (!net.live()) continue;
    const auto& m = net.members;
    for (std::size_t a = 0; a < m.size(); ++a) {
      for (std::size_t b = a + 1; b < m.size(); ++b) y.affinity.add_year_together(m[a], m[b]);
    }
    const double chance = dp.conflict_per_year * (trust[net.id] < y.in.low_trust_affinity ? dp.low_trust_conflict_multiplier : 1.0);
    const double draw = uniform(y.rng);
    if (m.size() < 2 || draw >= chance) continue;
    const int k = m[boost::random::uniform_int_distribution<std::size_t>(0, m.size() - 1)(y.rng)];
    for (int j : m) {
      if (j != k) y.affinity.add_history(k, j, -dp.conflict_affinity_loss);
    }
    y.log.add(y.step, NetworkEventKind::conflict, net.id, -1, k,
              "at odds with the other members; affinity -" + fixed2(dp.conflict_affinity_loss) + " with each");
    ++y.counts.conflicts;
  }
}

// 2a. Re-sign-up: leavers exit now (joiners are placed per commissioner, 2b);
// a network every member left ends. Returns who was signed before.
std::vector<std::uint8_t> redecide_and_exit(YearContext& y, Date date) {
  World& world = y.world;
  const std::vector<std::uint8_t> was_signed = world.signed_up;
  if (y.in.params.resignup) redecide_signup(world, y.in.signup, y.in.funding, date);
  const double obligations = y.in.signup.obligation_cost_gbp_per_patient.at(date);
  for (std::size_t i = 0; i < world.practices.size(); ++i) {
    const int n = world.network_of[i];
    if (world.signed_up[i] || n < 0) continue;
    auto& members = world.networks[n].members;
    members.erase(std::lower_bound(members.begin(), members.end(), static_cast<int>(i)));
    world.network_of[i] = -1;
    y.log.add(y.step, NetworkEventKind::exit, n, -1, static_cast<int>(i),
              "did not sign the DES again (obligations " + fixed2(obligations) + " GBP/patient)");
    ++y.counts.exits;
  }
  for (auto& net : world.networks) {
    if (net.live() && net.members.empty()) {  // every member left: no game to play
      net.ended_step = y.step;
      net.end_reason = "every member left the DES";
      y.reorganisation.ended.push_back(net.id);
    }
  }
  return was_signed;
}

// Steps 2b-8 for one commissioner, each a named member, then the write-back.
class CommissionerYear {
 public:
  CommissionerYear(YearContext& y, int commissioner, std::vector<int>& coalition_of, std::vector<int>& local_of)
      : y_(y),
        p_(y.world.practices),
        dp_(y.in.params),
        fp_(y.in.formation),
        commissioner_(commissioner),
        coalition_of_(coalition_of),
        game_(y.world, commissioner, y.affinity, y.in.formation, y.neighbours, coalition_of, local_of),
        network_of_coalition_(load_networks(game_, y.world, commissioner)),
        loaded_(game_.coalitions.size()),
        parent_of_(loaded_, -1),
        split_reason_(loaded_) {}

  // 3. Repair: the pieces an exit left become coalitions of their own (the
  // piece with the largest list keeps the network).
  void repair_pieces() {
    auto list_of = [&](const std::vector<int>& m) {
      double s = 0;
      for (int k : m) s += p_.list_size[k];
      return s;
    };
    for (std::size_t c = 0; c < loaded_; ++c) {
      if (!game_.coalitions[c].alive) continue;
      auto parts = pieces(game_.coalitions[c].members, y_.neighbours);
      if (parts.size() < 2) continue;
      std::size_t keep = 0;
      for (std::size_t q = 1; q < parts.size(); ++q) {
        if (list_of(parts[q]) > list_of(parts[keep])) keep = q;
      }
      for (std::size_t q = 0; q < parts.size(); ++q) {
        if (q == keep) continue;
        move_all(parts[q], new_coalition(static_cast<int>(c), "left in pieces when a member left the DES"));
      }
    }
  }

  // 2b. Joiners: the adjacent network with the best gain, or their own if isolated.
  void place_joiners(const std::vector<std::uint8_t>& was_signed) {
    for (int k : y_.world.commissioners[commissioner_].members) {
      if (!y_.world.signed_up[k] || was_signed[k]) continue;
      int best = -1;
      double best_gain = 0;
      for (int c : game_.adjacent_coalitions({k}, -1)) {
        const double g = game_.join_gain(k, game_.coalitions[c]);
        if (best < 0 || g > best_gain) {
          best = c;
          best_gain = g;
        }
      }
      if (best < 0) {
        best = new_coalition(-1, "");
        game_.coalitions[best].approved = true;
      }
      game_.add(k, best);
      events_.push_back({NetworkEventKind::join, best, -1, k, "signed the DES again"});
      ++y_.counts.joins;
    }
  }

  // 4. Dissolution after a long clinical-director vacancy under low trust.
  void dissolve_vacant() {
    boost::random::uniform_01<double> uniform;
    for (std::size_t c = 0; c < loaded_; ++c) {
      const int net = network_of_coalition_[c];
      const Coalition& co = game_.coalitions[c];
      if (!co.alive || co.members.size() < 2 || y_.in.cd_vacant_weeks[net] < dp_.dissolution_vacancy_weeks) continue;
      const double mean = mean_pair_affinity(co.members, y_.affinity);
      if (mean >= dp_.dissolution_trust_affinity || uniform(y_.rng) >= dp_.dissolution_probability) continue;
      std::vector<std::pair<int, int>> joined;
      if (!game_.dissolve_into_neighbours(static_cast<int>(c), &joined)) continue;
      events_.push_back({NetworkEventKind::dissolution, static_cast<int>(c), -1, -1,
                         "clinical-director post vacant " + std::to_string(y_.in.cd_vacant_weeks[net]) +
                             " weeks; mean affinity " + fixed2(mean)});
      for (const auto& [k, d] : joined) events_.push_back({NetworkEventKind::join, d, static_cast<int>(c), k, "its network dissolved"});
      ++y_.counts.dissolutions;
    }
  }

  // 5. Under-size networks: approved, or merged whole into the best neighbour.
  void settle_under_size() {
    boost::random::uniform_01<double> uniform;
    for (std::size_t c = 0; c < game_.coalitions.size(); ++c) {
      Coalition& co = game_.coalitions[c];
      if (!co.alive || co.approved || co.list_k >= game_.threshold_k_) continue;
      const auto adjacent = game_.adjacent_coalitions(co.members, static_cast<int>(c));
      const bool several = co.members.size() > 1;
      const double chance = mostly_rural(p_, co.members, fp_.rural_member_share) ? fp_.approve_rural_probability
                                                                                 : fp_.approve_other_probability;
      if (adjacent.empty() || (several && uniform(y_.rng) < chance)) {
        co.approved = true;
        events_.push_back({NetworkEventKind::approval, static_cast<int>(c), -1, -1,
                           adjacent.empty() ? "under the size threshold and isolated" : "under the size threshold, approved"});
        ++y_.counts.approvals;
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
      y_.counts.merges += static_cast<std::size_t>(c) < loaded_ ? 1 : 0;
    }
  }

  // Which of this year's networks review their shape (may merge or split):
  // each with probability review_per_year, drawn in network order.
  void draw_reviews() {
    boost::random::uniform_01<double> uniform;
    reviewing_.assign(loaded_, 0);
    for (std::size_t c = 0; c < loaded_; ++c) reviewing_[c] = uniform(y_.rng) < y_.review_chance ? 1 : 0;
  }
  bool reviewing(std::size_t c) const { return c < reviewing_.size() && reviewing_[c]; }

  // 6. Voluntary merges, best first, while one gains more than the merge cost
  // (a pair merges only when at least one of the two is reviewing).
  void merge_voluntarily() {
    while (true) {
      int best_a = -1, best_b = -1;
      double best_gain = dp_.merge_cost;
      for (std::size_t a = 0; a < game_.coalitions.size(); ++a) {
        if (!game_.coalitions[a].alive) continue;
        for (int b : game_.adjacent_coalitions(game_.coalitions[a].members, static_cast<int>(a))) {
          if (b < static_cast<int>(a) || !(reviewing(a) || reviewing(static_cast<std::size_t>(b)))) continue;
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
      if (game_.coalitions[best_a].list_k > game_.coalitions[best_b].list_k) std::swap(best_a, best_b);
      merge(best_a, best_b, "voluntary; " + phi_change(best_gain));
      game_.coalitions[best_b].approved = game_.coalitions[best_b].list_k < game_.threshold_k_;
      y_.counts.merges += static_cast<std::size_t>(best_a) < loaded_ ? 1 : 0;
    }
  }

  // 7. Splits of large reviewing networks in two viable parts, when Phi gains more than the split cost.
  void split_large() {
    boost::random::uniform_01<double> uniform;
    const auto min_part = static_cast<std::size_t>(dp_.min_part_practices);
    const std::size_t before_splits = game_.coalitions.size();
    for (std::size_t c = 0; c < before_splits; ++c) {
      const Coalition& co = game_.coalitions[c];
      if (!co.alive || !reviewing(c) || co.list_k < dp_.split_min_threshold_multiple * game_.threshold_k_ ||
          co.members.size() < 2 * min_part) {
        continue;
      }
      auto [part_a, part_b] = bipartition(game_, co.members, y_.neighbours);
      if (part_a.size() < min_part || part_b.size() < min_part) continue;
      double list_a = 0, list_b = 0;
      for (int k : part_a) list_a += game_.list_k(k);
      for (int k : part_b) list_b += game_.list_k(k);
      // The part with the larger list keeps the network; the other is new.
      const std::vector<int>& leaving = list_a >= list_b ? part_b : part_a;
      const bool under_size = std::min(list_a, list_b) < game_.threshold_k_;
      if (std::max(list_a, list_b) < game_.threshold_k_) continue;
      const double gain = game_.value(part_a) + game_.value(part_b) - game_.value(co.members);
      if (gain <= dp_.split_cost) continue;
      // A part under the size threshold needs the commissioner's approval, as at formation.
      const double chance = mostly_rural(p_, leaving, fp_.rural_member_share) ? fp_.approve_rural_probability
                                                                            : fp_.approve_other_probability;
      if (under_size && uniform(y_.rng) >= chance) continue;
      const int part = new_coalition(static_cast<int>(c), phi_change(gain) + (under_size ? ", part under size approved" : ""));
      move_all(leaving, part);
      game_.coalitions[part].approved = under_size;
    }
  }

  // 8. Switches of single practices under the switching cost, by the
  // practices that reconsider their network this year (switch_review_per_year).
  void switch_practices() {
    boost::random::uniform_01<double> uniform;
    std::vector<int> players;
    for (int k : y_.world.commissioners[commissioner_].members) {
      if (y_.world.signed_up[k] && uniform(y_.rng) < dp_.switch_review_per_year) players.push_back(k);
    }
    std::vector<PracticeMove> moves;
    y_.counts.switches += game_.improve(players, fp_.inertia + dp_.switch_cost, dp_.max_switch_rounds, &moves);
    for (const auto& mv : moves) events_.push_back({NetworkEventKind::switch_network, mv.from, mv.to, mv.practice, phi_change(mv.gain)});
  }

  // Coalitions back to networks: new ids for new coalitions, heirs for ended
  // networks, the staff shares of split-offs; then the events, by network id.
  void write_back() {
    id_of_.assign(game_.coalitions.size(), -1);
    for (std::size_t c = 0; c < loaded_; ++c) id_of_[c] = network_of_coalition_[c];
    create_networks();
    boost::random::uniform_01<double> uniform;
    for (std::size_t c = 0; c < game_.coalitions.size(); ++c) {
      const Coalition& co = game_.coalitions[c];
      if (id_of_[c] < 0) continue;
      Network& net = y_.world.networks[id_of_[c]];
      if (!co.alive) {
        if (net.live()) end_network(net);
        continue;
      }
      const bool lead_left = !std::binary_search(co.members.begin(), co.members.end(), net.lead_practice);
      const double parent_list = c >= loaded_ && parent_of_[c] >= 0 ? game_.coalitions[parent_of_[c]].list_k : 0.0;
      net.members = co.members;
      net.approved_under_size = co.list_k < game_.threshold_k_;
      for (int m : co.members) y_.world.network_of[m] = net.id;
      if (c >= loaded_ || lead_left) settle_network(net, p_, fp_, uniform(y_.rng));
      if (c >= loaded_) {
        y_.reorganisation.created.push_back(net.id);
        y_.reorganisation.parent.push_back(net.parent);
        y_.reorganisation.parent_share.push_back(net.parent >= 0 ? co.list_k / (co.list_k + parent_list) : 0.0);
      }
    }
    for (const auto& e : events_) {
      y_.log.add(y_.step, e.kind, event_id(e.coalition), event_id(e.other), e.practice, e.reason);
    }
  }

 private:
  int new_coalition(int parent, std::string why) {
    game_.coalitions.push_back(Coalition{});
    parent_of_.push_back(parent);
    split_reason_.push_back(std::move(why));
    return static_cast<int>(game_.coalitions.size()) - 1;
  }

  void move_all(const std::vector<int>& members, int into) {
    for (int k : members) {
      game_.remove(k);
      game_.add(k, into);
    }
  }

  // Change in Phi when a and b merge: their cross pairs and the size terms.
  double merge_gain(int a, int b) const {
    const Coalition &ca = game_.coalitions[a], &cb = game_.coalitions[b];
    double cross = 0;
    for (int i : ca.members) cross += game_.pair_sum(i, cb);
    return cross + game_.size_term(ca.list_k + cb.list_k, ca.members.size() + cb.members.size()) -
           game_.size_term(ca.list_k, ca.members.size()) - game_.size_term(cb.list_k, cb.members.size());
  }

  // A piece that never became a network shows as its members joining.
  void merge(int from, int into, const std::string& why) {
    const std::vector<int> moving = game_.coalitions[from].members;
    move_all(moving, into);
    if (static_cast<std::size_t>(from) < loaded_) {
      events_.push_back({NetworkEventKind::merge, from, into, -1, why});
    } else {
      for (int k : moving) events_.push_back({NetworkEventKind::join, into, parent_of_[from], k, split_reason_[from] + "; " + why});
    }
  }

  void create_networks() {
    for (std::size_t c = loaded_; c < game_.coalitions.size(); ++c) {
      if (!game_.coalitions[c].alive) continue;
      Network net;
      net.id = static_cast<int>(y_.world.networks.size());
      net.commissioner = commissioner_;
      net.formed_step = y_.step;
      id_of_[c] = net.id;
      y_.world.networks.push_back(std::move(net));
      if (parent_of_[c] >= 0) {
        y_.world.networks.back().parent = id_of_[parent_of_[c]];
        events_.push_back({NetworkEventKind::split, parent_of_[c], static_cast<int>(c), -1, split_reason_[c]});
        ++y_.counts.splits;
      }
    }
  }

  // Heir of an ended network: the network that took most of its patients (lowest id on ties).
  void end_network(Network& net) {
    std::map<int, double> taken;
    for (int m : net.members) {
      if (coalition_of_[m] >= 0) taken[event_id(coalition_of_[m])] += p_.list_size[m];
    }
    for (const auto& [id, list] : taken) {
      if (net.successor < 0 || list > taken[net.successor]) net.successor = id;
    }
    net.ended_step = y_.step;
    net.members.clear();
    y_.reorganisation.ended.push_back(net.id);
  }

  // A new coalition that did not survive stands for the network it came from.
  int event_id(int c) const { return c < 0 ? -1 : id_of_[c] >= 0 ? id_of_[c] : event_id(parent_of_[c]); }

  YearContext& y_;
  const Practices& p_;
  const DynamicsParams& dp_;
  const FormationParams& fp_;
  int commissioner_;
  std::vector<int>& coalition_of_;
  Game game_;
  std::vector<int> network_of_coalition_;
  std::size_t loaded_;
  std::vector<int> parent_of_;            // per coalition: coalition it split from
  std::vector<std::string> split_reason_;  // per new coalition: why it split off
  std::vector<LocalEvent> events_;
  std::vector<int> id_of_;                 // per coalition: network id after the write-back
  std::vector<std::uint8_t> reviewing_;    // per network loaded: reviews its shape this year
};

// End reasons from this year's log; networks emptied by switches last.
void record_end_reasons(YearContext& y) {
  const NetworkEventLog& log = y.log;
  for (std::size_t e = 0; e < log.size(); ++e) {
    if (log.step[e] != y.step || log.network[e] < 0) continue;
    Network& net = y.world.networks[log.network[e]];
    if (log.kind[e] == NetworkEventKind::merge) net.end_reason = "merged: " + log.reason[e];
    if (log.kind[e] == NetworkEventKind::dissolution) net.end_reason = "dissolved: " + log.reason[e];
  }
  for (int id : y.reorganisation.ended) {
    if (y.world.networks[id].end_reason.empty()) y.world.networks[id].end_reason = "every member left";
  }
  std::sort(y.reorganisation.ended.begin(), y.reorganisation.ended.end());
}

}  // namespace

ReevaluationCounts reevaluate_networks(World& world, Affinity& affinity,
                                       const std::vector<std::vector<int>>& neighbours, const DynamicsInputs& in,
                                       int step, Date date, std::uint64_t seed, NetworkEventLog& log,
                                       Reorganisation& reorganisation) {
  ReevaluationCounts counts;
  reorganisation = Reorganisation{};
  reorganisation.step = step;
  Engine rng = make_stream(seed, "dynamics", static_cast<std::uint64_t>(date.financial_year()));
  const double review = in.first_reevaluation ? in.params.first_review_per_year : in.params.review_per_year;
  YearContext year{world, affinity, neighbours, in, step, review, rng, log, reorganisation, counts};

  record_history_and_conflicts(year);                                      // 1
  const std::vector<std::uint8_t> was_signed = redecide_and_exit(year, date);  // 2a
  std::vector<int> coalition_of(world.practices.size(), -1), local_of(world.practices.size(), -1);
  for (std::size_t ci = 0; ci < world.commissioners.size(); ++ci) {
    CommissionerYear commissioner(year, static_cast<int>(ci), coalition_of, local_of);
    commissioner.repair_pieces();           // 3
    commissioner.place_joiners(was_signed);  // 2b
    commissioner.dissolve_vacant();         // 4
    commissioner.settle_under_size();       // 5
    commissioner.draw_reviews();
    commissioner.merge_voluntarily();       // 6
    commissioner.split_large();             // 7
    commissioner.switch_practices();        // 8
    commissioner.write_back();
  }
  record_end_reasons(year);
  assign_covering_networks(world, affinity);
  return counts;
}

Mechanism dynamics_mechanism() {
  Mechanism m{"dynamics", "mechanism 9: each later 1 April networks are re-evaluated (exits, joins, merges, splits...)"};
  m.at_reevaluation = [](ModelState& s) {
    const ModelParams& p = s.params;
    const std::vector<int> vacant = s.cds->vacant_weeks(s.step);
    const DynamicsInputs in{p.dynamics,  p.formation, p.signup, p.funding, p.cd_workload.low_trust_affinity,
                            vacant,      s.reevaluated_step < 0};
    s.change = Reorganisation{};
    s.counts = reevaluate_networks(s.world, *s.affinity, s.neighbours, in, s.step, s.date, s.seed, s.network_events,
                                   s.change);
    s.reevaluated_step = s.step;
    s.network_mean_affinity = network_mean_affinity(s.world, *s.affinity);
    snapshot_membership(s, s.date);
    s.events.push_back({s.step, s.date, "networks re-evaluated: " + std::to_string(s.world.live_networks()) + " live"});
  };
  m.declare_outputs = [](OutputDeclarations& out) {
    const auto at_reevaluation = [](const ModelState& s) { return s.reevaluated_step == s.step; };
    const auto count = [&](const char* name, const char* units, const char* description, int ReevaluationCounts::*field) {
      out.series(name, units, description, at_reevaluation, [field](const ModelState& s) { return s.counts.*field; });
    };
    count("network_exits", "practices/week", "practices leaving their network (not signing again), 1 April",
          &ReevaluationCounts::exits);
    count("network_joins", "practices/week", "practices joining a network (signing again, or after a dissolution)",
          &ReevaluationCounts::joins);
    count("network_switches", "practices/week", "practices switching network at the re-evaluation",
          &ReevaluationCounts::switches);
    count("network_merges", "networks/week", "networks merging into another at the re-evaluation",
          &ReevaluationCounts::merges);
    count("network_splits", "networks/week", "networks splitting off at the re-evaluation", &ReevaluationCounts::splits);
    count("network_dissolutions", "networks/week", "networks dissolving at the re-evaluation",
          &ReevaluationCounts::dissolutions);
    count("network_conflicts", "conflicts/week", "conflicts in networks (counted at the re-evaluation)",
          &ReevaluationCounts::conflicts);
  };
  return m;
}

}  // namespace pcnsim
