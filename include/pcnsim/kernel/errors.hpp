#pragma once
// Input problems are collected, not thrown one at a time, so a user sees every
// mistake in a scenario or data file at once. Exit code 2 is reserved for them.
#include <stdexcept>
#include <string>
#include <vector>

namespace pcnsim {

/// One problem with user input: where it is and what is wrong.
struct Diagnostic {
  std::string file;    // file name, or "--set", "command line"
  int line = 0;        // 1-based; 0 when unknown
  int column = 0;      // 1-based; 0 when unknown
  std::string key;     // dotted parameter path or CSV column, may be empty
  std::string message;

  std::string to_string() const;
};

/// Thrown when user input is invalid; carries every problem found.
class InputError : public std::runtime_error {
 public:
  explicit InputError(std::vector<Diagnostic> problems);
  explicit InputError(Diagnostic problem);
  const std::vector<Diagnostic>& problems() const { return problems_; }

 private:
  std::vector<Diagnostic> problems_;
};

/// Collects diagnostics while parsing; throws them all together.
class DiagnosticList {
 public:
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  void throw_if_any() const;

 private:
  std::vector<Diagnostic> items_;
};

/// Levenshtein distance, used to suggest the closest valid key.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// The candidate closest to `word`, or "" when nothing is reasonably close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace pcnsim
