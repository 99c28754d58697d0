#include "pcnsim/kernel/input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pcnsim/kernel/errors.hpp"

namespace pcnsim {

namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& message) {
  throw InputError(Diagnostic{path, 0, 0, "", message});
}

// Why a file of this type is not read; "" for a regular file.
std::string type_problem(const struct stat& st, const std::string& what) {
  if (S_ISREG(st.st_mode)) return "";
  if (S_ISDIR(st.st_mode)) return "is a directory, expected a " + what;
  const char* kind = S_ISFIFO(st.st_mode)   ? "a FIFO (named pipe)"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                     : S_ISSOCK(st.st_mode) ? "a socket"
                                            : "not a regular file";
  return std::string("is ") + kind + ", expected a " + what + " (only regular files are read)";
}

std::string too_large(const std::string& what, std::uint64_t max_bytes) {
  return "is larger than the " + size_text(max_bytes) + " limit for a " + what;
}

struct Descriptor {
  int fd;
  ~Descriptor() { ::close(fd); }
};

}  // namespace

std::string size_text(std::uint64_t bytes) {
  if (bytes % (std::uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string read_input_file(const std::string& path, const std::string& what, std::uint64_t max_bytes) {
  // The type is checked before opening (opening a FIFO would wait for a
  // writer, opening a device may have effects) and again on the open file.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) refuse(path, what + " not found");
    refuse(path, std::string("cannot be read: ") + std::strerror(errno));
  }
  if (auto why = type_problem(st, what); !why.empty()) refuse(path, why);
  const Descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
  if (file.fd < 0) refuse(path, "cannot be opened for reading: " + std::string(std::strerror(errno)));
  if (::fstat(file.fd, &st) != 0) refuse(path, "cannot be read: " + std::string(std::strerror(errno)));
  if (auto why = type_problem(st, what); !why.empty()) refuse(path, why);
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) refuse(path, too_large(what, max_bytes));
  std::string text;
  text.reserve(static_cast<std::size_t>(st.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(file.fd, buffer, sizeof buffer);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      refuse(path, "cannot be read: " + std::string(std::strerror(errno)));
    }
    // A file that grows while it is read is held to the same limit.
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) refuse(path, too_large(what, max_bytes));
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

}  // namespace pcnsim
