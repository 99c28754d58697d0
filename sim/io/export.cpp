#include "pcnsim/io/export.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/io/run_tables.hpp"
#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/errors.hpp"

namespace pcnsim {

namespace {

template <class Real>
std::string shortest_text(Real value) {
  if (std::isnan(value)) return "nan";  // one spelling for every NaN, signed or not
  char buffer[64];
  const auto printed = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest round trip
  return std::string(buffer, printed.ptr);
}

}  // namespace

std::string exact_text(double value) { return shortest_text(value); }
std::string exact_text(float value) { return shortest_text(value); }

namespace {

using Texts = std::vector<std::string>;

// One dataset's values and shape; numbers stay numbers until printed.
struct Dataset {
  std::string path;
  std::vector<hsize_t> shape;  // empty for a scalar
  Dtype dtype = Dtype::float64;
  std::vector<double> reals;        // float32 and float64 (a float widens to double exactly)
  std::vector<std::int64_t> ints;   // int32 and int64
  Texts text;

  std::string name() const { return path.substr(path.rfind('/') + 1); }
  std::string at(std::size_t i) const {
    switch (dtype) {
      case Dtype::float32: return exact_text(static_cast<float>(reals[i]));
      case Dtype::float64: return exact_text(reals[i]);
      case Dtype::int32:
      case Dtype::int64: return std::to_string(ints[i]);
      case Dtype::text: break;
    }
    return text[i];
  }
};

bool is_group(const h5::File& f, const std::string& path) {
  H5O_info_t info;
  return H5Oget_info_by_name(f.id(), path.c_str(), &info, H5P_DEFAULT) >= 0 && info.type == H5O_TYPE_GROUP;
}

Dtype stored_dtype(const h5::File& f, const std::string& path) {
  const h5::Handle dataset(H5Dopen2(f.id(), path.c_str(), H5P_DEFAULT));
  const h5::Handle type(dataset.valid() ? H5Dget_type(dataset.id()) : H5I_INVALID_HID);
  if (!type.valid()) throw std::runtime_error("cannot open dataset '" + path + "'");
  const bool narrow = H5Tget_size(type.id()) <= 4;
  switch (H5Tget_class(type.id())) {
    case H5T_STRING: return Dtype::text;
    case H5T_INTEGER: return narrow ? Dtype::int32 : Dtype::int64;
    case H5T_FLOAT: return narrow ? Dtype::float32 : Dtype::float64;
    default: throw std::runtime_error("dataset '" + path + "' holds values of a type pcnsim does not write");
  }
}

Dataset read_dataset(const h5::File& f, const std::string& path) {
  Dataset d{path, {}, stored_dtype(f, path), {}, {}, {}};
  if (d.dtype == Dtype::text) {
    d.text = f.read_strings(path, &d.shape);
  } else if (d.dtype == Dtype::int32 || d.dtype == Dtype::int64) {
    d.ints = f.read_ints(path, &d.shape);
  } else {
    d.reals = f.read_doubles(path, &d.shape);
  }
  return d;
}

// Every dataset and group below `group`, depth first, as absolute paths.
void list_objects(const h5::File& f, const std::string& group, Texts& datasets, Texts& groups, int depth = 0) {
  if (depth > 32) throw std::runtime_error("groups nested more than 32 deep at '" + group + "'");
  for (const std::string& name : f.list(group)) {
    const std::string path = (group == "/" ? "" : group) + "/" + name;
    if (!is_group(f, path)) {
      datasets.push_back(path);
      continue;
    }
    groups.push_back(path);
    list_objects(f, path, datasets, groups, depth + 1);
  }
}

// True when `path` is `pattern`, where a `<name>` segment stands for any one segment.
bool matches(const std::string& pattern, const std::string& path) {
  std::size_t p = 0, q = 0;
  while (p < pattern.size() && q < path.size()) {
    const std::size_t p_end = std::min(pattern.find('/', p + 1), pattern.size());
    const std::size_t q_end = std::min(path.find('/', q + 1), path.size());
    const std::string segment = pattern.substr(p, p_end - p);
    if (segment != "/<name>" && segment != path.substr(q, q_end - q)) return false;
    p = p_end;
    q = q_end;
  }
  return p == pattern.size() && q == path.size();
}

// The registry's declaration of a dataset (series and summaries are declared
// once as /series/<name>/value and the like), or null.
const OutputInfo* declaration(const std::string& path) {
  const OutputCatalogue& registry = run_file_catalogue();
  if (const OutputInfo* info = registry.find(path)) return info;
  for (const OutputInfo& info : registry.all()) {
    if (matches(info.path, path)) return &info;
  }
  return nullptr;
}

// The name of each dimension: the registry's axes; an ensemble's series have a
// replicate row before them; anything undeclared counts dim0, dim1...
Texts axis_names(const Dataset& d) {
  const OutputInfo* info = declaration(d.path);
  Texts axes = info ? info->axes : Texts{};
  if (!axes.empty() && axes.size() + 1 == d.shape.size()) axes.insert(axes.begin(), "replicate");
  if (axes.size() != d.shape.size()) {
    axes.clear();
    for (std::size_t k = 0; k < d.shape.size(); ++k) axes.push_back("dim" + std::to_string(k));
  }
  return axes;
}

// --- Axis labels ---------------------------------------------------------------

struct LabelSource {
  std::string column;           // header of the label column
  std::string dataset;          // registry path of the labels; "" = the index
  bool financial_year = false;  // 2019 is shown as 2019/20
};

struct AxisLabelling {
  std::string axis;
  std::vector<LabelSource> labels;
  std::string header;  // the label column that names an axis's columns in the wide layout
};

// Where each axis of the registry takes its labels: the one table of them.
// Axes not listed (event, edge, parameter, clinical_director, dim0...) are
// labelled by their index.
const std::vector<AxisLabelling>& axis_labelling() {
  static const std::vector<AxisLabelling> table{
      {"step", {{"step", "/series/<name>/step"}, {"date", "/series/<name>/time"}}, "date"},
      {"practice", {{"practice", "/practices/code"}}, "practice"},
      {"network", {{"network", "/networks/id"}}, "network"},
      {"commissioner", {{"commissioner", "/commissioners/code"}}, "commissioner"},
      {"evaluation", {{"evaluation_date", "/practices/network_time"}}, "evaluation_date"},
      {"year", {{"financial_year", "/finance/year", true}}, "financial_year"},
      {"role", {{"role", "/arrs/roles"}}, "role"},
      {"readiness_driver", {{"readiness_driver", "/arrs/readiness_drivers"}}, "readiness_driver"},
      {"cd_source", {{"cd_source", "/clinical_directors/sources"}}, "cd_source"},
      {"replicate", {{"replicate", ""}, {"seed", "/replicates/seed"}}, "replicate"},
      {"outcome", {{"outcome", "/outcomes/name"}}, "outcome"},
  };
  return table;
}

struct LabelColumn {
  std::string name;
  std::string source;  // the registry path it was read from; "" = the index
  Texts text;
};

struct Axis {
  std::string name;
  hsize_t size = 0;
  std::vector<LabelColumn> labels;  // at least one
  std::size_t header_label = 0;

  // Names the wide column of element i: a label, or axis_i for an index.
  std::string header(hsize_t i) const {
    const LabelColumn& label = labels[header_label];
    return label.source.empty() ? name + "_" + label.text[i] : label.text[i];
  }
};

// "2019/20" for the financial year starting in April 2019.
std::string financial_year(const std::string& start) {
  int year = 0;
  const auto parsed = std::from_chars(start.data(), start.data() + start.size(), year);
  if (parsed.ec != std::errc() || parsed.ptr != start.data() + start.size()) return start;
  const int next = (year + 1) % 100;
  return start + "/" + (next < 10 ? "0" : "") + std::to_string(next);
}

LabelColumn index_column(const std::string& name, hsize_t size) {
  LabelColumn column{name, "", {}};
  for (hsize_t i = 0; i < size; ++i) column.text.push_back(std::to_string(i));
  return column;
}

// The labels of `source` in this file, if it has them for `size` elements
// ("/series/<name>/time": the first series that has them).
std::optional<LabelColumn> read_labels(const h5::File& f, const LabelSource& source, hsize_t size) {
  Texts candidates{source.dataset};
  const std::size_t slot = source.dataset.find("/<name>");
  const std::string group = source.dataset.substr(0, slot);
  if (slot != std::string::npos) {
    candidates.clear();
    if (f.exists(group) && is_group(f, group)) {
      for (const std::string& name : f.list(group)) candidates.push_back(group + "/" + name + source.dataset.substr(slot + 7));
    }
  }
  for (const std::string& path : candidates) {
    if (!f.exists(path) || is_group(f, path)) continue;
    const Dataset d = read_dataset(f, path);
    if (d.shape.size() != 1 || d.shape[0] != size) continue;
    LabelColumn column{source.column, source.dataset, {}};
    for (hsize_t i = 0; i < size; ++i) column.text.push_back(source.financial_year ? financial_year(d.at(i)) : d.at(i));
    return column;
  }
  return std::nullopt;
}

// The labelled axes of one file, each read once.
class AxisLabels {
 public:
  explicit AxisLabels(const h5::File& f) : file_(f) {}

  const Axis& get(const std::string& name, hsize_t size) {
    const auto key = std::make_pair(name, size);
    auto found = cache_.find(key);
    if (found == cache_.end()) found = cache_.emplace(key, build(name, size)).first;
    return found->second;
  }

  std::vector<const Axis*> of(const Dataset& d, const Texts& names) {
    std::vector<const Axis*> axes;
    for (std::size_t k = 0; k < names.size(); ++k) axes.push_back(&get(names[k], d.shape[k]));
    return axes;
  }

 private:
  Axis build(const std::string& name, hsize_t size) const {
    Axis axis{name, size, {}, 0};
    const auto& table = axis_labelling();
    const auto labelling = std::find_if(table.begin(), table.end(), [&](const AxisLabelling& a) { return a.axis == name; });
    for (const LabelSource& source : labelling == table.end() ? std::vector<LabelSource>{} : labelling->labels) {
      if (source.dataset.empty()) {
        axis.labels.push_back(index_column(source.column, size));
      } else if (auto column = read_labels(file_, source, size)) {
        axis.labels.push_back(std::move(*column));
      }
    }
    if (axis.labels.empty()) axis.labels.push_back(index_column(name, size));
    for (std::size_t k = 0; labelling != table.end() && k < axis.labels.size(); ++k) {
      if (axis.labels[k].name == labelling->header) axis.header_label = k;
    }
    return axis;
  }

  const h5::File& file_;
  std::map<std::pair<std::string, hsize_t>, Axis> cache_;
};

// --- Tables ----------------------------------------------------------------------

// A dimension's index for one cell: that of row axis `index`, or `index` itself.
struct Pick {
  bool from_row;
  hsize_t index;
};

struct ValueColumn {
  std::string header;
  const Dataset* data;
  std::vector<Pick> picks;  // one per dimension of the dataset
};

// Rows: every combination of the row axes' elements (the last fastest), each
// with all its labels; then the value columns.
struct Table {
  std::vector<const Axis*> rows;
  std::vector<ValueColumn> columns;
};

void write_row(std::ostream& out, const Texts& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_quote(fields[i]);
  out << '\n';
}

hsize_t offset(const ValueColumn& column, const std::vector<hsize_t>& row) {
  hsize_t at = 0;
  for (std::size_t d = 0; d < column.picks.size(); ++d) {
    const Pick& pick = column.picks[d];
    at = at * column.data->shape[d] + (pick.from_row ? row[pick.index] : pick.index);
  }
  return at;
}

void write_table(const Table& table, std::ostream& out) {
  Texts fields;
  hsize_t count = 1;
  for (const Axis* axis : table.rows) {
    for (const LabelColumn& label : axis->labels) fields.push_back(label.name);
    count *= axis->size;
  }
  for (const ValueColumn& column : table.columns) fields.push_back(column.header);
  write_row(out, fields);
  std::vector<hsize_t> row(table.rows.size());
  for (hsize_t r = 0; r < count; ++r) {
    hsize_t rest = r;
    for (std::size_t k = table.rows.size(); k-- > 0;) {
      row[k] = rest % table.rows[k]->size;
      rest /= table.rows[k]->size;
    }
    fields.clear();
    for (std::size_t k = 0; k < row.size(); ++k) {
      for (const LabelColumn& label : table.rows[k]->labels) fields.push_back(label.text[row[k]]);
    }
    for (const ValueColumn& column : table.columns) fields.push_back(column.data->at(offset(column, row)));
    write_row(out, fields);
  }
}

// One dataset: wide spreads its last axis (of two or more) across columns.
Table dataset_table(const Dataset& d, const std::vector<const Axis*>& axes, CsvLayout layout) {
  const bool spread = layout == CsvLayout::wide && axes.size() >= 2;
  Table table{{axes.begin(), spread ? axes.end() - 1 : axes.end()}, {}};
  std::vector<Pick> picks;
  for (std::size_t k = 0; k < table.rows.size(); ++k) picks.push_back({true, k});
  if (!spread) {
    table.columns.push_back({layout == CsvLayout::tidy ? "value" : d.name(), &d, picks});
    return table;
  }
  for (hsize_t j = 0; j < axes.back()->size; ++j) {
    std::vector<Pick> cell = picks;
    cell.push_back({false, j});
    table.columns.push_back({axes.back()->header(j), &d, cell});
  }
  return table;
}

// --- Groups -----------------------------------------------------------------------

struct Member {
  Dataset data;
  Texts axis_names;
  std::vector<const Axis*> axes;
};

// The axis most of the group's datasets have (the first seen on a tie).
const Axis* common_axis(const std::vector<Member>& members) {
  std::vector<std::pair<const Axis*, int>> counts;
  for (const Member& m : members) {
    for (auto axis_it = m.axes.begin(); axis_it != m.axes.end(); ++axis_it) {
      const Axis* axis = *axis_it;
      if (std::find(m.axes.begin(), axis_it, axis) != axis_it) continue;  // once per member
      auto seen = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == axis; });
      if (seen == counts.end()) seen = counts.insert(counts.end(), {axis, 0});
      ++seen->second;
    }
  }
  const auto most = std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return a.second < b.second;
  });
  return most == counts.end() ? nullptr : most->first;
}

// True when `m` holds exactly the labels already shown for `axis` (e.g. /networks/id).
bool labels_axis(const Member& m, const Axis& axis) {
  if (m.axes.size() != 1 || m.axes[0] != &axis) return false;
  return std::any_of(axis.labels.begin(), axis.labels.end(), [&](const LabelColumn& label) {
    if (label.source.empty() || !matches(label.source, m.data.path)) return false;
    for (hsize_t i = 0; i < axis.size; ++i) {
      if (m.data.at(i) != label.text[i]) return false;
    }
    return true;
  });
}

// The axis other than `rows` of the first two-dimensional member along `rows`.
const Axis* second_axis(const std::vector<Member>& members, const Axis* rows) {
  for (const Member& m : members) {
    if (m.axes.size() == 2 && (m.axes[0] == rows) != (m.axes[1] == rows)) return m.axes[m.axes[0] == rows ? 1 : 0];
  }
  return nullptr;
}

// Adds a member along rows (and `second`, if it has it) to a group's table;
// false when it has other axes.
bool add_member(Table& table, const Member& m, const Axis* second, CsvLayout layout) {
  const Axis* rows = table.rows.front();
  if (m.axes.size() == 1 && m.axes[0] == rows) {
    table.columns.push_back({m.data.name(), &m.data, {{true, 0}}});
    return true;
  }
  if (m.axes.size() != 2 || second == nullptr || std::set<const Axis*>(m.axes.begin(), m.axes.end()) !=
                                                       std::set<const Axis*>{rows, second}) {
    return false;
  }
  const std::size_t second_dim = m.axes[0] == second ? 0 : 1;
  if (layout == CsvLayout::tidy) {
    std::vector<Pick> picks(2);
    picks[1 - second_dim] = {true, 0};
    picks[second_dim] = {true, 1};
    table.columns.push_back({m.data.name(), &m.data, picks});
    return true;
  }
  for (hsize_t j = 0; j < second->size; ++j) {
    std::vector<Pick> picks(2);
    picks[1 - second_dim] = {true, 0};
    picks[second_dim] = {false, j};
    table.columns.push_back({m.data.name() + "[" + second->header(j) + "]", &m.data, picks});
  }
  return true;
}

// A group's datasets along its common axis as one table; `left_out` gets the
// members that do not fit (other axes, subgroups).
Table group_table(const std::vector<Member>& members, CsvLayout layout, Texts& left_out) {
  const Axis* rows = common_axis(members);
  Table table;
  if (rows == nullptr) {  // scalars only: one row
    for (const Member& m : members) table.columns.push_back({m.data.name(), &m.data, {}});
    return table;
  }
  const Axis* second = second_axis(members, rows);
  table.rows.push_back(rows);
  if (second && layout == CsvLayout::tidy) table.rows.push_back(second);
  for (const Member& m : members) {
    if (labels_axis(m, *rows)) continue;
    if (!add_member(table, m, second, layout)) {
      std::string axes;
      for (const std::string& a : m.axis_names) axes += (axes.empty() ? "" : ",") + a;
      left_out.push_back(m.data.name() + " (" + (axes.empty() ? "scalar" : axes) + ")");
    }
  }
  return table;
}

// `pcnsim export FILE GROUP`: the members of a group as one table; those that
// do not fit are named on `notes`.
void write_group(const h5::File& f, const std::string& group, AxisLabels& labels, CsvLayout layout,
                 std::ostream& out, std::ostream* notes) {
  std::vector<Member> members;
  Texts left_out;
  for (const std::string& name : f.list(group)) {
    const std::string path = (group == "/" ? "" : group) + "/" + name;
    if (is_group(f, path)) {
      left_out.push_back(name + " (a group)");
      continue;
    }
    Member m{read_dataset(f, path), {}, {}};
    m.axis_names = axis_names(m.data);
    m.axes = labels.of(m.data, m.axis_names);
    members.push_back(std::move(m));
  }
  if (members.empty()) {
    throw InputError(Diagnostic{f.path(), 0, 0, group.substr(1),
                                "is a group of groups only; export one of them (pcnsim export " + f.path() + " " +
                                    (group == "/" ? "GROUP" : group.substr(1) + "/NAME") +
                                    "), or every dataset with --all --dir DIR"});
  }
  write_table(group_table(members, layout, left_out), out);
  if (left_out.empty() || notes == nullptr) return;
  std::string names;
  for (const std::string& n : left_out) names += (names.empty() ? "" : ", ") + n;
  *notes << "note: " << group.substr(1) << ": left out " << names << ", not along the table's rows; export each by its"
         << " own path (e.g. pcnsim export " << f.path() << " " << group.substr(1) << "/"
         << left_out.front().substr(0, left_out.front().find(' ')) << "), or every dataset with --all --dir DIR\n";
}

// A missing dataset or group, with the closest one the file has.
InputError no_such_path(const h5::File& f, const std::string& path) {
  Texts datasets, groups;
  list_objects(f, "/", datasets, groups);
  Texts known;
  for (const Texts* list : {&groups, &datasets}) {
    for (const std::string& p : *list) known.push_back(p.substr(1));
  }
  const std::string close = closest_match(path, known);
  return InputError(Diagnostic{f.path(), 0, 0, path,
                               "no such dataset or group in this file" +
                                   (close.empty() ? std::string() : "; did you mean " + close + "?") +
                                   " (pcnsim outputs lists every dataset; a group is e.g. networks, practices, "
                                   "outcomes or series/<name>; --all --dir DIR writes every dataset)"});
}

// "/networks/weekly" for "networks/weekly/", "/networks//weekly" or "/networks/weekly".
std::string absolute_path(const std::string& path) {
  std::string absolute;
  for (std::size_t start = 0; start < path.size();) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end > start) absolute.append("/").append(path, start, end - start);
    start = end + 1;
  }
  return absolute.empty() ? "/" : absolute;
}

h5::File open_output(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw InputError(Diagnostic{file, 0, 0, "", "output file not found"});
  return h5::File::open_read(file);
}

// Runs `work` on an untrusted output file: whatever the HDF5 layer cannot read
// in it is bad input (exit code 2), not an internal error.
void reading(const std::string& file, const std::function<void()>& work) {
  try {
    work();
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw InputError(Diagnostic{file, 0, 0, "", std::string("cannot read it as a pcnsim output: ") + e.what()});
  }
}

// --- Every dataset ------------------------------------------------------------------

// networks.weekly.arrs_wte.csv for /networks/weekly/arrs_wte; never a name used already.
std::string file_name(const std::string& path, std::set<std::string>& used) {
  std::string stem = path.substr(1);
  std::replace(stem.begin(), stem.end(), '/', '.');
  std::string name = stem + ".csv";
  for (int n = 2; !used.insert(name).second; ++n) name = stem + "~" + std::to_string(n) + ".csv";
  return name;
}

void write_file(const std::string& path, const std::string& directory, const std::function<void(std::ostream&)>& fill) {
  std::ofstream out(path);
  fill(out);
  if (!out.flush()) {
    const std::string name = std::filesystem::path(path).filename().string();
    throw InputError(Diagnostic{directory, 0, 0, "", "could not write " + name + " (is the disk full?)"});
  }
}

std::string joined(const Texts& parts) {
  std::string text;
  for (const std::string& p : parts) text += (text.empty() ? "" : ",") + p;
  return text;
}

// The data dictionary's row of a dataset: units and description from its own
// attributes, else from the registry.
Texts dictionary_row(const h5::File& f, const Dataset& d, const Texts& axes, const std::string& file) {
  Texts shape;
  for (hsize_t n : d.shape) shape.push_back(std::to_string(n));
  const OutputInfo* info = declaration(d.path);
  auto described = [&](const std::string& attribute, const std::string& declared) {
    return f.has_attribute(d.path, attribute) ? f.string_attribute(d.path, attribute) : declared;
  };
  return {file,
          d.path,
          joined(axes),
          joined(shape),
          to_string(d.dtype),
          described("units", info ? info->units : ""),
          described("description", info ? info->description : "")};
}

// A root attribute as text, numbers exact.
std::string root_attribute(const h5::File& f, const std::string& name) {
  const h5::Handle attribute(H5Aopen_by_name(f.id(), "/", name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  const h5::Handle type(attribute.valid() ? H5Aget_type(attribute.id()) : H5I_INVALID_HID);
  switch (type.valid() ? H5Tget_class(type.id()) : H5T_NO_CLASS) {
    case H5T_STRING: return f.string_attribute("/", name);
    case H5T_INTEGER: return std::to_string(f.int_attribute("/", name));
    case H5T_FLOAT: return exact_text(f.double_attribute("/", name));
    default: throw std::runtime_error("root attribute '" + name + "' is of a type pcnsim does not write");
  }
}

void write_attributes(const h5::File& f, std::ostream& out) {
  write_row(out, {"attribute", "value"});
  for (const std::string& name : f.attribute_names("/")) write_row(out, {name, root_attribute(f, name)});
}

}  // namespace

void export_all(const std::string& file, const std::string& directory, CsvLayout layout, bool overwrite) {
  reading(file, [&] {
    const h5::File f = open_output(file);
    Texts datasets, groups;
    list_objects(f, "/", datasets, groups);
    AtomicDirectory target(directory, overwrite);
    AxisLabels labels(f);
    std::set<std::string> used{"data_dictionary.csv", "attributes.csv"};
    std::vector<Texts> dictionary{{"file", "dataset", "axes", "shape", "dtype", "units", "description"}};
    for (const std::string& path : datasets) {
      const Dataset d = read_dataset(f, path);
      const Texts axes = axis_names(d);
      const std::string name = file_name(path, used);
      write_file(target.temp_path() + "/" + name, directory, [&](std::ostream& out) {
        write_table(dataset_table(d, labels.of(d, axes), layout), out);
      });
      dictionary.push_back(dictionary_row(f, d, axes, name));
    }
    write_file(target.temp_path() + "/data_dictionary.csv", directory, [&](std::ostream& out) {
      for (const Texts& row : dictionary) write_row(out, row);
    });
    write_file(target.temp_path() + "/attributes.csv", directory, [&](std::ostream& out) { write_attributes(f, out); });
    try {
      target.commit();
    } catch (const std::filesystem::filesystem_error& e) {
      throw InputError(Diagnostic{directory, 0, 0, "", std::string("could not move the CSV files into place: ") + e.what()});
    }
  });
}

void export_csv(const std::string& file, const std::string& path, std::ostream& out, CsvLayout layout,
                std::ostream* notes) {
  reading(file, [&] {
    const h5::File f = open_output(file);
    const std::string where = absolute_path(path);
    if (!f.exists(where)) throw no_such_path(f, where.substr(1));
    AxisLabels labels(f);
    if (is_group(f, where)) return write_group(f, where, labels, layout, out, notes);
    const Dataset d = read_dataset(f, where);
    write_table(dataset_table(d, labels.of(d, axis_names(d)), layout), out);
  });
}

}  // namespace pcnsim
