#include "models/relationships.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "pcnsim/rng.hpp"

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

RelationshipGraph build_relationship_graph(const World& world, const RelationshipParams& params,
                                           const Affinity& affinity) {
  const Practices& p = world.practices;
  // Undirected pairs (lo, hi, kind); sorted and merged below, so edges are
  // added in a fixed order whatever order they were found in.
  struct Pair {
    int lo, hi;
    std::uint8_t kinds;
  };
  std::vector<Pair> pairs;
  auto add = [&](int i, int j, EdgeKind kind) {
    pairs.push_back({std::min(i, j), std::max(i, j), static_cast<std::uint8_t>(kind)});
  };
  std::vector<double> dist;
  std::vector<std::pair<double, int>> near;
  std::vector<double> reach;
  std::vector<int> via;
  std::vector<std::uint8_t> in_tree;
  for (const auto& c : world.commissioners) {
    const auto& m = c.members;
    const int n = static_cast<int>(m.size());
    if (n < 2) continue;
    // Dense distance matrix of the commissioner (a few hundred practices at most):
    // every step below reads it, so each distance is computed once.
    const auto nn = static_cast<std::size_t>(n);
    dist.assign(nn * nn, 0.0);
    for (std::size_t a = 0; a < nn; ++a) {
      for (std::size_t b = a + 1; b < nn; ++b) {
        dist[a * nn + b] = dist[b * nn + a] = affinity.distance_km(m[a], m[b]);
      }
    }
    // k nearest neighbours (ties broken by id).
    const int k = std::min(params.k_nearest, n - 1);
    for (int a = 0; a < n; ++a) {
      near.clear();
      for (int b = 0; b < n; ++b) {
        if (a != b) near.emplace_back(dist[static_cast<std::size_t>(a) * nn + b], m[b]);
      }
      std::partial_sort(near.begin(), near.begin() + k, near.end());
      for (int t = 0; t < k; ++t) add(m[a], near[t].second, EdgeKind::nearest);
    }
    // Minimum spanning tree over distances guarantees one connected component.
    // Prim's algorithm on the dense matrix is O(n^2) with no edge list, far
    // cheaper than Kruskal on the complete graph; ties go to the lower index.
    reach.assign(nn, std::numeric_limits<double>::infinity());
    via.assign(nn, -1);
    in_tree.assign(nn, 0);
    reach[0] = 0.0;
    for (int step = 0; step < n; ++step) {
      int next = -1;
      for (int b = 0; b < n; ++b) {
        if (!in_tree[b] && (next < 0 || reach[b] < reach[next])) next = b;
      }
      in_tree[next] = 1;
      if (via[next] >= 0) add(m[via[next]], m[next], EdgeKind::spanning);
      for (int b = 0; b < n; ++b) {
        const double d = dist[static_cast<std::size_t>(next) * nn + b];
        if (!in_tree[b] && d < reach[b]) {
          reach[b] = d;
          via[b] = next;
        }
      }
    }
    // Relationship ties: same federation or super-partnership, within reach.
    if (params.enabled) {
      for (int a = 0; a < n; ++a) {
        for (int b = a + 1; b < n; ++b) {
          const int i = m[a], j = m[b];
          const bool fed = p.federation[i] >= 0 && p.federation[i] == p.federation[j];
          const bool sp = p.super_partnership[i] >= 0 && p.super_partnership[i] == p.super_partnership[j];
          if ((fed || sp) && dist[static_cast<std::size_t>(a) * nn + b] <= params.tie_max_km) add(i, j, EdgeKind::tie);
        }
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& x, const Pair& y) {
    return x.lo != y.lo ? x.lo < y.lo : x.hi < y.hi;
  });
  RelationshipGraph graph(p.size());
  for (std::size_t e = 0; e < pairs.size();) {
    std::uint8_t kinds = 0;
    std::size_t f = e;
    for (; f < pairs.size() && pairs[f].lo == pairs[e].lo && pairs[f].hi == pairs[e].hi; ++f) kinds |= pairs[f].kinds;
    boost::add_edge(pairs[e].lo, pairs[e].hi, EdgeProperties{affinity(pairs[e].lo, pairs[e].hi), kinds}, graph);
    e = f;
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
