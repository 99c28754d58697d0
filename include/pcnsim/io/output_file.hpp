#pragma once
// Results are never half-written: a run writes to a temporary file beside the
// target and renames it into place only when the file is complete.
#include <functional>
#include <ostream>
#include <string>

namespace pcnsim {

class AtomicOutput {
 public:
  /// Removes temporary files of `final_path` left by processes that no longer
  /// run (each reported on stderr). Checks up front (before any simulation
  /// work) that `final_path` may be written: its directory exists and is writable, it is not a directory, and
  /// it does not already exist unless `overwrite`. Throws InputError (exit
  /// code 2) naming the path otherwise. Creates the parent directory when it is
  /// missing but its own parent exists. With `remove_on_signal`, SIGINT or
  /// SIGTERM before commit() removes the temporary file and exits with
  /// 130 / 143 (one such output at a time; not for sweeps, which handle
  /// those signals themselves). SIGKILL may leave the temporary file.
  AtomicOutput(std::string final_path, bool overwrite, bool remove_on_signal = false);
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  /// Removes the temporary file unless commit() succeeded.
  ~AtomicOutput();

  /// Where to write: a unique temporary name in the same directory.
  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  /// Renames the temporary file onto the final path (atomic on POSIX).
  /// Without `overwrite` the final name is created exclusively: a file another
  /// process created there meanwhile is kept, and commit throws InputError.
  void commit();
  /// Writes text through `fill` to the temporary file, then commits; a failed
  /// write (e.g. a full disk) is an InputError naming the final path and `what`.
  void write_text(const std::function<void(std::ostream&)>& fill, const std::string& what);

 private:
  std::string final_path_;
  std::string temp_path_;
  bool overwrite_ = false;
  bool committed_ = false;
  bool armed_ = false;  // owns the signal handlers
  void disarm();
};

/// A directory of files written whole or not at all (`pcnsim export --all`):
/// the files go into a temporary directory beside the target, renamed into
/// place by commit(). An existing target that is not empty is refused
/// (InputError naming it) unless `overwrite`; with it, the old directory is
/// replaced only once the new one is complete. SIGKILL or a signal may leave
/// the temporary directory (`<final>.tmp-PID-N`), never a half-written target.
class AtomicDirectory {
 public:
  AtomicDirectory(std::string final_path, bool overwrite);
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;
  /// Removes the temporary directory unless commit() succeeded.
  ~AtomicDirectory();

  const std::string& temp_path() const { return temp_path_; }
  /// Renames the temporary directory onto the final path.
  void commit();

 private:
  std::string final_path_;
  std::string temp_path_;
  bool overwrite_ = false;
  bool committed_ = false;
};

}  // namespace pcnsim
