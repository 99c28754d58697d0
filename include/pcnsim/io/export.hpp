#pragma once
// `pcnsim export`: any dataset or group of an output file as CSV, every value
// kept (numbers print so they parse back to the same double or float) and every
// axis labelled from the output registry (network ids, practice codes, dates,
// financial years, role names, replicate seeds...), for spreadsheets and tools
// without HDF5 support.
#include <ostream>
#include <string>

namespace pcnsim {

/// The shape of a CSV table.
enum class CsvLayout {
  wide,  // rows = all axes but the last, one column per label of the last axis
  tidy,  // one row per element: every axis's label columns, then `value`
};

/// Writes the dataset or group `path` of the HDF5 file `file` as CSV:
/// - a 1-D dataset: its axis's label columns and one value column named after it;
/// - a 2-D or 3-D dataset (wide): a row per label of the first axis (or pair of
///   the first two axes), a column per label of the last axis;
/// - a group (e.g. "networks", "outcomes", "series/arrs_wte"): its datasets
///   along the group's most common axis side by side, after that axis's labels;
///   a dataset with a second axis gives a column per label of it (wide) or a
///   row per pair (tidy). Members along other axes are named on `notes`.
/// Throws InputError (exit code 2) for a missing or unreadable file or path.
void export_csv(const std::string& file, const std::string& path, std::ostream& out,
                CsvLayout layout = CsvLayout::wide, std::ostream* notes = nullptr);

/// Writes every dataset of `file` as one CSV each (path with '/' as '.', e.g.
/// networks.weekly.arrs_wte.csv) into `directory`, with data_dictionary.csv
/// (file, dataset, axes, shape, dtype, units, description) and attributes.csv
/// (the root attributes). The directory appears complete or not at all; an
/// existing one that is not empty is refused unless `overwrite`.
void export_all(const std::string& file, const std::string& directory, CsvLayout layout, bool overwrite);

/// The shortest text that parses back to exactly `value` ("nan", "inf", "-inf").
std::string exact_text(double value);
/// The shortest text that parses back to exactly the float `value`.
std::string exact_text(float value);

}  // namespace pcnsim
