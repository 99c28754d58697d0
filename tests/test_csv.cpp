#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/errors.hpp"

using namespace pcnsim;

namespace {

const std::string kData = PCNSIM_TEST_DATA_DIR;

}  // namespace

TEST_CASE("CSV parsing handles quotes, CRLF, BOM and blank lines", "[csv]") {
  const auto t = parse_csv("\xEF\xBB\xBF" "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n2,, 3 \n", "t.csv");
  REQUIRE(t.header == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0].fields[1] == "x, y");
  CHECK(t.rows[0].fields[2] == "say \"hi\"");
  CHECK(t.rows[1].line == 4);
  CHECK(t.rows[1].fields[2] == "3");
  CHECK(t.column({"B"}) == 1u);
  CHECK_FALSE(t.column({"d"}));
}

TEST_CASE("CSV errors name every bad line", "[csv]") {
  try {
    parse_csv("a,b\n1,2\n3\n4,5,6\n", "bad.csv");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    REQUIRE(e.problems().size() == 2);
    CHECK(e.problems()[0].line == 3);
    CHECK(e.problems()[1].line == 4);
    CHECK_THAT(e.problems()[1].message, Catch::Contains("expected 2 fields"));
  }
  CHECK_THROWS_WITH(parse_csv("", "empty.csv"), Catch::Contains("empty"));
  CHECK_THROWS_WITH(parse_csv("a,b\n\"1,2\n", "q.csv"), Catch::Contains("unterminated"));
  CHECK_THROWS_WITH(read_csv(kData + "/no-such-file.csv"), Catch::Contains("not found"));
  CHECK_THROWS_WITH(read_csv(kData), Catch::Contains("directory"));
}
