// The output registry (pcnsim::OutputCatalogue, kernel/outputs.hpp) and the
// catalogue of a run file built on it.
#include <catch2/catch.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "pcnsim/io/run_tables.hpp"
#include "pcnsim/kernel/outputs.hpp"

using namespace pcnsim;

TEST_CASE("the output catalogue declares each path once and names unknown paths", "[outputs]") {
  OutputCatalogue catalogue;
  catalogue.add({"/networks/size", {"network"}, Dtype::int32, "", "members per network", "formation"});
  const OutputInfo& added = catalogue.add({"/series/x", {"step"}, Dtype::float64, "GBP", "x per week", "funding"});
  CHECK(added.path == "/series/x");
  CHECK_THROWS_AS(catalogue.add({"/series/x", {"step"}, Dtype::float64, "", "again", "arrs"}), std::logic_error);
  CHECK(catalogue.all().size() == 2);
  CHECK(catalogue.at("/series/x").units == "GBP");
  CHECK(catalogue.find("/networks/size") == &catalogue.at("/networks/size"));
  CHECK(catalogue.find("/no/such/dataset") == nullptr);
  try {
    catalogue.at("/no/such/dataset");
    FAIL("at() of an undeclared path did not throw");
  } catch (const std::logic_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("/no/such/dataset"));
  }
}

TEST_CASE("the output catalogue's Markdown has one heading per top-level group", "[outputs]") {
  OutputCatalogue catalogue;
  // Declarations of a group interleaved with another's.
  catalogue.add({"/networks/size", {"network"}, Dtype::int32, "", "members per network", "formation"});
  catalogue.add({"/series/x", {"step"}, Dtype::float64, "GBP", "x per week", "funding"});
  catalogue.add({"/networks/weekly/y", {"step", "network"}, Dtype::float32, "h", "y per week", "gp_workload"});
  catalogue.add({"/series/z", {"step"}, Dtype::float64, "", "z per week", "arrs"});
  std::ostringstream out;
  catalogue.markdown(out);
  const std::string text = out.str();
  auto count = [&](const std::string& needle) {
    int n = 0;
    for (auto k = text.find(needle); k != std::string::npos; k = text.find(needle, k + 1)) ++n;
    return n;
  };
  CHECK(count("### `/networks`") == 1);
  CHECK(count("### `/series`") == 1);
  CHECK(count("### ") == 2);
  // Each group's datasets under its own heading, in declaration order.
  const auto networks = text.find("### `/networks`"), series = text.find("### `/series`");
  REQUIRE(networks < series);
  const auto size = text.find("`/networks/size`"), y = text.find("`/networks/weekly/y`");
  const auto x = text.find("`/series/x`"), z = text.find("`/series/z`");
  REQUIRE(size != std::string::npos);
  REQUIRE(y != std::string::npos);
  REQUIRE(x != std::string::npos);
  REQUIRE(z != std::string::npos);
  CHECK(networks < size);
  CHECK(size < y);
  CHECK(y < series);
  CHECK(series < x);
  CHECK(x < z);
}

TEST_CASE("the run file catalogue declares tables, weekly arrays, series and outcomes", "[outputs]") {
  const OutputCatalogue& catalogue = run_file_catalogue();
  for (const char* path : {"/practices/code", "/networks/weekly/cd_strain", "/series/arrs_wte", "/outcomes/value"}) {
    INFO(path);
    CHECK(catalogue.find(path) != nullptr);
  }
}
