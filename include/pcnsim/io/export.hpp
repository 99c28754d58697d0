#pragma once
// `pcnsim export`: any table or series of an output file as CSV, for
// spreadsheets and tools without HDF5 support.
#include <ostream>
#include <string>

namespace pcnsim {

/// Writes `table` of the HDF5 file `file` as CSV:
/// - a group of 1-D datasets of one length (e.g. "networks", "practices",
///   "series/arrs_wte"): one column per dataset, one row per element;
/// - a 1-D or 2-D dataset (e.g. "finance/network/arrs_claimed_pence"): one row
///   per first index, columns named by the second index.
/// Throws InputError (exit code 2) for a missing file or table.
void export_csv(const std::string& file, const std::string& table, std::ostream& out);

}  // namespace pcnsim
