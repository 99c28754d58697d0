#include <boost/graph/connected_components.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>

#include "models/formation.hpp"
#include "oracles.hpp"
#include "pcnsim/kernel/kmeans.hpp"
#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

namespace {

// Formation alone: without the yearly dynamics (mechanism 9, tests/test_dynamics.cpp)
// the final world is the partition of 2019.
Scenario synthetic(std::vector<Override> overrides = {}) {
  overrides.insert(overrides.begin(), {"dynamics.enabled", "false"});
  return synthetic_small(overrides);
}

// The invariants every partition must satisfy, checked on one run. Whether
// each network is connected in the relationship graph is the oracle's own
// breadth-first search over the graph's edges, not the model's check.
void check_partition(const RunResult& run) {
  const World& w = run.world;
  const auto problems = oracle::partition_problems(w.network_of, w.signed_up, w.practices.commissioner, run.graph);
  INFO((problems.empty() ? std::string() : problems.front()) << " (" << problems.size() << " problems)");
  REQUIRE(problems.empty());
  std::vector<int> seen(w.practices.size(), 0);
  for (const auto& net : w.networks) {
    REQUIRE_FALSE(net.members.empty());
    REQUIRE(std::is_sorted(net.members.begin(), net.members.end()));
    REQUIRE(std::find(net.members.begin(), net.members.end(), net.lead_practice) != net.members.end());
    for (int m : net.members) {
      ++seen[m];
      REQUIRE(w.practices.commissioner[m] == net.commissioner);  // never across commissioners
      REQUIRE(w.network_of[m] == net.id);
    }
  }
  for (std::size_t i = 0; i < w.practices.size(); ++i) {
    // Every signed practice in exactly one network; non-signers in none but covered.
    REQUIRE(seen[i] == (w.signed_up[i] ? 1 : 0));
    if (!w.signed_up[i]) REQUIRE(w.covering_network[i] >= 0);
  }
  for (const auto& st : run.formation_stats) REQUIRE(st.potential_final >= st.potential_after_construction - 1e-9);
}

}  // namespace

TEST_CASE("the relationship graph joins each commissioner into one component", "[relationships]") {
  for (const std::string file : {"synthetic-small.yaml", "baseline.yaml"}) {
    const RunResult run = run_simulation(load_scenario(kScenarios + file));
    std::vector<int> component(boost::num_vertices(run.graph));
    boost::connected_components(run.graph, component.data());
    for (const auto& c : run.world.commissioners) {
      for (int m : c.members) REQUIRE(component[m] == component[c.members.front()]);
    }
    // No edge crosses a commissioner boundary; affinities are the pair's.
    const Affinity affinity(run.world.practices, run.scenario.relationships, run.scenario.seed);
    for (auto [it, end] = boost::edges(run.graph); it != end; ++it) {
      const int s = static_cast<int>(boost::source(*it, run.graph)), t = static_cast<int>(boost::target(*it, run.graph));
      REQUIRE(run.world.practices.commissioner[s] == run.world.practices.commissioner[t]);
      REQUIRE(run.graph[*it].affinity == affinity(s, t));
      REQUIRE(affinity(s, t) == affinity(t, s));
    }
  }
}

TEST_CASE("affinity is the sum of its defined terms and ties join federations", "[relationships]") {
  const RunResult run = run_simulation(synthetic());
  const Practices& p = run.world.practices;
  const RelationshipParams& params = run.scenario.relationships;
  REQUIRE(params.a_fed > 0);
  REQUIRE(params.a_sp > 0);
  RelationshipParams quiet = params;
  quiet.noise_sd = 0.0;
  const Affinity full(p, params, run.scenario.seed), no_noise(p, quiet, run.scenario.seed);
  // a_ij = a_dist exp(-d_ij / lambda) + a_fed [same federation] + a_sp [same super-partnership] + noise_ij
  int same_federation = 0, same_partnership = 0, pairs = 0;
  double noise_sum = 0, noise_sq = 0;
  for (const auto& c : run.world.commissioners) {
    for (std::size_t a = 0; a < c.members.size(); ++a) {
      for (std::size_t b = a + 1; b < c.members.size(); ++b) {
        const int i = c.members[a], j = c.members[b];
        const double d = std::sqrt((p.x_km[i] - p.x_km[j]) * (p.x_km[i] - p.x_km[j]) + (p.y_km[i] - p.y_km[j]) * (p.y_km[i] - p.y_km[j]));
        const bool fed = p.federation[i] >= 0 && p.federation[i] == p.federation[j];
        const bool sp = p.super_partnership[i] >= 0 && p.super_partnership[i] == p.super_partnership[j];
        const double expected = params.a_dist * std::exp(-d / params.lambda_km) + (fed ? params.a_fed : 0.0) + (sp ? params.a_sp : 0.0);
        INFO("pair " << i << ", " << j << (fed ? " (same federation)" : "") << (sp ? " (same super-partnership)" : ""));
        REQUIRE(no_noise(i, j) == Approx(expected).margin(1e-12));
        // The rest is the pair noise, symmetric in the pair.
        const double noise = full(i, j) - no_noise(i, j);
        REQUIRE(full(j, i) == full(i, j));
        noise_sum += noise;
        noise_sq += noise * noise;
        ++pairs;
        same_federation += fed;
        same_partnership += sp;
      }
    }
  }
  REQUIRE(same_federation > 100);  // the federation and partnership terms were exercised
  // The site term: synthetic practices each have their own site, so put two
  // practices of one commissioner in one building and the pair gains a_site.
  {
    Practices shared = p;
    const int i = run.world.commissioners[0].members[0], j = run.world.commissioners[0].members[1];
    shared.site[j] = shared.site[i];
    RelationshipParams with_site = params;
    with_site.a_site = 2.5;
    const Affinity before(p, with_site, run.scenario.seed), after(shared, with_site, run.scenario.seed);
    CHECK(after(i, j) - before(i, j) == Approx(2.5).margin(1e-12));
    CHECK(after(i, j) == after(j, i));
    with_site.enabled = false;  // one building is geography: it counts with relationships off too
    const Affinity plain(shared, with_site, run.scenario.seed), plain_apart(p, with_site, run.scenario.seed);
    CHECK(plain(i, j) - plain_apart(i, j) == Approx(2.5).margin(1e-12));
  }
  REQUIRE(same_partnership > 10);
  // The pair noise is N(0, noise_sd^2).
  const double mean = noise_sum / pairs, sd = std::sqrt(noise_sq / pairs - mean * mean);
  CHECK(std::abs(mean) < 4 * params.noise_sd / std::sqrt(static_cast<double>(pairs)));
  CHECK(sd == Approx(params.noise_sd).epsilon(0.03));

  // Ties: an edge for every same-federation or same-super-partnership pair up to tie_max_km apart.
  std::set<std::pair<int, int>> ties;
  for (auto [it, end] = boost::edges(run.graph); it != end; ++it) {
    const int s = static_cast<int>(boost::source(*it, run.graph)), t = static_cast<int>(boost::target(*it, run.graph));
    if (run.graph[*it].kinds & static_cast<std::uint8_t>(EdgeKind::tie)) ties.insert({std::min(s, t), std::max(s, t)});
  }
  int expected_ties = 0;
  for (const auto& c : run.world.commissioners) {
    for (std::size_t a = 0; a < c.members.size(); ++a) {
      for (std::size_t b = a + 1; b < c.members.size(); ++b) {
        const int i = c.members[a], j = c.members[b];
        const bool related = (p.federation[i] >= 0 && p.federation[i] == p.federation[j]) ||
                             (p.super_partnership[i] >= 0 && p.super_partnership[i] == p.super_partnership[j]);
        const double d = std::hypot(p.x_km[i] - p.x_km[j], p.y_km[i] - p.y_km[j]);
        const bool tie = related && d <= params.tie_max_km;
        expected_ties += tie;
        INFO("pair " << i << ", " << j);
        REQUIRE(ties.count({std::min(i, j), std::max(i, j)}) == (tie ? 1u : 0u));
      }
    }
  }
  CHECK(expected_ties > 100);
}

TEST_CASE("formation invariants hold on synthetic and real populations", "[formation]") {
  check_partition(run_simulation(synthetic()));
  check_partition(run_simulation(synthetic({{"seed", "99"}, {"signup.autonomy_mean_gbp_per_patient", "3.5"}})));
  check_partition(run_simulation(load_scenario(kScenarios + "baseline.yaml", {{"dynamics.enabled", "false"}})));
  // The towns construction too, with towns, with the commissioner as one town, and with a spread of preferred sizes.
  check_partition(run_simulation(synthetic({{"formation.construction", "towns"}})));
  check_partition(run_simulation(synthetic({{"formation.construction", "towns"}, {"formation.town_link_km", "0"},
                                            {"formation.locality_size_log_sd", "0.3"}})));
  check_partition(run_simulation(load_scenario(kScenarios + "baseline.yaml", {{"dynamics.enabled", "false"},
                                                                              {"formation.construction", "towns"}})));
}

TEST_CASE("the towns construction draws compact localities of the preferred size", "[formation]") {
  // Without improvement moves or approvals the construction shows as drawn.
  const std::vector<Override> drawn = {{"formation.construction", "towns"}, {"formation.inertia", "1e6"},
                                       {"formation.approve_other_probability", "1"},
                                       {"formation.approve_rural_probability", "1"}};
  auto with = [&](const char* size) {
    auto o = drawn;
    o.push_back({"formation.locality_size_median", size});
    return run_simulation(synthetic(o));
  };
  const RunResult small = with("35000"), large = with("70000");
  const auto ms = formation_metrics(small.world, small.world.network_of);
  const auto ml = formation_metrics(large.world, large.world.network_of);
  INFO("networks at 35k and 70k: " << ms.at("networks") << ", " << ml.at("networks"));
  CHECK(ms.at("networks") > 1.3 * ml.at("networks"));
  CHECK(ms.at("list_median") < ml.at("list_median"));
  // Compact: as compact as the naive geography (k-means on locations at the
  // same preferred size, no towns, no graph) and clearly more compact than
  // networks drawn without regard to distance (initiators, no distance term).
  auto mean_km_to_centroid = [](const Practices& p, const std::vector<int>& label) {
    std::map<int, std::pair<double, double>> centre;
    std::map<int, int> size;
    for (std::size_t i = 0; i < label.size(); ++i) {
      if (label[i] < 0) continue;
      centre[label[i]].first += p.x_km[i];
      centre[label[i]].second += p.y_km[i];
      ++size[label[i]];
    }
    double total = 0;
    int count = 0;
    for (std::size_t i = 0; i < label.size(); ++i) {
      if (label[i] < 0) continue;
      const auto& [x, y] = centre[label[i]];
      total += std::hypot(p.x_km[i] - x / size[label[i]], p.y_km[i] - y / size[label[i]]);
      ++count;
    }
    return total / count;
  };
  const auto towns = with("45000");
  const Practices& p = towns.world.practices;
  const auto naive = naive_geographic_partition(p, towns.world.commissioners, towns.world.signed_up, 45000, 1);
  const RunResult blind = run_simulation(synthetic({{"formation.construction", "initiators"},
                                                    {"formation.inertia", "1e6"},
                                                    {"relationships.a_dist", "0"},
                                                    {"relationships.noise_sd", "3"}}));
  const double km_towns = mean_km_to_centroid(p, towns.world.network_of);
  const double km_naive = mean_km_to_centroid(p, naive);
  const double km_blind = mean_km_to_centroid(blind.world.practices, blind.world.network_of);
  INFO("mean km to the network's centroid: towns " << km_towns << ", naive geography " << km_naive
                                                   << ", distance-blind initiators " << km_blind);
  CHECK(km_towns < 1.15 * km_naive);
  CHECK(km_towns < 0.8 * km_blind);
  // Deterministic for a seed.
  CHECK(with("45000").world.network_of == towns.world.network_of);
}

TEST_CASE("formation is deterministic for a seed and changes with it", "[formation]") {
  const RunResult a = run_simulation(synthetic()), b = run_simulation(synthetic());
  CHECK(a.world.network_of == b.world.network_of);
  CHECK(a.world.practices.autonomy_gbp_per_patient == b.world.practices.autonomy_gbp_per_patient);
  const RunResult c = run_simulation(synthetic({{"seed", "12345"}}));
  CHECK(a.world.network_of != c.world.network_of);
}

TEST_CASE("every accepted improvement move raises the potential", "[formation]") {
  const RunResult run = run_simulation(synthetic());
  const Affinity affinity(run.world.practices, run.scenario.relationships, run.scenario.seed);
  int moves = 0;
  for (std::size_t c = 0; c < run.world.commissioners.size(); ++c) {
    const auto& st = run.formation_stats[c];
    moves += st.improvement_moves;
    // Recomputed from the final partition, Phi matches what the game reports...
    CHECK(formation_potential(run.world, static_cast<int>(c), affinity, run.scenario.formation) ==
          Approx(st.potential_final).margin(1e-6));
    CHECK(oracle::potential(run.world.network_of, run.world.practices.commissioner, static_cast<int>(c),
                            run.world.practices.list_size, affinity, run.scenario.formation) ==
          Approx(st.potential_final).margin(1e-6));
    // ...and each move gained more than the inertia.
    CHECK(st.potential_final - st.potential_after_construction >=
          st.improvement_moves * run.scenario.formation.inertia - 1e-9);
    if (st.improvement_moves > 0) CHECK(st.potential_final > st.potential_after_construction);
  }
  CHECK(moves > 0);  // the checks above are about real moves
}

TEST_CASE("a larger inertia stops the improvement moves sooner", "[formation]") {
  auto moves = [](const RunResult& run) {
    int total = 0;
    for (const auto& st : run.formation_stats) total += st.improvement_moves;
    return total;
  };
  const RunResult none = run_simulation(synthetic({{"formation.inertia", "0"}}));
  const RunResult some = run_simulation(synthetic({{"formation.inertia", "0.4"}}));
  const RunResult much = run_simulation(synthetic({{"formation.inertia", "3"}}));
  INFO("moves with inertia 0, 0.4, 3: " << moves(none) << ", " << moves(some) << ", " << moves(much));
  CHECK(moves(none) > moves(some));
  CHECK(moves(some) > moves(much));
  CHECK(none.world.network_of != some.world.network_of);
}

TEST_CASE("switching mechanisms off gives their documented counterfactuals", "[formation]") {
  const RunResult solo = run_simulation(synthetic({{"formation.enabled", "false"}}));
  int signed_count = 0;
  for (auto s : solo.world.signed_up) signed_count += s;
  CHECK(static_cast<int>(solo.world.networks.size()) == signed_count);
  for (const auto& n : solo.world.networks) CHECK(n.members.size() == 1);

  const RunResult everyone = run_simulation(synthetic({{"signup.enabled", "false"}}));
  for (auto s : everyone.world.signed_up) CHECK(s == 1);

  const RunResult reluctant = run_simulation(synthetic({{"signup.autonomy_mean_gbp_per_patient", "4.26"}}));
  const double share = formation_metrics(reluctant.world, reluctant.world.network_of).at("signup_share_2019");
  CHECK(share == Approx(0.5).margin(0.08));  // mean autonomy = net value: about half sign
  check_partition(reluctant);
}

TEST_CASE("a higher size threshold gives fewer, larger networks", "[formation]") {
  const auto base = run_simulation(synthetic());
  const auto high = run_simulation(synthetic({{"formation.size_threshold_patients", "60000"}}));
  const auto mb = formation_metrics(base.world, base.world.network_of);
  const auto mh = formation_metrics(high.world, high.world.network_of);
  CHECK(mh.at("networks") < mb.at("networks"));
  CHECK(mh.at("list_median") > mb.at("list_median"));
}

TEST_CASE("formation metrics are computed as defined", "[validate]") {
  World w;
  w.practices.resize(5);
  w.practices.list_size = {20000, 15000, 40000, 10000, 5000};
  w.signed_up = {1, 1, 1, 1, 0};
  const std::vector<int> network_of = {0, 0, 1, 2, -1};  // 35k (2 practices), 40k (1), 10k (1)
  const auto m = formation_metrics(w, network_of);
  CHECK(m.at("networks") == 3);
  CHECK(m.at("share_in_30k_50k") == Approx(2.0 / 3));
  CHECK(m.at("share_under_30k") == Approx(1.0 / 3));
  CHECK(m.at("list_median") == 35000);
  CHECK(m.at("list_p10") == Approx(10000 + 0.2 * 25000));
  CHECK(m.at("single_practice_networks") == 2);
  CHECK(m.at("signup_share_2019") == Approx(0.8));
  CHECK(quantile({1, 2, 3, 4}, 0.5) == 2.5);
}
