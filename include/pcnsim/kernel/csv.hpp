#pragma once
// A small, strict CSV reader (RFC 4180 quoting, CRLF or LF, optional UTF-8
// BOM) that remembers line numbers so import errors can name them.
#include <optional>
#include <string>
#include <vector>

#include "pcnsim/kernel/errors.hpp"

namespace pcnsim {

/// Where a field starts: 1-based line and column (in characters).
struct CsvPlace {
  int line = 0, column = 0;
};

struct CsvRow {
  int line = 0;  // 1-based line number in the file
  std::vector<std::string> fields;
  std::vector<CsvPlace> places;  // of each field
};

/// The first control character of a row: where, which, in which field.
struct CsvControl {
  int line = 0, column = 0;
  unsigned code = 0;
  std::size_t field = 0;
};

struct CsvTable {
  std::string file;
  std::vector<std::string> header;
  std::vector<CsvPlace> header_places;
  std::vector<CsvRow> rows;
  std::vector<Diagnostic> row_problems;  // bad rows left out (lenient reading only)

  /// Index of the first header among `names` present (case-insensitive), if any.
  std::optional<std::size_t> column(const std::vector<std::string>& names) const;
};

/// The first of `names` present (case-insensitive); when none is, records a
/// "missing column (expected a or b)" problem on line 1 and returns nothing.
std::optional<std::size_t> find_required_column(const CsvTable& table, const std::vector<std::string>& names,
                                          DiagnosticList& problems);

/// Throws the problems, if any, sorted by line (stable), so a report reads like the file.
void throw_by_line(const DiagnosticList& problems);

/// The rows of `table` that `read_row(row, out)` accepts (it records its
/// problems); "no <what> rows after the header" when none is and nothing else
/// is wrong; then every problem, by line.
template <class Row, class ReadRow>
std::vector<Row> accepted_rows(const CsvTable& table, DiagnosticList& problems, const std::string& what, ReadRow read_row) {
  std::vector<Row> rows;
  for (const auto& row : table.rows) {
    Row r;
    if (read_row(row, r)) rows.push_back(std::move(r));
  }
  if (problems.empty() && rows.empty()) problems.add({table.file, 0, 0, "", "no " + what + " rows after the header"});
  throw_by_line(problems);
  return rows;
}

/// Reads a whole CSV file (a regular file of at most kMaxCsvFileBytes, see
/// input_file.hpp). Rows whose field count differs from the header's,
/// unterminated quotes, non-UTF-8 bytes and control characters (C0, DEL, C1:
/// a NUL in a practice code; tabs are allowed, and line breaks inside quotes)
/// are reported (all of them) in the
/// thrown InputError, or, when `lenient`, left out and listed in
/// `row_problems` so the caller can add its own checks to the same report.
/// A missing, unreadable or empty file always throws.
CsvTable read_csv(const std::string& path, bool lenient = false);

/// 1-based line and column (`field` unused) of the first control character of
/// `text` other than tab and line breaks (used for YAML files), or nothing.
std::optional<CsvControl> control_character_position(const std::string& text);

/// "a control character (U+0000)" for a code point.
std::string control_character_message(unsigned code);

/// A CSV field, quoted (RFC 4180) when it holds a comma, quote, carriage return or newline.
std::string csv_quote(const std::string& field);

/// 1-based line and column of the first byte of `text` that is not valid
/// UTF-8 (used for YAML files too), or nothing if all of it is valid.
std::optional<std::pair<int, int>> invalid_utf8_position(const std::string& text);

/// `text` unchanged when it is valid UTF-8 (a BOM included), else decoded as
/// Windows-1252 (cp1252), the encoding of many NHS CSV exports (a right single
/// quote 0x92 in a network's name): every byte maps to its cp1252 character;
/// the five bytes cp1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) map
/// to the C1 control characters of the same value, which the CSV reader then
/// reports as control characters. Codes are ASCII, so only names can change.
std::string utf8_or_cp1252(std::string text);

/// read_csv for files that may be cp1252 (utf8_or_cp1252 on the bytes first).
CsvTable read_csv_utf8_or_cp1252(const std::string& path, bool lenient = false);

/// Parses CSV text (used by read_csv and by tests); `file` names it in errors.
CsvTable parse_csv(std::string text, const std::string& file, bool lenient = false);

}  // namespace pcnsim
