// The one worker pool (workers.hpp): every task runs exactly once whatever
// the number of threads, an exception stops the pool and is rethrown; the
// ensemble and the self-scheduled runs of sweeps and calibrations built on it
// give the same results on one thread as on several.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "pcnsim/kernel/cluster.hpp"
#include "pcnsim/engine/ensemble.hpp"
#include "pcnsim/engine/schedule.hpp"
#include "pcnsim/kernel/workers.hpp"
#include "synthetic.hpp"

using namespace pcnsim;
using namespace pcnsim::testing;

TEST_CASE("run_tasks runs every task exactly once, on at most as many workers as tasks", "[workers]") {
  for (const int threads : {1, 2, 7}) {
    for (const std::size_t tasks : {std::size_t{0}, std::size_t{1}, std::size_t{100}}) {
      CAPTURE(threads, tasks);
      const auto runs = std::make_unique<std::atomic<int>[]>(tasks + 1);
      std::vector<int> worker_of(tasks, -1);  // each task writes its own slot
      run_tasks(tasks, threads, [&](std::size_t task, int worker) {
        ++runs[task];
        worker_of[task] = worker;
      });
      for (std::size_t t = 0; t < tasks; ++t) {
        REQUIRE(runs[t] == 1);
        REQUIRE(worker_of[t] >= 0);
        REQUIRE(static_cast<std::size_t>(worker_of[t]) < std::min(tasks, static_cast<std::size_t>(threads)));
      }
    }
  }
}

TEST_CASE("run_tasks on one thread runs the tasks in order on the calling thread", "[workers]") {
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<std::size_t> order;
  bool elsewhere = false;
  run_tasks(5, 1, [&](std::size_t task, int worker) {
    elsewhere = elsewhere || worker != 0 || std::this_thread::get_id() != caller;
    order.push_back(task);
  });
  REQUIRE_FALSE(elsewhere);
  REQUIRE(order == std::vector<std::size_t>{0, 1, 2, 3, 4});
}

TEST_CASE("run_tasks with 0 threads uses every core and still runs each task once", "[workers]") {
  std::vector<int> runs(50, 0), worker_of(50, -1);  // Catch2 checks only on this thread
  run_tasks(runs.size(), 0, [&](std::size_t task, int worker) {
    ++runs[task];
    worker_of[task] = worker;
  });
  REQUIRE(runs == std::vector<int>(50, 1));
  for (const int w : worker_of) REQUIRE((w >= 0 && w < worker_threads(0)));
  REQUIRE(worker_threads(0) >= 1);
  REQUIRE(worker_threads(3) == 3);
}

TEST_CASE("run_tasks rethrows a task's exception and starts no further task", "[workers]") {
  SECTION("one thread: the tasks after the failing one never start") {
    std::vector<int> runs(100, 0);
    auto fail_13 = [&](std::size_t task, int) {
      ++runs[task];
      if (task == 13) throw std::runtime_error("task 13 failed");
    };
    REQUIRE_THROWS_WITH(run_tasks(runs.size(), 1, fail_13), "task 13 failed");
    for (std::size_t t = 0; t < runs.size(); ++t) REQUIRE(runs[t] == (t <= 13 ? 1 : 0));
  }
  for (const int threads : {2, 7}) {
    SECTION("several threads: the exception comes back and the pool does not hang, " + std::to_string(threads)) {
      std::atomic<int> started{0};
      auto fail_first = [&](std::size_t task, int) {
        ++started;
        if (task == 0) throw std::runtime_error("task 0 failed");
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      };
      REQUIRE_THROWS_WITH(run_tasks(1000, threads, fail_first), "task 0 failed");
      REQUIRE(started < 1000);  // the others stopped taking tasks
    }
  }
  SECTION("every task throws: one exception, no hang") {
    REQUIRE_THROWS_AS(run_tasks(100, 7, [](std::size_t, int) { throw std::logic_error("all fail"); }),
                      std::logic_error);
  }
}

TEST_CASE("run_workers runs each worker once, worker 0 on the calling thread", "[workers]") {
  const std::thread::id caller = std::this_thread::get_id();
  std::vector<int> calls(4, 0);
  std::vector<std::thread::id> ids(4);
  run_workers(4, [&](int worker) {
    ++calls[static_cast<std::size_t>(worker)];
    ids[static_cast<std::size_t>(worker)] = std::this_thread::get_id();
  });
  REQUIRE(calls == std::vector<int>(4, 1));
  REQUIRE(ids[0] == caller);
  for (std::size_t w = 1; w < ids.size(); ++w) REQUIRE(ids[w] != caller);
  // An exception of one worker is rethrown after the others have returned.
  std::atomic<int> returned{0};
  REQUIRE_THROWS_WITH(run_workers(3,
                                  [&](int worker) {
                                    if (worker == 2) throw std::runtime_error("worker 2");
                                    ++returned;
                                  }),
                      "worker 2");
  REQUIRE(returned == 2);
}

TEST_CASE("an ensemble gives the same replicates on one thread as on two", "[workers][ensemble]") {
  const Scenario scenario = synthetic_small();
  const Ensemble one = run_ensemble(scenario, 3, 1);
  const Ensemble two = run_ensemble(scenario, 3, 2);
  REQUIRE(one.replicates.size() == 3);
  REQUIRE(two.replicates.size() == 3);
  for (std::size_t r = 0; r < 3; ++r) {
    CAPTURE(r);
    REQUIRE(one.replicates[r].seed == two.replicates[r].seed);
    REQUIRE(one.replicates[r].outcomes == two.replicates[r].outcomes);
    REQUIRE(one.replicates[r].series == two.replicates[r].series);
  }
  REQUIRE(one.replicates[0].outcomes != one.replicates[1].outcomes);  // replicates do differ
  REQUIRE(one.outcome_meta.size() == two.outcome_meta.size());
  for (std::size_t k = 0; k < one.outcome_meta.size(); ++k) REQUIRE(one.outcome_meta[k].value == two.outcome_meta[k].value);
  REQUIRE(summarise(one.detail).outcomes == one.replicates[0].outcomes);
  REQUIRE(summarise(two.detail).outcomes == two.replicates[0].outcomes);
}

TEST_CASE("self-scheduled tasks on one process: each stored once, a failure rethrown", "[workers][schedule]") {
  const Cluster cluster;  // one process: not started by mpirun
  std::vector<std::size_t> tasks;
  for (std::size_t t = 0; t < 40; ++t) tasks.push_back(39 - t);
  for (const int threads : {1, 3}) {
    CAPTURE(threads);
    std::vector<std::vector<double>> stored(tasks.size());
    std::vector<int> stores(tasks.size(), 0);
    ScheduleHooks hooks;
    hooks.work = [](std::size_t task) { return std::vector<double>{static_cast<double>(task) * 2.0, 1.0}; };
    hooks.store = [&](std::size_t task, const std::vector<double>& result) {
      ++stores[task];
      stored[task] = result;
    };
    StopRequest stop;
    run_self_scheduled(cluster, tasks, {threads, 2.0, -1}, hooks, stop);
    REQUIRE_FALSE(stop.requested());
    REQUIRE(stores == std::vector<int>(tasks.size(), 1));
    for (std::size_t t = 0; t < tasks.size(); ++t) REQUIRE(stored[t] == std::vector<double>{2.0 * t, 1.0});

    hooks.work = [](std::size_t task) {
      if (task == 30) throw std::runtime_error("task 30 failed");
      return std::vector<double>{1.0};
    };
    StopRequest failing;
    REQUIRE_THROWS_WITH(run_self_scheduled(cluster, tasks, {threads, 2.0, -1}, hooks, failing), "task 30 failed");
    REQUIRE(failing.requested());
  }
}
