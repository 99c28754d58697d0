#include <boost/random/uniform_01.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <set>

#include "pcnsim/kernel/rng.hpp"

using namespace pcnsim;

TEST_CASE("random streams are reproducible and independent", "[rng]") {
  Engine a = make_stream(42, "formation", 0), b = make_stream(42, "formation", 0);
  for (int i = 0; i < 100; ++i) REQUIRE(a() == b());
  Engine c = make_stream(42, "signup", 0), d = make_stream(42, "formation", 1), e = make_stream(43, "formation", 0);
  Engine f = make_stream(42, "formation", 0, 7);
  Engine base = make_stream(42, "formation", 0);
  const auto x = base();
  CHECK(c() != x);
  CHECK(d() != x);
  CHECK(e() != x);
  CHECK(f() != x);
  std::set<std::uint64_t> seeds;
  for (std::uint64_t r = 0; r < 1000; ++r) seeds.insert(stream_seed(1, "x", r));
  CHECK(seeds.size() == 1000);
}

TEST_CASE("counter-based draws have the right distribution", "[rng]") {
  const std::uint64_t s = stream_seed(7, "noise", 0);
  double sum = 0, sum2 = 0, usum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = hash_normal(s, static_cast<std::uint64_t>(i), 3);
    sum += z;
    sum2 += z * z;
    const double u = hash_uniform(s, 3, static_cast<std::uint64_t>(i));
    REQUIRE(u > 0.0);
    REQUIRE(u < 1.0);
    usum += u;
  }
  CHECK(std::fabs(sum / n) < 0.01);
  CHECK(std::fabs(sum2 / n - 1.0) < 0.02);
  CHECK(std::fabs(usum / n - 0.5) < 0.005);
  // Pinned values: every seeded result of every earlier run depends on these
  // functions, so a change to them must be deliberate (new pins in the same
  // commit, saying why), never a side effect.
  CHECK(s == 12536505481657098401ull);
  CHECK(hash_normal(s, 5, 9) == Approx(0.00019826462751034861).margin(1e-15));
  CHECK(hash_normal(s, 9, 5) == Approx(0.26540542503901798).margin(1e-15));  // callers order the pair themselves
  CHECK(hash_uniform(s, 3, 4) == Approx(0.95834030248426738).margin(1e-15));
}
