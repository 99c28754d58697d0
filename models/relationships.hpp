#pragma once
// Mechanism: the relationship graph (Boost.Graph). Vertices are practices.
// Edges join practices of the same commissioner: spatial contiguity (each
// practice's k nearest neighbours, made connected with a minimum spanning
// tree) plus relationship ties between members of the same federation or
// super-partnership that are not too far apart. Affinity between any two
// practices:  a_ij = a_dist*exp(-d_ij/lambda) + a_fed*[same federation]
//                  + a_sp*[same super-partnership] + a_site*[same site] + h_ij + noise_ij,
// with noise_ij a symmetric N(0, noise_sd^2) draw fixed by the seed and h_ij
// the pair's collaboration history: each year two practices spend in the same
// network raises it by a_hist_per_year (up to a_hist_max); conflicts lower it
// (mechanism 9, models/dynamics.hpp). It is zero at formation.
#include <boost/graph/adjacency_list.hpp>
#include <cstdint>
#include <utility>
#include <memory>
#include <vector>

#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

struct RelationshipParams {
  bool enabled = true;
  int k_nearest = 5;
  double a_dist = 2.74089;
  double lambda_km = 2.39619;
  double a_fed = 0.143;
  double a_sp = 0.76;
  double noise_sd = 1.55624;
  double tie_max_km = 12.0;
  double a_hist_per_year = 0.1;
  double a_hist_max = 0.5;
  double a_site = 0.351919;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled,
            {"relationship ties and affinity from federations, super-partnerships and noise; off = geography only (distance "
             "and shared sites)"});
    v.field("k_nearest", k_nearest, {"contiguity: each practice is joined to its k nearest practices of the same commissioner", "", 1, 50});
    v.field("a_dist", a_dist, {"affinity of proximity at distance 0", "", 0, 1000});
    v.field("lambda_km", lambda_km, {"distance scale of the proximity affinity", "km", 0.01, 1000});
    v.field("a_fed", a_fed, {"affinity bonus for the same federation", "", -1000, 1000});
    v.field("a_sp", a_sp, {"affinity bonus for the same super-partnership", "", -1000, 1000});
    v.field("noise_sd", noise_sd, {"sd of the symmetric pair noise in affinity (personal relationships)", "", 0, 1000});
    v.field("tie_max_km", tie_max_km, {"federation and super-partnership ties are edges up to this distance", "km", 0, 1000});
    v.field("a_hist_per_year", a_hist_per_year,
            {"affinity a pair gains for each year in the same network (past collaboration)", "1/year", 0, 1000});
    v.field("a_hist_max", a_hist_max, {"most affinity co-membership can add to a pair", "", 0, 1000});
    v.field("a_site", a_site,
            {"affinity bonus for practices at one site (one postcode: one building); synthetic practices each have "
             "their own site", "", -1000, 1000});
  }
};

enum class EdgeKind : std::uint8_t { nearest = 1, spanning = 2, tie = 4 };

struct EdgeProperties {
  double affinity = 0.0;
  std::uint8_t kinds = 0;  // bit set of EdgeKind
};

using RelationshipGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property, EdgeProperties>;

/// The relationship graph as an edge list (the output's /relationships).
struct GraphEdges {
  std::vector<std::int32_t> source, target, kinds;
  std::vector<double> affinity;
};
GraphEdges graph_edges(const RelationshipGraph& graph);

/// Pairwise affinity; symmetric and defined for any pair, edge or not.
class Affinity {
 public:
  Affinity(const Practices& practices, const RelationshipParams& params, std::uint64_t seed);
  double operator()(int i, int j) const;
  double distance_km(int i, int j) const;
  /// Collaboration history h_ij of the pair (0 unless changed).
  double history(int i, int j) const;
  /// One more year in the same network: h_ij += a_hist_per_year (up to a_hist_max).
  void add_year_together(int i, int j) { add_history(i, j, params_.a_hist_per_year); }
  /// Adds `delta` to h_ij; gains stop at a_hist_max, losses are unbounded.
  void add_history(int i, int j, double delta);

 private:
  // Per practice i, the pairs (j > i, h_ij) with a history, sorted by j: a
  // practice has few past partners, so a binary search in a short vector
  // beats a hash map in the game's inner loops.
  std::vector<std::vector<std::pair<int, double>>> history_;
  bool has_history_ = false;
  const Practices& practices_;
  RelationshipParams params_;
  std::uint64_t noise_stream_;
};

/// Builds the graph; every commissioner's practices form one connected component.
/// Shared, not copied: Boost's adjacency_list has no move constructor, and a
/// run's graph passes from the model state to the run's result and on.
using SharedGraph = std::shared_ptr<const RelationshipGraph>;
std::shared_ptr<RelationshipGraph> build_relationship_graph(const World& world, const RelationshipParams& params,
                                                            const Affinity& affinity);

/// Sorted neighbour lists (practice ids), a compact copy for hot loops.
std::vector<std::vector<int>> neighbour_lists(const RelationshipGraph& graph);

}  // namespace pcnsim
