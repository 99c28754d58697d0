// The performance suite: wall time and peak memory of
//   - the full-England 5-year weekly run (and its formation alone, and the run
//     with writing the HDF5 file),
//   - synthetic populations of 1x, 4x and 16x England (6,609 practices in 135
//     commissioners, times 1, 4, 16), with the scaling exponent of run time in
//     the number of practices (least squares on log-log; 1 = linear).
// Each configuration runs in a child process (fork), so its peak resident
// memory (wait4's ru_maxrss) is its own. Times: fastest and median of the
// repeats. Usage: bench_suite [REPEATS] [--quick] (--quick: 1x and 4x only).
// Prints a Markdown table for bench/README.md.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "pcnsim/scenario.hpp"
#include "pcnsim/simulation.hpp"
#include "pcnsim/writer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Measure {
  std::string what;
  std::size_t practices = 0, networks = 0;
  double min_s = 0, median_s = 0, formation_min_s = 0;
  double peak_mib = 0;
};

int write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = write(fd, p, size);
    if (n <= 0) return -1;
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Runs `repeats` times in a child process; returns times and the child's peak memory.
Measure measure(const std::string& what, const pcnsim::Scenario& scenario, int repeats, bool write) {
  int fd[2];
  if (pipe(fd) != 0) std::perror("pipe");
  const pid_t child = fork();
  if (child == 0) {
    close(fd[0]);
    std::vector<double> totals, formations;
    std::size_t practices = 0, networks = 0;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = Clock::now();
      const auto run = pcnsim::run_simulation(scenario);
      if (write) {
        const auto path = std::filesystem::temp_directory_path() / ("pcnsim-bench-" + std::to_string(getpid()) + ".h5");
        pcnsim::write_run(run, path.string());
        std::filesystem::remove(path);
      }
      totals.push_back(seconds_since(t0));
      formations.push_back(run.formation_seconds);
      practices = run.world.practices.size();
      networks = run.world.networks.size();
    }
    std::sort(totals.begin(), totals.end());
    const double out[5] = {totals.front(), totals[totals.size() / 2],
                           *std::min_element(formations.begin(), formations.end()), static_cast<double>(practices),
                           static_cast<double>(networks)};
    if (write_all(fd[1], out, sizeof out) != 0) _exit(1);
    _exit(0);
  }
  close(fd[1]);
  double in[5] = {0, 0, 0, 0, 0};
  std::size_t got = 0;
  while (got < sizeof in) {
    const ssize_t n = read(fd[0], reinterpret_cast<char*>(in) + got, sizeof in - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(fd[0]);
  int status = 0;
  rusage usage{};
  wait4(child, &status, 0, &usage);
  Measure m;
  m.what = what;
  m.min_s = in[0];
  m.median_s = in[1];
  m.formation_min_s = in[2];
  m.practices = static_cast<std::size_t>(in[3]);
  m.networks = static_cast<std::size_t>(in[4]);
  m.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  if (got != sizeof in || !WIFEXITED(status) || WEXITSTATUS(status) != 0) m.what += " (FAILED)";
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 5;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else {
      repeats = std::max(1, std::atoi(argv[i]));
    }
  }
  const std::string scenarios = PCNSIM_SOURCE_DIR "/scenarios/";
  const pcnsim::Scenario england = pcnsim::load_scenario(scenarios + "baseline.yaml");
  std::vector<Measure> rows;
  rows.push_back(measure("England, 5 years weekly (simulation)", england, repeats, false));
  rows.push_back(measure("England, 5 years weekly + writing the HDF5 file", england, std::max(1, repeats / 2), true));
  std::vector<Measure> scaling;
  for (const int factor : quick ? std::vector<int>{1, 4} : std::vector<int>{1, 4, 16}) {
    const pcnsim::Scenario synthetic = pcnsim::load_scenario(
        scenarios + "baseline.yaml",
        {{"population.source", "synthetic"},
         {"population.synthetic.practices", std::to_string(6609 * factor)},
         {"population.synthetic.commissioners", std::to_string(135 * factor)}});
    scaling.push_back(measure("synthetic, " + std::to_string(factor) + "x England", synthetic,
                              factor >= 16 ? std::max(1, repeats / 3) : std::max(1, repeats / 2), false));
  }
  // Least-squares slope of log(time) against log(practices).
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& m : scaling) {
    const double x = std::log(static_cast<double>(m.practices)), y = std::log(m.min_s);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double n = static_cast<double>(scaling.size());
  const double exponent = (n * sxy - sx * sy) / (n * sxx - sx * sx);

  std::printf("| what | practices | networks | fastest | median | formation | peak memory |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  rows.insert(rows.end(), scaling.begin(), scaling.end());
  for (const auto& m : rows) {
    std::printf("| %s | %zu | %zu | %.3f s | %.3f s | %.3f s | %.0f MiB |\n", m.what.c_str(), m.practices, m.networks,
                m.min_s, m.median_s, m.formation_min_s, m.peak_mib);
  }
  std::printf("\nscaling exponent of run time in practices (1x to %dx England): %.3f\n", quick ? 4 : 16, exponent);
  return 0;
}
