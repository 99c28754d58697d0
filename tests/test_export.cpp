// Tests of what `pcnsim export` relies on: numbers printed so they parse back
// exactly, CSV quoting that survives a round trip, and a directory written
// whole or not at all (AtomicDirectory). The round trip of whole output files
// is tests/python/test_export_roundtrip.py.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <type_traits>

#include "pcnsim/io/export.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "temp_dir_helpers.hpp"

namespace fs = std::filesystem;
using pcnsim::exact_text;
using pcnsim::testing::read_bytes;
using pcnsim::testing::TempDir;

namespace {

// The bits of a number, so that -0 and 0 differ and NaN equals itself.
template <class Real>
bool same_bits(Real a, Real b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// Random bit patterns of Real (NaNs aside): each one's text parses back to the
// same bits with `parse`.
template <class Real, class Engine, class Parse>
void check_random_numbers(Engine random, Parse parse) {
  for (int i = 0; i < 100000; ++i) {
    using Bits = std::conditional_t<sizeof(Real) == 4, std::uint32_t, std::uint64_t>;
    const auto bits = static_cast<Bits>(random());
    Real value;
    std::memcpy(&value, &bits, sizeof value);
    if (std::isnan(value)) continue;
    const std::string text = exact_text(value);
    CHECK(same_bits(parse(text), value));
  }
}

}  // namespace

TEST_CASE("exact_text: every double parses back to the same bits", "[export]") {
  check_random_numbers<double>(std::mt19937_64(20190701), [](const std::string& t) { return std::strtod(t.c_str(), nullptr); });
  const double lowest = std::numeric_limits<double>::denorm_min(), highest = std::numeric_limits<double>::max();
  for (double value : {0.1, 1.0 / 3, -0.0, lowest, highest, 68955.0, 0.15394788844992235}) {
    CHECK(same_bits(std::strtod(exact_text(value).c_str(), nullptr), value));
  }
  CHECK(exact_text(0.1) == "0.1");  // shortest, not %.17g's 0.10000000000000001
  CHECK(exact_text(68955.0) == "68955");
  CHECK(exact_text(-0.0) == "-0");
  CHECK(exact_text(std::nan("")) == "nan");
  CHECK(exact_text(-std::nan("")) == "nan");
  CHECK(exact_text(std::numeric_limits<double>::infinity()) == "inf");
}

TEST_CASE("exact_text: every float parses back to the same float", "[export]") {
  check_random_numbers<float>(std::mt19937(2019), [](const std::string& t) { return std::strtof(t.c_str(), nullptr); });
  // Read as a double first (as spreadsheets and numpy do), it still rounds to the same float.
  check_random_numbers<float>(std::mt19937(2020), [](const std::string& t) {
    return static_cast<float>(std::strtod(t.c_str(), nullptr));
  });
  CHECK(exact_text(0.1f) == "0.1");  // the float's digits, not its double's 0.10000000149011612
  CHECK(exact_text(static_cast<float>(std::nan(""))) == "nan");
}

TEST_CASE("csv_quote: commas, quotes and line breaks, carriage returns too", "[export][csv]") {
  CHECK(pcnsim::csv_quote("C000") == "C000");
  CHECK(pcnsim::csv_quote("30,000-50,000") == "\"30,000-50,000\"");
  CHECK(pcnsim::csv_quote("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(pcnsim::csv_quote("a\rb") == "\"a\rb\"");
  CHECK(pcnsim::csv_quote("a\nb") == "\"a\nb\"");
}

TEST_CASE("AtomicDirectory: the directory appears complete at commit, or not at all", "[export][output]") {
  TempDir dir;
  const std::string target = dir.file("csv");
  {
    pcnsim::AtomicDirectory output(target, false);
    std::ofstream(output.temp_path() + "/a.csv") << "x\n1\n";
    CHECK_FALSE(fs::exists(target));
    output.commit();
  }
  CHECK(read_bytes(target + "/a.csv") == "x\n1\n");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);  // no temporary left
  {
    pcnsim::AtomicDirectory output(dir.file("never"), false);
    std::ofstream(output.temp_path() + "/a.csv") << "half";
  }  // not committed (an error while writing): nothing is left
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("AtomicDirectory: a directory that is not empty needs overwrite", "[export][output]") {
  TempDir dir;
  const std::string target = dir.file("csv");
  fs::create_directory(target);
  { pcnsim::AtomicDirectory(target, false).commit(); }  // an empty directory is replaced
  std::ofstream(target + "/old.csv") << "old";
  CHECK_THROWS_AS(pcnsim::AtomicDirectory(target, false), pcnsim::InputError);
  CHECK_THROWS_WITH(pcnsim::AtomicDirectory(target, false), Catch::Contains("--overwrite"));
  CHECK(read_bytes(target + "/old.csv") == "old");
  {
    pcnsim::AtomicDirectory output(target, true);
    std::ofstream(output.temp_path() + "/new.csv") << "new";
    CHECK(read_bytes(target + "/old.csv") == "old");  // kept until the new one is complete
    output.commit();
  }
  CHECK_FALSE(fs::exists(target + "/old.csv"));
  CHECK(read_bytes(target + "/new.csv") == "new");
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
  std::ofstream(dir.file("file")) << "x";
  CHECK_THROWS_WITH(pcnsim::AtomicDirectory(dir.file("file"), true), Catch::Contains("not a directory"));
}
