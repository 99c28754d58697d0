#include <boost/graph/connected_components.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

#include "models/relationships.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

namespace {

// Relationships alone: without the yearly dynamics (tests/test_dynamics.cpp)
// the final world is the one of 2019.
Scenario synthetic() { return synthetic_small({{"dynamics.enabled", "false"}}); }

}  // namespace

TEST_CASE("the relationship graph joins each commissioner into one component", "[relationships]") {
  for (const std::string file : {"synthetic-small.yaml", "baseline.yaml"}) {
    const RunResult run = run_simulation(load_scenario(kScenarios + file));
    std::vector<int> component(boost::num_vertices((*run.graph)));
    boost::connected_components((*run.graph), component.data());
    for (const auto& c : run.world.commissioners) {
      for (int m : c.members) REQUIRE(component[m] == component[c.members.front()]);
    }
    // No edge crosses a commissioner boundary; affinities are the pair's.
    const Affinity affinity(run.world.practices, run.scenario.relationships, run.scenario.seed);
    for (auto [it, end] = boost::edges((*run.graph)); it != end; ++it) {
      const int s = static_cast<int>(boost::source(*it, (*run.graph))), t = static_cast<int>(boost::target(*it, (*run.graph)));
      REQUIRE(run.world.practices.commissioner[s] == run.world.practices.commissioner[t]);
      REQUIRE((*run.graph)[*it].affinity == affinity(s, t));
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
  for (auto [it, end] = boost::edges((*run.graph)); it != end; ++it) {
    const int s = static_cast<int>(boost::source(*it, (*run.graph))), t = static_cast<int>(boost::target(*it, (*run.graph)));
    if ((*run.graph)[*it].kinds & static_cast<std::uint8_t>(EdgeKind::tie)) ties.insert({std::min(s, t), std::max(s, t)});
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
