#pragma once
// The one worker pool: a few threads of this process, the calling thread one
// of them, joined before returning, the first exception rethrown. Ensembles
// (replicates), sweeps and calibrations (run_self_scheduled) use it.
// run_tasks self-schedules: each worker takes the next task index from a
// shared counter until none is left, so none waits for another. Which worker
// ran a task must not show in its result (let each task write its own slot),
// so results do not depend on the number of threads.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace pcnsim {

/// Threads to use for `requested` (0 or less = all cores, at least 1).
int worker_threads(int requested);

/// Calls `body(worker)` once for each worker 0..threads-1, each on its own
/// thread; worker 0 runs on the calling thread (so it may make calls limited
/// to the main thread, such as MPI's). Returns once every worker has returned;
/// then rethrows the first exception one threw. A worker that throws does not
/// stop the others: bodies that depend on each other must tell the others.
void run_workers(int threads, const std::function<void(int worker)>& body);

/// Runs tasks 0..tasks-1, each once, as `f(task, worker)` on `threads` threads
/// (0 = all cores; never more than there are tasks; worker 0 = the calling
/// thread). After a task throws, no further task is started; the first
/// exception is rethrown once the tasks in progress are done.
void run_tasks(std::size_t tasks, int threads, const std::function<void(std::size_t task, int worker)>& f);

/// One thread that runs jobs in the order given, beside the caller (a run's
/// weekly arrays are compressed on it while the simulation goes on). Owned
/// by what submits to it: the destructor runs what is still queued and joins
/// the thread. Jobs must not throw.
class BackgroundWorker {
 public:
  BackgroundWorker() = default;
  BackgroundWorker(const BackgroundWorker&) = delete;
  BackgroundWorker& operator=(const BackgroundWorker&) = delete;
  ~BackgroundWorker();

  /// Queues a job; the thread starts with the first one.
  void submit(std::function<void()> job);
  /// Until `done()` (called with the queue locked, after every job) is true,
  /// runs queued jobs on the calling thread, or waits for the worker's.
  void help_until(const std::function<bool()>& done);

 private:
  void work();
  void run_next(std::unique_lock<std::mutex>& lock);

  std::mutex mutex_;
  std::condition_variable changed_;  // a job was queued or finished, or stopping
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pcnsim
