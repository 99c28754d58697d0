// The performance suite, every figure the first run of a fresh process (as a
// user meets it: first-touch page faults included, nothing warmed up):
//   - the full-England 5-year weekly run, in a child process: the simulation
//     alone (and its formation), then with writing the HDF5 file;
//   - whole `pcnsim run scenarios/baseline.yaml --out F.h5` invocations (the
//     pcnsim binary beside this one, or --pcnsim PATH): wall, CPU, page
//     faults, peak memory and the file's size;
//   - synthetic populations of 1x, 4x and 16x England (6,609 practices in 135
//     commissioners, times 1, 4, 16), simulation only, with the scaling
//     exponent of the median wall time in the number of practices (least
//     squares on log-log; 1 = linear).
// Each repeat is a new child (fork, or fork + exec for pcnsim); CPU (user +
// system), page faults (minor + major) and peak memory are the child's own,
// from wait4. Times: fastest and median over REPEATS fresh processes
// (REPEATS/3 at 16x). --levels adds `pcnsim run --compression L` for L in
// 0,1,2,4,6,9 (how the default level was chosen).
// Usage: bench_suite [REPEATS] [--quick] [--levels] [--pcnsim PATH]
// (--quick: 1x and 4x only). Prints Markdown tables for bench/README.md.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "pcnsim/io/writer.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

/// One fresh process: what it reported through the pipe (forked children)
/// and what the kernel counted for it.
struct Sample {
  double wall_s = 0, cpu_s = 0, formation_s = 0, peak_mib = 0, file_mb = 0;
  long page_faults = 0;
  std::size_t practices = 0, networks = 0;
  bool ok = false;
};

struct Row {
  std::string what;
  std::vector<Sample> samples;
};

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double cpu_seconds(const rusage& u) {
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

void add_usage(Sample& s, const rusage& u, int status) {
  s.cpu_s = cpu_seconds(u);
  s.page_faults = u.ru_minflt + u.ru_majflt;
  s.peak_mib = static_cast<double>(u.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  s.ok = s.ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

fs::path temp_file(const char* tag) {
  return fs::temp_directory_path() / ("pcnsim-bench-" + std::string(tag) + "-" + std::to_string(getpid()) + ".h5");
}

// One run in a forked child: the simulation, and the file when `write`; the
// child's own wall time (without fork and exit) comes back through a pipe.
Sample fresh_run(const pcnsim::Scenario& scenario, bool write) {
  int fd[2];
  if (pipe(fd) != 0) std::perror("pipe");
  const pid_t child = fork();
  if (child == 0) {
    close(fd[0]);
    const auto t0 = Clock::now();
    // As `pcnsim run` does: the run to be written compresses its weekly arrays as they come.
    const auto run = pcnsim::run_simulation(scenario, 0, {}, write ? scenario.output.gzip_level : 0);
    double file_mb = 0;
    if (write) {
      const fs::path path = temp_file("run");
      pcnsim::write_run(run, path.string());
      file_mb = static_cast<double>(fs::file_size(path)) / 1e6;
      fs::remove(path);
    }
    const double out[5] = {seconds_since(t0), run.formation_seconds, file_mb,
                           static_cast<double>(run.world.practices.size()), static_cast<double>(run.world.networks.size())};
    _exit(::write(fd[1], out, sizeof out) == static_cast<ssize_t>(sizeof out) ? 0 : 1);
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
  Sample s;
  s.ok = got == sizeof in;
  s.wall_s = in[0];
  s.formation_s = in[1];
  s.file_mb = in[2];
  s.practices = static_cast<std::size_t>(in[3]);
  s.networks = static_cast<std::size_t>(in[4]);
  add_usage(s, usage, status);
  return s;
}

// A whole `pcnsim run` process as a user starts it; wall from spawn to exit.
Sample pcnsim_run(const std::string& binary, const std::string& scenario, int compression) {
  const fs::path out = temp_file("cli");
  std::vector<std::string> args{binary, "run", scenario, "--out", out.string(), "--overwrite"};
  if (compression >= 0) {
    args.emplace_back("--compression");
    args.push_back(std::to_string(compression));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t quiet;
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  Sample s;
  const auto t0 = Clock::now();
  pid_t child = 0;
  s.ok = posix_spawn(&child, binary.c_str(), &quiet, nullptr, argv.data(), environ) == 0;
  posix_spawn_file_actions_destroy(&quiet);
  int status = 0;
  rusage usage{};
  if (s.ok) wait4(child, &status, 0, &usage);
  s.wall_s = seconds_since(t0);
  add_usage(s, usage, status);
  std::error_code ec;
  if (s.ok) s.file_mb = static_cast<double>(fs::file_size(out, ec)) / 1e6;
  fs::remove(out, ec);
  return s;
}

Row repeat(const std::string& what, int repeats, const std::function<Sample()>& one) {
  Row row{what, {}};
  for (int r = 0; r < repeats; ++r) row.samples.push_back(one());
  return row;
}

template <class F>
double median_of(const std::vector<Sample>& samples, F field) {
  std::vector<double> v;
  for (const auto& s : samples) v.push_back(static_cast<double>(field(s)));
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

double fastest_wall(const std::vector<Sample>& samples) {
  double best = samples.front().wall_s;
  for (const auto& s : samples) best = std::min(best, s.wall_s);
  return best;
}

/// "1.234 s", or "-" for a figure the configuration does not have.
std::string figure(double value, const char* format) {
  if (value <= 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

void print_rows(const std::vector<Row>& rows) {
  std::printf("| what | practices | networks | processes | fastest wall | median wall | median CPU | median page faults "
              "| formation | peak memory | file |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& row : rows) {
    const auto& s = row.samples;
    const bool failed = std::any_of(s.begin(), s.end(), [](const Sample& x) { return !x.ok; });
    auto median = [&](auto field) { return median_of(s, field); };
    std::printf("| %s%s | %s | %s | %zu | %.3f s | %.3f s | %.3f s | %.0f | %s | %.0f MiB | %s |\n", row.what.c_str(),
                failed ? " (FAILED)" : "", figure(static_cast<double>(s.front().practices), "%.0f").c_str(),
                figure(static_cast<double>(s.front().networks), "%.0f").c_str(), s.size(), fastest_wall(s),
                median([](const Sample& x) { return x.wall_s; }), median([](const Sample& x) { return x.cpu_s; }),
                median([](const Sample& x) { return x.page_faults; }),
                figure(median([](const Sample& x) { return x.formation_s; }), "%.3f s").c_str(),
                median([](const Sample& x) { return x.peak_mib; }),
                figure(median([](const Sample& x) { return x.file_mb; }), "%.2f MB").c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  int repeats = 5;
  bool quick = false, levels = false;
  std::string binary = (fs::read_symlink("/proc/self/exe").parent_path() / "pcnsim").string();
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--levels") == 0) {
      levels = true;
    } else if (std::strcmp(argv[i], "--pcnsim") == 0 && i + 1 < argc) {
      binary = argv[++i];
    } else {
      repeats = std::max(1, std::atoi(argv[i]));
    }
  }
  const std::string scenarios = PCNSIM_SOURCE_DIR "/scenarios/";
  const pcnsim::Scenario england = pcnsim::load_scenario(scenarios + "baseline.yaml");
  std::vector<Row> rows;
  rows.push_back(repeat("England, 5 years weekly (simulation)", repeats, [&] { return fresh_run(england, false); }));
  rows.push_back(repeat("England, 5 years weekly + writing the HDF5 file", repeats,
                        [&] { return fresh_run(england, true); }));
  rows.push_back(repeat("`pcnsim run scenarios/baseline.yaml --out F.h5` (whole process)", repeats,
                        [&] { return pcnsim_run(binary, scenarios + "baseline.yaml", -1); }));
  if (levels) {
    for (const int level : {0, 1, 2, 4, 6, 9}) {
      rows.push_back(repeat("`pcnsim run ... --compression " + std::to_string(level) + "`", repeats,
                            [&] { return pcnsim_run(binary, scenarios + "baseline.yaml", level); }));
    }
  }
  std::vector<Row> scaling;
  for (const int factor : quick ? std::vector<int>{1, 4} : std::vector<int>{1, 4, 16}) {
    const pcnsim::Scenario synthetic = pcnsim::load_scenario(
        scenarios + "baseline.yaml",
        {{"population.source", "synthetic"},
         {"population.synthetic.practices", std::to_string(6609 * factor)},
         {"population.synthetic.commissioners", std::to_string(135 * factor)}});
    scaling.push_back(repeat("synthetic, " + std::to_string(factor) + "x England (simulation)",
                             factor >= 16 ? std::max(1, repeats / 3) : repeats,
                             [&] { return fresh_run(synthetic, false); }));
  }
  // Least-squares slope of log(median wall) against log(practices).
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const auto& row : scaling) {
    const double x = std::log(static_cast<double>(row.samples.front().practices));
    const double y = std::log(median_of(row.samples, [](const Sample& s) { return s.wall_s; }));
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double n = static_cast<double>(scaling.size());
  const double exponent = (n * sxy - sx * sy) / (n * sxx - sx * sx);

  rows.insert(rows.end(), scaling.begin(), scaling.end());
  print_rows(rows);
  std::printf("\nscaling exponent of the median wall time in practices (1x to %dx England, fresh processes): %.3f\n",
              quick ? 4 : 16, exponent);
  return 0;
}
