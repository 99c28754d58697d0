#pragma once
// Writes a run to HDF5 (layout in docs/output-schema.md). The caller writes
// to AtomicOutput::temp_path() and commits, so no half-written file is left.
#include <functional>
#include <string>

#include "pcnsim/engine/ensemble.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/engine/simulation.hpp"

namespace pcnsim {

inline constexpr int kFormatVersion = 1;

/// The current UTC time as ISO 8601 (the `created` attribute of output files).
std::string now_iso();

/// Writes the record of many runs (a sweep, a calibration) as a whole: root
/// attributes format_version, kind, software_version and created, then what
/// `fill` writes, into a temporary file renamed onto `path` when complete and
/// replacing it, so a checkpoint is only ever the previous one or the new one.
/// A failed write (a full disk) is an InputError naming `path`.
void write_record(const std::string& path, const std::string& kind, const std::function<void(h5::File&)>& fill);

/// An earlier record opened for --resume; InputError when it is missing
/// ("--resume: no <missing> to resume") or not HDF5 ("--resume: cannot read it
/// as a <unreadable>: ...").
h5::File open_for_resume(const std::string& path, const std::string& missing, const std::string& unreadable);

/// Writes one run; with `ensemble`, `run` is its replicate 0 and the series
/// gain a replicate axis, summaries and every replicate's outcomes.
void write_run(const RunResult& run, const std::string& path, const Ensemble* ensemble = nullptr);

}  // namespace pcnsim
