#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/kernel/kmeans.hpp"
#include "pcnsim/analysis/membership.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "pcnsim/analysis/validate.hpp"

using namespace pcnsim;

namespace {

const std::string kData = PCNSIM_TEST_DATA_DIR;

std::vector<Diagnostic> membership_problems(const std::string& fixture) {
  try {
    read_membership(kData + "/" + fixture);
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

std::vector<Diagnostic> parse_problems(const std::string& text) {
  try {
    parse_membership(text, "text.csv");
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

// Relabels a partition: same partition, different numbers.
std::vector<int> relabelled(const std::vector<int>& labels, const std::map<int, int>& mapping) {
  std::vector<int> out;
  for (int l : labels) out.push_back(l < 0 ? l : mapping.at(l));
  return out;
}

// A practice of a hand-made population.
void set_practice(Practices& p, int i, int commissioner, double x, double y, const std::string& postcode,
                  double list = 5000) {
  p.code[i] = "P" + std::to_string(i);
  p.commissioner[i] = commissioner;
  p.x_km[i] = x;
  p.y_km[i] = y;
  p.postcode[i] = postcode;
  p.list_size[i] = list;
}

std::vector<Commissioner> commissioners_of(const Practices& p) {
  std::vector<Commissioner> c;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const auto k = static_cast<std::size_t>(p.commissioner[i]);
    if (c.size() <= k) c.resize(k + 1);
    c[k].members.push_back(static_cast<int>(i));
  }
  return c;
}

std::set<int> labels_of(const std::vector<int>& labels, const std::vector<int>& members) {
  std::set<int> s;
  for (int i : members) s.insert(labels[i]);
  return s;
}

}  // namespace

// --------------------------------------------------------- agreement ----

TEST_CASE("the adjusted Rand index matches hand-computed contingency tables", "[membership]") {
  // a = {0,0,0,1,1,1}, b = {0,0,1,1,2,2}. Contingency (rows a, columns b):
  //        b0 b1 b2 | sum
  //   a0    2  1  0 |  3
  //   a1    0  1  2 |  3
  //   sum   2  2  2 |  6
  // index = C(2,2)+C(2,2) = 2; sum C(a_i,2) = 3+3 = 6; sum C(b_j,2) = 1+1+1 = 3;
  // C(6,2) = 15; expected = 6*3/15 = 1.2; max = (6+3)/2 = 4.5;
  // ARI = (2 - 1.2) / (4.5 - 1.2) = 0.8 / 3.3 = 8/33 = 0.242424...
  const std::vector<int> a{0, 0, 0, 1, 1, 1}, b{0, 0, 1, 1, 2, 2};
  CHECK(adjusted_rand_index(a, b) == Approx(8.0 / 33.0).epsilon(1e-12));
  CHECK(adjusted_rand_index(b, a) == Approx(8.0 / 33.0).epsilon(1e-12));  // symmetric

  // {0,0,1,2} vs {0,0,1,1}: cells 2,1,1 -> index 1; sums 1 and 2; C(4,2) = 6;
  // expected 2/6; max 1.5; ARI = (1 - 1/3) / (1.5 - 1/3) = 4/7 (scikit-learn's documented 0.57).
  CHECK(adjusted_rand_index({0, 0, 1, 2}, {0, 0, 1, 1}) == Approx(4.0 / 7.0).epsilon(1e-12));
  // Crossed halves {0,0,1,1} vs {0,1,0,1}: index 0; sums 2 and 2; expected 4/6;
  // max 2; ARI = (0 - 2/3) / (2 - 2/3) = -1/2: worse than chance.
  CHECK(adjusted_rand_index({0, 0, 1, 1}, {0, 1, 0, 1}) == Approx(-0.5).epsilon(1e-12));
  // One cluster vs all singletons: index 0, sums 6 and 0, expected 0, max 3: ARI 0.
  CHECK(adjusted_rand_index({0, 0, 0, 0}, {0, 1, 2, 3}) == Approx(0.0).margin(1e-12));
}

TEST_CASE("the adjusted Rand index is 1 for identical partitions, whatever the labels", "[membership]") {
  const std::vector<int> a{0, 0, 1, 1, 1, 2, 3, 3};
  CHECK(adjusted_rand_index(a, a) == Approx(1.0).epsilon(1e-12));
  const auto permuted = relabelled(a, {{0, 7}, {1, 2}, {2, 40}, {3, 0}});
  CHECK(adjusted_rand_index(a, permuted) == Approx(1.0).epsilon(1e-12));
  const std::vector<int> b{0, 1, 1, 1, 2, 2, 3, 0};
  const auto b_permuted = relabelled(b, {{0, 3}, {1, 0}, {2, 1}, {3, 9}});
  CHECK(adjusted_rand_index(a, b) == Approx(adjusted_rand_index(permuted, b_permuted)).epsilon(1e-12));
  CHECK(adjusted_rand_index(a, b) < 0.9);
}

TEST_CASE("the adjusted Rand index ignores items with a negative label and defines the trivial cases", "[membership]") {
  // The -1 items would break the agreement if they were counted as a cluster.
  const std::vector<int> a{0, 0, 0, 1, 1, 1, -1, 5, 5};
  const std::vector<int> b{0, 0, 1, 1, 2, 2, 3, -1, -1};
  CHECK(adjusted_rand_index(a, b) == Approx(8.0 / 33.0).epsilon(1e-12));
  // Denominator 0: both one cluster, both all singletons, one item, no items.
  CHECK(adjusted_rand_index({4, 4, 4}, {1, 1, 1}) == 1.0);
  CHECK(adjusted_rand_index({0, 1, 2}, {5, 6, 7}) == 1.0);
  CHECK(adjusted_rand_index({3}, {8}) == 1.0);
  CHECK(adjusted_rand_index({}, {}) == 1.0);
  CHECK(adjusted_rand_index({-1, 0}, {0, -1}) == 1.0);
  CHECK_THROWS_AS(adjusted_rand_index({0, 1}, {0}), std::invalid_argument);
}

TEST_CASE("normalised mutual information matches a hand computation", "[membership]") {
  // a = {0,0,0,1,1,1}, b = {0,0,1,1,2,2}, n = 6 (table above).
  // H(a) = ln 2; H(b) = ln 3.
  // MI = sum p_ij ln(p_ij / (p_i p_j)):
  //   (a0,b0): 2/6 ln((2/6) / (3/6 * 2/6)) = 1/3 ln 2
  //   (a0,b1): 1/6 ln((1/6) / (3/6 * 2/6)) = 1/6 ln 1 = 0, and likewise (a1,b1)
  //   (a1,b2): 1/3 ln 2
  // MI = 2/3 ln 2; NMI = MI / ((ln 2 + ln 3) / 2) = 4 ln 2 / (3 ln 6) = 0.515803...
  const std::vector<int> a{0, 0, 0, 1, 1, 1}, b{0, 0, 1, 1, 2, 2};
  const double expected = 4.0 * std::log(2.0) / (3.0 * std::log(6.0));
  CHECK(expected == Approx(0.5158037429793888).epsilon(1e-12));
  CHECK(normalised_mutual_information(a, b) == Approx(expected).epsilon(1e-12));
  CHECK(normalised_mutual_information(b, a) == Approx(expected).epsilon(1e-12));
  // Permutation invariance and the ignored -1 items.
  CHECK(normalised_mutual_information(relabelled(a, {{0, 9}, {1, 3}}), relabelled(b, {{0, 2}, {1, 0}, {2, 1}})) ==
        Approx(expected).epsilon(1e-12));
  CHECK(normalised_mutual_information({0, 0, 0, 1, 1, 1, -1, 7}, {0, 0, 1, 1, 2, 2, 4, -1}) ==
        Approx(expected).epsilon(1e-12));
  CHECK(normalised_mutual_information(a, relabelled(a, {{0, 1}, {1, 0}})) == Approx(1.0).epsilon(1e-12));
  // Degenerate: both one cluster (entropies 0) is 1; one side one cluster is 0.
  CHECK(normalised_mutual_information({2, 2, 2}, {5, 5, 5}) == 1.0);
  CHECK(normalised_mutual_information({}, {}) == 1.0);
  CHECK(normalised_mutual_information({0, 0, 0, 0}, {0, 1, 2, 3}) == Approx(0.0).margin(1e-12));
  // All singletons on both sides: MI = H = ln n, so 1.
  CHECK(normalised_mutual_information({0, 1, 2, 3}, {3, 2, 1, 0}) == Approx(1.0).epsilon(1e-12));
  CHECK_THROWS_AS(normalised_mutual_information({0}, {0, 1}), std::invalid_argument);
}

TEST_CASE("Spearman correlation averages the ranks of ties", "[membership]") {
  // x = {1,2,2,3,4}: ranks {1, 2.5, 2.5, 4, 5}; y = {2,1,3,3,5}: ranks {2, 1, 3.5, 3.5, 5}.
  // Deviations from the mean rank 3: dx = {-2,-.5,-.5,1,2}, dy = {-1,-2,.5,.5,2}.
  // sum dx dy = 2 + 1 - .25 + .5 + 4 = 7.25; sum dx^2 = sum dy^2 = 9.5; rho = 7.25/9.5 = 29/38.
  CHECK(spearman_correlation({1, 2, 2, 3, 4}, {2, 1, 3, 3, 5}) == Approx(29.0 / 38.0).epsilon(1e-12));
  // Only the order matters: a monotone transform gives 1, a reversal -1.
  CHECK(spearman_correlation({1, 10, 100, 1000}, {0.1, 0.2, 0.3, 0.4}) == Approx(1.0).epsilon(1e-12));
  CHECK(spearman_correlation({1, 2, 3}, {9, 5, 1}) == Approx(-1.0).epsilon(1e-12));
  // NaN pairs are left out.
  CHECK(spearman_correlation({1, 2, 2, 3, 4, std::nan("")}, {2, 1, 3, 3, 5, 0}) == Approx(29.0 / 38.0).epsilon(1e-12));
  // Undefined: zero variance or fewer than two values.
  CHECK(std::isnan(spearman_correlation({1, 1, 1}, {1, 2, 3})));
  CHECK(std::isnan(spearman_correlation({1, 2, 3}, {4, 4, 4})));
  CHECK(std::isnan(spearman_correlation({1}, {2})));
  CHECK(std::isnan(spearman_correlation({}, {})));
  CHECK_THROWS_AS(spearman_correlation({1, 2}, {1}), std::invalid_argument);
}

// ---------------------------------------------------------------- map ----

TEST_CASE("map metrics of a hand-made partition", "[membership]") {
  // Commissioner 0 on the x axis, commissioner 1 further north, 2 and 3 alone.
  //  i  comm  (x, y)    postcode      network
  //  0   0    (0, 0)    AB1 1AA        10
  //  1   0    (1, 0)    ab1 1aa        10   same site as 0 once normalised
  //  2   0    (2, 0)    " AB1  2BB "   20
  //  3   0    (10, 6)   AB2 1CC        20
  //  4   0    (11, 6)   AB2 1DD        -1   excluded (would be 3's nearest)
  //  5   1    (0, 20)   AB1 1AA        30   same site as 0, other commissioner
  //  6   1    (0, 24)   AB11AA         31
  //  7   1    (6, 24)   AB9 9ZZ        31
  //  8   2    (50, 50)  CD1 1AA        -1   its commissioner has no network
  //  9   3    (90, 90)  EF1 1AA        40   alone in its commissioner
  Practices p;
  p.resize(10);
  set_practice(p, 0, 0, 0, 0, "AB1 1AA");
  set_practice(p, 1, 0, 1, 0, "ab1 1aa");
  set_practice(p, 2, 0, 2, 0, " AB1  2BB ");
  set_practice(p, 3, 0, 10, 6, "AB2 1CC");
  set_practice(p, 4, 0, 11, 6, "AB2 1DD");
  set_practice(p, 5, 1, 0, 20, "AB1 1AA");
  set_practice(p, 6, 1, 0, 24, "AB11AA");
  set_practice(p, 7, 1, 6, 24, "AB9 9ZZ");
  set_practice(p, 8, 2, 50, 50, "CD1 1AA");
  set_practice(p, 9, 3, 90, 90, "EF1 1AA");
  const std::vector<int> network{10, 10, 20, 20, -1, 30, 31, 31, -1, 40};
  const auto m = map_metrics(p, network);

  // Nearest networked practice of the same commissioner:
  //   0 -> 1 (1 km) same; 1 -> 0 or 2 (both 1 km, tie to the lower index 0) same;
  //   2 -> 1 (1 km) different; 3 -> 2 (10 km; 4 is excluded) same;
  //   5 -> 6 (4 km) different; 6 -> 5 (4 km vs 6 km) different; 7 -> 6 (6 km) same;
  //   9 has no other networked practice in its commissioner: not eligible.
  // 4 of 7.
  CHECK(m.at("together_nearest") == Approx(4.0 / 7.0).epsilon(1e-12));
  // District pairs: commissioner 0, AB1: (0,1) same, (0,2), (1,2) different; AB2: 3 alone
  // (4 excluded). Commissioner 1, AB1: (5,6) different; AB9: 7 alone. 1 of 4.
  CHECK(m.at("together_district") == Approx(0.25).epsilon(1e-12));
  // Site pairs: commissioner 0, AB11AA: (0,1) same; commissioner 1, AB11AA: (5,6)
  // different. 0 and 5 share a site but not a commissioner. 1 of 2.
  CHECK(m.at("together_site") == Approx(0.5).epsilon(1e-12));
  // Centroids: 10 at (0.5, 0): 0.5, 0.5; 20 at (6, 3): 5, 5 (3-4-5 triangles);
  // 30 and 40 are single: 0, 0; 31 at (3, 24): 3, 3.
  // Sorted {0, 0, 0.5, 0.5, 3, 3, 5, 5}: median at h = 3.5 -> 0.5 + 0.5 * (3 - 0.5) = 1.75;
  // P90 at h = 6.3 -> 5.
  CHECK(m.at("km_to_centroid_median") == Approx(1.75).epsilon(1e-12));
  CHECK(m.at("km_to_centroid_p90") == Approx(5.0).epsilon(1e-12));
  // Networks: commissioner 0 has 2, 1 has 2, 3 has 1; 2 has none and is not counted.
  CHECK(m.at("networks_per_commissioner") == Approx(5.0 / 3.0).epsilon(1e-12));
  CHECK(m.size() == 6);

  // Nothing networked: every metric is undefined.
  const auto none = map_metrics(p, std::vector<int>(10, -1));
  REQUIRE(none.size() == 6);
  for (const auto& [key, value] : none) {
    INFO(key);
    CHECK(std::isnan(value));
  }
  CHECK_THROWS_AS(map_metrics(p, std::vector<int>(9, 0)), std::invalid_argument);
}

TEST_CASE("agreement metrics of a simulated partition against a hand-made real one", "[membership]") {
  //  i   comm  simulated  real
  //  0-5   0   5 5 6 6 7 7   0 0 0 1 1 1   (the 8/33 example)
  //  6-8   1   8 9 9         2 2 -1        8 is not in the real file
  //  9-10  2   10 11         3 4
  //  11    0   -1            1             not in a simulated network: not compared
  Practices p;
  p.resize(12);
  const int comm[12] = {0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 0};
  for (int i = 0; i < 12; ++i) set_practice(p, i, comm[i], i, 0, "");
  const std::vector<int> simulated{5, 5, 6, 6, 7, 7, 8, 9, 9, 10, 11, -1};
  const std::vector<int> real{0, 0, 0, 1, 1, 1, 2, 2, -1, 3, 4, 1};
  const auto m = agreement_metrics(p, simulated, real);
  REQUIRE(m.size() == 4);
  // Per commissioner: 0: 8/33 over 6 practices; 1: real {2,2} vs simulated {8,9}:
  // index 0, sums 1 and 0, C(2,2) = 1, expected 0, max 0.5: ARI 0 over 2;
  // 2: both all singletons: 1 over 2. Mean (6 * 8/33 + 0 + 2) / 10 = 38/110.
  CHECK(m.at("ari_per_commissioner") == Approx(38.0 / 110.0).epsilon(1e-12));
  // Overall over 10 practices: cells 2,1,1,2,1,1,1,1 -> index 2; real sizes 3,3,2,1,1 -> 7;
  // simulated sizes 2,2,2,1,1,1,1 -> 3; C(10,2) = 45; expected 21/45; max 5;
  // ARI = (2 - 21/45) / (5 - 21/45) = 69/204 = 23/68.
  CHECK(m.at("ari_overall") == Approx(23.0 / 68.0).epsilon(1e-12));
  // NMI, n = 10: H(simulated) = 0.6 ln 5 + 0.4 ln 10; H(real) = 0.6 ln(10/3) + 0.2 ln 5 + 0.2 ln 10;
  // MI = 2 * 0.2 ln(10/3) [2-cells in 3-sets] + 2 * 0.1 ln(5/3) [1-cells in 3-sets]
  //    + 2 * 0.1 ln 5 [2-set split] + 2 * 0.1 ln 10 [singletons] (= 0.80564 NMI).
  const double h_sim = 0.6 * std::log(5.0) + 0.4 * std::log(10.0);
  const double h_real = 0.6 * std::log(10.0 / 3.0) + 0.2 * std::log(5.0) + 0.2 * std::log(10.0);
  const double mi = 0.4 * std::log(10.0 / 3.0) + 0.2 * std::log(5.0 / 3.0) + 0.2 * std::log(5.0) + 0.2 * std::log(10.0);
  CHECK(m.at("nmi") == Approx(mi / (0.5 * (h_sim + h_real))).epsilon(1e-12));
  CHECK(m.at("nmi") == Approx(0.8056404908414814).epsilon(1e-9));
  // Networks per commissioner (simulated, real) over practices in the real file:
  // 0: (3, 2); 1: (2, 1) (8 is left out); 2: (2, 2).
  // Ranks x {3, 1.5, 1.5}, y {2.5, 1, 2.5}; dx {1,-.5,-.5}, dy {.5,-1,.5};
  // sum dx dy = .75; sums of squares 1.5 and 1.5; rho = 0.5.
  CHECK(m.at("spearman_networks_per_commissioner") == Approx(0.5).epsilon(1e-12));

  // Identical partitions agree perfectly; nothing real gives NaN.
  const auto same = agreement_metrics(p, real, real);
  CHECK(same.at("ari_per_commissioner") == Approx(1.0));
  CHECK(same.at("ari_overall") == Approx(1.0));
  CHECK(same.at("nmi") == Approx(1.0));
  CHECK(same.at("spearman_networks_per_commissioner") == Approx(1.0));
  const auto nothing = agreement_metrics(p, simulated, std::vector<int>(12, -1));
  for (const auto& [key, value] : nothing) {
    INFO(key);
    CHECK(std::isnan(value));
  }
  CHECK_THROWS_AS(agreement_metrics(p, simulated, std::vector<int>(11, 0)), std::invalid_argument);
}

// ----------------------------------------------------------- baseline ----

TEST_CASE("the naive geographic partition takes k from list sizes", "[membership]") {
  // Commissioner 0: 10 practices of 5,000 on a line; commissioner 1: 3 of 300;
  // commissioner 2: 2 of 100,000.
  Practices p;
  p.resize(15);
  for (int i = 0; i < 10; ++i) set_practice(p, i, 0, 3.0 * i, 0, "", 5000);
  for (int i = 10; i < 13; ++i) set_practice(p, i, 1, 100 + i, 0, "", 300);
  for (int i = 13; i < 15; ++i) set_practice(p, i, 2, 200 + i, 0, "", 100000);
  const auto commissioners = commissioners_of(p);
  std::vector<std::uint8_t> include(15, 1);
  auto labels = naive_geographic_partition(p, commissioners, include, 12000, 7);
  // 50,000 / 12,000 = 4.17 -> 4; 900 / 12,000 -> 0 -> at least 1; 200,000 / 12,000 = 16.7 -> 17,
  // capped at the 2 practices.
  CHECK(labels_of(labels, commissioners[0].members).size() == 4);
  CHECK(labels_of(labels, commissioners[1].members).size() == 1);
  CHECK(labels_of(labels, commissioners[2].members).size() == 2);
  // Dense labels, unique across commissioners, numbered in practice order.
  CHECK(labels_of(labels, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}) == std::set<int>{0, 1, 2, 3, 4, 5, 6});
  CHECK(labels[0] == 0);
  CHECK(labels[10] == 4);
  CHECK(labels[13] == 5);
  CHECK(labels[14] == 6);

  // Leaving two practices out: 40,000 / 12,000 = 3.33 -> 3; they get -1.
  include[0] = include[9] = 0;
  labels = naive_geographic_partition(p, commissioners, include, 12000, 7);
  CHECK(labels[0] == -1);
  CHECK(labels[9] == -1);
  CHECK(labels_of(labels, {1, 2, 3, 4, 5, 6, 7, 8}).size() == 3);
  CHECK(labels_of(labels, {1, 2, 3, 4, 5, 6, 7, 8}).count(-1) == 0);

  // On a line, k-means clusters are runs of neighbours: labels never come back.
  std::set<int> finished;
  for (int i = 2; i <= 8; ++i) {
    if (labels[i] != labels[i - 1]) finished.insert(labels[i - 1]);
    CHECK(finished.count(labels[i]) == 0);
  }
  CHECK_THROWS_AS(naive_geographic_partition(p, commissioners, include, 0, 7), std::invalid_argument);
  CHECK_THROWS_AS(naive_geographic_partition(p, commissioners, std::vector<std::uint8_t>(3, 1), 1, 7),
                  std::invalid_argument);
}

TEST_CASE("the naive geographic partition separates far-apart towns and is deterministic", "[membership]") {
  // Two towns 100 km apart, 12 practices each on a jittered ring, in mixed index order.
  Practices p;
  p.resize(24);
  for (int i = 0; i < 24; ++i) {
    const bool east = (i * 7) % 24 < 12;
    const double angle = 0.5 * i, r = 1.0 + 0.1 * (i % 5);
    set_practice(p, i, 0, (east ? 100.0 : 0.0) + r * std::cos(angle), r * std::sin(angle), "", 5000);
  }
  const auto commissioners = commissioners_of(p);
  const std::vector<std::uint8_t> include(24, 1);
  // 120,000 / 60,000 = 2 clusters.
  for (std::uint64_t seed : {1u, 2u, 3u, 99u}) {
    const auto labels = naive_geographic_partition(p, commissioners, include, 60000, seed);
    for (int i = 0; i < 24; ++i) {
      for (int j = 0; j < 24; ++j) {
        const bool same_town = ((i * 7) % 24 < 12) == ((j * 7) % 24 < 12);
        INFO("seed " << seed << " practices " << i << " and " << j);
        REQUIRE((labels[i] == labels[j]) == same_town);
      }
    }
  }
  // Determinism: the same seed gives the same labels (more clusters, so the
  // seeding matters); changing one commissioner leaves another's alone.
  Practices q;
  q.resize(60);
  for (int i = 0; i < 60; ++i) {
    set_practice(q, i, i < 40 ? 0 : 1, std::fmod(i * 7.3, 23.0), std::fmod(i * 3.1, 17.0), "", 8000);
  }
  const auto qc = commissioners_of(q);
  const std::vector<std::uint8_t> all(60, 1);
  const auto first = naive_geographic_partition(q, qc, all, 30000, 42);
  CHECK(first == naive_geographic_partition(q, qc, all, 30000, 42));
  CHECK(labels_of(first, qc[0].members).size() == 11);  // 320,000 / 30,000 = 10.7 -> 11
  CHECK(labels_of(first, qc[1].members).size() == 5);   // 160,000 / 30,000 = 5.3 -> 5
  std::vector<std::uint8_t> fewer = all;
  fewer[3] = 0;
  const auto changed = naive_geographic_partition(q, qc, fewer, 30000, 42);
  // Commissioner 1's clusters are the same partition; its labels shift by one
  // because commissioner 0 now has 10 clusters (312,000 / 30,000 = 10.4).
  std::vector<int> first_1, changed_1;
  for (int i = 40; i < 60; ++i) {
    first_1.push_back(first[i]);
    changed_1.push_back(changed[i]);
  }
  auto changed_0 = labels_of(changed, qc[0].members);
  CHECK(changed_0.count(-1) == 1);  // practice 3 left out
  CHECK(changed_0.size() == 10 + 1);
  CHECK(adjusted_rand_index(first_1, changed_1) == Approx(1.0));
}

TEST_CASE("the naive geographic partition survives coincident practices", "[membership]") {
  // Three practices at one point with k = 3: every k-means++ distance is 0 and
  // clusters keep emptying; the iteration cap ends it with every practice labelled.
  Practices p;
  p.resize(3);
  for (int i = 0; i < 3; ++i) set_practice(p, i, 0, 5, 5, "", 10000);
  const auto labels = naive_geographic_partition(p, commissioners_of(p), {1, 1, 1}, 10000, 1);
  for (int l : labels) CHECK(l >= 0);
  CHECK(labels_of(labels, {0, 1, 2}).size() == 1);  // indistinguishable practices share a cluster
}

// ------------------------------------------------------------ reading ----

TEST_CASE("a membership file in the ePCN layout is read", "[membership]") {
  const auto m = read_membership(kData + "/membership_good.csv");
  CHECK(m.file == kData + "/membership_good.csv");
  REQUIRE(m.rows.size() == 3);
  CHECK(m.rows[0].practice_code == "A81001");
  CHECK(m.rows[0].pcn_code == "U89141");
  CHECK(m.rows[0].line == 2);
  CHECK(m.rows[1].pcn_code == "U07032");  // the quoted name with a comma does not shift columns
  CHECK(m.rows[2].line == 4);

  // NHS Digital's own headers, in another order and case.
  const auto alt = parse_membership("PCN Code,PCN Name,partner organisation code\nU1,North,A1\nU2,South,A2\n", "alt.csv");
  REQUIRE(alt.rows.size() == 2);
  CHECK(alt.rows[1].practice_code == "A2");
  CHECK(alt.rows[1].pcn_code == "U2");
  CHECK(alt.file == "alt.csv");
}

TEST_CASE("bad membership files name the file, line and column", "[membership]") {
  const auto missing = membership_problems("membership_missing_column.csv");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].file == kData + "/membership_missing_column.csv");
  CHECK(missing[0].line == 1);
  CHECK(missing[0].key == "pcn_code");
  CHECK_THAT(missing[0].message, Catch::Contains("PCN Code"));
  // Both columns missing: both named.
  const auto neither = parse_problems("code,name\nA1,x\n");
  REQUIRE(neither.size() == 2);
  CHECK(neither[0].key == "practice_code");
  CHECK(neither[1].key == "pcn_code");

  const auto dup = membership_problems("membership_duplicate.csv");
  REQUIRE(dup.size() == 1);
  CHECK(dup[0].file == kData + "/membership_duplicate.csv");
  CHECK(dup[0].line == 4);
  CHECK(dup[0].key == "practice_code");
  CHECK_THAT(dup[0].message, Catch::Contains("A81001") && Catch::Contains("lines 2 and 4"));

  const auto empty = membership_problems("membership_empty_code.csv");
  REQUIRE(empty.size() == 2);
  CHECK(empty[0].line == 3);
  CHECK(empty[0].key == "practice_code");
  CHECK_THAT(empty[0].message, Catch::Contains("empty practice code"));
  CHECK(empty[1].line == 4);
  CHECK(empty[1].key == "pcn_code");
  CHECK_THAT(empty[1].message, Catch::Contains("A81003"));

  const auto bytes = membership_problems("membership_not_utf8.csv");
  REQUIRE(bytes.size() == 1);
  CHECK(bytes[0].file == kData + "/membership_not_utf8.csv");
  CHECK(bytes[0].line == 3);
  CHECK_THAT(bytes[0].message, Catch::Contains("UTF-8"));

  CHECK_THROWS_WITH(read_membership(kData + "/membership_no_such_file.csv"), Catch::Contains("not found"));
  CHECK_THROWS_WITH(parse_membership("", "empty.csv"), Catch::Contains("empty.csv") && Catch::Contains("empty"));
  CHECK_THROWS_WITH(parse_membership("practice_code,pcn_code\n", "header.csv"), Catch::Contains("no membership rows"));
}

TEST_CASE("every problem of a membership file is reported at once, in line order", "[membership]") {
  const auto all = parse_problems("practice_code,pcn_code\nA1,U1\nA2\n,U3\nA1,U4\nA5,U5,extra\n");
  REQUIRE(all.size() == 4);
  CHECK(all[0].line == 3);
  CHECK_THAT(all[0].message, Catch::Contains("expected 2 fields"));
  CHECK(all[1].line == 4);
  CHECK_THAT(all[1].message, Catch::Contains("empty practice code"));
  CHECK(all[2].line == 5);
  CHECK_THAT(all[2].message, Catch::Contains("lines 2 and 5"));
  CHECK(all[3].line == 6);
  for (const auto& d : all) CHECK(d.file == "text.csv");
}

TEST_CASE("real networks are numbered in practice order and unknown codes listed", "[membership]") {
  Practices p;
  p.resize(4);
  for (int i = 0; i < 4; ++i) p.code[i] = "A" + std::to_string(i + 1);
  const auto m = parse_membership(
      "practice_code,pcn_code\nA3,P9\nX9,P5\nA1,P5\nA2,P9\nB7,P1\n", "real.csv");
  std::vector<std::string> unknown{"kept"};
  const auto network = real_network_of(m, p, &unknown);
  // A1 (index 0) is in P5 -> 0; A2 and A3 in P9 -> 1; A4 is not in the file.
  CHECK(network == std::vector<int>{0, 1, 1, -1});
  CHECK(unknown == std::vector<std::string>{"kept", "B7", "X9"});
  // Without a list to fill, the unknown codes are just skipped.
  CHECK(real_network_of(m, p, nullptr) == network);
}

TEST_CASE("validate's membership section: a run against its own formation agrees perfectly", "[membership][validate]") {
  // The membership file written from the run's own 2019 networks, for 400 of
  // the 600 practices plus two codes the population does not have.
  const RunResult run = run_simulation(load_scenario(std::string(PCNSIM_SOURCE_DIR) + "/scenarios/synthetic-small.yaml"));
  const auto& formed = run.membership.front().network_of;
  std::string text = "practice_code,pcn_code\n";
  int listed = 0;
  for (std::size_t i = 0; i < formed.size(); ++i) {
    if (formed[i] < 0 || i % 3 == 2) continue;
    text += run.world.practices.code[i] + ",N" + std::to_string(formed[i]) + "\n";
    ++listed;
  }
  text += "ZZ0001,N1\nZZ0002,N2\n";
  const MembershipComparison c = compare_membership(run, parse_membership(text, "own.csv"));
  CHECK(c.matched == listed);
  CHECK(c.rows == listed + 2);
  CHECK(c.unknown_codes == std::vector<std::string>{"ZZ0001", "ZZ0002"});
  for (const char* k : {"ari_per_commissioner", "ari_overall", "nmi"}) {
    INFO(k);
    CHECK(c.simulated.at(k) == 1.0);
    CHECK(c.naive.at(k) < 1.0);  // k-means does not happen to find the same networks
  }
  for (const auto& [k, real] : c.real) {
    INFO(k);
    if (std::isnan(real)) continue;
    CHECK(c.simulated.at(k) == Approx(real).margin(1e-12));
  }
  std::vector<TargetRow> rows = read_targets(std::string(PCNSIM_SOURCE_DIR) + "/data/targets.yaml");
  compare_membership_targets(rows, c);
  int membership_rows = 0, compared = 0;
  for (const auto& r : rows) {
    if (r.section != "membership") continue;
    INFO(r.name);
    ++membership_rows;
    // Synthetic practices have no postcodes: the district and site shares
    // have nothing to measure and are left uncompared; the rest pass.
    const bool measurable = std::isfinite(c.real.at(r.name));
    CHECK(r.simulated == measurable);
    if (!measurable) continue;
    CHECK(r.has_naive);
    if (r.observed_from_data) CHECK(r.observed == Approx(c.real.at(r.name)).margin(1e-12));
    CHECK(r.pass);
    ++compared;
  }
  CHECK(membership_rows == 10);
  CHECK(compared == 8);
}
