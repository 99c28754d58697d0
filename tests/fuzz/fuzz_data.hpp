#pragma once
// The fixed companion files of tests/data that fuzz targets read once.
#include <fstream>
#include <sstream>
#include <string>

inline std::string slurp(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
