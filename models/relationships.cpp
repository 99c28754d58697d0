#include "models/relationships.hpp"
#include "models/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "pcnsim/kernel/rng.hpp"

namespace pcnsim {

Affinity::Affinity(const Practices& practices, const RelationshipParams& params, std::uint64_t seed)
    : practices_(practices), params_(params), noise_stream_(stream_seed(seed, "affinity_noise", 0)) {}

double Affinity::distance_km(int i, int j) const {
  // Plain sqrt, not std::hypot: grid kilometres cannot overflow, and this is the
  // innermost call of graph building and affinity.
  const double dx = practices_.x_km[i] - practices_.x_km[j], dy = practices_.y_km[i] - practices_.y_km[j];
  return std::sqrt(dx * dx + dy * dy);
}

double Affinity::operator()(int i, int j) const {
  double a = params_.a_dist * std::exp(-distance_km(i, j) / params_.lambda_km);
  // One building is geography, not a relationship: it counts even with relationships off.
  if (practices_.site[i] >= 0 && practices_.site[i] == practices_.site[j]) a += params_.a_site;
  if (!params_.enabled) return a;
  const int fi = practices_.federation[i], si = practices_.super_partnership[i];
  if (fi >= 0 && fi == practices_.federation[j]) a += params_.a_fed;
  if (si >= 0 && si == practices_.super_partnership[j]) a += params_.a_sp;
  // Counter-based noise keyed on the unordered pair: symmetric, order-free.
  const auto lo = static_cast<std::uint64_t>(std::min(i, j)), hi = static_cast<std::uint64_t>(std::max(i, j));
  a += params_.noise_sd * hash_normal(noise_stream_, lo, hi);
  return has_history_ ? a + history(i, j) : a;
}

double Affinity::history(int i, int j) const {
  if (!has_history_) return 0.0;
  const auto& row = history_[static_cast<std::size_t>(std::min(i, j))];
  const int hi = std::max(i, j);
  const auto it = std::lower_bound(row.begin(), row.end(), hi, [](const auto& e, int k) { return e.first < k; });
  return it != row.end() && it->first == hi ? it->second : 0.0;
}

void Affinity::add_history(int i, int j, double delta) {
  if (history_.empty()) history_.resize(practices_.size());
  has_history_ = true;
  auto& row = history_[static_cast<std::size_t>(std::min(i, j))];
  const int hi = std::max(i, j);
  auto it = std::lower_bound(row.begin(), row.end(), hi, [](const auto& e, int k) { return e.first < k; });
  if (it == row.end() || it->first != hi) it = row.insert(it, {hi, 0.0});
  double& h = it->second;
  h = delta > 0 ? std::max(h, std::min(h + delta, params_.a_hist_max)) : h + delta;
}

namespace {

// Undirected pairs (lo, hi, kinds), sorted and merged when the graph is
// built, so edges are added in a fixed order whatever order they were found in.
struct EdgeList {
  struct Pair {
    int lo, hi;
    std::uint8_t kinds;
  };
  std::vector<Pair> pairs;

  void add(int i, int j, EdgeKind kind) {
    pairs.push_back({std::min(i, j), std::max(i, j), static_cast<std::uint8_t>(kind)});
  }

  std::shared_ptr<RelationshipGraph> build(std::size_t practices, const Affinity& affinity) {
    std::sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) {
      return x.lo != y.lo ? x.lo < y.lo : x.hi < y.hi;
    });
    auto graph = std::make_shared<RelationshipGraph>(practices);
    for (std::size_t e = 0; e < pairs.size();) {
      std::uint8_t kinds = 0;
      std::size_t f = e;
      for (; f < pairs.size() && pairs[f].lo == pairs[e].lo && pairs[f].hi == pairs[e].hi; ++f) kinds |= pairs[f].kinds;
      boost::add_edge(pairs[e].lo, pairs[e].hi, EdgeProperties{affinity(pairs[e].lo, pairs[e].hi), kinds}, *graph);
      e = f;
    }
    return graph;
  }
};

// One commissioner's members with their dense distance matrix (a few hundred
// practices at most): every edge rule reads it, so each distance is computed once.
struct CommissionerDistances {
  const std::vector<int>& members;
  std::vector<double> km;  // [a * n + b]
  std::size_t n;

  CommissionerDistances(const std::vector<int>& m, const Affinity& affinity)
      : members(m), km(m.size() * m.size(), 0.0), n(m.size()) {
    for (std::size_t a = 0; a < n; ++a) {
      for (std::size_t b = a + 1; b < n; ++b) km[a * n + b] = km[b * n + a] = affinity.distance_km(m[a], m[b]);
    }
  }
  double operator()(std::size_t a, std::size_t b) const { return km[a * n + b]; }
};

// Each member's k nearest neighbours (ties broken by id).
void add_nearest(const CommissionerDistances& d, int k_nearest, EdgeList& edges) {
  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(k_nearest), d.n - 1);
  std::vector<std::pair<double, int>> near;
  for (std::size_t a = 0; a < d.n; ++a) {
    near.clear();
    for (std::size_t b = 0; b < d.n; ++b) {
      if (a != b) near.emplace_back(d(a, b), d.members[b]);
    }
    std::partial_sort(near.begin(), near.begin() + static_cast<std::ptrdiff_t>(k), near.end());
    for (std::size_t t = 0; t < k; ++t) edges.add(d.members[a], near[t].second, EdgeKind::nearest);
  }
}

// A minimum spanning tree over distances guarantees one connected component.
// Prim's algorithm on the dense matrix is O(n^2) with no edge list, far
// cheaper than Kruskal on the complete graph; ties go to the lower index.
void add_spanning_tree(const CommissionerDistances& d, EdgeList& edges) {
  std::vector<double> reach(d.n, std::numeric_limits<double>::infinity());
  std::vector<int> via(d.n, -1);
  std::vector<std::uint8_t> in_tree(d.n, 0);
  reach[0] = 0.0;
  for (std::size_t step = 0; step < d.n; ++step) {
    std::size_t next = d.n;
    for (std::size_t b = 0; b < d.n; ++b) {
      if (!in_tree[b] && (next == d.n || reach[b] < reach[next])) next = b;
    }
    in_tree[next] = 1;
    if (via[next] >= 0) edges.add(d.members[static_cast<std::size_t>(via[next])], d.members[next], EdgeKind::spanning);
    for (std::size_t b = 0; b < d.n; ++b) {
      if (!in_tree[b] && d(next, b) < reach[b]) {
        reach[b] = d(next, b);
        via[b] = static_cast<int>(next);
      }
    }
  }
}

// Relationship ties: same federation or super-partnership, within reach.
void add_ties(const CommissionerDistances& d, const Practices& p, double tie_max_km, EdgeList& edges) {
  for (std::size_t a = 0; a < d.n; ++a) {
    for (std::size_t b = a + 1; b < d.n; ++b) {
      const int i = d.members[a], j = d.members[b];
      const bool fed = p.federation[i] >= 0 && p.federation[i] == p.federation[j];
      const bool sp = p.super_partnership[i] >= 0 && p.super_partnership[i] == p.super_partnership[j];
      if ((fed || sp) && d(a, b) <= tie_max_km) edges.add(i, j, EdgeKind::tie);
    }
  }
}

}  // namespace

std::shared_ptr<RelationshipGraph> build_relationship_graph(const World& world, const RelationshipParams& params,
                                           const Affinity& affinity) {
  EdgeList edges;
  for (const auto& c : world.commissioners) {
    if (c.members.size() < 2) continue;
    const CommissionerDistances distances(c.members, affinity);
    add_nearest(distances, params.k_nearest, edges);
    add_spanning_tree(distances, edges);
    if (params.enabled) add_ties(distances, world.practices, params.tie_max_km, edges);
  }
  return edges.build(world.practices.size(), affinity);
}

std::vector<std::vector<int>> neighbour_lists(const RelationshipGraph& graph) {
  std::vector<std::vector<int>> lists(boost::num_vertices(graph));
  for (std::size_t v = 0; v < lists.size(); ++v) {
    for (auto [it, end] = boost::adjacent_vertices(v, graph); it != end; ++it) lists[v].push_back(static_cast<int>(*it));
    std::sort(lists[v].begin(), lists[v].end());
  }
  return lists;
}

GraphEdges graph_edges(const RelationshipGraph& graph) {
  GraphEdges list;
  for (auto [it, end] = boost::edges(graph); it != end; ++it) {
    list.source.push_back(static_cast<std::int32_t>(boost::source(*it, graph)));
    list.target.push_back(static_cast<std::int32_t>(boost::target(*it, graph)));
    list.affinity.push_back(graph[*it].affinity);
    list.kinds.push_back(graph[*it].kinds);
  }
  return list;
}

Mechanism relationships_mechanism() {
  Mechanism m{"relationships", "the relationship graph and pair affinity, built at the deadline"};
  m.at_deadline = [](ModelState& s) {
    s.affinity.emplace(s.world.practices, s.params.relationships, s.seed);
    s.graph = build_relationship_graph(s.world, s.params.relationships, *s.affinity);
    s.neighbours = neighbour_lists(*s.graph);
  };
  return m;
}

}  // namespace pcnsim
