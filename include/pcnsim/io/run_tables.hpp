#pragma once
// The tables of a run file (practices, networks, commissioners, finance,
// clinical directors, events, relationships, parameters...), each dataset
// declared once with its meaning and how it is built from the run's records.
// The writer writes them in this order; the output registry and
// docs/output-schema.md list them from here.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "pcnsim/io/h5.hpp"
#include "pcnsim/kernel/outputs.hpp"
#include "pcnsim/engine/simulation.hpp"

namespace pcnsim {

/// A dataset's values and, for more than one axis, its shape.
struct TableData {
  std::variant<std::vector<std::int32_t>, std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>
      values;
  std::vector<hsize_t> shape;  // empty = 1-D, as long as the values
};

struct TableOutput {
  OutputInfo info;
  std::function<TableData(const RunResult&)> build;
};

/// Every table dataset of a run file, in the order written.
const std::vector<TableOutput>& run_tables();

/// The output registry of a run (or ensemble) file: the mechanisms' series
/// and weekly arrays, the tables, and the series, summary and outcome layout.
const OutputCatalogue& run_file_catalogue();

/// docs/output-schema.md: the layout of a run file, generated from the registry.
void output_schema_markdown(std::ostream& out);

/// Writes one table dataset (its dtype checked against the declaration).
void write_table(h5::File& file, const TableOutput& table, const RunResult& run, int gzip_level);

/// The HDF5 options of a declared dataset (attributes units and description).
h5::DatasetOptions dataset_options(const OutputInfo& info, int gzip_level);

}  // namespace pcnsim
