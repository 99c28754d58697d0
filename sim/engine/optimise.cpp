#include "pcnsim/engine/optimise.hpp"

#include <nlopt.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "pcnsim/kernel/progress.hpp"
#include "pcnsim/engine/sensitivity.hpp"

namespace pcnsim {

const char* to_string(Phase phase) { return phase == Phase::lhs ? "lhs" : "local"; }

const std::vector<std::string>& local_algorithms() {
  static const std::vector<std::string> names = {"bobyqa", "sbplx", "neldermead", "cobyla"};
  return names;
}

std::optional<std::size_t> OptimiserRecord::best() const {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < evaluations.size(); ++i) {
    const double loss = evaluations[i].loss;
    // Strictly lower only, so ties go to the earlier evaluation; NaN never wins.
    if (!std::isnan(loss) && (!best || loss < evaluations[*best].loss)) best = i;
  }
  if (!best && !evaluations.empty()) best = 0;  // every loss NaN
  return best;
}

namespace {

nlopt::algorithm nlopt_algorithm(const std::string& name) {
  if (name == "bobyqa") return nlopt::LN_BOBYQA;
  if (name == "sbplx") return nlopt::LN_SBPLX;
  if (name == "neldermead") return nlopt::LN_NELDERMEAD;
  if (name == "cobyla") return nlopt::LN_COBYLA;
  throw std::invalid_argument("unknown local algorithm '" + name + "'");
}

std::string result_text(int result) {
  switch (result) {
    case nlopt::SUCCESS: return "success";
    case nlopt::STOPVAL_REACHED: return "stopval reached";
    case nlopt::FTOL_REACHED: return "ftol reached";
    case nlopt::XTOL_REACHED: return "xtol_rel reached";
    case nlopt::MAXEVAL_REACHED: return "max_evaluations reached";
    case nlopt::MAXTIME_REACHED: return "maxtime reached";
    case nlopt::ROUNDOFF_LIMITED: return "roundoff limited";
    case nlopt::FORCED_STOP: return "interrupted";
    case nlopt::FAILURE: return "failure";
    default: return "result " + std::to_string(result);
  }
}

// Evaluations travel between ranks as doubles: phase, start, index, loss,
// k, unit..., n, values... (integers far below 2^53, so exact).
void encode(const Evaluation& e, std::vector<double>& out) {
  out.insert(out.end(), {static_cast<double>(e.phase), static_cast<double>(e.start), static_cast<double>(e.index),
                         e.loss, static_cast<double>(e.unit.size())});
  out.insert(out.end(), e.unit.begin(), e.unit.end());
  out.push_back(static_cast<double>(e.values.size()));
  out.insert(out.end(), e.values.begin(), e.values.end());
}

Evaluation decode(const std::vector<double>& in, std::size_t& at) {
  Evaluation e;
  e.phase = static_cast<Phase>(static_cast<int>(in[at]));
  e.start = static_cast<int>(in[at + 1]);
  e.index = static_cast<int>(in[at + 2]);
  e.loss = in[at + 3];
  const auto k = static_cast<std::size_t>(in[at + 4]);
  at += 5;
  e.unit.assign(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + k));
  at += k;
  const auto n = static_cast<std::size_t>(in[at]);
  ++at;
  e.values.assign(in.begin() + static_cast<std::ptrdiff_t>(at), in.begin() + static_cast<std::ptrdiff_t>(at + n));
  at += n;
  return e;
}

using RecordKey = std::tuple<int, int, int>;
RecordKey key_of(const Evaluation& e) { return {static_cast<int>(e.phase), e.start, e.index}; }

// A task's result: done (1/0), NLopt's result code, the number of
// evaluations, then the evaluations.
std::vector<double> task_result(bool done, int code, const std::vector<Evaluation>& evaluations) {
  std::vector<double> out = {done ? 1.0 : 0.0, static_cast<double>(code), static_cast<double>(evaluations.size())};
  for (const auto& e : evaluations) encode(e, out);
  return out;
}

// What the workers of one process share.
struct Journal {
  std::mutex mutex;
  std::map<std::vector<double>, ObjectiveValue> known;  // every point evaluated or replayed here
  std::int64_t computed = 0;                            // evaluations computed (not replayed) here
  // Rank 0 only: the record so far.
  std::map<RecordKey, Evaluation> record;
  std::vector<LocalSearch> local;
  Progress* progress = nullptr;

  // Rank 0, under the mutex: an evaluation joins the record (once).
  void add(const Evaluation& e) {
    if (record.emplace(key_of(e), e).second && progress) progress->advance();
  }
  OptimiserRecord snapshot() const {
    OptimiserRecord r;
    for (const auto& [key, e] : record) r.evaluations.push_back(e);
    r.local = local;
    return r;
  }
};

// Context of one local search, for NLopt's plain-function callback.
struct LocalContext {
  const std::function<ObjectiveValue(const std::vector<double>&)>* evaluate;
  const std::function<void(const Evaluation&)>* record;
  StopRequest* stop;
  int search = 0;
  std::vector<Evaluation> evaluations;
  std::exception_ptr error;  // the objective's own failure (NLopt would swallow it)
};

double local_objective(const std::vector<double>& x, std::vector<double>& gradient, void* data) {
  (void)gradient;  // derivative-free algorithms only
  auto& c = *static_cast<LocalContext*>(data);
  if (c.stop->requested()) throw nlopt::forced_stop();
  try {
    // Bounded algorithms stay inside the cube; clamping guards the others' rounding.
    std::vector<double> unit(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) unit[i] = std::clamp(x[i], 0.0, 1.0);
    const ObjectiveValue v = (*c.evaluate)(unit);
    Evaluation e{Phase::local, c.search, static_cast<int>(c.evaluations.size()), unit, v.loss, v.values};
    (*c.record)(e);
    c.evaluations.push_back(std::move(e));
    // NLopt cannot compare NaN: it sees the largest finite loss instead (the record keeps NaN).
    return std::isnan(v.loss) ? std::numeric_limits<double>::max() : v.loss;
  } catch (...) {
    c.error = std::current_exception();
    throw nlopt::forced_stop();
  }
}

// One optimisation: the Latin hypercube (phase 1), then local searches from
// its best points (phase 2), every evaluation through the journal.
class Optimisation {
 public:
  Optimisation(const Objective& objective, const OptimiserSettings& settings, const OptimiserRun& run,
               const Cluster& cluster, StopRequest& stop)
      : objective_(objective),
        settings_(settings),
        run_(run),
        cluster_(cluster),
        stop_(stop),
        k_(settings.dimensions),
        algorithm_(nlopt_algorithm(settings.local)),
        design_(latin_hypercube(k_, static_cast<std::size_t>(settings.starts), settings.seed)),
        schedule_{run.threads, run.checkpoint_seconds, -1} {
    for (const auto& e : run.replay) journal_.known.emplace(e.unit, ObjectiveValue{e.loss, e.values});
    evaluate_ = [this](const std::vector<double>& unit) { return evaluate(unit); };
    record_ = [this](const Evaluation& e) {
      if (!cluster_.leader()) return;  // other ranks send theirs with the task's result
      std::lock_guard<std::mutex> lock(journal_.mutex);
      journal_.add(e);
    };
    if (run.checkpoint) {
      hooks_.checkpoint = [this] {
        OptimiserRecord snapshot;
        {
          std::lock_guard<std::mutex> lock(journal_.mutex);
          snapshot = journal_.snapshot();
        }
        run_.checkpoint(snapshot);
      };
    }
  }

  OptimiserRecord run() {
    run_latin_hypercube();
    const std::vector<std::int64_t> chosen = choose_local_starts();
    if (!chosen.empty()) run_local_searches(chosen);
    if (!cluster_.leader()) return {};
    OptimiserRecord result = journal_.snapshot();
    const bool lhs_done = result.evaluations.size() >= static_cast<std::size_t>(settings_.starts);
    const bool local_done =
        std::all_of(result.local.begin(), result.local.end(), [](const LocalSearch& s) { return s.done; });
    result.complete = lhs_done && (settings_.local_starts == 0 || (!chosen.empty() && local_done));
    return result;
  }

 private:
  std::vector<double> point(std::size_t row) const {
    return std::vector<double>(design_.points.begin() + static_cast<std::ptrdiff_t>(row * k_),
                               design_.points.begin() + static_cast<std::ptrdiff_t>((row + 1) * k_));
  }

  // The objective through the journal: a point seen before is replayed.
  ObjectiveValue evaluate(const std::vector<double>& unit) {
    {
      std::lock_guard<std::mutex> lock(journal_.mutex);
      if (const auto it = journal_.known.find(unit); it != journal_.known.end()) return it->second;
    }
    ObjectiveValue v = objective_(unit);
    std::lock_guard<std::mutex> lock(journal_.mutex);
    journal_.known.emplace(unit, v);
    if (++journal_.computed == run_.stop_after_evaluations) stop_.request();
    return v;
  }

  void store_evaluations(const std::vector<double>& result) {
    std::size_t at = 3;
    std::lock_guard<std::mutex> lock(journal_.mutex);
    for (std::size_t n = 0; n < static_cast<std::size_t>(result[2]); ++n) journal_.add(decode(result, at));
  }

  // 1. The Latin hypercube, one task per point.
  void run_latin_hypercube() {
    std::optional<Progress> progress;
    if (cluster_.leader()) {
      progress.emplace("LHS evaluations", settings_.starts, run_.quiet);
      journal_.progress = &*progress;
    }
    hooks_.work = [this](std::size_t row) {
      const std::vector<double> unit = point(row);
      const ObjectiveValue v = evaluate(unit);
      const Evaluation e{Phase::lhs, static_cast<int>(row), 0, unit, v.loss, v.values};
      record_(e);
      return task_result(true, 0, {e});
    };
    hooks_.store = [this](std::size_t, const std::vector<double>& result) { store_evaluations(result); };
    std::vector<std::size_t> rows(static_cast<std::size_t>(settings_.starts));
    for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = r;
    run_self_scheduled(cluster_, rows, schedule_, hooks_, stop_);
    if (progress) progress->finish();
  }

  // 2a. The starts of the local searches: the best LHS points (rank 0 chooses
  // and tells the others; none when phase 1 did not finish).
  std::vector<std::int64_t> choose_local_starts() {
    constexpr int kTagStarts = 3;
    std::vector<std::int64_t> chosen;
    if (cluster_.leader()) {
      if (!stop_.requested() && journal_.record.size() == static_cast<std::size_t>(settings_.starts)) {
        std::vector<std::pair<double, std::size_t>> ranked;
        for (const auto& [key, e] : journal_.record) {
          ranked.emplace_back(std::isnan(e.loss) ? std::numeric_limits<double>::infinity() : e.loss,
                              static_cast<std::size_t>(e.start));
        }
        std::sort(ranked.begin(), ranked.end());
        for (int j = 0; j < settings_.local_starts; ++j) chosen.push_back(static_cast<std::int64_t>(ranked[j].second));
      }
      for (int r = 1; r < cluster_.size(); ++r) cluster_.send(r, kTagStarts, chosen);
    } else {
      int from = 0;
      while (!cluster_.poll(kTagStarts, from, chosen)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return chosen;
  }

  // One local search from an LHS point: its task result (done, NLopt code, evaluations).
  std::vector<double> local_search(std::size_t search, const std::vector<double>& start) {
    LocalContext context{&evaluate_, &record_, &stop_, static_cast<int>(search), {}, nullptr};
    nlopt::opt opt(algorithm_, static_cast<unsigned>(k_));
    opt.set_lower_bounds(0.0);
    opt.set_upper_bounds(1.0);
    opt.set_maxeval(settings_.max_evaluations);
    opt.set_xtol_rel(settings_.xtol_rel);
    opt.set_initial_step(settings_.initial_step);
    opt.set_min_objective(local_objective, &context);
    std::vector<double> x = start;
    double best = 0;
    int code = nlopt::FAILURE;
    try {
      code = opt.optimize(x, best);
    } catch (const nlopt::forced_stop&) {
      code = nlopt::FORCED_STOP;
    } catch (const nlopt::roundoff_limited&) {
      code = nlopt::ROUNDOFF_LIMITED;  // a normal end: no further progress possible
    } catch (const std::runtime_error&) {
      code = nlopt::FAILURE;
    }
    if (context.error) std::rethrow_exception(context.error);
    return task_result(code != nlopt::FORCED_STOP, code, context.evaluations);
  }

  // 2b. The local searches, one task each.
  void run_local_searches(const std::vector<std::int64_t>& chosen) {
    journal_.local.resize(chosen.size());
    for (std::size_t j = 0; j < chosen.size(); ++j) {
      journal_.local[j].lhs_row = static_cast<int>(chosen[j]);
      journal_.local[j].result = "not started";
    }
    std::optional<Progress> progress;
    if (cluster_.leader()) {
      // An upper bound: a search may end before its last evaluation.
      progress.emplace("local-search evaluations (at most)", settings_.local_starts * settings_.max_evaluations,
                       run_.quiet);
      journal_.progress = &*progress;
    }
    hooks_.work = [&](std::size_t search) {
      return local_search(search, point(static_cast<std::size_t>(chosen[search])));
    };
    hooks_.store = [this](std::size_t search, const std::vector<double>& result) {
      store_evaluations(result);
      std::lock_guard<std::mutex> lock(journal_.mutex);
      LocalSearch& s = journal_.local[search];
      s.done = result[0] != 0;
      s.result = result_text(static_cast<int>(result[1]));
      s.evaluations = static_cast<int>(result[2]);
    };
    std::vector<std::size_t> searches(chosen.size());
    for (std::size_t j = 0; j < searches.size(); ++j) searches[j] = j;
    run_self_scheduled(cluster_, searches, schedule_, hooks_, stop_);
    if (progress) progress->finish();
    journal_.progress = nullptr;
  }

  const Objective& objective_;
  const OptimiserSettings& settings_;
  const OptimiserRun& run_;
  const Cluster& cluster_;
  StopRequest& stop_;
  const std::size_t k_;
  const nlopt::algorithm algorithm_;
  const UnitDesign design_;
  Journal journal_;
  std::function<ObjectiveValue(const std::vector<double>&)> evaluate_;
  std::function<void(const Evaluation&)> record_;
  ScheduleOptions schedule_;
  ScheduleHooks hooks_;
};

}  // namespace

OptimiserRecord optimise(const Objective& objective, const OptimiserSettings& settings, const OptimiserRun& run,
                         const Cluster& cluster, StopRequest& stop) {
  if (settings.dimensions == 0 || settings.starts < 1 || settings.local_starts < 0 ||
      settings.local_starts > settings.starts || settings.max_evaluations < 1) {
    throw std::invalid_argument("optimise: impossible settings");
  }
  return Optimisation(objective, settings, run, cluster, stop).run();
}

}  // namespace pcnsim
