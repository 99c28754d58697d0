#include "pcnsim/engine/schedule.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "pcnsim/kernel/workers.hpp"

namespace pcnsim {

namespace {

// The one piece of global state: a signal handler may only set a flag.
volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_signal(int signal) { g_signal = signal; }

}  // namespace

StopRequest::StopRequest() {
  g_signal = 0;
  previous_int_ = std::signal(SIGINT, on_signal);
  previous_term_ = std::signal(SIGTERM, on_signal);
}

StopRequest::~StopRequest() {
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
}

bool StopRequest::requested() const { return g_signal != 0 || requested_; }

int StopRequest::exit_code() const { return g_signal == SIGTERM ? 143 : 130; }

namespace {

// Self-scheduling over threads and ranks. Messages between ranks: a request
// [tasks wanted, (task, length, values...)...] from a worker rank, answered by
// rank 0 with the tasks it hands out (none: stop).
class SelfScheduler {
 public:
  SelfScheduler(const Cluster& cluster, const std::vector<std::size_t>& tasks, const ScheduleOptions& options,
                const ScheduleHooks& hooks, StopRequest& stop)
      : cluster_(cluster),
        tasks_(tasks),
        options_(options),
        hooks_(hooks),
        stop_(stop),
        threads_(worker_threads(options.threads)),
        running_(threads_) {}

  // The calling thread (pool worker 0) talks to the other ranks and writes
  // checkpoints; the other `threads_` pool workers compute tasks.
  void run() {
    run_workers(threads_ + 1, [this](int worker) {
      if (worker > 0) return work();
      try {
        if (cluster_.leader()) {
          lead();
        } else {
          follow();
        }
      } catch (...) {
        stop_.request();  // the workers stop too, then this is rethrown
        throw;
      }
    });
    if (checkpoint_error_) std::rethrow_exception(checkpoint_error_);
  }

 private:
  static constexpr int kTagRequest = 1, kTagWork = 2;

  // Rank 0, under the mutex: the next task, or none (finished, stopping, or --stop-after reached).
  std::optional<std::size_t> take() {
    if (stop_.requested()) return std::nullopt;
    const std::size_t i = cursor_++;
    if (i >= tasks_.size()) return std::nullopt;
    if (options_.stop_after_tasks >= 0 && i >= static_cast<std::size_t>(options_.stop_after_tasks)) {
      stop_.request();
      return std::nullopt;
    }
    return tasks_[i];
  }

  // The next task of this rank for a worker thread; none when it should stop.
  std::optional<std::size_t> next_task() {
    while (true) {
      std::unique_lock<std::mutex> lock(mutex_);
      if (cluster_.leader()) return take();
      if (!queue_.empty()) {
        const std::size_t task = queue_.front();
        queue_.pop_front();
        return task;
      }
      if (no_more_work_ || stop_.requested()) return std::nullopt;
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  // A worker's exception stops the work; the pool rethrows it once all stop.
  void work() {
    try {
      while (const std::optional<std::size_t> task = next_task()) {
        const std::vector<double> result = hooks_.work(*task);
        std::lock_guard<std::mutex> lock(mutex_);
        if (cluster_.leader()) {
          hooks_.store(*task, result);
        } else {
          outbox_.push_back(static_cast<double>(*task));
          outbox_.push_back(static_cast<double>(result.size()));
          outbox_.insert(outbox_.end(), result.begin(), result.end());
          ++outbox_results_;
        }
      }
    } catch (...) {
      stop_.request();
      --running_;
      throw;
    }
    --running_;
  }

  // Rank 0: stores the results a worker rank sent and answers with up to the
  // number of tasks it asked for.
  std::vector<std::int64_t> answer(const std::vector<double>& message) {
    const auto wanted = static_cast<std::size_t>(message[0]);
    std::vector<std::int64_t> work;
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t k = 1; k + 1 < message.size();) {
      const auto task = static_cast<std::size_t>(message[k]);
      const auto length = static_cast<std::ptrdiff_t>(message[k + 1]);
      const auto begin = message.begin() + static_cast<std::ptrdiff_t>(k + 2);
      hooks_.store(task, std::vector<double>(begin, begin + length));
      k += 2 + static_cast<std::size_t>(length);
    }
    for (std::size_t k = 0; k < wanted; ++k) {
      const auto task = take();
      if (!task) break;
      work.push_back(static_cast<std::int64_t>(*task));
    }
    return work;
  }

  // Rank 0's main thread: a checkpoint when one is due.
  void checkpoint_if_due() {
    if (!hooks_.checkpoint || checkpoint_error_ ||
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint_).count() <
            options_.checkpoint_seconds) {
      return;
    }
    try {
      hooks_.checkpoint();
    } catch (...) {  // rethrown after the workers stop (a throw here would terminate)
      checkpoint_error_ = std::current_exception();
      stop_.request();
    }
    last_checkpoint_ = std::chrono::steady_clock::now();
  }

  // Rank 0's main thread: serve the other ranks until every worker is done.
  void lead() {
    int ranks_active = cluster_.size() - 1;
    std::vector<double> message;
    while (running_ > 0 || ranks_active > 0) {
      int from = 0;
      if (cluster_.poll(kTagRequest, from, message)) {
        const std::vector<std::int64_t> work = answer(message);
        if (static_cast<std::size_t>(message[0]) == 0) --ranks_active;  // its last message
        cluster_.send(from, kTagWork, work);
        continue;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      checkpoint_if_due();
    }
  }

  // Another rank's main thread, under the mutex: the request to send now, if
  // any (tasks wanted, then the results not yet sent); takes rank 0's answer in.
  std::vector<double> next_request(bool& waiting, bool& last_sent, std::vector<std::int64_t>& work) {
    std::vector<double> message;
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiting) {
      int from = 0;
      if (cluster_.poll(kTagWork, from, work)) {
        waiting = false;
        if (work.empty()) no_more_work_ = true;
        queue_.insert(queue_.end(), work.begin(), work.end());
      }
    }
    const bool finished_here = running_ == 0;
    const bool stopping = no_more_work_ || stop_.requested();
    // Keep one spare task per worker queued, so no worker waits for a reply.
    const int target = 2 * threads_, queued = static_cast<int>(queue_.size());
    const auto wanted = stopping || queued >= threads_ ? 0 : static_cast<std::size_t>(target - queued);
    if (!waiting && (wanted > 0 || (finished_here && stopping) || outbox_results_ > 64)) {
      message.push_back(finished_here && stopping ? 0.0 : static_cast<double>(wanted));
      message.insert(message.end(), outbox_.begin(), outbox_.end());
      outbox_.clear();
      outbox_results_ = 0;
      last_sent = finished_here && stopping;
      waiting = true;
    }
    return message;
  }

  // Another rank's main thread: ask rank 0 for work and send results back.
  void follow() {
    bool waiting = false, last_sent = false;
    std::vector<std::int64_t> work;
    while (!last_sent) {
      const std::vector<double> message = next_request(waiting, last_sent, work);
      if (!message.empty()) {
        cluster_.send(0, kTagRequest, message);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    // The answer to the last message (empty) ends the exchange.
    int from = 0;
    while (!cluster_.poll(kTagWork, from, work)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  const Cluster& cluster_;
  const std::vector<std::size_t>& tasks_;
  const ScheduleOptions& options_;
  const ScheduleHooks& hooks_;
  StopRequest& stop_;
  const int threads_;
  std::mutex mutex_;
  std::size_t cursor_ = 0;          // rank 0: the next task to hand out (under the mutex)
  std::deque<std::size_t> queue_;   // other ranks: tasks handed out by rank 0, not yet taken
  bool no_more_work_ = false;       // other ranks: rank 0 has nothing more
  std::vector<double> outbox_;      // other ranks: results not yet sent
  std::size_t outbox_results_ = 0;
  std::exception_ptr checkpoint_error_;  // rank 0's main thread: a checkpoint that could not be written
  std::atomic<int> running_;
  std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();
};

}  // namespace

void run_self_scheduled(const Cluster& cluster, const std::vector<std::size_t>& tasks, const ScheduleOptions& options,
                        const ScheduleHooks& hooks, StopRequest& stop) {
  SelfScheduler(cluster, tasks, options, hooks, stop).run();
}

}  // namespace pcnsim
