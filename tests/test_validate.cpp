#include <catch2/catch.hpp>
#include <vector>

#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/kernel/world.hpp"

using namespace pcnsim;

TEST_CASE("formation metrics are computed as defined", "[validate]") {
  World w;
  w.practices.resize(5);
  w.practices.list_size = {20000, 15000, 40000, 10000, 5000};
  w.signed_up = {1, 1, 1, 1, 0};
  const std::vector<int> network_of = {0, 0, 1, 2, -1};  // 35k (2 practices), 40k (1), 10k (1)
  const auto m = formation_metrics(w.practices.list_size, network_of);
  CHECK(m.at("networks") == 3);
  CHECK(m.at("share_in_30k_50k") == Approx(2.0 / 3));
  CHECK(m.at("share_under_30k") == Approx(1.0 / 3));
  CHECK(m.at("list_median") == 35000);
  CHECK(m.at("list_p10") == Approx(10000 + 0.2 * 25000));
  CHECK(m.at("single_practice_networks") == 2);
  CHECK(m.at("signup_share_2019") == Approx(0.8));
  CHECK(quantile({1, 2, 3, 4}, 0.5) == 2.5);
}
