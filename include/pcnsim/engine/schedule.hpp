#pragma once
// Independent tasks spread over the threads of every process of a job (sweep
// runs, calibration evaluations), each process's threads those of the one
// worker pool (workers.hpp). Workers take tasks one at a time
// (self-scheduling), so none waits for another: rank 0's threads take them
// from the list directly; on other ranks the main thread keeps a small queue
// filled by asking rank 0 and sends results back. Rank 0 collects every result
// and, at most every `checkpoint_seconds`, lets the caller save a checkpoint.
// Which worker computed a task never shows in its result, so whatever uses
// this gets the same results whatever the number of threads or ranks.
#include <atomic>
#include <csignal>
#include <cstdint>
#include <functional>
#include <vector>

#include "pcnsim/kernel/cluster.hpp"

namespace pcnsim {

/// Stopping long work early: SIGINT or SIGTERM while the object exists (their
/// handlers only set a flag), or a request from the code (a worker failed,
/// --stop-after reached). One object at a time; the destructor restores the
/// previous handlers, so keep it alive until the last output is written (a
/// signal during that write must not kill the process and leave a temporary
/// file behind).
class StopRequest {
 public:
  StopRequest();
  ~StopRequest();
  StopRequest(const StopRequest&) = delete;
  StopRequest& operator=(const StopRequest&) = delete;

  /// A signal arrived or request() was called.
  bool requested() const;
  void request() { requested_ = true; }
  /// The process exit code of a stop: 143 after SIGTERM, else 130.
  int exit_code() const;

 private:
  std::atomic<bool> requested_{false};
  void (*previous_int_)(int) = SIG_DFL;
  void (*previous_term_)(int) = SIG_DFL;
};

struct ScheduleOptions {
  int threads = 0;                  // worker threads per process; 0 = all cores (worker_threads)
  double checkpoint_seconds = 2.0;  // at most this long between checkpoints (rank 0)
  std::int64_t stop_after_tasks = -1;  // testing: hand out no more than this many tasks, then stop
};

struct ScheduleHooks {
  /// Computes one task (worker threads of any rank, concurrently).
  std::function<std::vector<double>(std::size_t task)> work;
  /// Receives a task's result (rank 0 only, one call at a time; may run while
  /// `checkpoint` does, so both must guard what they share).
  std::function<void(std::size_t task, const std::vector<double>& result)> store;
  /// Saves a checkpoint (rank 0's main thread); may be empty. A throw stops the
  /// work and is rethrown once the workers have stopped.
  std::function<void()> checkpoint;
};

/// Runs `tasks` (handed out in this order) on every rank (all ranks call it
/// with the same list). Returns when every task is done, or, once `stop` is
/// requested, when the tasks in progress are done (their results are still
/// stored). Rethrows the first exception of a worker, then that of a checkpoint.
void run_self_scheduled(const Cluster& cluster, const std::vector<std::size_t>& tasks, const ScheduleOptions& options,
                        const ScheduleHooks& hooks, StopRequest& stop);

}  // namespace pcnsim
