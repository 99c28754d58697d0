#pragma once
// Seeded k-means on practice locations: the naive geographic partition that
// `validate` prints beside the membership rows, and the compact localities
// of formation's towns construction. Below both (it knows practices and
// commissioners, nothing of networks or real membership).
#include <cstdint>
#include <vector>

#include "pcnsim/kernel/rng.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

/// Squared distance between two points (km^2 when the points are in km).
inline double squared_distance(double ax, double ay, double bx, double by) {
  const double dx = ax - bx, dy = ay - by;
  return dx * dx + dy * dy;
}

/// k-means of the points (x, y), 1 <= k <= n: a cluster index per point
/// (k-means++ seeding from `rng`, Lloyd iterations, at most 100).
std::vector<int> kmeans(const std::vector<double>& x, const std::vector<double>& y, int k, Engine& rng);

/// A naive geographic baseline: per commissioner, k = max(1, round(total list
/// of its included practices / patients_per_cluster)) clusters, capped at the
/// number of included practices, by k-means on (x_km, y_km), unweighted.
/// k-means++ seeding from stream ("naive_geographic_partition", replicate 0,
/// salt = commissioner index) of `seed`; Lloyd iterations until assignments
/// stop changing (at most 100); ties to the lower index; a cluster left empty
/// is re-seeded with the point farthest from its centre. Labels are dense and
/// unique across commissioners (numbered by commissioner, then by first
/// appearance by ascending practice index); -1 where include is 0.
/// Practices absent from every commissioner's members get -1.
/// Throws std::invalid_argument if include.size() != p.size() or
/// patients_per_cluster is not positive and finite.
std::vector<int> naive_geographic_partition(const Practices& p, const std::vector<Commissioner>& commissioners,
                                            const std::vector<std::uint8_t>& include, double patients_per_cluster,
                                            std::uint64_t seed);

}  // namespace pcnsim
