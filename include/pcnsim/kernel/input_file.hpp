#pragma once
// The one way pcnsim reads an input file whole (scenario, sweep, calibration
// and targets YAML; data and design CSVs): only a regular file, and only up to
// a size limit, so a device (/dev/zero), a FIFO or a directory given as input
// is an InputError naming it instead of a read that never ends.
#include <cstdint>
#include <string>

namespace pcnsim {

/// Size limits of the files read whole (README "Bad input").
inline constexpr std::uint64_t kMaxYamlFileBytes = std::uint64_t{16} << 20;  // 16 MiB
inline constexpr std::uint64_t kMaxCsvFileBytes = std::uint64_t{256} << 20;  // 256 MiB

/// "16 MiB" for a limit of 16 << 20 bytes.
std::string size_text(std::uint64_t bytes);

/// The bytes of the regular file at `path` (symbolic links followed).
/// InputError naming `path` when it does not exist ("<what> not found"), is a
/// directory, is not a regular file (a device, FIFO or socket: never opened
/// for reading), cannot be read, or holds more than `max_bytes` bytes.
std::string read_input_file(const std::string& path, const std::string& what, std::uint64_t max_bytes);

}  // namespace pcnsim
