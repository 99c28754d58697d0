#include "pcnsim/kernel/workers.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pcnsim {

int worker_threads(int requested) {
  return requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

void run_workers(int threads, const std::function<void(int worker)>& body) {
  std::mutex mutex;
  std::exception_ptr first;
  auto guarded = [&](int worker) {
    try {
      body(worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!first) first = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int w = 1; w < threads; ++w) pool.emplace_back(guarded, w);
  guarded(0);
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

void run_tasks(std::size_t tasks, int threads, const std::function<void(std::size_t task, int worker)>& f) {
  if (tasks == 0) return;
  const auto n = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(worker_threads(threads)), tasks));
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  run_workers(n, [&](int worker) {
    for (std::size_t task = next++; task < tasks && !failed; task = next++) {
      try {
        f(task, worker);
      } catch (...) {
        failed = true;  // the others start no further task
        throw;
      }
    }
  });
}

BackgroundWorker::~BackgroundWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!jobs_.empty()) run_next(lock);  // queued after the thread ended, if any
}

void BackgroundWorker::submit(std::function<void()> job) {
  std::lock_guard<std::mutex> lock(mutex_);
  jobs_.push_back(std::move(job));
  changed_.notify_all();
  if (!thread_.joinable()) thread_ = std::thread([this] { work(); });
}

// Runs the next job without the lock, then tells the waiters.
void BackgroundWorker::run_next(std::unique_lock<std::mutex>& lock) {
  std::function<void()> job = std::move(jobs_.front());
  jobs_.pop_front();
  lock.unlock();
  job();
  lock.lock();
  changed_.notify_all();
}

void BackgroundWorker::work() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return !jobs_.empty() || stopping_; });
    if (jobs_.empty()) return;  // stopping, nothing left
    run_next(lock);
  }
}

void BackgroundWorker::help_until(const std::function<bool()>& done) {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!done()) {
    if (jobs_.empty()) {
      changed_.wait(lock);
    } else {
      run_next(lock);
    }
  }
}

}  // namespace pcnsim
