#pragma once
// Writes a run to HDF5 (layout in docs/output-schema.md). The caller writes
// to AtomicOutput::temp_path() and commits, so no half-written file is left.
#include <string>

#include "pcnsim/simulation.hpp"

namespace pcnsim {

inline constexpr int kFormatVersion = 1;

void write_run(const RunResult& run, const std::string& path);

}  // namespace pcnsim
