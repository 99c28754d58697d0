#include "pcnsim/kernel/outputs.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace pcnsim {

const char* to_string(Dtype dtype) {
  switch (dtype) {
    case Dtype::float32: return "float32";
    case Dtype::float64: return "float64";
    case Dtype::int32: return "int32";
    case Dtype::int64: return "int64";
    case Dtype::text: return "text";
  }
  return "?";
}

DisplayUnits display_units(std::string_view units) {
  if (units == "GBP") return {"£m", 1e-6};
  if (units == "1") return {"%", 100};
  return {std::string(units), 1};
}

std::string display_number(double value, bool sign) {
  if (std::isnan(value)) return "n/a";
  const double a = std::fabs(value);
  char buf[64];
  std::snprintf(buf, sizeof buf, a >= 1000 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", a);
  std::string digits = buf;
  if (a == 0) digits = "0";
  for (auto k = static_cast<std::ptrdiff_t>(digits.find('.') == std::string::npos ? digits.size() : digits.find('.')) - 3;
       a >= 1000 && k > 0; k -= 3) {
    digits.insert(static_cast<std::size_t>(k), ",");
  }
  const bool negative = value < 0 && digits != "0";
  return (negative ? "-" : sign && a != 0 ? "+" : "") + digits;
}

const OutputInfo& OutputCatalogue::add(OutputInfo info) {
  if (find(info.path)) throw std::logic_error("output " + info.path + " is declared twice");
  outputs_.push_back(std::move(info));
  return outputs_.back();
}

const OutputInfo* OutputCatalogue::find(std::string_view path) const {
  for (const OutputInfo& o : outputs_) {
    if (o.path == path) return &o;
  }
  return nullptr;
}

const OutputInfo& OutputCatalogue::at(std::string_view path) const {
  if (const OutputInfo* o = find(path)) return *o;
  throw std::logic_error("output " + std::string(path) + " is not declared (see docs/output-schema.md)");
}

namespace {

std::string group_of(const std::string& path) {
  const auto second = path.find('/', 1);
  return second == std::string::npos ? "/" : path.substr(0, second);
}

std::string markdown_cell(std::string text) {
  for (std::size_t k = text.find('|'); k != std::string::npos; k = text.find('|', k + 2)) text.replace(k, 1, "\\|");
  return text;
}

}  // namespace

void OutputCatalogue::markdown(std::ostream& out) const {
  // Groups in the order they first appear, each with its datasets in declaration order.
  std::vector<std::string> groups;
  for (const OutputInfo& o : outputs_) {
    if (std::find(groups.begin(), groups.end(), group_of(o.path)) == groups.end()) groups.push_back(group_of(o.path));
  }
  for (const std::string& group : groups) {
    out << "\n### `" << group << "`\n\n| dataset | axes | type | units | meaning | from |\n|---|---|---|---|---|---|\n";
    for (const OutputInfo& o : outputs_) {
      if (group_of(o.path) != group) continue;
      std::string axes;
      for (const auto& a : o.axes) axes += (axes.empty() ? "" : ", ") + a;
      out << "| `" << o.path << "` | " << (axes.empty() ? "-" : axes) << " | " << to_string(o.dtype) << " | "
          << (o.units.empty() ? "-" : markdown_cell(o.units)) << " | " << markdown_cell(o.description) << " | "
          << o.source << " |\n";
    }
  }
}

}  // namespace pcnsim
