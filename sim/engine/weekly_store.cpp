#include "pcnsim/engine/weekly_store.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace pcnsim::background {
namespace {

struct Queue {
  std::mutex mutex;
  std::condition_variable changed;  // a job was queued or finished
  std::deque<std::function<void()>> jobs;
  bool worker = false;
};

// Never destroyed: the worker may still be waiting for work when main returns.
Queue& queue() {
  static Queue* q = new Queue;
  return *q;
}

// Runs the next job without the lock, then tells the waiters.
void run_next(Queue& q, std::unique_lock<std::mutex>& lock) {
  std::function<void()> job = std::move(q.jobs.front());
  q.jobs.pop_front();
  lock.unlock();
  job();
  lock.lock();
  q.changed.notify_all();
}

// The worker: runs jobs while there are any, stays a while for more (the
// next block of weeks), then ends.
void work() {
  Queue& q = queue();
  std::unique_lock<std::mutex> lock(q.mutex);
  while (true) {
    if (!q.jobs.empty()) {
      run_next(q, lock);
    } else if (!q.changed.wait_for(lock, std::chrono::seconds(2), [&] { return !q.jobs.empty(); })) {
      break;
    }
  }
  q.worker = false;
}

}  // namespace

void submit(std::function<void()> job) {
  Queue& q = queue();
  std::lock_guard<std::mutex> lock(q.mutex);
  q.jobs.push_back(std::move(job));
  q.changed.notify_all();
  if (!q.worker) {
    std::thread(work).detach();
    q.worker = true;
  }
}

void help_until(const std::function<bool()>& done) {
  Queue& q = queue();
  std::unique_lock<std::mutex> lock(q.mutex);
  while (!done()) {
    if (q.jobs.empty()) {
      q.changed.wait(lock);
    } else {
      run_next(q, lock);  // a forked child has no worker: the waiter does the work
    }
  }
}

}  // namespace pcnsim::background
