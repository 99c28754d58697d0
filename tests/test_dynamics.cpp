// Mechanism 9, network dynamics: the yearly re-evaluation keeps a valid
// partition every week, each move pays its switching cost in Phi, staff and
// CDs follow their networks, and switching it off freezes the 2019 networks.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <set>

#include "models/dynamics.hpp"
#include "oracles.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

namespace {


// Settings under which every kind of event happens in a small population.
// Turbulent dynamics (synthetic.hpp), with a weaker size penalty, so that
// merges pay in every seed, and a re-sign-up cost that swings from year to year.
const std::vector<Override> kTurbulentDynamics = [] {
  auto o = testing::kTurbulent;
  o.insert(o.end(), {{"formation.g_size", "0.003"},
                     {"signup.obligation_cost_gbp_per_patient",
                      "[{from: 2019-04-01, value: 1}, {from: 2020-04-01, value: 3.5}, {from: 2021-04-01, value: 0.5}, "
                      "{from: 2022-04-01, value: 3}]"}});
  return o;
}();

std::map<std::string, int> event_counts(const RunResult& run) {
  std::map<std::string, int> counts;
  for (const auto k : run.network_events.kind) ++counts[to_string(k)];
  return counts;
}

}  // namespace

TEST_CASE("every week every signed practice is in exactly one contiguous network", "[dynamics]") {
  for (const auto& overrides : {std::vector<Override>{}, kTurbulentDynamics}) {
    for (const char* seed : {"1", "2", "3"}) {
      auto o = overrides;
      o.push_back({"seed", seed});
      const Scenario sc = synthetic_small(o);
      // Each week's partition, checked after the run against the run's graph
      // by the oracle's own search (not the model's contiguity check).
      std::vector<std::pair<int, std::vector<int>>> weeks;
      std::vector<std::vector<std::uint8_t>> signed_weeks;
      const RunResult run = run_simulation(sc, 0, [&](int step, const World& world) {
        if (world.networks.empty()) return;  // before the sign-up deadline
        // The live world must agree with its own network table.
        for (const auto& net : world.networks) {
          for (int m : net.members) REQUIRE(world.network_of[m] == net.id);
          if (!net.live()) REQUIRE(net.members.empty());
        }
        weeks.emplace_back(step, world.network_of);
        signed_weeks.push_back(world.signed_up);
      });
      int weeks_checked = 0;
      for (std::size_t k = 0; k < weeks.size(); ++k) {
        const auto problems =
            oracle::partition_problems(weeks[k].second, signed_weeks[k], run.world.practices.commissioner, (*run.graph));
        INFO("seed " << seed << ", week " << weeks[k].first << ": " << (problems.empty() ? "" : problems.front()));
        REQUIRE(problems.empty());
        ++weeks_checked;
      }
      CHECK(weeks_checked > 240);
      if (overrides.empty()) continue;
      // The turbulent settings exercise every kind of event.
      const auto counts = event_counts(run);
      for (const char* kind : {"exit", "join", "switch", "merge", "split", "dissolution", "conflict"}) {
        INFO("seed " << seed << ", kind " << kind);
        CHECK(counts.count(kind) == 1);
      }
    }
  }
}

TEST_CASE("merges, splits and switches each raise Phi by more than their cost", "[dynamics]") {
  // With no history, conflicts, exits, dissolutions or practice mergers (9a),
  // affinity and lists stay as at formation and the only moves are merges,
  // splits and switches.
  const double cost = 0.5;
  const Scenario sc = synthetic_small({{"relationships.a_hist_per_year", "0"},
                                 {"practice_changes.enabled", "false"},
                                 {"dynamics.conflict_per_year", "0"},
                                 {"dynamics.resignup", "false"},
                                 {"dynamics.dissolution_probability", "0"},
                                 {"dynamics.split_cost", std::to_string(cost)},
                                 {"dynamics.merge_cost", std::to_string(cost)},
                                 {"dynamics.switch_cost", std::to_string(cost)},
                                 {"formation.size_threshold_patients", "25000"}});
  const RunResult run = run_simulation(sc);
  const Affinity affinity(run.world.practices, sc.relationships, sc.seed);
  int moves_total = 0;
  for (std::size_t row = 1; row < run.membership.size(); ++row) {
    const World before = world_at(run, row - 1), after = world_at(run, row);
    const int step = run.membership[row].step;
    for (std::size_t c = 0; c < run.world.commissioners.size(); ++c) {
      int moves = 0;
      for (std::size_t e = 0; e < run.network_events.size(); ++e) {
        const std::string kind = to_string(run.network_events.kind[e]);
        if (run.network_events.step[e] != step || run.world.networks[run.network_events.network[e]].commissioner != static_cast<int>(c)) continue;
        REQUIRE((kind == "merge" || kind == "split" || kind == "switch"));
        ++moves;
      }
      moves_total += moves;
      const auto& list = run.world.practices.list_size;
      const auto& commissioner = run.world.practices.commissioner;
      const double phi_before = oracle::potential(before.network_of, commissioner, static_cast<int>(c), list, affinity, sc.formation);
      const double phi_after = oracle::potential(after.network_of, commissioner, static_cast<int>(c), list, affinity, sc.formation);
      INFO("row " << row << ", commissioner " << c << ", moves " << moves);
      CHECK(phi_after >= phi_before + moves * cost - 1e-9);
      if (moves == 0) CHECK(phi_after == Approx(phi_before).margin(1e-12));
    }
  }
  CHECK(moves_total > 0);
}

TEST_CASE("every switch raises Phi by more than the inertia plus the switching cost", "[dynamics]") {
  // Conflicts change affinity each April, which makes switches worth while;
  // merges, splits, exits and dissolutions are off, so a year's membership
  // changes only through its switches and each can be replayed in order
  // (practices do not merge or close, 9a).
  const double cost = 0.3, loss = 2.0;
  const Scenario sc = synthetic_small({{"relationships.a_hist_per_year", "0"},
                                 {"practice_changes.enabled", "false"},
                                 {"dynamics.conflict_per_year", "0.5"},
                                 {"dynamics.conflict_affinity_loss", std::to_string(loss)},
                                 {"dynamics.resignup", "false"},
                                 {"dynamics.dissolution_probability", "0"},
                                 {"dynamics.split_cost", "1e6"},
                                 {"dynamics.merge_cost", "1e6"},
                                 {"dynamics.switch_cost", std::to_string(cost)}});
  const RunResult run = run_simulation(sc);
  const Affinity base(run.world.practices, sc.relationships, sc.seed);
  // Conflict penalties so far, per pair (lower id first): the oracle's own
  // account of the affinity history, from the conflict events.
  std::map<std::pair<int, int>, double> penalty;
  auto affinity = [&](int i, int j) {
    const auto it = penalty.find({std::min(i, j), std::max(i, j)});
    return base(i, j) - (it == penalty.end() ? 0.0 : it->second);
  };
  const auto& ev = run.network_events;
  const auto& list = run.world.practices.list_size;
  const auto& commissioner = run.world.practices.commissioner;
  int switches = 0;
  for (std::size_t row = 1; row < run.membership.size(); ++row) {
    std::vector<int> state = run.membership[row - 1].network_of;
    const int step = run.membership[row].step;
    for (std::size_t e = 0; e < ev.size(); ++e) {
      if (ev.step[e] != step) continue;
      INFO("row " << row << ", event " << e << " " << to_string(ev.kind[e]) << " of practice " << ev.practice[e]);
      if (ev.kind[e] == NetworkEventKind::conflict) {
        for (std::size_t j = 0; j < state.size(); ++j) {
          if (state[j] == ev.network[e] && static_cast<int>(j) != ev.practice[e]) {
            penalty[{std::min<int>(ev.practice[e], static_cast<int>(j)), std::max<int>(ev.practice[e], static_cast<int>(j))}] += loss;
          }
        }
        continue;
      }
      REQUIRE(ev.kind[e] == NetworkEventKind::switch_network);
      const int k = ev.practice[e], c = commissioner[k];
      REQUIRE(state[k] == ev.network[e]);
      const double before = oracle::potential(state, commissioner, c, list, affinity, sc.formation);
      state[k] = ev.other[e];
      const double after = oracle::potential(state, commissioner, c, list, affinity, sc.formation);
      CHECK(after - before > sc.formation.inertia + cost - 1e-9);
      ++switches;
    }
    REQUIRE(state == run.membership[row].network_of);  // the events account for every change
  }
  CHECK(switches > 10);
}

TEST_CASE("the merge cost holds back voluntary merges", "[dynamics]") {
  // Merging two viable networks forfeits a viability bonus, so voluntary
  // merges are rare: none in the 600-practice population, a few in England
  // when they cost nothing. A prohibitive cost must stop every one of them.
  auto voluntary_merges = [](const std::string& cost) {
    const RunResult run = run_simulation(load_scenario(kScenarios + "baseline.yaml", {{"dynamics.merge_cost", cost}}));
    int merges = 0;
    for (std::size_t e = 0; e < run.network_events.size(); ++e) {
      merges += run.network_events.kind[e] == NetworkEventKind::merge && run.network_events.reason[e].rfind("voluntary", 0) == 0;
    }
    return merges;
  };
  const int free = voluntary_merges("0"), prohibitive = voluntary_merges("1e6");
  INFO("voluntary merges in England at cost 0 and 1e6: " << free << ", " << prohibitive);
  CHECK(free > 0);
  CHECK(prohibitive == 0);
}

TEST_CASE("staff and clinical directors follow their networks through merges and splits", "[dynamics][arrs]") {
  const RunResult run = run_simulation(synthetic_small(kTurbulentDynamics));
  const auto& staff = run.arrs_staff;
  // A transfer ends one row and starts another in the same week, role and hiring week.
  std::map<std::tuple<int, int, int>, int> started;  // (start step, role, hired step) -> rows
  for (std::size_t k = 0; k < staff.network.size(); ++k) {
    if (staff.start_step[k] != staff.hired_step[k]) ++started[{staff.start_step[k], staff.role[k], staff.hired_step[k]}];
    REQUIRE(staff.hired_step[k] <= staff.start_step[k]);
  }
  int transfers = 0;
  for (std::size_t k = 0; k < staff.network.size(); ++k) {
    const int end = staff.end_step[k];
    if (end < 0 || !run.calendar.starts_financial_year(end)) continue;
    const auto it = started.find({end, staff.role[k], staff.hired_step[k]});
    if (it == started.end() || it->second == 0) continue;  // left in the April week, not moved
    --it->second;
    ++transfers;
  }
  for (const auto& [key, rows] : started) REQUIRE(rows == 0);  // every new row is some row's transfer
  CHECK(transfers > 0);
  // And it went to the right network: one that week's reorganisation leads
  // to from the old network (its successor if it ended, a network split off
  // from it, and so on: a successor may itself split the same week). Rows of
  // one key are interchangeable, so old and new rows are paired by a maximum
  // bipartite matching, which must pair every new row.
  auto leads_to = [&](int from, int to, int week) {
    std::vector<int> queue{from};
    std::set<int> seen{from};
    for (std::size_t head = 0; head < queue.size(); ++head) {
      const Network& x = run.world.networks[queue[head]];
      if (x.id == to) return true;
      std::vector<int> next;
      if (x.ended_step == week && x.successor >= 0) next.push_back(x.successor);
      for (const auto& c : run.world.networks) {
        if (c.formed_step == week && c.parent == x.id) next.push_back(c.id);
      }
      for (int n : next) {
        if (seen.insert(n).second) queue.push_back(n);
      }
    }
    return false;
  };
  std::map<std::tuple<int, int, int>, std::pair<std::vector<int>, std::vector<int>>> groups;  // key -> (old, new networks)
  for (std::size_t k = 0; k < staff.network.size(); ++k) {
    if (staff.end_step[k] >= 0) groups[{staff.end_step[k], staff.role[k], staff.hired_step[k]}].first.push_back(staff.network[k]);
    if (staff.start_step[k] != staff.hired_step[k]) {
      groups[{staff.start_step[k], staff.role[k], staff.hired_step[k]}].second.push_back(staff.network[k]);
    }
  }
  int merged_or_split = 0;
  for (const auto& [key, rows] : groups) {
    const auto& [olds, news] = rows;
    if (news.empty()) continue;
    const int week = std::get<0>(key);
    std::vector<std::vector<int>> can(news.size());
    for (std::size_t i = 0; i < news.size(); ++i) {
      for (std::size_t j = 0; j < olds.size(); ++j) {
        if (leads_to(olds[j], news[i], week)) can[i].push_back(static_cast<int>(j));
      }
    }
    // Kuhn's augmenting paths.
    std::vector<int> owner(olds.size(), -1);
    std::function<bool(int, std::vector<char>&)> augment = [&](int i, std::vector<char>& used) {
      for (int j : can[i]) {
        if (used[j]) continue;
        used[j] = 1;
        if (owner[j] < 0 || augment(owner[j], used)) {
          owner[j] = i;
          return true;
        }
      }
      return false;
    };
    for (std::size_t i = 0; i < news.size(); ++i) {
      std::vector<char> used(olds.size(), 0);
      INFO("a staff row starting in network " << news[i] << " in week " << week << " (role " << std::get<1>(key) << ")");
      REQUIRE(augment(static_cast<int>(i), used));
      ++merged_or_split;
    }
  }
  CHECK(merged_or_split == transfers);
  // No staff row or CD stays with a network after it ended; every live network has had a CD.
  for (std::size_t k = 0; k < staff.network.size(); ++k) {
    const Network& net = run.world.networks[staff.network[k]];
    if (!net.live()) REQUIRE((staff.end_step[k] >= 0 && staff.end_step[k] <= net.ended_step));
  }
  const CdRecords& cd = run.clinical_directors;
  std::vector<int> cds(run.world.networks.size(), 0);
  for (std::size_t k = 0; k < cd.network.size(); ++k) {
    ++cds[cd.network[k]];
    const Network& net = run.world.networks[cd.network[k]];
    if (!net.live()) REQUIRE((cd.end_step[k] >= 0 && cd.end_step[k] <= net.ended_step));
  }
  for (const auto& net : run.world.networks) REQUIRE(cds[net.id] >= 1);
  // Per-network arrays grew with the new networks.
  CHECK(run.weekly.networks == run.world.networks.size());
  CHECK(run.finance.arrs.back().size() == run.world.networks.size());
}

TEST_CASE("switching dynamics off keeps the 2019 networks to the end", "[dynamics][switches]") {
  const RunResult off = run_simulation(synthetic_small({{"dynamics.enabled", "false"}}));
  CHECK(off.membership.size() == 1);
  CHECK(off.network_events.size() == 0);
  for (const auto& net : off.world.networks) CHECK(net.live());
  const RunResult on = run_simulation(synthetic_small());
  CHECK(on.membership.size() == 5);
  CHECK(on.membership.front().network_of == off.membership.front().network_of);  // same formation
  CHECK(on.world.network_of != off.world.network_of);
}

TEST_CASE("re-sign-up follows the year's obligations", "[dynamics][signup]") {
  // The baseline's 2020/21 obligations (the specifications) make about 2% leave [E].
  const RunResult run = run_simulation(synthetic_small());
  const auto& share = run.recorder.at("signup_share").value;
  const int y2019 = *run.calendar.step_of(Date::from_ymd(2019, 9, 2));
  const int y2020 = *run.calendar.step_of(Date::from_ymd(2020, 9, 7));
  CHECK(share[y2019] == Approx(0.995).margin(0.006));
  CHECK(share[y2020] == Approx(0.98).margin(0.01));
  CHECK(share[y2020] < share[y2019]);
  // Lighter obligations bring practices back: they join adjacent networks.
  const RunResult back = run_simulation(synthetic_small(
      {{"signup.obligation_cost_gbp_per_patient", "[{from: 2019-04-01, value: 3}, {from: 2020-04-01, value: 0}]"}}));
  const auto counts = event_counts(back);
  CHECK(counts.at("join") > 20);
  CHECK(back.recorder.at("signup_share").value.back() == 1.0);
}

TEST_CASE("dynamics are deterministic for a seed and change with it", "[dynamics]") {
  const RunResult a = run_simulation(synthetic_small(kTurbulentDynamics)), b = run_simulation(synthetic_small(kTurbulentDynamics));
  REQUIRE(a.network_events.size() > 20);
  CHECK(a.network_events.kind == b.network_events.kind);
  CHECK(a.network_events.practice == b.network_events.practice);
  CHECK(a.world.network_of == b.world.network_of);
  auto other_seed = kTurbulentDynamics;
  other_seed.push_back({"seed", std::to_string(a.scenario.seed + 1)});
  const RunResult c = run_simulation(synthetic_small(other_seed));
  CHECK(c.network_events.practice != a.network_events.practice);
  CHECK(c.world.network_of != a.world.network_of);
}
