#pragma once
// Writes a run to HDF5 (layout in docs/output-schema.md). The caller writes
// to AtomicOutput::temp_path() and commits, so no half-written file is left.
#include <string>

#include "pcnsim/ensemble.hpp"
#include "pcnsim/simulation.hpp"

namespace pcnsim {

inline constexpr int kFormatVersion = 1;

/// The current UTC time as ISO 8601 (the `created` attribute of output files).
std::string now_iso();

/// Writes one run; with `ensemble`, `run` is its replicate 0 and the series
/// gain a replicate axis, summaries and every replicate's outcomes.
void write_run(const RunResult& run, const std::string& path, const Ensemble* ensemble = nullptr);

}  // namespace pcnsim
