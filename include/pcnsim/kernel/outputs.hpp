#pragma once
// The output registry: every dataset of an output file declared once, as the
// parameters are (params.hpp): path, axes, type, units, meaning and the
// mechanism or module that produces it. The writer takes each dataset's
// attributes from here, `pcnsim outputs --markdown` generates
// docs/output-schema.md from it, and a name that is not declared is an error
// where it is used, never an empty or zero result.
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace pcnsim {

enum class Dtype { float32, float64, int32, int64, text };
const char* to_string(Dtype dtype);

/// One dataset (or, for a series, the group of its step/time/value datasets).
struct OutputInfo {
  std::string path;               // e.g. /networks/weekly/cd_strain
  std::vector<std::string> axes;  // e.g. {"step", "network"}; empty for a scalar
  Dtype dtype = Dtype::float64;
  std::string units;              // "" = a count, code or id
  std::string description;
  std::string source;             // the mechanism or module that produces it
};

/// How a value in `units` is shown to people (compare's table, the summary):
/// money in GBP as £m, shares (units "1") as %, everything else as it is.
struct DisplayUnits {
  std::string label;   // "£m", "%", or `units` itself
  double factor = 1;   // display value = value * factor
};
DisplayUnits display_units(std::string_view units);
/// A number already in display units, rounded for reading: thousands
/// separated above 1,000 ("36,296"), one decimal above 10, more below; "n/a"
/// for NaN; with `sign`, a leading '+' on positive numbers.
std::string display_number(double value, bool sign = false);

class OutputCatalogue {
 public:
  /// Declares a dataset; a second declaration of the same path is a logic error.
  const OutputInfo& add(OutputInfo info);
  /// The declaration of `path`; std::logic_error naming it when none exists.
  const OutputInfo& at(std::string_view path) const;
  const OutputInfo* find(std::string_view path) const;
  const std::vector<OutputInfo>& all() const { return outputs_; }
  /// Every declaration as a Markdown reference, grouped by top-level group.
  void markdown(std::ostream& out) const;

 private:
  std::vector<OutputInfo> outputs_;
};

}  // namespace pcnsim
