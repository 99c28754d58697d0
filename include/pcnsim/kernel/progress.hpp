#pragma once
// Progress of long work (replicates, scenarios, sweep runs) on standard error:
// a bar redrawn in place on a terminal, plain lines (every tenth of the work)
// when standard error is a file or a pipe, nothing when quiet. Thread-safe.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

namespace pcnsim {

class Progress {
 public:
  /// `what` names the units of work ("replicates"); `total` of them.
  Progress(std::string what, int total, bool quiet = false);
  /// One unit finished.
  void advance();
  /// Ends the bar's line (also called by the destructor).
  void finish();
  ~Progress();

  /// The text of one progress report, e.g. "[#####     ] 10/20 replicates, 2.0/s, 5 s left".
  static std::string line(const std::string& what, int done, int total, double seconds, bool bar);

 private:
  std::string what_;
  int total_, done_ = 0, last_tenth_ = 0;
  bool quiet_, terminal_, finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
};

}  // namespace pcnsim
