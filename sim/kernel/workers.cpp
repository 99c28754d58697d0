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

}  // namespace pcnsim
