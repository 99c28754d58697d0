#pragma once
// Mechanism: the relationship graph (Boost.Graph). Vertices are practices.
// Edges join practices of the same commissioner: spatial contiguity (each
// practice's k nearest neighbours, made connected with a minimum spanning
// tree) plus relationship ties between members of the same federation or
// super-partnership that are not too far apart. Affinity between any two
// practices:  a_ij = a_dist*exp(-d_ij/lambda) + a_fed*[same federation]
//                  + a_sp*[same super-partnership] + noise_ij,
// with noise_ij a symmetric N(0, noise_sd^2) draw fixed by the seed.
#include <boost/graph/adjacency_list.hpp>
#include <cstdint>

#include "pcnsim/params.hpp"
#include "pcnsim/world.hpp"

namespace pcnsim {

struct RelationshipParams {
  bool enabled = true;
  int k_nearest = 5;
  double a_dist = 0.884;
  double lambda_km = 1.28;
  double a_fed = 0.143;
  double a_sp = 0.76;
  double noise_sd = 0.966;
  double tie_max_km = 12.0;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled,
            {"relationship ties and affinity from federations, super-partnerships and noise; off = geography only"});
    v.field("k_nearest", k_nearest, {"contiguity: each practice is joined to its k nearest practices of the same commissioner", "", 1, 50});
    v.field("a_dist", a_dist, {"affinity of proximity at distance 0", "", 0, 1000});
    v.field("lambda_km", lambda_km, {"distance scale of the proximity affinity", "km", 0.01, 1000});
    v.field("a_fed", a_fed, {"affinity bonus for the same federation", "", -1000, 1000});
    v.field("a_sp", a_sp, {"affinity bonus for the same super-partnership", "", -1000, 1000});
    v.field("noise_sd", noise_sd, {"sd of the symmetric pair noise in affinity (personal relationships)", "", 0, 1000});
    v.field("tie_max_km", tie_max_km, {"federation and super-partnership ties are edges up to this distance", "km", 0, 1000});
  }
};

enum class EdgeKind : std::uint8_t { nearest = 1, spanning = 2, tie = 4 };

struct EdgeProperties {
  double affinity = 0.0;
  std::uint8_t kinds = 0;  // bit set of EdgeKind
};

using RelationshipGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property, EdgeProperties>;

/// Pairwise affinity; symmetric and defined for any pair, edge or not.
class Affinity {
 public:
  Affinity(const Practices& practices, const RelationshipParams& params, std::uint64_t seed);
  double operator()(int i, int j) const;
  double distance_km(int i, int j) const;

 private:
  const Practices& practices_;
  RelationshipParams params_;
  std::uint64_t noise_stream_;
};

/// Builds the graph; every commissioner's practices form one connected component.
RelationshipGraph build_relationship_graph(const World& world, const RelationshipParams& params, const Affinity& affinity);

/// Sorted neighbour lists (practice ids), a compact copy for hot loops.
std::vector<std::vector<int>> neighbour_lists(const RelationshipGraph& graph);

}  // namespace pcnsim
