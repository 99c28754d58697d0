#include "pcnsim/schedule.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

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

int worker_threads(int requested) {
  return requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void run_self_scheduled(const Cluster& cluster, const std::vector<std::size_t>& tasks, const ScheduleOptions& options,
                        const ScheduleHooks& hooks, StopRequest& stop) {
  const int threads = worker_threads(options.threads);
  auto last_checkpoint = std::chrono::steady_clock::now();
  // Messages between ranks: a request [tasks wanted, (task, length, values...)...]
  // from a worker rank, answered by rank 0 with the tasks it hands out (none: stop).
  constexpr int kTagRequest = 1, kTagWork = 2;
  std::mutex mutex;
  std::size_t cursor = 0;         // rank 0: the next task to hand out (under the mutex)
  std::deque<std::size_t> queue;  // other ranks: tasks handed out by rank 0, not yet taken
  bool no_more_work = false;      // other ranks: rank 0 has nothing more
  std::vector<double> outbox;     // other ranks: results not yet sent
  std::size_t outbox_results = 0;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(threads));
  std::exception_ptr checkpoint_error;  // rank 0's main thread: a checkpoint that could not be written
  // Rank 0, under the mutex: the next task, or none (finished, stopping, or --stop-after reached).
  auto take = [&]() -> std::optional<std::size_t> {
    if (stop.requested()) return std::nullopt;
    const std::size_t i = cursor++;
    if (i >= tasks.size()) return std::nullopt;
    if (options.stop_after_tasks >= 0 && i >= static_cast<std::size_t>(options.stop_after_tasks)) {
      stop.request();
      return std::nullopt;
    }
    return tasks[i];
  };
  std::atomic<int> running{threads};
  auto worker = [&](int id) {
    try {
      while (true) {
        std::optional<std::size_t> task;
        {
          std::unique_lock<std::mutex> lock(mutex);
          if (cluster.leader()) {
            task = take();
            if (!task) break;
          } else {
            if (queue.empty()) {
              if (no_more_work || stop.requested()) break;
              lock.unlock();
              std::this_thread::sleep_for(std::chrono::milliseconds(1));
              continue;
            }
            task = queue.front();
            queue.pop_front();
          }
        }
        const std::vector<double> result = hooks.work(*task);
        std::lock_guard<std::mutex> lock(mutex);
        if (cluster.leader()) {
          hooks.store(*task, result);
        } else {
          outbox.push_back(static_cast<double>(*task));
          outbox.push_back(static_cast<double>(result.size()));
          outbox.insert(outbox.end(), result.begin(), result.end());
          ++outbox_results;
        }
      }
    } catch (...) {
      errors[static_cast<std::size_t>(id)] = std::current_exception();
      stop.request();
    }
    --running;
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  if (cluster.leader()) {
    int ranks_active = cluster.size() - 1;
    std::vector<double> message;
    while (running > 0 || ranks_active > 0) {
      int from = 0;
      if (cluster.poll(kTagRequest, from, message)) {
        const auto wanted = static_cast<std::size_t>(message[0]);
        std::vector<std::int64_t> work;
        {
          std::lock_guard<std::mutex> lock(mutex);
          for (std::size_t k = 1; k + 1 < message.size();) {
            const auto task = static_cast<std::size_t>(message[k]);
            const auto length = static_cast<std::ptrdiff_t>(message[k + 1]);
            const auto begin = message.begin() + static_cast<std::ptrdiff_t>(k + 2);
            hooks.store(task, std::vector<double>(begin, begin + length));
            k += 2 + static_cast<std::size_t>(length);
          }
          for (std::size_t k = 0; k < wanted; ++k) {
            const auto task = take();
            if (!task) break;
            work.push_back(static_cast<std::int64_t>(*task));
          }
        }
        if (wanted == 0) --ranks_active;  // its last message
        cluster.send(from, kTagWork, work);
        continue;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (hooks.checkpoint && !checkpoint_error &&
          std::chrono::duration<double>(std::chrono::steady_clock::now() - last_checkpoint).count() >=
              options.checkpoint_seconds) {
        try {
          hooks.checkpoint();
        } catch (...) {  // rethrown after the workers stop (a throw here would terminate)
          checkpoint_error = std::current_exception();
          stop.request();
        }
        last_checkpoint = std::chrono::steady_clock::now();
      }
    }
  } else {
    bool waiting = false, last_sent = false;
    std::vector<std::int64_t> work;
    while (!last_sent) {
      std::vector<double> message;
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (waiting) {
          int from = 0;
          if (cluster.poll(kTagWork, from, work)) {
            waiting = false;
            if (work.empty()) no_more_work = true;
            queue.insert(queue.end(), work.begin(), work.end());
          }
        }
        const bool finished_here = running == 0;
        const bool stopping = no_more_work || stop.requested();
        // Keep one spare task per worker queued, so no worker waits for a reply.
        const int target = 2 * threads, queued = static_cast<int>(queue.size());
        const auto wanted = stopping || queued >= threads ? 0 : static_cast<std::size_t>(target - queued);
        if (!waiting && (wanted > 0 || (finished_here && stopping) || outbox_results > 64)) {
          message.push_back(finished_here && stopping ? 0.0 : static_cast<double>(wanted));
          message.insert(message.end(), outbox.begin(), outbox.end());
          outbox.clear();
          outbox_results = 0;
          last_sent = finished_here && stopping;
          waiting = true;
        }
      }
      if (!message.empty()) {
        cluster.send(0, kTagRequest, message);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    // The answer to the last message (empty) ends the exchange.
    int from = 0;
    while (!cluster.poll(kTagWork, from, work)) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  if (checkpoint_error) std::rethrow_exception(checkpoint_error);
}

}  // namespace pcnsim
