#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/kernel/input_file.hpp"

using namespace pcnsim;
namespace fs = std::filesystem;

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

TEST_CASE("control characters in a CSV field are errors naming line, column and column name", "[csv]") {
  try {
    parse_csv(std::string("code,name\nA1,ok\nA8\0" "02,x\nB1,esc\x1b\nC1,c1\xc2\x85\n", 40), "ctl.csv");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    REQUIRE(e.problems().size() == 3);
    CHECK(e.problems()[0].to_string() ==
          "ctl.csv:3:3: 'code': a control character (U+0000) in a field; only tabs, and line breaks inside quotes, are allowed");
    CHECK(e.problems()[1].to_string().rfind("ctl.csv:4:7: 'name': a control character (U+001B)", 0) == 0);
    CHECK(e.problems()[2].to_string().rfind("ctl.csv:5:6: 'name': a control character (U+0085)", 0) == 0);
  }
  // Lenient reading leaves the row out and lists it.
  const auto lenient = parse_csv(std::string("code\nA1\nA\0" "2\n", 12), "l.csv", true);
  CHECK(lenient.rows.size() == 1);
  REQUIRE(lenient.row_problems.size() == 1);
  CHECK(lenient.row_problems[0].line == 3);
  // Tabs anywhere, and line breaks inside quotes, are text.
  const auto ok = parse_csv("a,b\n\tx\t,\"two\nlines\"\n", "ok.csv");
  REQUIRE(ok.rows.size() == 1);
  CHECK(ok.rows[0].fields[0] == "x");
  CHECK(ok.rows[0].fields[1] == "two\nlines");
  CHECK_THROWS_WITH(parse_csv(std::string("a\0,b\n1,2\n", 9), "h.csv"), Catch::Contains("h.csv:1:2: a control character (U+0000)"));
}

TEST_CASE("only regular CSV files up to 256 MiB are read", "[csv]") {
  CHECK_THROWS_WITH(read_csv("/dev/zero"), "error: /dev/zero: is a character device, expected a CSV file (only regular files are read)");
  CHECK_THROWS_WITH(read_csv("/dev/urandom"), Catch::Contains("character device"));
  const fs::path dir = fs::temp_directory_path() / ("pcnsim-test-csv-files-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string fifo = (dir / "fifo.csv").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(read_csv(fifo), Catch::Contains("fifo.csv: is a FIFO (named pipe), expected a CSV file"));
  const std::string big = (dir / "big.csv").string();
  std::ofstream(big).close();
  fs::resize_file(big, kMaxCsvFileBytes + 1);  // sparse: nothing is written
  CHECK_THROWS_WITH(read_csv(big), Catch::Contains("big.csv: is larger than the 256 MiB limit for a CSV file"));
  fs::remove_all(dir);
}
