#include "pcnsim/kernel/progress.hpp"

#include <cmath>
#include <unistd.h>

namespace pcnsim {

Progress::Progress(std::string what, int total, bool quiet)
    : what_(std::move(what)), total_(total), quiet_(quiet || total <= 0), terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

std::string Progress::line(const std::string& what, int done, int total, double seconds, bool bar) {
  std::string out;
  if (bar) {
    const int width = 24, filled = total > 0 ? width * done / total : width;
    out.assign(1, '[');
    out.append(static_cast<std::size_t>(filled), '#').append(static_cast<std::size_t>(width - filled), ' ').append("] ");
  }
  char buf[160];
  const double rate = seconds > 0 ? done / seconds : 0.0;
  if (done < total && rate > 0) {
    std::snprintf(buf, sizeof buf, "%d/%d %s, %.1f/s, %.0f s left", done, total, what.c_str(), rate,
                  std::ceil((total - done) / rate));
  } else {
    std::snprintf(buf, sizeof buf, "%d/%d %s, %.1f/s, %.1f s", done, total, what.c_str(), rate, seconds);
  }
  return out + buf;
}

void Progress::advance() {
  if (quiet_) return;
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (terminal_) {
    std::fprintf(stderr, "\r%s\033[K", line(what_, done_, total_, seconds, true).c_str());
    std::fflush(stderr);
    return;
  }
  const int tenth = 10 * done_ / total_;
  if (tenth > last_tenth_ || done_ == total_) {
    last_tenth_ = tenth;
    std::fprintf(stderr, "progress: %s\n", line(what_, done_, total_, seconds, false).c_str());
  }
}

void Progress::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (quiet_ || finished_) return;
  finished_ = true;
  if (terminal_) std::fprintf(stderr, "\n");
}

Progress::~Progress() { finish(); }

}  // namespace pcnsim
