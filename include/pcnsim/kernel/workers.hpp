#pragma once
// The one worker pool: a few threads of this process, the calling thread one
// of them, joined before returning, the first exception rethrown. Ensembles
// (replicates), sweeps and calibrations (run_self_scheduled) use it.
// run_tasks self-schedules: each worker takes the next task index from a
// shared counter until none is left, so none waits for another. Which worker
// ran a task must not show in its result (let each task write its own slot),
// so results do not depend on the number of threads.
#include <cstddef>
#include <functional>

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

}  // namespace pcnsim
