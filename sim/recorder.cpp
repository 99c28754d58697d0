#include "pcnsim/recorder.hpp"

namespace pcnsim {

int Recorder::declare(std::string name, std::string units, std::string description) {
  series_.push_back(Series{std::move(name), std::move(units), std::move(description),
                           std::vector<double>(static_cast<std::size_t>(steps_), 0.0)});
  return static_cast<int>(series_.size()) - 1;
}

const Series* Recorder::find(const std::string& name) const {
  for (const auto& s : series_) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace pcnsim
