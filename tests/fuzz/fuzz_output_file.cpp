// libFuzzer target: output files given to `compare` and `export`, which are
// untrusted input. The fuzz bytes do not reach HDF5's own binary parser (a
// library pcnsim cannot fix); they describe a structurally valid HDF5 file
// whose datasets have any shape, type and content — the crafted files a user
// could make with h5py — and the target writes it, then reads it as `compare`
// and `export` do. Bad files may only ever throw pcnsim::InputError.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "pcnsim/analysis/compare.hpp"
#include "pcnsim/io/export.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/kernel/errors.hpp"

namespace {

// Reads the fuzz bytes as small numbers; zeros once they run out.
struct Bytes {
  const std::uint8_t* data;
  std::size_t size, at = 0;
  unsigned next() { return at < size ? data[at++] : 0u; }
  unsigned below(unsigned n) { return n == 0 ? 0 : next() % n; }
};

// The datasets compare and export read, in a fixed order.
const char* const kPaths[] = {"/outcomes/name",  "/outcomes/units",  "/outcomes/description", "/outcomes/value",
                              "/replicates/seed", "/parameters/name", "/parameters/value",     "/networks/id",
                              "/networks/list_size", "/series/x/step", "/series/x/time",    "/series/x/value"};

// One dataset: absent, or of a drawn type (text, integers, numbers) and a
// drawn shape (one to three axes of 0-5 values each).
void write_dataset(pcnsim::h5::File& file, const std::string& path, Bytes& in) {
  const unsigned kind = in.below(4);
  if (kind == 0) return;  // absent
  std::vector<hsize_t> shape(1 + in.below(3));
  std::size_t count = 1;
  for (auto& d : shape) count *= (d = in.below(6));
  if (kind == 1) {
    std::vector<std::string> text(count);
    for (auto& t : text) t.assign(in.below(4), static_cast<char>('a' + in.below(26)));
    file.write(path, text, shape);
  } else if (kind == 2) {
    std::vector<std::int64_t> values(count);
    for (auto& v : values) v = static_cast<std::int64_t>(in.next()) - 128;
    file.write(path, values, shape);
  } else {
    std::vector<double> values(count);
    for (auto& v : values) v = static_cast<double>(in.next()) / 7.0 - 10.0;
    file.write(path, values, shape);
  }
}

std::string write_file(Bytes& in, const std::string& name) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("pcnsim-fuzz-" + std::to_string(::getpid()) + "-" + name + ".h5"))
                               .string();
  pcnsim::h5::File file = pcnsim::h5::File::create(path);
  if (in.below(4) != 0) file.set_attribute("/", "scenario_name", std::string("fuzz"));
  for (const char* p : kPaths) write_dataset(file, p, in);
  file.flush();
  file.close();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in{data, size};
  const std::string a = write_file(in, "a"), b = write_file(in, "b");
  try {
    const pcnsim::ComparedRun base = pcnsim::read_compared_run(a);
    const pcnsim::ComparedRun other = pcnsim::read_compared_run(b);
    (void)pcnsim::compare_runs(base, other);
  } catch (const pcnsim::InputError&) {
  }
  for (const char* table : {"networks", "series/x", "outcomes/value", "outcomes", "parameters", "networks/weekly/arrs_wte"}) {
    for (const pcnsim::CsvLayout layout : {pcnsim::CsvLayout::wide, pcnsim::CsvLayout::tidy}) {
      try {
        std::ostringstream csv, notes;
        pcnsim::export_csv(a, table, csv, layout, &notes);
      } catch (const pcnsim::InputError&) {
      }
    }
  }
  std::filesystem::remove(a);
  std::filesystem::remove(b);
  return 0;
}
