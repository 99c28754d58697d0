#pragma once
// A small, strict CSV reader (RFC 4180 quoting, CRLF or LF, optional UTF-8
// BOM) that remembers line numbers so import errors can name them.
#include <optional>
#include <string>
#include <vector>

#include "pcnsim/errors.hpp"

namespace pcnsim {

struct CsvRow {
  int line = 0;  // 1-based line number in the file
  std::vector<std::string> fields;
};

struct CsvTable {
  std::string file;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;

  /// Index of the first header among `names` present (case-insensitive), if any.
  std::optional<std::size_t> column(const std::vector<std::string>& names) const;
};

/// Reads a whole CSV file. Rows whose field count differs from the header's,
/// unterminated quotes and non-UTF-8 bytes are reported (all of them) in the
/// thrown InputError; a missing or unreadable file is reported too.
CsvTable read_csv(const std::string& path);

/// Parses CSV text (used by read_csv and by tests); `file` names it in errors.
CsvTable parse_csv(const std::string& text, const std::string& file);

}  // namespace pcnsim
