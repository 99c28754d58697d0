// The sweep loader's text entry point (the fuzz targets use it, tests/fuzz/)
// and the bugs the sanitizer build and fuzzing found in it.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdio>
#include <fstream>
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

TEST_CASE("a sweep's name cannot lead its output out of outputs/", "[sweep]") {
  const std::string rest = "model: linear\ndesign: {method: lhs, samples: 4}\nfactors: [{path: x1, min: 0, max: 1}]\n";
  CHECK(sweep_problems("name: ok-name_1.2\n" + rest).empty());
  CHECK_THAT(sweep_problems("name: ../../x\n" + rest), Catch::Contains("test.yaml:1:7: 'name': must not start with '.'"));
  CHECK_THAT(sweep_problems("name: a/../../x\n" + rest),
             Catch::Contains("test.yaml:1:7: 'name': may hold only letters, digits, '.', '_' and '-'"));
  CHECK_THAT(sweep_problems("name: .hidden\n" + rest), Catch::Contains("'name': must not start with '.'"));
  CHECK_THAT(sweep_problems("name: " + std::string(101, 'a') + "\n" + rest), Catch::Contains("longer than 100 characters"));
  CHECK_THAT(sweep_problems("name: \"a\\0b\"\n" + rest), Catch::Contains("'name': a control character (U+0000)"));
}

TEST_CASE("a design file's cells are numbers, its columns distinct, its text free of control characters", "[sweep]") {
  const std::string dir = std::string(PCNSIM_SOURCE_DIR) + "/scenarios";
  const std::string path = "/tmp/pcnsim-test-design-" + std::to_string(::getpid()) + ".csv";
  auto problems = [&](const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
    std::string all;
    try {
      design_row_overrides(path, 0, dir + "/synthetic-small.yaml");
    } catch (const InputError& e) {
      for (const auto& d : e.problems()) all += d.to_string() + "\n";
    }
    std::remove(path.c_str());
    return all;
  };
  CHECK(problems("row,formation.inertia\n0,0.1\n").empty());
  CHECK(problems("row,formation.inertia\n0,abc\n") == path + ":2:3: 'formation.inertia': expected a number, got 'abc'\n");
  CHECK(problems("row,formation.inertia\n0,1e999\n") == path + ":2:3: 'formation.inertia': expected a number, got '1e999'\n");
  CHECK_THAT(problems("row,a,a\n0,1,2\n"), Catch::Contains(":1:7: 'a': duplicate design column (first at column 5)"));
  CHECK_THAT(problems(std::string("row,formation.inertia\n0,0.\0" "1\n", 29)),
             Catch::Contains(":2:5: 'formation.inertia': a control character (U+0000)"));
  CHECK_THAT(problems(""), Catch::Contains("empty"));
  CHECK_THROWS_WITH(design_row_overrides("/dev/zero", 0, dir + "/synthetic-small.yaml"), Catch::Contains("character device"));
}
