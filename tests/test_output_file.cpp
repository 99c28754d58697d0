// Tests of atomic output files (pcnsim::AtomicOutput).
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "temp_dir_helpers.hpp"

namespace fs = std::filesystem;
using pcnsim::h5::File;
using pcnsim::testing::read_bytes;
using pcnsim::testing::TempDir;

TEST_CASE("AtomicOutput: commit renames the temporary file into place", "[output]") {
  TempDir dir;
  const std::string target = dir.file("out.h5");
  std::string temp;
  {
    pcnsim::AtomicOutput output(target, false);
    temp = output.temp_path();
    CHECK(output.final_path() == target);
    CHECK(fs::path(temp).parent_path() == dir.path);
    CHECK(temp.rfind(target + ".tmp-" + std::to_string(::getpid()) + "-", 0) == 0);
    File file = File::create(temp);
    file.write("/x", std::vector<double>{1, 2});
    file.flush();
    file.close();
    CHECK_FALSE(fs::exists(target));
    output.commit();
  }
  CHECK_FALSE(fs::exists(temp));
  REQUIRE(fs::exists(target));
  CHECK(File::open_read(target).read_doubles("/x") == std::vector<double>{1, 2});
}

TEST_CASE("AtomicOutput: the temporary file is removed unless committed", "[output]") {
  TempDir dir;
  const std::string target = dir.file("out.h5");
  std::string temp;
  {
    pcnsim::AtomicOutput output(target, false);
    temp = output.temp_path();
    File::create(temp).close();
    CHECK(fs::exists(temp));
  }
  CHECK_FALSE(fs::exists(temp));
  CHECK_FALSE(fs::exists(target));
  CHECK(fs::is_empty(dir.path));
}

TEST_CASE("AtomicOutput: existing files need overwrite", "[output]") {
  TempDir dir;
  const std::string target = dir.file("out.h5");
  std::ofstream(target) << "old";
  try {
    pcnsim::AtomicOutput output(target, false);
    FAIL("an existing file was accepted without overwrite");
  } catch (const pcnsim::InputError& e) {
    REQUIRE(e.problems().size() == 1);
    CHECK(e.problems()[0].file == target);
    CHECK_THAT(e.problems()[0].message, Catch::Contains("already exists") && Catch::Contains("--overwrite"));
  }
  // Nothing but the original file: no temporary file was left behind.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("AtomicOutput: overwrite replaces an existing file on commit", "[output]") {
  TempDir dir;
  const std::string target = dir.file("out.txt");
  std::ofstream(target) << "old";
  {
    pcnsim::AtomicOutput output(target, true);
    std::ofstream(output.temp_path()) << "new";
    CHECK(read_bytes(target) == "old");  // untouched until commit
    output.commit();
  }
  CHECK(read_bytes(target) == "new");
}

TEST_CASE("AtomicOutput: refuses a directory", "[output]") {
  TempDir dir;
  fs::create_directory(dir.path / "sub");
  for (bool overwrite : {false, true}) {
    try {
      pcnsim::AtomicOutput output(dir.file("sub"), overwrite);
      FAIL("a directory was accepted as output file");
    } catch (const pcnsim::InputError& e) {
      CHECK(e.problems()[0].file == dir.file("sub"));
      CHECK_THAT(e.problems()[0].message, Catch::Contains("directory"));
    }
  }
}

TEST_CASE("AtomicOutput: creates one missing directory level only", "[output]") {
  TempDir dir;
  {
    pcnsim::AtomicOutput output(dir.file("new/out.h5"), false);
    CHECK(fs::is_directory(dir.path / "new"));
  }
  CHECK_THROWS_AS(pcnsim::AtomicOutput(dir.file("a/b/out.h5"), false), pcnsim::InputError);
  CHECK_FALSE(fs::exists(dir.path / "a"));
}

TEST_CASE("AtomicOutput: refuses a directory it cannot write", "[output]") {
  TempDir dir;
  // A parent that is a regular file fails for every user, root included.
  std::ofstream(dir.file("plain")) << "x";
  CHECK_THROWS_AS(pcnsim::AtomicOutput(dir.file("plain/out.h5"), false), pcnsim::InputError);
  CHECK_THROWS_AS(pcnsim::AtomicOutput(dir.file("plain/sub/out.h5"), false), pcnsim::InputError);

  // Directories no one can create files in, root included (CI runs as root):
  // sysfs creates no files on request. Other users also meet a directory
  // without write permission (root would write there anyway).
  REQUIRE(fs::is_directory("/sys"));
  std::vector<fs::path> unwritable{"/sys", "/sys/kernel"};
  const fs::path locked = dir.path / "locked";
  fs::create_directory(locked);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
  if (::geteuid() != 0) unwritable.push_back(locked);
  for (const auto& d : unwritable) {
    INFO(d);
    try {
      pcnsim::AtomicOutput output((d / "out.h5").string(), false);
      FAIL("an unwritable directory was accepted");
    } catch (const pcnsim::InputError& e) {
      CHECK(e.problems()[0].file == (d / "out.h5").string());
      CHECK_THAT(e.problems()[0].message, Catch::Contains("cannot write"));
    }
    CHECK_FALSE(fs::exists(d / "out.h5"));
  }
  fs::permissions(locked, fs::perms::owner_all);
  CHECK(fs::is_empty(locked));
}

TEST_CASE("AtomicOutput: a file another process created meanwhile is kept", "[output]") {
  TempDir dir;
  const std::string target = dir.file("race.h5");
  std::string temp;
  {
    pcnsim::AtomicOutput out(target, false);
    temp = out.temp_path();
    std::ofstream(out.temp_path()) << "ours";
    std::ofstream(target) << "theirs";  // the other run finished first
    try {
      out.commit();
      FAIL("commit replaced a file created meanwhile");
    } catch (const pcnsim::InputError& e) {
      CHECK(std::string(e.what()).find("--overwrite") != std::string::npos);
    }
  }
  CHECK(read_bytes(target) == "theirs");
  CHECK_FALSE(std::filesystem::exists(temp));  // this run's temporary file is gone, not left behind
}

TEST_CASE("AtomicOutput: temporary files of processes that no longer run are removed", "[output]") {
  TempDir dir;
  const std::string target = dir.file("run.h5");
  // A pid no process has (kill reports ESRCH), and this process's own pid.
  long dead = 4194000;
  while (dead > 1 && !(::kill(static_cast<pid_t>(dead), 0) != 0 && errno == ESRCH)) --dead;
  const std::string stale = target + ".tmp-" + std::to_string(dead) + "-0";
  const std::string alive = target + ".tmp-" + std::to_string(::getpid()) + "-9999";
  const std::string other = dir.file("other.h5.tmp-" + std::to_string(dead) + "-0");
  for (const auto& path : {stale, alive, other}) std::ofstream(path) << "partial";
  {
    pcnsim::AtomicOutput out(target, false);
    CHECK_FALSE(std::filesystem::exists(stale));
    CHECK(std::filesystem::exists(alive));  // its process runs: maybe still writing
    CHECK(std::filesystem::exists(other));  // another output's temporaries are not this one's business
  }
  CHECK(std::filesystem::exists(alive));
}
