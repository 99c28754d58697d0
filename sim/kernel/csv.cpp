#include "pcnsim/kernel/csv.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

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

namespace {

// Reads a CSV text row by row (RFC 4180 quoting), keeping the line and column
// where each field starts.
struct CsvScanner {
  const std::string& text;
  std::size_t i = 0;
  int line = 1, column = 1;  // of text[i]

  bool done() const { return i >= text.size(); }

  // The next row; `bad_encoding` when it holds bytes that are not UTF-8,
  // `unterminated` when a quoted field runs to the end of the text.
  CsvRow next_row(bool& bad_encoding, bool& unterminated) {
    CsvRow row;
    row.line = line;
    row.places.push_back({line, column});
    std::string field;
    bool in_quotes = false;
    while (i < text.size()) {
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
      } else if (in_quotes) {
        in_quotes = quoted_character(c, field);
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
        break;
      } else {
        field += c;
        ++i;
      }
    }
    unterminated = in_quotes;
    if (!unterminated) row.fields.push_back(std::move(field));
    return row;
  }

  // One character inside quotes: a doubled quote is a quote, a single one
  // ends the quoted part (false); line breaks are kept.
  bool quoted_character(char c, std::string& field) {
    if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
      field += '"';
      i += 2;
      ++column;
      return true;
    }
    ++i;
    if (c == '"') return false;
    if (c == '\n') {
      ++line;
      column = 1;
    }
    field += c;
    return true;
  }
};

// Surrounding spaces trimmed: NHS Digital files sometimes pad codes.
void trim_fields(CsvRow& row) {
  for (auto& f : row.fields) {
    const auto b = f.find_first_not_of(" \t");
    const auto e = f.find_last_not_of(" \t");
    f = b == std::string::npos ? std::string() : f.substr(b, e - b + 1);
  }
}

}  // namespace

CsvTable parse_csv(std::string text, const std::string& file, bool lenient) {
  CsvTable table;
  table.file = file;
  DiagnosticList problems;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  CsvScanner scan{text};
  bool first = true;
  while (!scan.done()) {
    bool bad_encoding = false, unterminated = false;
    CsvRow row = scan.next_row(bad_encoding, unterminated);
    if (unterminated) {
      problems.add({file, row.line, 0, "", "unterminated quoted field"});
      break;
    }
    if (bad_encoding) problems.add({file, row.line, 0, "", "bytes that are not valid UTF-8"});
    const bool blank = row.fields.size() == 1 && row.fields[0].empty();
    if (blank) continue;  // blank lines, including a trailing newline, are ignored
    trim_fields(row);
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
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw InputError(Diagnostic{path, 0, 0, "", "cannot be opened for reading"});
  // A file is read in one piece at its size (a string stream would grow and copy it).
  const std::streamoff size = in.tellg();
  if (size < 0) {  // not a regular file (a pipe)
    std::ifstream stream(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << stream.rdbuf();
    return parse_csv(buffer.str(), path, lenient);
  }
  std::string text(static_cast<std::size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(text.data(), size)) throw InputError(Diagnostic{path, 0, 0, "", "cannot be read"});
  return parse_csv(std::move(text), path, lenient);
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
