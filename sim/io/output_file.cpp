#include "pcnsim/io/output_file.hpp"

#include <fstream>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <system_error>

#include "pcnsim/kernel/errors.hpp"

namespace pcnsim {
namespace fs = std::filesystem;

namespace {

// Distinguishes several outputs opened by one process (tests, multiple runs).
std::atomic<unsigned> temp_counter{0};

// The armed temporary file, for the signal handler: a static buffer, since a
// handler may only call async-signal-safe functions (unlink, _exit).
char g_signal_temp[4096];
volatile sig_atomic_t g_armed = 0;
struct sigaction g_previous_int, g_previous_term;

extern "C" void remove_temp_and_exit(int signal) {
  if (g_armed) ::unlink(g_signal_temp);
  ::_exit(128 + signal);  // 130 for SIGINT, 143 for SIGTERM
}

// Temporary files of `target` left by processes that no longer run (killed
// with SIGKILL, or a machine that lost power) are removed, each reported.
void remove_stale_temporaries(const fs::path& target) {
  const std::string prefix = target.filename().string() + ".tmp-";
  fs::path directory = target.parent_path();
  if (directory.empty()) directory = ".";
  std::error_code ec;
  for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());  // PID-N
    const auto dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos || rest.find_first_not_of("0123456789-") != std::string::npos) continue;
    const long pid = std::strtol(rest.substr(0, dash).c_str(), nullptr, 10);
    if (pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive, or not ours to judge
    std::error_code removed;
    if (fs::remove(it->path(), removed)) {
      std::cerr << "note: removed " << it->path().string() << ", a temporary file left by process " << pid
                << ", which no longer runs\n";
    }
  }
}

// Renames `from` onto `to` only if `to` does not exist (atomically: another
// process creating `to` meanwhile is never replaced). False when `to` exists.
bool rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return true;
  int error = errno;
  if (error == EINVAL || error == ENOSYS) {  // a file system without RENAME_NOREPLACE: link() is exclusive too
    if (::link(from.c_str(), to.c_str()) == 0) {
      ::unlink(from.c_str());
      return true;
    }
    error = errno;
  }
  if (error == EEXIST) return false;
  throw std::system_error(error, std::generic_category(), "cannot rename " + from + " to " + to);
}

}  // namespace

AtomicOutput::AtomicOutput(std::string final_path, bool overwrite, bool remove_on_signal)
    : final_path_(std::move(final_path)), overwrite_(overwrite) {
  const auto fail = [this](const std::string& message) {
    throw InputError(Diagnostic{final_path_, 0, 0, "", message});
  };
  if (final_path_.empty()) fail("output path is empty");

  const fs::path target(final_path_);
  std::error_code ec;
  const fs::file_status status = fs::status(target, ec);
  if (fs::is_directory(status)) fail("output path is a directory; give a file name");
  // symlink_status also catches a dangling symbolic link, which rename would replace.
  if ((fs::exists(status) || fs::is_symlink(fs::symlink_status(target, ec))) && !overwrite) {
    fail("output file already exists; pass --overwrite to replace it");
  }

  fs::path directory = target.parent_path();
  if (directory.empty()) directory = ".";
  const fs::file_status directory_status = fs::status(directory, ec);
  if (!fs::exists(directory_status)) {
    // Only the last level is created: a typo higher up should not silently
    // build a whole new directory tree.
    if (!fs::create_directory(directory, ec) && ec) {
      fail("output directory '" + directory.string() + "' does not exist and cannot be created: " + ec.message());
    }
  } else if (!fs::is_directory(directory_status)) {
    fail("'" + directory.string() + "' is not a directory");
  }
  remove_stale_temporaries(target);

  // Creating the temporary file is the only reliable writability test (ACLs,
  // read-only mounts, root). It is kept: O_EXCL reserves the unique name.
  // SIGINT/SIGTERM are blocked from creating the file until the handler knows it.
  remove_on_signal = remove_on_signal && !g_armed;
  sigset_t stop_signals, previous_mask;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (remove_on_signal) pthread_sigmask(SIG_BLOCK, &stop_signals, &previous_mask);
  for (int attempt = 0;; ++attempt) {
    temp_path_ = final_path_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(temp_counter++);
    const int fd = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::close(fd);
      if (remove_on_signal && temp_path_.size() < sizeof g_signal_temp) {
        std::memcpy(g_signal_temp, temp_path_.c_str(), temp_path_.size() + 1);
        g_armed = 1;
        armed_ = true;
        struct sigaction action {};
        action.sa_handler = remove_temp_and_exit;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGINT, &action, &g_previous_int);
        ::sigaction(SIGTERM, &action, &g_previous_term);
      }
      if (remove_on_signal) pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
      break;
    }
    const int error = errno;
    if (error == EEXIST && attempt < 100) continue;  // a leftover from an earlier process with our pid
    if (remove_on_signal) pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
    temp_path_.clear();  // nothing for the destructor to remove
    fail("cannot write in directory '" + directory.string() + "': " + std::strerror(error));
  }
}

void AtomicOutput::disarm() {
  if (!armed_) return;
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
  g_armed = 0;
  armed_ = false;
}

AtomicOutput::~AtomicOutput() {
  disarm();
  if (committed_ || temp_path_.empty()) return;
  std::error_code ec;  // never throw from a destructor
  fs::remove(temp_path_, ec);
}

void AtomicOutput::commit() {
  if (overwrite_) {
    fs::rename(temp_path_, final_path_);  // throws filesystem_error naming both paths
  } else if (!rename_no_replace(temp_path_, final_path_)) {
    // Another process created the file while this one ran: theirs is kept.
    throw InputError(Diagnostic{final_path_, 0, 0, "",
                                "output file was created by another process while this one ran; it is kept and "
                                "this result is not written (pass --overwrite to replace it)"});
  }
  committed_ = true;
  disarm();  // a signal just after the rename unlinks nothing: the name is gone
}

void AtomicOutput::write_text(const std::function<void(std::ostream&)>& fill, const std::string& what) {
  {
    std::ofstream file(temp_path_);
    fill(file);
    if (!file.flush()) throw InputError(Diagnostic{final_path_, 0, 0, "", "could not write the " + what});
  }
  commit();
}

namespace {

bool is_empty_directory(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && fs::is_empty(path, ec) && !ec;
}

}  // namespace

AtomicDirectory::AtomicDirectory(std::string final_path, bool overwrite)
    : final_path_(std::move(final_path)), overwrite_(overwrite) {
  const auto fail = [this](const std::string& message) {
    throw InputError(Diagnostic{final_path_, 0, 0, "", message});
  };
  if (final_path_.empty()) fail("output directory is empty");
  while (final_path_.size() > 1 && final_path_.back() == '/') final_path_.pop_back();  // "out/" names "out"
  const fs::path target(final_path_);
  std::error_code ec;
  const fs::file_status status = fs::symlink_status(target, ec);
  if (fs::exists(status) && !fs::is_directory(status)) fail("exists and is not a directory");
  if (fs::exists(status) && !overwrite && !is_empty_directory(target)) {
    fail("output directory exists and is not empty; pass --overwrite to replace it");
  }
  fs::path parent = target.parent_path();
  if (parent.empty()) parent = ".";
  if (!fs::is_directory(parent, ec)) fail("its parent directory '" + parent.string() + "' does not exist");
  for (int attempt = 0;; ++attempt) {
    temp_path_ = final_path_ + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(temp_counter++);
    if (fs::create_directory(temp_path_, ec)) break;
    if (!ec && attempt < 100) continue;  // a leftover of an earlier process with our pid
    const std::string why = ec ? ec.message() : "too many leftover temporary directories";
    temp_path_.clear();  // nothing for the destructor to remove
    fail("cannot write in directory '" + parent.string() + "': " + why);
  }
}

AtomicDirectory::~AtomicDirectory() {
  if (committed_ || temp_path_.empty()) return;
  std::error_code ec;  // never throw from a destructor
  fs::remove_all(temp_path_, ec);
}

void AtomicDirectory::commit() {
  std::error_code ec;
  const bool vacant = !fs::exists(fs::symlink_status(final_path_, ec)) || is_empty_directory(final_path_);
  if (vacant) fs::rename(temp_path_, final_path_, ec);  // replaces an empty directory atomically
  if (!vacant || ec) {
    if (!overwrite_) {
      throw InputError(Diagnostic{final_path_, 0, 0, "",
                                  "output directory was filled by another process while this one ran; it is kept "
                                  "and this result is not written (pass --overwrite to replace it)"});
    }
    // Replacing a full directory takes two renames: the old one aside, then the new one in.
    const std::string old = temp_path_ + "-old";
    fs::rename(final_path_, old);  // throws filesystem_error naming both paths
    fs::rename(temp_path_, final_path_);
    fs::remove_all(old, ec);
  }
  committed_ = true;
}

}  // namespace pcnsim
