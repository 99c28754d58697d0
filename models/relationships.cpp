#include "models/relationships.hpp"

#include <algorithm>
#include <boost/graph/kruskal_min_spanning_tree.hpp>
#include <cmath>
#include <map>

#include "pcnsim/rng.hpp"

namespace pcnsim {

Affinity::Affinity(const Practices& practices, const RelationshipParams& params, std::uint64_t seed)
    : practices_(practices), params_(params), noise_stream_(stream_seed(seed, "affinity_noise", 0)) {}

double Affinity::distance_km(int i, int j) const {
  return std::hypot(practices_.x_km[i] - practices_.x_km[j], practices_.y_km[i] - practices_.y_km[j]);
}

double Affinity::operator()(int i, int j) const {
  double a = params_.a_dist * std::exp(-distance_km(i, j) / params_.lambda_km);
  if (!params_.enabled) return a;
  const int fi = practices_.federation[i], si = practices_.super_partnership[i];
  if (fi >= 0 && fi == practices_.federation[j]) a += params_.a_fed;
  if (si >= 0 && si == practices_.super_partnership[j]) a += params_.a_sp;
  // Counter-based noise keyed on the unordered pair: symmetric, order-free.
  const auto lo = static_cast<std::uint64_t>(std::min(i, j)), hi = static_cast<std::uint64_t>(std::max(i, j));
  return a + params_.noise_sd * hash_normal(noise_stream_, lo, hi);
}

RelationshipGraph build_relationship_graph(const World& world, const RelationshipParams& params,
                                           const Affinity& affinity) {
  const Practices& p = world.practices;
  // Ordered map of undirected pairs -> kinds, so edges are added in a fixed order.
  std::map<std::pair<int, int>, std::uint8_t> edges;
  auto add = [&](int i, int j, EdgeKind kind) {
    if (i == j) return;
    edges[{std::min(i, j), std::max(i, j)}] |= static_cast<std::uint8_t>(kind);
  };
  for (const auto& c : world.commissioners) {
    const auto& m = c.members;
    const int n = static_cast<int>(m.size());
    if (n < 2) continue;
    // k nearest neighbours (ties broken by id).
    std::vector<std::pair<double, int>> near;
    for (int a = 0; a < n; ++a) {
      near.clear();
      for (int b = 0; b < n; ++b) {
        if (a != b) near.emplace_back(affinity.distance_km(m[a], m[b]), m[b]);
      }
      const int k = std::min(params.k_nearest, n - 1);
      std::partial_sort(near.begin(), near.begin() + k, near.end());
      for (int t = 0; t < k; ++t) add(m[a], near[t].second, EdgeKind::nearest);
    }
    // Minimum spanning tree over distances: guarantees one connected component.
    using Complete = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                           boost::property<boost::edge_weight_t, double>>;
    Complete complete(static_cast<std::size_t>(n));
    for (int a = 0; a < n; ++a) {
      for (int b = a + 1; b < n; ++b) boost::add_edge(a, b, affinity.distance_km(m[a], m[b]), complete);
    }
    std::vector<boost::graph_traits<Complete>::edge_descriptor> tree;
    boost::kruskal_minimum_spanning_tree(complete, std::back_inserter(tree));
    for (const auto& e : tree) {
      add(m[boost::source(e, complete)], m[boost::target(e, complete)], EdgeKind::spanning);
    }
    // Relationship ties: same federation or super-partnership, within reach.
    if (params.enabled) {
      for (int a = 0; a < n; ++a) {
        for (int b = a + 1; b < n; ++b) {
          const int i = m[a], j = m[b];
          const bool fed = p.federation[i] >= 0 && p.federation[i] == p.federation[j];
          const bool sp = p.super_partnership[i] >= 0 && p.super_partnership[i] == p.super_partnership[j];
          if ((fed || sp) && affinity.distance_km(i, j) <= params.tie_max_km) add(i, j, EdgeKind::tie);
        }
      }
    }
  }
  RelationshipGraph graph(p.size());
  for (const auto& [pair, kinds] : edges) {
    boost::add_edge(pair.first, pair.second, EdgeProperties{affinity(pair.first, pair.second), kinds}, graph);
  }
  return graph;
}

std::vector<std::vector<int>> neighbour_lists(const RelationshipGraph& graph) {
  std::vector<std::vector<int>> lists(boost::num_vertices(graph));
  for (std::size_t v = 0; v < lists.size(); ++v) {
    for (auto [it, end] = boost::adjacent_vertices(v, graph); it != end; ++it) lists[v].push_back(static_cast<int>(*it));
    std::sort(lists[v].begin(), lists[v].end());
  }
  return lists;
}

}  // namespace pcnsim
