#pragma once
// `pcnsim serve`: the explorer's local web server (docs/explorer.md). It
// serves the front end's static files and a JSON API that runs library
// scenarios (with `--set`-style changes) on a bounded pool of workers, caches
// each run's HDF5 file by the hash of its resolved scenario, and answers
// every question about a run from that file.
#include <cstdint>
#include <optional>
#include <string>

namespace pcnsim {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                        // 0 = any free port (the one chosen is printed)
  std::string static_dir = "web/dist";    // the front end
  std::string cache_dir = "outputs/explorer";
  std::string scenarios_dir = "scenarios";  // the scenario library (requests name its files)
  int max_replicates = 20;
  int max_concurrent = 2;                 // runs at once
  int max_queue = 8;                      // runs waiting beyond those
  double time_limit_seconds = 120;        // a run still going after this fails
};

/// Largest request body accepted (413 beyond).
inline constexpr std::size_t kMaxRequestBody = 64 * 1024;

/// Serves until SIGINT or SIGTERM (then returns 130 or 143, runs in progress
/// abandoned and their temporary files removed). Throws InputError when the
/// options are unusable (the port cannot be bound, the cache cannot be made).
int serve(const ServeOptions& options);

/// The id of a run: 16 hex digits of a 64-bit hash (FNV-1a) of the resolved
/// scenario YAML and the number of replicates.
std::string run_id(const std::string& resolved_scenario_yaml, int replicates);

/// True for what run_id returns: exactly 16 lower-case hex digits.
bool is_run_id(const std::string& text);

/// The file under `root` a request path names (as the HTTP library decoded
/// it): "/" is index.html, a path ending in "/" its index.html. Nothing for
/// a path with an empty, "." or ".." segment, a backslash, a NUL or a
/// control character, a segment starting with '.', or one that is not a
/// regular file inside `root` once symbolic links are resolved.
std::optional<std::string> static_file(const std::string& root, const std::string& request_path);

/// The Content-Type of a static file, by its extension.
std::string content_type_of(const std::string& path);

}  // namespace pcnsim
