#include "pcnsim/kernel/errors.hpp"

#include <algorithm>
#include <sstream>

namespace pcnsim {

std::string Diagnostic::to_string() const {
  std::ostringstream out;
  out << (file.empty() ? "input" : file);
  if (line > 0) {
    out << ':' << line;
    if (column > 0) out << ':' << column;
  }
  out << ": ";
  if (!key.empty()) out << '\'' << key << "': ";
  out << message;
  return out.str();
}

namespace {
std::string join(const std::vector<Diagnostic>& problems) {
  std::string text;
  for (const auto& p : problems) {
    if (!text.empty()) text += '\n';
    text += "error: " + p.to_string();
  }
  return text;
}
}  // namespace

InputError::InputError(std::vector<Diagnostic> problems)
    : std::runtime_error(join(problems)), problems_(std::move(problems)) {}

InputError::InputError(Diagnostic problem) : InputError(std::vector<Diagnostic>{std::move(problem)}) {}

void DiagnosticList::throw_if_any() const {
  if (!items_.empty()) throw InputError(items_);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(3, word.size() / 2) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace pcnsim
