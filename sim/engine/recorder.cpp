#include "pcnsim/engine/recorder.hpp"

#include <stdexcept>

namespace pcnsim {

int Recorder::declare(std::string name, std::string units, std::string description) {
  series_.push_back(Series{std::move(name), std::move(units), std::move(description),
                           std::vector<double>(static_cast<std::size_t>(steps_), 0.0)});
  return static_cast<int>(series_.size()) - 1;
}

const Series& Recorder::at(const std::string& name) const {
  for (const auto& s : series_) {
    if (s.name == name) return s;
  }
  throw std::logic_error("no series " + name + " was declared (see docs/output-schema.md)");
}

}  // namespace pcnsim
