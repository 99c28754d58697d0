// The sweep loader's text entry point (the fuzz targets use it, tests/fuzz/)
// and the bugs the sanitizer build and fuzzing found in it.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "pcnsim/analysis/sweep.hpp"
#include "pcnsim/engine/sensitivity.hpp"
#include "pcnsim/kernel/errors.hpp"

using namespace pcnsim;

namespace {

const std::string kSweepFile = std::string(PCNSIM_SOURCE_DIR) + "/sweeps/test.yaml";

std::string sweep_problems(const std::string& text) {
  try {
    load_sweep_text(text, kSweepFile);
  } catch (const InputError& e) {
    std::string all;
    for (const auto& d : e.problems()) all += d.to_string() + "\n";
    return all;
  }
  return "";
}

}  // namespace

TEST_CASE("load_sweep_text parses like load_sweep", "[sweep]") {
  const SweepSpec spec = load_sweep_text("model: linear\ndesign: {method: lhs, samples: 8}\n"
                                         "factors:\n  - {path: x1, min: 0, max: 1}\n  - {path: x2, min: 1, max: 3}\n",
                                         kSweepFile);
  CHECK(spec.factors.size() == 2);
  CHECK(design_rows(spec) == 8);
  CHECK(make_design(spec).rows() == 8);
}

TEST_CASE("sweep designs too big to hold are input errors, not overflows", "[sweep]") {
  // 256^7 x 32 = 2^61 grid rows of 8 factors: 2^64 values overflowed to none
  // and full_grid wrote past its allocation.
  std::string text = "model: linear\ndesign: {method: grid}\nfactors:\n";
  for (int f = 1; f <= 8; ++f) {
    text += "  - {path: x" + std::to_string(f) + ", values: [";
    for (int v = 0; v < (f == 8 ? 32 : 256); ++v) text += (v ? ", " : "") + std::to_string(v);
    text += "]}\n";
  }
  CHECK_THAT(sweep_problems(text), Catch::Contains("at most 50000000 values"));
  CHECK_THAT(sweep_problems("model: linear\ndesign: {method: sobol, samples: 10000000}\n"
                            "factors: [{path: x1, min: 0, max: 1}, {path: x2, min: 0, max: 1}]\n"),
             Catch::Contains("40000000 rows of 2 factors"));
  CHECK(sweep_problems("model: linear\ndesign: {method: sobol, samples: 1000}\n"
                       "factors: [{path: x1, min: 0, max: 1}]\n")
            .empty());
  CHECK_THROWS_AS(full_grid(std::vector<int>(8, 1 << 8)), std::length_error);
}

TEST_CASE("an over-long test-model factor name is an input error", "[sweep]") {
  // std::stoi threw std::out_of_range on the digits.
  CHECK_THAT(sweep_problems("model: linear\ndesign: {method: lhs, samples: 4}\n"
                            "factors: [{path: x99999999999, min: 0, max: 1}]\n"),
             Catch::Contains("the linear model has factors x1, x2"));
}
