#include "pcnsim/io/export.hpp"

#include <filesystem>
#include <variant>
#include <vector>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/run_tables.hpp"
#include "pcnsim/kernel/params.hpp"

namespace pcnsim {

namespace {

// One dataset's values as text, with its shape.
struct Column {
  std::string name;
  std::vector<hsize_t> shape;
  std::vector<std::string> text;
};

Column read_column(const h5::File& f, const std::string& path, const std::string& name) {
  Column c{name, {}, {}};
  const hid_t d = H5Dopen2(f.id(), path.c_str(), H5P_DEFAULT);
  const hid_t t = H5Dget_type(d);
  const H5T_class_t cls = H5Tget_class(t);
  H5Tclose(t);
  H5Dclose(d);
  if (cls == H5T_STRING) {
    c.text = f.read_strings(path, &c.shape);
  } else if (cls == H5T_INTEGER) {
    for (auto v : f.read_ints(path, &c.shape)) c.text.push_back(std::to_string(v));
  } else {
    for (double v : f.read_doubles(path, &c.shape)) c.text.push_back(format_number(v));
  }
  return c;
}

bool is_group(const h5::File& f, const std::string& path) {
  H5O_info_t info;
  return H5Oget_info_by_name(f.id(), path.c_str(), &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_GROUP;
}

}  // namespace

void export_csv(const std::string& file, const std::string& table, std::ostream& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw InputError(Diagnostic{file, 0, 0, "", "output file not found"});
  const h5::File f = [&] {
    try {
      return h5::File::open_read(file);
    } catch (const std::runtime_error& e) {  // not HDF5: bad input, not an internal error
      throw InputError(Diagnostic{file, 0, 0, "", std::string("cannot read it as a pcnsim output: ") + e.what()});
    }
  }();
  const std::string path = table.empty() || table.front() != '/' ? "/" + table : table;
  if (!f.exists(path) || path == "/") {
    // The closest declared dataset or group (docs/output-schema.md lists them all).
    std::vector<std::string> known;
    for (const OutputInfo& o : run_file_catalogue().all()) {
      if (o.path.find('<') != std::string::npos) continue;
      known.push_back(o.path.substr(1));
      known.push_back(o.path.substr(1, o.path.rfind('/') - 1));
    }
    const std::string close = closest_match(path.substr(1), known);
    throw InputError(Diagnostic{file, 0, 0, table,
                                "no such table or series" + (close.empty() ? std::string() : "; did you mean " + close + "?") +
                                    " (pcnsim outputs lists every dataset; a table is a group such as networks, "
                                    "practices or finance/network, a series is series/<name>)"});
  }
  if (!is_group(f, path)) {
    const Column c = read_column(f, path, path.substr(path.rfind('/') + 1));
    if (c.shape.size() > 2) {
      throw InputError(Diagnostic{file, 0, 0, table, "has " + std::to_string(c.shape.size()) +
                                                         " dimensions; only 1-D and 2-D datasets export as CSV"});
    }
    const hsize_t rows = c.shape.empty() ? 1 : c.shape[0], cols = c.shape.size() == 2 ? c.shape[1] : 1;
    out << "row";
    for (hsize_t j = 0; j < cols; ++j) out << ',' << (cols == 1 ? c.name : c.name + "_" + std::to_string(j));
    out << '\n';
    for (hsize_t i = 0; i < rows; ++i) {
      out << i;
      for (hsize_t j = 0; j < cols; ++j) out << ',' << csv_quote(c.text[i * cols + j]);
      out << '\n';
    }
    return;
  }
  // A group: its 1-D datasets as long as the first one become columns.
  std::vector<Column> columns;
  for (const auto& name : f.list(path)) {
    const std::string child = path + "/" + name;
    if (is_group(f, child)) continue;
    Column c = read_column(f, child, name);
    if (c.shape.size() == 1) columns.push_back(std::move(c));
  }
  if (columns.empty()) throw InputError(Diagnostic{file, 0, 0, table, "has no one-dimensional datasets to export"});
  const hsize_t rows = columns.front().shape[0];
  std::vector<const Column*> kept;
  for (const auto& c : columns) {
    if (c.shape[0] == rows) kept.push_back(&c);
  }
  for (std::size_t k = 0; k < kept.size(); ++k) out << (k ? "," : "") << kept[k]->name;
  out << '\n';
  for (hsize_t i = 0; i < rows; ++i) {
    for (std::size_t k = 0; k < kept.size(); ++k) out << (k ? "," : "") << csv_quote(kept[k]->text[i]);
    out << '\n';
  }
}

}  // namespace pcnsim
