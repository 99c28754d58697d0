#include "pcnsim/kernel/csv.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "pcnsim/kernel/input_file.hpp"

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

// What is wrong with a row as read: bytes that are not UTF-8, a quoted field
// running to the end of the text, the first control character.
struct RowIssues {
  bool bad_encoding = false, unterminated = false;
  std::optional<CsvControl> control;
};

// A control character: C0 (U+0000 to U+001F), DEL or C1 (U+0080 to U+009F).
bool is_control(unsigned code) { return code < 0x20 || (code >= 0x7F && code <= 0x9F); }

// Reads a CSV text row by row (RFC 4180 quoting), keeping the line and column
// where each field starts.
struct CsvScanner {
  const std::string& text;
  std::size_t i = 0;
  int line = 1, column = 1;  // of text[i]

  bool done() const { return i >= text.size(); }

  // The next row, and what is wrong with it in `issues`.
  CsvRow next_row(RowIssues& issues) {
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
          issues.bad_encoding = true;
          ++i;
          continue;
        }
        const unsigned code = n == 2 ? ((static_cast<unsigned char>(c) & 0x1Fu) << 6) |
                                           (static_cast<unsigned char>(text[i + 1]) & 0x3Fu)
                                     : 0xA0u;
        if (is_control(code)) note_control(issues, code, row);  // C1
        field.append(text, i, n);
        i += n;
      } else if (in_quotes) {
        // Line breaks are part of a quoted field (RFC 4180); tabs anywhere.
        if (c != '\n' && c != '\r' && c != '\t' && is_control(static_cast<unsigned char>(c))) {
          note_control(issues, static_cast<unsigned char>(c), row);
        }
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
        if (c != '\t' && is_control(static_cast<unsigned char>(c))) note_control(issues, static_cast<unsigned char>(c), row);
        field += c;
        ++i;
      }
    }
    issues.unterminated = in_quotes;
    if (!issues.unterminated) row.fields.push_back(std::move(field));
    return row;
  }

  // Keeps the place of the row's first control character (text[i], already counted in `column`).
  void note_control(RowIssues& issues, unsigned code, const CsvRow& row) const {
    if (!issues.control) issues.control = CsvControl{line, column - 1, code, row.fields.size()};
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
    RowIssues issues;
    CsvRow row = scan.next_row(issues);
    if (issues.unterminated) {
      problems.add({file, row.line, 0, "", "unterminated quoted field"});
      break;
    }
    if (issues.bad_encoding) problems.add({file, row.line, 0, "", "bytes that are not valid UTF-8"});
    if (issues.control) {
      const CsvControl& at = *issues.control;
      const std::string key = !first && at.field < table.header.size() ? table.header[at.field] : "";
      problems.add({file, at.line, at.column, key,
                    control_character_message(at.code) + " in a field; only tabs, and line breaks inside quotes, are allowed"});
      if (first) problems.throw_if_any();  // no header to read the rows by
      continue;
    }
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
  return parse_csv(read_input_file(path, "CSV file", kMaxCsvFileBytes), path, lenient);
}

std::optional<std::size_t> find_required_column(const CsvTable& table, const std::vector<std::string>& names,
                                          DiagnosticList& problems) {
  if (auto c = table.column(names)) return c;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : " or ") + n;
  problems.add({table.file, 1, 0, names.front(), "missing column (expected " + list + ")"});
  return std::nullopt;
}

void throw_by_line(const DiagnosticList& problems) {
  if (problems.empty()) return;
  std::vector<Diagnostic> sorted = problems.items();
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) { return a.line < b.line; });
  throw InputError(std::move(sorted));
}

std::string utf8_or_cp1252(std::string text) {
  if (!invalid_utf8_position(text)) return text;
  // Code points of cp1252 bytes 0x80-0x9F (0 = undefined: the C1 control of that value).
  static constexpr unsigned kHigh[32] = {0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                         0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
                                         0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                         0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    unsigned code = c;
    if (c >= 0x80 && c < 0xA0 && kHigh[c - 0x80] != 0) code = kHigh[c - 0x80];
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }
  return out;
}

CsvTable read_csv_utf8_or_cp1252(const std::string& path, bool lenient) {
  return parse_csv(utf8_or_cp1252(read_input_file(path, "CSV file", kMaxCsvFileBytes)), path, lenient);
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

std::optional<CsvControl> control_character_position(const std::string& text) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size(); ++column) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t n = std::max<std::size_t>(1, utf8_length(text, i));
    const unsigned code = n == 2 ? ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu)
                          : n == 1 ? c
                                   : 0xA0u;
    if (c != '\t' && c != '\n' && c != '\r' && is_control(code)) return CsvControl{line, column, code, 0};
    if (c == '\n') {
      ++line;
      column = 0;
    }
    i += n;
  }
  return std::nullopt;
}

std::string control_character_message(unsigned code) {
  char name[16];
  std::snprintf(name, sizeof name, "U+%04X", code);
  return std::string("a control character (") + name + ")";
}

std::string csv_quote(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string q = "\"";
  for (char ch : field) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}

}  // namespace pcnsim
