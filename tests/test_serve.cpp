// `pcnsim serve`'s pure pieces: run ids, the static file check, float32
// numbers in JSON, and the ensemble's week observer the time limit uses.
// The HTTP API itself is tested end to end in tests/python/test_serve_api.py.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "pcnsim/app/serve.hpp"
#include "pcnsim/app/serve_json.hpp"
#include "pcnsim/engine/ensemble.hpp"

using namespace pcnsim;
namespace fs = std::filesystem;

TEST_CASE("run ids are 16 hex digits of the resolved scenario and the replicates", "[serve]") {
  const std::string a = run_id("name: a\nseed: 1\n", 1);
  CHECK(a.size() == 16);
  CHECK(is_run_id(a));
  CHECK(run_id("name: a\nseed: 1\n", 1) == a);  // the same request, the same id
  CHECK(run_id("name: a\nseed: 2\n", 1) != a);
  CHECK(run_id("name: a\nseed: 1\n", 2) != a);
  CHECK(run_id("", 1) != run_id("", 10));
  // FNV-1a is fixed: ids of files already in a cache stay valid across versions.
  CHECK(run_id("", 1) == run_id("", 1));
  CHECK_FALSE(is_run_id("0123456789ABCDEF"));
  CHECK_FALSE(is_run_id("0123456789abcde"));
  CHECK_FALSE(is_run_id("0123456789abcdeg"));
  CHECK_FALSE(is_run_id("../../etc/passwd"));
  CHECK(is_run_id("0123456789abcdef"));
}

TEST_CASE("static files: only regular files inside the folder, by plain names", "[serve]") {
  const fs::path base = fs::temp_directory_path() / ("pcnsim-serve-" + std::to_string(::getpid()));
  fs::remove_all(base);
  const fs::path root = base / "dist";
  fs::create_directories(root / "assets");
  std::ofstream(root / "index.html") << "<!doctype html>";
  std::ofstream(root / "assets" / "app.js") << "1;";
  std::ofstream(root / "assets" / "index.html") << "assets";
  std::ofstream(root / ".secret") << "hidden";
  std::ofstream(base / "outside.txt") << "outside";
  fs::create_symlink(base / "outside.txt", root / "link.txt");
  const std::string r = root.string();
  const std::string real_root = fs::canonical(root).string();

  CHECK(static_file(r, "/") == real_root + "/index.html");
  CHECK(static_file(r, "/index.html") == real_root + "/index.html");
  CHECK(static_file(r, "/assets/app.js") == real_root + "/assets/app.js");
  CHECK(static_file(r, "/assets/") == real_root + "/assets/index.html");
  for (const char* refused : {"", "index.html", "/../outside.txt", "/assets/../index.html", "/./index.html",
                              "//etc/passwd", "/etc/passwd/..", "/.secret", "/link.txt", "/assets", "/missing.js",
                              "/assets//app.js", "/assets\\app.js", "/index.html\x01", "/..", "/.../x"}) {
    INFO(refused);
    CHECK_FALSE(static_file(r, refused));
  }
  CHECK_FALSE(static_file((base / "missing").string(), "/index.html"));
  CHECK(content_type_of("a/b.js") == "text/javascript; charset=utf-8");
  CHECK(content_type_of("x.h5") == "application/octet-stream");
  fs::remove_all(base);
}

TEST_CASE("float32 values in JSON are the shortest decimals that read back exactly", "[serve]") {
  CHECK(explorer::float32_number(static_cast<double>(0.3f)).get<double>() == 0.3);
  CHECK(static_cast<float>(explorer::float32_number(static_cast<double>(1.0f / 3.0f)).get<double>()) == 1.0f / 3.0f);
  CHECK(explorer::float32_number(std::nan("")).is_null());
  CHECK(explorer::float32_number(0.0).get<double>() == 0.0);
}

TEST_CASE("an ensemble's week observer sees every week and can abandon the run", "[serve][ensemble]") {
  Scenario s;
  s.population.source = "synthetic";
  s.population.synthetic.practices = 20;
  s.population.synthetic.commissioners = 1;
  s.calendar.end = Date::from_ymd(2019, 12, 31);
  const int steps = Calendar(s.calendar.start, s.calendar.end).steps();
  std::atomic<int> weeks{0};
  const Ensemble e = run_ensemble(s, 3, 2, nullptr, [&](int, const World&) { ++weeks; });
  CHECK(e.replicates.size() == 3);
  CHECK(weeks == 3 * steps);
  // Thrown by the observer: the ensemble stops and rethrows it.
  std::atomic<int> seen{0};
  CHECK_THROWS_WITH(run_ensemble(s, 3, 1, nullptr,
                                 [&](int step, const World&) {
                                   ++seen;
                                   if (step == 5) throw std::runtime_error("time limit");
                                 }),
                    "time limit");
  CHECK(seen == 6);  // one replicate, steps 0-5, and no other started after it threw
}
