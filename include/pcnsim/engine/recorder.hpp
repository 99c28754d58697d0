#pragma once
// National time series, one value per weekly step (h5md-like step/time/value),
// as the mechanisms declare them (models/model.hpp).
#include <string>
#include <vector>

namespace pcnsim {

struct Series {
  std::string name;
  std::string units;
  std::string description;
  std::vector<double> value;  // one per step
};

class Recorder {
 public:
  explicit Recorder(int steps = 0) : steps_(steps) {}
  /// Declares a series and returns its handle; values start at 0.
  int declare(std::string name, std::string units, std::string description);
  void set(int series, int step, double value) { series_[series].value[step] = value; }
  const std::vector<Series>& series() const { return series_; }
  /// The series `name`; std::logic_error naming it when none was declared.
  const Series& at(const std::string& name) const;

 private:
  int steps_;
  std::vector<Series> series_;
};

}  // namespace pcnsim
