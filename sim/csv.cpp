#include "pcnsim/csv.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace pcnsim {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Length of the valid UTF-8 sequence at text[i], or 0 if invalid.
std::size_t utf8_length(const std::string& text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return 0;
  }
  return n;
}

}  // namespace

std::optional<std::size_t> CsvTable::column(const std::vector<std::string>& names) const {
  for (const auto& name : names) {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (lower(header[i]) == lower(name)) return i;
    }
  }
  return std::nullopt;
}

CsvTable parse_csv(const std::string& raw, const std::string& file, bool lenient) {
  CsvTable table;
  table.file = file;
  DiagnosticList problems;
  std::string text = raw;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);

  int line = 1, column = 1;  // of text[i]
  std::size_t i = 0;
  bool first = true;
  while (i < text.size()) {
    CsvRow row;
    row.line = line;
    row.places.push_back({line, column});
    std::string field;
    bool in_quotes = false, row_done = false, bad_encoding = false;
    while (i < text.size() && !row_done) {
      const char c = text[i];
      ++column;  // of text[i] once it is read (a whole character; line breaks reset it)
      if ((static_cast<unsigned char>(c) & 0x80) != 0) {
        const std::size_t n = utf8_length(text, i);
        if (n == 0) {
          bad_encoding = true;
          ++i;
          continue;
        }
        field.append(text, i, n);
        i += n;
        continue;
      }
      if (in_quotes) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i += 2;
          ++column;
        } else if (c == '"') {
          in_quotes = false;
          ++i;
        } else {
          if (c == '\n') {
            ++line;
            column = 1;
          }
          field += c;
          ++i;
        }
      } else if (c == '"' && field.empty()) {
        in_quotes = true;
        ++i;
      } else if (c == ',') {
        row.fields.push_back(std::move(field));
        field.clear();
        ++i;
        row.places.push_back({line, column});
      } else if (c == '\r' || c == '\n') {
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        ++i;
        ++line;
        column = 1;
        row_done = true;
      } else {
        field += c;
        ++i;
      }
    }
    if (in_quotes) {
      problems.add({file, row.line, 0, "", "unterminated quoted field"});
      break;
    }
    row.fields.push_back(std::move(field));
    if (bad_encoding) problems.add({file, row.line, 0, "", "bytes that are not valid UTF-8"});
    const bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (blank) continue;  // blank lines, including a trailing newline, are ignored
    for (auto& f : row.fields) {
      // Trim surrounding spaces: NHS Digital files sometimes pad codes.
      const auto b = f.find_first_not_of(" \t");
      const auto e = f.find_last_not_of(" \t");
      f = b == std::string::npos ? std::string() : f.substr(b, e - b + 1);
    }
    if (first) {
      table.header = std::move(row.fields);
      table.header_places = std::move(row.places);
      first = false;
      continue;
    }
    if (row.fields.size() != table.header.size()) {
      problems.add({file, row.line, 0, "",
                    "expected " + std::to_string(table.header.size()) + " fields as in the header, found " +
                        std::to_string(row.fields.size())});
      continue;
    }
    table.rows.push_back(std::move(row));
  }
  if (first) throw InputError(Diagnostic{file, 0, 0, "", "the file is empty (no header row)"});
  if (lenient) {
    table.row_problems = problems.items();
  } else {
    problems.throw_if_any();
  }
  return table;
}

CsvTable read_csv(const std::string& path, bool lenient) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(Diagnostic{path, 0, 0, "", "file not found"});
  if (fs::is_directory(path, ec)) throw InputError(Diagnostic{path, 0, 0, "", "is a directory, expected a CSV file"});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(Diagnostic{path, 0, 0, "", "cannot be opened for reading"});
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse_csv(buffer.str(), path, lenient);
}

std::optional<std::pair<int, int>> invalid_utf8_position(const std::string& text) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size(); ++column) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) return std::make_pair(line, column);
    if (text[i] == '\n') {
      ++line;
      column = 0;
    }
    i += n;
  }
  return std::nullopt;
}

std::string csv_quote(const std::string& field) {
  if (field.find_first_of(",\"\n") == std::string::npos) return field;
  std::string q = "\"";
  for (char ch : field) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

}  // namespace pcnsim
