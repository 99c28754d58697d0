#include "pcnsim/kernel/kmeans.hpp"

#include <algorithm>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace pcnsim {

namespace {

// Index of the nearest centre, ties to the lower index.
int nearest_centre(double x, double y, const std::vector<double>& cx, const std::vector<double>& cy) {
  int best = 0;
  double best_d = squared_distance(x, y, cx[0], cy[0]);
  for (std::size_t c = 1; c < cx.size(); ++c) {
    const double d = squared_distance(x, y, cx[c], cy[c]);
    if (d < best_d) {
      best_d = d;
      best = static_cast<int>(c);
    }
  }
  return best;
}

// Centres of k clusters and the assignment of points to them.
struct Clustering {
  std::vector<double> cx, cy;
  std::vector<int> cluster;
};

// k-means++ seeding: the first centre uniformly, each next one with
// probability proportional to the squared distance to the nearest centre so far.
void seed_centres(const std::vector<double>& x, const std::vector<double>& y, int k, Engine& rng, Clustering& out) {
  const std::size_t n = x.size();
  out.cx.reserve(k);
  out.cy.reserve(k);
  std::vector<std::uint8_t> chosen(n, 0);
  const std::size_t first = boost::random::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  chosen[first] = 1;
  out.cx.push_back(x[first]);
  out.cy.push_back(y[first]);
  std::vector<double> d2(n);
  for (std::size_t i = 0; i < n; ++i) d2[i] = squared_distance(x[i], y[i], x[first], y[first]);
  boost::random::uniform_01<double> uniform;
  while (static_cast<int>(out.cx.size()) < k) {
    double total = 0.0;
    for (double d : d2) total += d;
    std::size_t pick = n;
    if (total > 0.0) {
      const double target = uniform(rng) * total;
      double cumulative = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        if (d2[i] <= 0.0) continue;
        cumulative += d2[i];
        pick = i;  // the last positive one if rounding leaves target at the very top
        if (target < cumulative) break;
      }
    } else {
      // Every point sits on a centre: take the lowest-index point not yet a centre.
      pick = static_cast<std::size_t>(std::find(chosen.begin(), chosen.end(), 0) - chosen.begin());
    }
    chosen[pick] = 1;
    out.cx.push_back(x[pick]);
    out.cy.push_back(y[pick]);
    for (std::size_t i = 0; i < n; ++i) d2[i] = std::min(d2[i], squared_distance(x[i], y[i], x[pick], y[pick]));
  }
}

// An empty cluster takes the point farthest from its centre among clusters
// that can spare one (with k <= n some cluster has two when one is empty).
void refill_empty_clusters(const std::vector<double>& x, const std::vector<double>& y, Clustering& c,
                           std::vector<int>& count) {
  const std::size_t n = x.size();
  for (std::size_t e = 0; e < count.size(); ++e) {
    if (count[e] > 0) continue;
    std::size_t far = n;
    double far_d = -1.0;
    for (std::size_t i = 0; i < n; ++i) {
      if (count[c.cluster[i]] < 2) continue;
      const double d = squared_distance(x[i], y[i], c.cx[c.cluster[i]], c.cy[c.cluster[i]]);
      if (d > far_d) {
        far_d = d;
        far = i;
      }
    }
    --count[c.cluster[far]];
    c.cluster[far] = static_cast<int>(e);
    count[e] = 1;
  }
}

// One Lloyd iteration: centres to their members' means, points to their
// nearest centre; false when no point moved.
bool lloyd_step(const std::vector<double>& x, const std::vector<double>& y, Clustering& c, std::vector<int>& count) {
  const std::size_t n = x.size(), k = count.size();
  std::fill(count.begin(), count.end(), 0);
  for (int cl : c.cluster) ++count[cl];
  refill_empty_clusters(x, y, c, count);
  std::vector<double> sx(k, 0.0), sy(k, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    sx[c.cluster[i]] += x[i];
    sy[c.cluster[i]] += y[i];
  }
  for (std::size_t j = 0; j < k; ++j) {
    c.cx[j] = sx[j] / count[j];
    c.cy[j] = sy[j] / count[j];
  }
  bool changed = false;
  for (std::size_t i = 0; i < n; ++i) {
    const int nearest = nearest_centre(x[i], y[i], c.cx, c.cy);
    if (nearest != c.cluster[i]) {
      c.cluster[i] = nearest;
      changed = true;
    }
  }
  return changed;
}

}  // namespace

// k-means of the points (x, y), 1 <= k <= n: a cluster index per point. Only
// a degenerate input (coincident points) that hits the iteration cap can leave
// a cluster empty; the caller numbers the clusters that are used.
std::vector<int> kmeans(const std::vector<double>& x, const std::vector<double>& y, int k, Engine& rng) {
  Clustering c;
  seed_centres(x, y, k, rng, c);
  c.cluster.resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) c.cluster[i] = nearest_centre(x[i], y[i], c.cx, c.cy);
  std::vector<int> count(static_cast<std::size_t>(k));
  for (int iteration = 0; iteration < 100; ++iteration) {
    if (!lloyd_step(x, y, c, count)) break;
  }
  return c.cluster;
}


std::vector<int> naive_geographic_partition(const Practices& p, const std::vector<Commissioner>& commissioners,
                                            const std::vector<std::uint8_t>& include, double patients_per_cluster,
                                            std::uint64_t seed) {
  if (include.size() != p.size()) {
    throw std::invalid_argument("naive_geographic_partition: " + std::to_string(include.size()) +
                                " include flags for " + std::to_string(p.size()) + " practices");
  }
  if (!(patients_per_cluster > 0.0) || !std::isfinite(patients_per_cluster)) {
    throw std::invalid_argument("naive_geographic_partition: patients_per_cluster must be positive and finite");
  }
  std::vector<int> label(p.size(), -1);
  int next_label = 0;
  std::vector<int> members;
  std::vector<double> x, y;
  for (std::size_t c = 0; c < commissioners.size(); ++c) {
    members.clear();
    for (int i : commissioners[c].members) {
      if (i >= 0 && static_cast<std::size_t>(i) < p.size() && include[i]) members.push_back(i);
    }
    if (members.empty()) continue;
    std::sort(members.begin(), members.end());
    double list = 0.0;
    x.clear();
    y.clear();
    for (int i : members) {
      list += p.list_size[i];
      x.push_back(p.x_km[i]);
      y.push_back(p.y_km[i]);
    }
    const double wanted = std::max(1.0, std::round(list / patients_per_cluster));
    const int k = static_cast<int>(std::min(wanted, static_cast<double>(members.size())));
    // One stream per commissioner: changing one commissioner's practices leaves the others' clusters alone.
    Engine rng = make_stream(seed, "naive_geographic_partition", 0, c);
    const std::vector<int> cluster = kmeans(x, y, k, rng);
    std::map<int, int> dense;  // cluster -> label, by first appearance in practice order
    for (std::size_t j = 0; j < members.size(); ++j) {
      const auto [it, inserted] = dense.emplace(cluster[j], next_label);
      if (inserted) ++next_label;
      label[members[j]] = it->second;
    }
  }
  return label;
}

}  // namespace pcnsim
