// `pcnsim serve`: HTTP (cpp-httplib), the run pool and the routes of the
// explorer's API (docs/explorer.md). The JSON itself is built in serve_json.cpp.
#include "pcnsim/app/serve.hpp"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "pcnsim/app/load.hpp"
#include "pcnsim/app/serve_json.hpp"
#include "pcnsim/engine/ensemble.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/io/writer.hpp"
#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/kernel/version.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace pcnsim {

using explorer::Json;

// ------------------------------------------------------ pure helpers ---

std::string run_id(const std::string& resolved_scenario_yaml, int replicates) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bits
  const auto mix = [&h](const std::string& text) {
    for (unsigned char c : text) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(resolved_scenario_yaml);
  mix("\n# replicates: " + std::to_string(replicates) + "\n");
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool is_run_id(const std::string& text) {
  return text.size() == 16 &&
         std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

namespace {

// A segment of a static path that may name a file: not empty, not hidden
// (nor "." or ".."), no backslash and no control character.
bool safe_segment(const std::string& s) {
  if (s.empty() || s.front() == '.') return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == '\\';
  });
}

bool inside(const fs::path& root, const fs::path& path) {
  const auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end() && p != path.end();
}

}  // namespace

std::optional<std::string> static_file(const std::string& root, const std::string& request_path) {
  if (request_path.empty() || request_path.front() != '/') return std::nullopt;
  std::string relative = request_path.substr(1);
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  fs::path path = root;
  std::size_t start = 0;
  while (start <= relative.size()) {
    const std::size_t slash = std::min(relative.find('/', start), relative.size());
    const std::string segment = relative.substr(start, slash - start);
    if (!safe_segment(segment)) return std::nullopt;
    path /= segment;
    start = slash + 1;
  }
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  const fs::path real = fs::canonical(path, ec);
  if (ec || !fs::is_regular_file(real, ec) || !inside(real_root, real)) return std::nullopt;
  return real.string();
}

std::string content_type_of(const std::string& path) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".jpg", "image/jpeg"}, {".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"}, {".wasm", "application/wasm"},
      {".geojson", "application/geo+json"}, {".csv", "text/csv; charset=utf-8"}};
  const auto it = types.find(fs::path(path).extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

namespace {

// ---------------------------------------------------------- the runs ---

enum class RunState { queued, running, done, failed };

const char* state_name(RunState s) {
  switch (s) {
    case RunState::queued: return "queued";
    case RunState::running: return "running";
    case RunState::done: return "done";
    case RunState::failed: return "failed";
  }
  return "failed";
}

// One run of the explorer. Guarded by the pool's mutex except weeks_done.
struct RunJob {
  std::string id, scenario;
  int replicates = 1;
  std::int64_t seed = 0;
  RunState state = RunState::queued;
  std::atomic<std::int64_t> weeks_done{0};
  std::int64_t weeks_total = 0;
  std::string error;
  std::vector<std::string> problems;
  double seconds = -1;
  std::optional<Scenario> pending;  // until a worker takes it
};

// Thrown by a run's week observer to abandon it (time limit, shutdown).
struct RunAbandoned : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The bounded pool: `max_concurrent` workers, at most `max_queue` runs
// waiting; every run known by id, in memory or as a file of the cache.
class RunPool {
 public:
  struct Submission {
    std::shared_ptr<RunJob> job;  // nullptr: busy
    bool cached = false;
  };

  explicit RunPool(const ServeOptions& options);
  ~RunPool() { stop(); }
  RunPool(const RunPool&) = delete;
  RunPool& operator=(const RunPool&) = delete;

  Submission submit(const std::string& id, Scenario scenario, int replicates);
  /// The status JSON of a run, or nothing for an unknown id.
  std::optional<Json> status(const std::string& id);
  /// The results file of a finished run, or nothing (with its state, if known).
  std::optional<std::string> results(const std::string& id, std::string* state);
  std::string file_of(const std::string& id) const { return (fs::path(options_.cache_dir) / (id + ".h5")).string(); }
  /// Abandons the runs in progress and joins the workers.
  void stop();

 private:
  void work();
  void execute(RunJob& job, const Scenario& scenario);
  std::shared_ptr<RunJob> find_locked(const std::string& id);

  ServeOptions options_;
  int threads_per_run_ = 1;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::unordered_map<std::string, std::shared_ptr<RunJob>> jobs_;
  std::deque<std::shared_ptr<RunJob>> queue_;
  int active_ = 0;  // queued + running
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
};

RunPool::RunPool(const ServeOptions& options) : options_(options) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads_per_run_ = std::max(1, cores / std::max(1, options.max_concurrent));
  for (int k = 0; k < options.max_concurrent; ++k) workers_.emplace_back([this] { work(); });
}

void RunPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

// A run in memory, else one finished by an earlier server (its file).
std::shared_ptr<RunJob> RunPool::find_locked(const std::string& id) {
  if (auto it = jobs_.find(id); it != jobs_.end()) return it->second;
  const std::string file = file_of(id);
  std::error_code ec;
  if (!is_run_id(id) || !fs::is_regular_file(file, ec)) return nullptr;
  auto job = std::make_shared<RunJob>();
  try {
    const h5::File f = h5::File::open_read(file);
    job->scenario = f.string_attribute("/", "scenario_name");
    job->seed = f.int_attribute("/", "seed");
    job->replicates = static_cast<int>(f.int_attribute("/", "replicates"));
    const auto weeks = f.read_strings("/series/" + f.list("/series").at(0) + "/time").size();
    job->weeks_done = job->weeks_total = static_cast<std::int64_t>(weeks) * job->replicates;
  } catch (const std::exception&) {
    return nullptr;  // not a finished run: made again when asked for
  }
  job->id = id;
  job->state = RunState::done;
  jobs_[id] = job;
  return job;
}

RunPool::Submission RunPool::submit(const std::string& id, Scenario scenario, int replicates) {
  std::lock_guard lock(mutex_);
  if (auto known = find_locked(id); known && known->state != RunState::failed) {
    return {known, known->state == RunState::done};
  }
  if (stopping_ || active_ >= options_.max_concurrent + options_.max_queue) return {};
  auto job = std::make_shared<RunJob>();
  job->id = id;
  job->scenario = scenario.name;
  job->replicates = replicates;
  job->seed = scenario.seed;
  job->weeks_total = static_cast<std::int64_t>(Calendar(scenario.calendar.start, scenario.calendar.end).steps()) *
                     replicates;
  job->pending = std::move(scenario);
  jobs_[id] = job;  // a failed run asked for again is made again
  queue_.push_back(job);
  ++active_;
  wake_.notify_one();
  return {job, false};
}

std::optional<Json> RunPool::status(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto job = find_locked(id);
  if (!job) return std::nullopt;
  const std::int64_t done = job->state == RunState::done ? job->weeks_total : std::min(job->weeks_done.load(), job->weeks_total);
  Json s = {{"id", job->id}, {"status", state_name(job->state)}, {"progress", {{"done", done}, {"total", job->weeks_total}}},
            {"scenario", job->scenario}, {"replicates", job->replicates}, {"seed", job->seed}};
  if (job->state == RunState::failed) {
    s["error"] = job->error;
    if (!job->problems.empty()) s["problems"] = job->problems;
  }
  if (job->seconds >= 0) s["seconds"] = job->seconds;
  return s;
}

std::optional<std::string> RunPool::results(const std::string& id, std::string* state) {
  std::lock_guard lock(mutex_);
  const auto job = find_locked(id);
  if (state) *state = job ? state_name(job->state) : "";
  if (!job || job->state != RunState::done) return std::nullopt;
  return file_of(id);
}

void RunPool::work() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const std::shared_ptr<RunJob> job = queue_.front();
    queue_.pop_front();
    const Scenario scenario = std::move(*job->pending);
    job->pending.reset();
    job->state = RunState::running;
    lock.unlock();
    const auto start = Clock::now();
    std::string error;
    std::vector<std::string> problems;
    try {
      execute(*job, scenario);
    } catch (const RunAbandoned& e) {
      error = e.what();
    } catch (const InputError& e) {
      error = "the run could not be made";
      for (const auto& d : e.problems()) problems.push_back(d.to_string());
    } catch (const std::exception& e) {
      error = std::string("internal error: ") + e.what();
    } catch (...) {
      error = "internal error";
    }
    lock.lock();
    job->seconds = std::chrono::duration<double>(Clock::now() - start).count();
    job->state = error.empty() ? RunState::done : RunState::failed;
    job->error = error;
    job->problems = problems;
    --active_;
  }
}

// Runs the ensemble (replicates on this worker's share of the cores), with
// every week counted and checked against the time limit, and writes its
// file into the cache atomically with the writer `pcnsim run` uses.
void RunPool::execute(RunJob& job, const Scenario& scenario) {
  const auto start = Clock::now();
  const double limit = options_.time_limit_seconds;
  const WeekObserver observe = [&](int, const World&) {
    job.weeks_done.fetch_add(1, std::memory_order_relaxed);
    if (stopping_) throw RunAbandoned("the server stopped before the run finished");
    if (std::chrono::duration<double>(Clock::now() - start).count() > limit) {
      char text[160];
      std::snprintf(text, sizeof text, "time limit: the run was still going after %g s (--time-limit) and was stopped",
                    limit);
      throw RunAbandoned(text);
    }
  };
  AtomicOutput output(file_of(job.id), true);
  const Ensemble ensemble = run_ensemble(scenario, job.replicates, threads_per_run_, nullptr, observe);
  write_run(ensemble.detail, output.temp_path(), &ensemble);
  output.commit();
}

// ------------------------------------------------- responses, errors ---

// An answer other than 200, thrown by a route and sent by guarded().
struct HttpError {
  int status;
  std::string message;
  std::vector<std::string> problems = {};
};

void send_json(httplib::Response& res, const Json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message,
                const std::vector<std::string>& problems = {}) {
  send_json(res, {{"error", message}, {"problems", problems}}, status);
}

HttpError bad_input(const InputError& e) {
  std::vector<std::string> problems;
  for (const auto& d : e.problems()) problems.push_back(d.to_string());
  std::string message = problems.empty() ? e.what() : problems.front();
  if (problems.size() > 1) message += " (" + std::to_string(problems.size()) + " problems: see problems)";
  return {400, message, problems};
}

// Finished answers as text, most recently used kept up to a size: the map of
// an England run is a few MB and its reading a fraction of a second.
class TextCache {
 public:
  explicit TextCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  std::shared_ptr<const std::string> get(const std::string& key) {
    std::lock_guard lock(mutex_);
    const auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }
  void put(const std::string& key, std::shared_ptr<const std::string> text) {
    std::lock_guard lock(mutex_);
    if (index_.count(key) || text->size() > max_bytes_) return;
    bytes_ += text->size();
    order_.emplace_front(key, std::move(text));
    index_[key] = order_.begin();
    while (bytes_ > max_bytes_) {
      bytes_ -= order_.back().second->size();
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const std::string>>;
  std::size_t max_bytes_, bytes_ = 0;
  std::mutex mutex_;
  std::list<Entry> order_;
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

constexpr std::size_t kAnswerCacheBytes = 48u << 20;

// ----------------------------------------------------- run requests ---

struct RunRequest {
  const explorer::LibraryScenario* scenario = nullptr;
  std::vector<std::string> sets;  // "path=value", as --set
  int replicates = 1;
};

constexpr int kMaxJsonDepth = 16;

Json parse_body(const std::string& body) {
  try {
    return Json::parse(body, [](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxJsonDepth) throw HttpError{400, "the request body is nested too deeply"};
      return true;
    });
  } catch (const Json::exception& e) {
    throw HttpError{400, std::string("the request body is not JSON: ") + e.what()};
  }
}

// A `set` value as YAML text: a string as it is, anything else as JSON
// (which YAML reads: {"scale": 1.5, "from": "2021-04-01"}).
std::string set_text(const std::string& path, const Json& value) {
  if (path.empty() || path.find('=') != std::string::npos) {
    throw HttpError{400, "set: '" + path + "' is not a parameter path (e.g. formation.inertia)"};
  }
  if (value.is_null()) throw HttpError{400, "set: '" + path + "' has no value"};
  return value.is_string() ? value.get<std::string>() : value.dump();
}

int replicates_of(const Json& j, int max_replicates) {
  if (!j.contains("replicates")) return 1;
  const Json& r = j["replicates"];
  const std::string range = "from 1 to " + std::to_string(max_replicates) + " (the server's --max-replicates)";
  if (!r.is_number_integer() || r.get<std::int64_t>() < 1 || r.get<std::int64_t>() > max_replicates) {
    throw HttpError{400, "replicates must be a whole number " + range};
  }
  return r.get<int>();
}

// Refuses a `set` that would point the server at a file of the client's
// choosing: a data-file parameter, or a block holding one (`files` are the
// paths of the parameters of type path), judged on the path as the override
// parser reads it. A malformed override is left to the loader's message.
void refuse_file_change(const std::string& set, const std::vector<std::string>& files) {
  std::string path;
  try {
    path = parse_override(set).path;
  } catch (const InputError&) {
    return;
  }
  for (const auto& f : files) {
    if (f == path || f.rfind(path + ".", 0) == 0 || path.rfind(f + ".", 0) == 0) {
      throw HttpError{400, "set: '" + path + "' names a data file (" + f +
                               "), which the explorer does not change; use pcnsim run for that"};
    }
  }
}

RunRequest parse_run_request(const std::string& body, const std::vector<explorer::LibraryScenario>& library,
                             int max_replicates, const std::vector<std::string>& files) {
  const Json j = parse_body(body);
  if (!j.is_object()) throw HttpError{400, "the request body must be a JSON object: {\"scenario\": \"baseline\", ...}"};
  const std::vector<std::string> known = {"scenario", "set", "replicates", "seed"};
  for (const auto& item : j.items()) {
    if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
    const std::string close = closest_match(item.key(), known);
    throw HttpError{400, "unknown field '" + item.key() + "'" + (close.empty() ? "" : "; did you mean '" + close + "'?")};
  }
  RunRequest r;
  if (!j.contains("scenario") || !j["scenario"].is_string()) {
    throw HttpError{400, "scenario: the name of a library scenario is required (GET /api/scenarios lists them)"};
  }
  const std::string name = j["scenario"].get<std::string>();
  for (const auto& s : library) {
    if (s.name == name) r.scenario = &s;
  }
  if (!r.scenario) throw HttpError{400, "scenario: no scenario '" + name + "' in the library (GET /api/scenarios lists them)"};
  if (j.contains("set")) {
    if (!j["set"].is_object()) throw HttpError{400, "set must be an object of {\"dotted.path\": \"value\"}"};
    for (const auto& item : j["set"].items()) {
      r.sets.push_back(item.key() + "=" + set_text(item.key(), item.value()));
      refuse_file_change(r.sets.back(), files);
    }
  }
  r.replicates = replicates_of(j, max_replicates);
  if (j.contains("seed")) {
    if (!j["seed"].is_number_integer()) throw HttpError{400, "seed must be a whole number"};
    r.sets.push_back("seed=" + j["seed"].dump());  // after the sets, as `--seed` comes after `--set`
  }
  return r;
}

// ------------------------------------------------------------ routes ---

class Explorer {
 public:
  explicit Explorer(const ServeOptions& options);
  void install(httplib::Server& server);
  void stop() { pool_.stop(); }

 private:
  using Route = void (Explorer::*)(const httplib::Request&, httplib::Response&);
  httplib::Server::Handler guarded(Route route);

  void health(const httplib::Request&, httplib::Response& res);
  void text(const std::string* body, httplib::Response& res) { res.set_content(*body, "application/json"); }
  void post_run(const httplib::Request& req, httplib::Response& res);
  void run_status(const httplib::Request& req, httplib::Response& res);
  void summary(const httplib::Request& req, httplib::Response& res);
  void map(const httplib::Request& req, httplib::Response& res);
  void scenario_yaml(const httplib::Request& req, httplib::Response& res);
  void results_h5(const httplib::Request& req, httplib::Response& res);
  void compare(const httplib::Request& req, httplib::Response& res);
  void static_files(const httplib::Request& req, httplib::Response& res);
  void other_method(const httplib::Request& req, httplib::Response& res);

  std::string results_file(const std::string& id);
  void send_cached(httplib::Response& res, const std::string& key, const std::function<Json()>& make);

  ServeOptions options_;
  std::vector<explorer::LibraryScenario> library_;
  std::string scenarios_text_, parameters_text_, levers_text_;
  std::vector<std::string> file_parameters_;  // data-file paths, which requests may not change
  TextCache answers_{kAnswerCacheBytes};
  RunPool pool_;
};

Explorer::Explorer(const ServeOptions& options) : options_(options), pool_(options) {
  library_ = explorer::scan_library(options.scenarios_dir);
  Scenario reference;
  for (const auto& s : library_) {
    if (s.name == "baseline") reference = load_scenario(s.path);
  }
  const auto dump = [](const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); };
  scenarios_text_ = dump(explorer::scenarios_json(library_));
  parameters_text_ = dump(explorer::parameters_json());
  levers_text_ = dump(explorer::levers_json(reference));
  for (const ParamRow& row : parameter_rows(Scenario{})) {
    if (row.type == "path") file_parameters_.push_back(row.path);
  }
}

httplib::Server::Handler Explorer::guarded(Route route) {
  return [this, route](const httplib::Request& req, httplib::Response& res) {
    try {
      (this->*route)(req, res);
    } catch (const HttpError& e) {
      send_error(res, e.status, e.message, e.problems);
    } catch (const InputError& e) {
      const HttpError h = bad_input(e);
      send_error(res, h.status, h.message, h.problems);
    } catch (const std::exception& e) {
      send_error(res, 500, std::string("internal error: ") + e.what());
    } catch (...) {
      send_error(res, 500, "internal error");
    }
  };
}

void Explorer::install(httplib::Server& server) {
  server.Get("/api/health", guarded(&Explorer::health));
  server.Get("/api/scenarios", [this](const httplib::Request&, httplib::Response& res) { text(&scenarios_text_, res); });
  server.Get("/api/parameters", [this](const httplib::Request&, httplib::Response& res) { text(&parameters_text_, res); });
  server.Get("/api/levers", [this](const httplib::Request&, httplib::Response& res) { text(&levers_text_, res); });
  server.Post("/api/runs", guarded(&Explorer::post_run));
  server.Get(R"(/api/runs/([^/]+))", guarded(&Explorer::run_status));
  server.Get(R"(/api/runs/([^/]+)/summary)", guarded(&Explorer::summary));
  server.Get(R"(/api/runs/([^/]+)/map)", guarded(&Explorer::map));
  server.Get(R"(/api/runs/([^/]+)/scenario\.yaml)", guarded(&Explorer::scenario_yaml));
  server.Get(R"(/api/runs/([^/]+)/results\.h5)", guarded(&Explorer::results_h5));
  server.Get("/api/compare", guarded(&Explorer::compare));
  server.Get(".*", guarded(&Explorer::static_files));
  server.Post(".*", guarded(&Explorer::other_method));
  server.Put(".*", guarded(&Explorer::other_method));
  server.Delete(".*", guarded(&Explorer::other_method));
  server.Patch(".*", guarded(&Explorer::other_method));
  server.Options(".*", guarded(&Explorer::other_method));
}

void Explorer::health(const httplib::Request&, httplib::Response& res) {
  send_json(res, {{"ok", true}, {"version", std::string(kVersion) + "+" + kGitHash}});
}

void Explorer::post_run(const httplib::Request& req, httplib::Response& res) {
  const RunRequest r = parse_run_request(req.body, library_, options_.max_replicates, file_parameters_);
  std::vector<Diagnostic> warnings;
  Scenario scenario = load_with_sets(r.scenario->path, r.sets, -1, &warnings);
  const std::string id = run_id(resolved_yaml(scenario), r.replicates);
  const RunPool::Submission s = pool_.submit(id, std::move(scenario), r.replicates);
  if (!s.job) {
    res.set_header("Retry-After", "5");
    throw HttpError{503, "busy: every place is taken (" + std::to_string(options_.max_concurrent) + " running, " +
                             std::to_string(options_.max_queue) + " waiting); try again in a few seconds"};
  }
  const Json status = pool_.status(id).value_or(Json::object());
  Json out = {{"id", id}, {"status", status.value("status", "queued")}, {"cached", s.cached}};
  if (!warnings.empty()) {
    out["warnings"] = Json::array();
    for (const auto& w : warnings) out["warnings"].push_back(w.to_string());
  }
  send_json(res, out, s.cached ? 200 : 202);
}

void Explorer::run_status(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1];
  const auto status = is_run_id(id) ? pool_.status(id) : std::nullopt;
  if (!status) throw HttpError{404, "no run '" + id + "'"};
  send_json(res, *status);
}

// The file of a finished run; 404 naming why there is none.
std::string Explorer::results_file(const std::string& id) {
  std::string state;
  const auto file = is_run_id(id) ? pool_.results(id, &state) : std::nullopt;
  if (!file && state.empty()) throw HttpError{404, "no run '" + id + "'"};
  if (!file) throw HttpError{404, "run " + id + " is " + state + ": it has no results" + (state == "failed" ? "" : " yet")};
  std::error_code ec;
  if (!fs::is_regular_file(*file, ec)) throw HttpError{404, "the results of run " + id + " are gone from the cache"};
  return *file;
}

void Explorer::send_cached(httplib::Response& res, const std::string& key, const std::function<Json()>& make) {
  auto body = answers_.get(key);
  if (!body) {
    body = std::make_shared<const std::string>(make().dump(-1, ' ', false, Json::error_handler_t::replace));
    answers_.put(key, body);
  }
  res.set_content(*body, "application/json");
}

void Explorer::summary(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1], file = results_file(id);
  send_cached(res, id + "/summary", [&] { return explorer::summary_json(file, id); });
}

void Explorer::map(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1], file = results_file(id);
  send_cached(res, id + "/map", [&] { return explorer::map_json(file); });
}

void Explorer::scenario_yaml(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1], file = results_file(id);
  const h5::File f = h5::File::open_read(file);
  const std::string name = f.string_attribute("/", "scenario_name");
  const std::string replicates = std::to_string(f.int_attribute("/", "replicates"));
  const std::string text = "# pcnsim explorer run " + id + ", scenario " + name + " (" + replicates +
                           " replicates): pcnsim run THIS_FILE --replicates " + replicates + " reproduces it\n" +
                           f.string_attribute("/", "scenario_yaml");
  res.set_header("Content-Disposition", "attachment; filename=\"" + name + "-" + id + ".yaml\"");
  res.set_content(text, "text/yaml; charset=utf-8");
}

void Explorer::results_h5(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1], file = results_file(id);
  auto stream = std::make_shared<std::ifstream>(file, std::ios::binary);
  const auto size = static_cast<std::size_t>(fs::file_size(file));
  if (!*stream) throw HttpError{404, "the results of run " + id + " cannot be read"};
  res.set_header("Content-Disposition", "attachment; filename=\"pcnsim-" + id + ".h5\"");
  res.set_content_provider(size, "application/x-hdf5",
                           [stream](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                             char buf[1 << 16];
                             stream->seekg(static_cast<std::streamoff>(offset));
                             stream->read(buf, static_cast<std::streamsize>(std::min(length, sizeof buf)));
                             const auto got = static_cast<std::size_t>(stream->gcount());
                             return got > 0 && sink.write(buf, got);
                           });
}

void Explorer::compare(const httplib::Request& req, httplib::Response& res) {
  const std::string base = req.get_param_value("base"), other = req.get_param_value("other");
  if (base.empty() || other.empty()) throw HttpError{400, "compare needs ?base=RUN_ID&other=RUN_ID"};
  const std::string base_file = results_file(base), other_file = results_file(other);
  send_cached(res, "compare/" + base + "/" + other,
              [&] { return explorer::compare_json(base_file, base, other_file, other); });
}

void Explorer::static_files(const httplib::Request& req, httplib::Response& res) {
  if (req.path == "/api" || req.path.rfind("/api/", 0) == 0) {
    if (req.path == "/api/runs") {
      res.set_header("Allow", "POST");
      throw HttpError{405, "GET /api/runs: runs are made with POST /api/runs"};
    }
    throw HttpError{404, "no API path " + req.path};
  }
  const auto file = static_file(options_.static_dir, req.path);
  if (!file) {
    std::error_code ec;
    if (!fs::is_directory(options_.static_dir, ec)) {
      throw HttpError{404, "no front end here: the --static folder " + options_.static_dir +
                               " does not exist (the front end is built from web/)"};
    }
    throw HttpError{404, "no such file"};
  }
  std::ifstream in(*file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  res.set_content(body.str(), content_type_of(*file));
}

void Explorer::other_method(const httplib::Request& req, httplib::Response& res) {
  static const std::vector<std::string> api = {"/api/health", "/api/scenarios", "/api/parameters", "/api/levers",
                                               "/api/compare"};
  const bool get_only = std::find(api.begin(), api.end(), req.path) != api.end() || req.path.rfind("/api/runs/", 0) == 0;
  if (!get_only) throw HttpError{404, "no such path for " + req.method};
  res.set_header("Allow", "GET");
  throw HttpError{405, req.method + " " + req.path + ": only GET is allowed"};
}

// An error the HTTP layer made itself (an over-long body, a malformed
// request): a JSON body like every other answer.
// Debian's HTTP library answers a client that accepts brotli (every browser)
// with brotli at its slowest setting: three seconds for England's 1.6 MB map,
// against milliseconds for gzip. So brotli is taken out of the request's
// Accept-Encoding before the library chooses (the request object is the
// library's own, not const; only the handler's view of it is).
httplib::Server::HandlerResponse prefer_gzip(const httplib::Request& req, httplib::Response&) {
  auto& headers = const_cast<httplib::Headers&>(req.headers);
  for (auto [it, end] = headers.equal_range("Accept-Encoding"); it != end; ++it) {
    if (it->second.find("br") != std::string::npos) {
      it->second = it->second.find("gzip") != std::string::npos ? "gzip" : "identity";
    }
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

httplib::Server::HandlerResponse error_body(const httplib::Request&, httplib::Response& res) {
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  const std::string message =
      res.status == 413 ? "the request body is over " + std::to_string(kMaxRequestBody / 1024) + " KiB"
      : res.status == 404 ? "not found"
      : res.status == 405 ? "method not allowed"
      : res.status == 400 ? "bad request"
                          : "HTTP error " + std::to_string(res.status);
  send_error(res, res.status, message);
  return httplib::Server::HandlerResponse::Handled;
}

bool loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// Binds the server; the port (the chosen one for port 0); InputError when it cannot.
int bind_server(httplib::Server& server, const ServeOptions& o) {
  const int port = o.port == 0 ? server.bind_to_any_port(o.host) : (server.bind_to_port(o.host, o.port) ? o.port : -1);
  if (port <= 0) {
    throw InputError(Diagnostic{"command line", 0, 0, "--port",
                                "cannot listen on " + o.host + ":" + std::to_string(o.port) +
                                    " (the port is in use, or the host is not an address of this machine)"});
  }
  return port;
}

void prepare_folders(const ServeOptions& o) {
  std::error_code ec;
  fs::create_directories(o.cache_dir, ec);
  if (ec || !fs::is_directory(o.cache_dir)) {
    throw InputError(Diagnostic{o.cache_dir, 0, 0, "--cache", "cannot make the cache folder: " + ec.message()});
  }
  if (!fs::is_directory(o.scenarios_dir, ec)) {
    throw InputError(Diagnostic{o.scenarios_dir, 0, 0, "", "no scenario library here (a folder of scenario YAML files)"});
  }
}

}  // namespace

int serve(const ServeOptions& options) {
  prepare_folders(options);
  // SIGINT and SIGTERM are taken by a watcher thread (every thread made from
  // here on inherits the blocked mask), which stops the server.
  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  // A client that goes away mid-answer is an error of that write, not the end of the server.
  std::signal(SIGPIPE, SIG_IGN);
  Explorer explorer(options);
  httplib::Server server;
  explorer.install(server);
  server.set_error_handler(httplib::Server::HandlerWithResponse(error_body));
  server.set_pre_routing_handler(prefer_gzip);
  server.set_payload_max_length(kMaxRequestBody);
  server.set_keep_alive_timeout(5);
  server.set_read_timeout(10);
  const int port = bind_server(server, options);
  if (!loopback(options.host)) {
    std::fprintf(stderr, "warning: --host %s: the explorer is reachable from other machines, with no authentication\n",
                 options.host.c_str());
  }
  std::printf("pcnsim serve: http://%s:%d/ (scenarios from %s, results cached in %s, front end from %s)\n",
              options.host.c_str(), port, options.scenarios_dir.c_str(), options.cache_dir.c_str(),
              options.static_dir.c_str());
  std::fflush(stdout);
  std::atomic<bool> finished{false};
  std::atomic<int> stopped_by{0};
  std::thread watcher([&] {
    const timespec wait{0, 200'000'000};
    while (!finished) {
      const int s = sigtimedwait(&signals, nullptr, &wait);
      if (s > 0) stopped_by = s;
      if (stopped_by) server.stop();  // again until listen has returned
    }
  });
  server.listen_after_bind();
  finished = true;
  watcher.join();
  explorer.stop();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return stopped_by ? 128 + stopped_by : 0;
}

}  // namespace pcnsim
