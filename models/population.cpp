#include "models/population.hpp"
#include "models/model.hpp"

#include <algorithm>
#include <boost/random/gamma_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <functional>
#include <map>
#include <numbers>
#include <numeric>
#include <optional>
#include <set>
#include <cctype>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/geo.hpp"
#include "pcnsim/kernel/rng.hpp"

namespace pcnsim {

namespace {

std::uint64_t code_hash(const std::string& code) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : code) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

bool parse_number(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(out);
}

std::string outward_code(const std::string& postcode) {
  const auto space = postcode.find(' ');
  if (space != std::string::npos) return postcode.substr(0, space);
  return postcode.size() > 3 ? postcode.substr(0, postcode.size() - 3) : postcode;
}

// Column lookup that records a missing column as a problem.
std::size_t require_column(const CsvTable& table, const std::vector<std::string>& names, DiagnosticList& problems) {
  if (auto c = table.column(names)) return *c;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : " or ") + n;
  problems.add({table.file, 1, 0, names.front(), "missing column (expected " + list + ")"});
  return 0;
}

// Postcode in one canonical form (upper case, one space before the inward code).
std::string normal_postcode(const std::string& postcode) {
  std::string compact;
  for (char c : postcode) {
    if (c != ' ') compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return compact.size() > 3 ? compact.substr(0, compact.size() - 3) + " " + compact.substr(compact.size() - 3) : compact;
}

// Practices at one postcode are one building: they share a site id (ids in
// order of first practice).
void assign_sites(Practices& p) {
  std::map<std::string, int> site_of;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const std::string key = normal_postcode(p.postcode[i]);
    const auto [it, added] = site_of.emplace(key.empty() ? "#" + p.code[i] : key, static_cast<int>(site_of.size()));
    p.site[i] = it->second;
  }
}

// Groups practices by commissioner, sorted by (commissioner code, practice
// code) so ids do not depend on the order of rows in the file.
void index_world(World& world, std::vector<std::string>& commissioner_code) {
  Practices& p = world.practices;
  std::vector<std::size_t> order(p.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::tie(commissioner_code[a], p.code[a]) < std::tie(commissioner_code[b], p.code[b]);
  });
  Practices sorted;
  sorted.resize(p.size());
  std::vector<std::string> sorted_commissioner(p.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    sorted.code[k] = p.code[i];
    sorted.postcode[k] = p.postcode[i];
    sorted.list_size[k] = p.list_size[i];
    sorted.x_km[k] = p.x_km[i];
    sorted.y_km[k] = p.y_km[i];
    sorted.location_source[k] = p.location_source[i];
    sorted.rural_urban_class[k] = p.rural_urban_class[i];
    sorted.imd_score[k] = p.imd_score[i];
    sorted.imd_imputed[k] = p.imd_imputed[i];
    sorted_commissioner[k] = commissioner_code[i];
  }
  p = std::move(sorted);
  assign_sites(p);
  world.commissioners.clear();
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (world.commissioners.empty() || world.commissioners.back().code != sorted_commissioner[k]) {
      world.commissioners.push_back(Commissioner{sorted_commissioner[k], {}, 0.0, 0.0});
    }
    world.commissioners.back().members.push_back(static_cast<int>(k));
    p.commissioner[k] = static_cast<int>(world.commissioners.size() - 1);
  }
}

void compute_centroids(World& world) {
  const Practices& p = world.practices;
  for (auto& c : world.commissioners) {
    double w = 0, x = 0, y = 0;
    for (int i : c.members) {
      if (p.location_source[i] == LocationSource::commissioner_centroid) continue;
      w += p.list_size[i];
      x += p.list_size[i] * p.x_km[i];
      y += p.list_size[i] * p.y_km[i];
    }
    if (w > 0) {
      c.x_km = x / w;
      c.y_km = y / w;
    }
  }
}

}  // namespace

// ------------------------------------------------------------ England ----

namespace {

// Columns of the England tables (old and newer names accepted).
struct EnglandColumns {
  std::size_t commissioner = 0, code = 0, postcode = 0, patients = 0;
  std::optional<std::size_t> sex, age, type;
  std::size_t outcode = 0, easting = 0, northing = 0;
  std::size_t imd_code = 0, imd_value = 0;
  std::size_t loc_code = 0, latitude = 0, longitude = 0, rural_urban_class = 0;
  std::optional<std::size_t> loc_postcode;
};

// Every table is read before any error is raised, so all problems show at once.
std::vector<CsvTable> read_england_tables(const std::function<CsvTable(int)>& read, bool with_locations,
                                          DiagnosticList& problems) {
  std::vector<CsvTable> tables(4);
  bool unreadable = false;
  for (int k = 0; k < (with_locations ? 4 : 3); ++k) {
    try {
      tables[k] = read(k);
      for (const auto& d : tables[k].row_problems) problems.add(d);
    } catch (const InputError& e) {
      for (const auto& d : e.problems()) problems.add(d);
      unreadable = true;
    }
  }
  if (unreadable) problems.throw_if_any();
  return tables;
}

EnglandColumns find_england_columns(const std::vector<CsvTable>& t, bool with_locations, DiagnosticList& problems) {
  EnglandColumns c;
  const std::size_t before = problems.size();
  // Practices: old (CCG_CODE) and newer (SUB_ICB_LOCATION_CODE) column names.
  c.commissioner = require_column(t[0], {"CCG_CODE", "SUB_ICB_LOCATION_CODE", "SUB_ICB_LOC_CODE", "ICB_CODE"}, problems);
  c.code = require_column(t[0], {"CODE", "PRACTICE_CODE", "ORG_CODE"}, problems);
  c.postcode = require_column(t[0], {"POSTCODE"}, problems);
  c.patients = require_column(t[0], {"NUMBER_OF_PATIENTS", "PATIENTS"}, problems);
  c.sex = t[0].column({"SEX"});
  c.age = t[0].column({"AGE"});
  c.type = t[0].column({"TYPE", "ORG_TYPE"});
  c.outcode = require_column(t[1], {"outcode", "postcode_district"}, problems);
  c.easting = require_column(t[1], {"easting"}, problems);
  c.northing = require_column(t[1], {"northing"}, problems);
  c.imd_code = require_column(t[2], {"practice_code", "code", "area_code"}, problems);
  c.imd_value = require_column(t[2], {"imd2019_score", "value", "imd_score"}, problems);
  if (with_locations) {
    c.loc_code = require_column(t[3], {"practice_code", "code"}, problems);
    c.latitude = require_column(t[3], {"latitude", "lat"}, problems);
    c.longitude = require_column(t[3], {"longitude", "long", "lon"}, problems);
    c.rural_urban_class = require_column(t[3], {"ruc11", "rural_urban_class"}, problems);
    c.loc_postcode = t[3].column({"postcode_2021", "postcode"});
  }
  if (problems.size() > before) problems.throw_if_any();  // rows cannot be read without their columns
  return c;
}

// A full-postcode location on the National Grid, with the LSOA's rural-urban class.
struct Located {
  double x_km, y_km;
  std::string rural_urban_class, postcode;
};

std::map<std::string, Located> read_locations(const CsvTable& locations, const EnglandColumns& c,
                                              DiagnosticList& problems) {
  std::map<std::string, Located> located;
  std::map<std::string, int> location_line;
  for (const auto& row : locations.rows) {
    auto problem = [&](int line, std::size_t column, std::string what) {
      problems.add({locations.file, line, row.places[column].column, locations.header[column], std::move(what)});
    };
    const std::string& code = row.fields[c.loc_code];
    const std::string& ruc = row.fields[c.rural_urban_class];
    double lat = 0, lon = 0;
    const std::size_t before = problems.size();
    if (code.empty()) {
      problem(row.line, c.loc_code, "empty practice code");
    } else if (auto [it, added] = location_line.emplace(code, row.line); !added) {
      problem(row.line, c.loc_code, "practice " + code + " located twice (first on line " + std::to_string(it->second) + ")");
    }
    // England lies within 49.8-55.9 N and 6.5 W-1.8 E; a little slack for typing, not for swapped columns.
    if (!parse_number(row.fields[c.latitude], lat) || lat < 49.0 || lat > 56.5) {
      problem(row.line, c.latitude, "expected a latitude in England (49 to 56.5 degrees), got '" + row.fields[c.latitude] + "'");
    }
    if (!parse_number(row.fields[c.longitude], lon) || lon < -7.0 || lon > 2.5) {
      problem(row.line, c.longitude,
              "expected a longitude in England (-7 to 2.5 degrees), got '" + row.fields[c.longitude] + "'");
    }
    static const std::set<std::string> kClasses = {"", "A1", "B1", "C1", "C2", "D1", "D2", "E1", "E2"};
    if (!kClasses.count(ruc)) {
      problem(row.line, c.rural_urban_class,
              "expected an ONS 2011 rural-urban class (A1, B1, C1, C2, D1, D2, E1, E2) or nothing, got '" + ruc + "'");
    }
    if (problems.size() > before) continue;
    const GridPoint g = wgs84_to_national_grid(lat, lon);
    located[code] = {g.easting_m / 1000.0, g.northing_m / 1000.0, ruc, c.loc_postcode ? row.fields[*c.loc_postcode] : ""};
  }
  return located;
}

std::map<std::string, std::pair<double, double>> read_district_centroids(const CsvTable& centroids,
                                                                         const EnglandColumns& c,
                                                                         DiagnosticList& problems) {
  std::map<std::string, std::pair<double, double>> district;
  for (const auto& row : centroids.rows) {
    double e, n;
    const std::string& oc = row.fields[c.outcode];
    if (!parse_number(row.fields[c.easting], e) || !parse_number(row.fields[c.northing], n)) {
      problems.add({centroids.file, row.line, 0, "easting/northing", "not a number"});
      continue;
    }
    // The National Grid covers Great Britain within 0-700 km east and 0-1300 km
    // north; the file also places the Channel Islands (GY, JE), south of it.
    if (e < -100000 || e > 800000 || n < -200000 || n > 1300000) {
      problems.add({centroids.file, row.line, row.places[c.easting].column, "easting/northing",
                    "expected a National Grid point in or near Great Britain (easting -100000 to 800000 m, northing "
                    "-200000 to 1300000 m), got " + row.fields[c.easting] + ", " + row.fields[c.northing]});
      continue;
    }
    if (oc.empty()) problems.add({centroids.file, row.line, 0, centroids.header[c.outcode], "empty postcode district"});
    district[oc] = {e / 1000.0, n / 1000.0};
  }
  return district;
}

std::map<std::string, double> read_imd_scores(const CsvTable& imd, const EnglandColumns& c, DiagnosticList& problems) {
  std::map<std::string, double> imd_score;
  for (const auto& row : imd.rows) {
    double v;
    if (!parse_number(row.fields[c.imd_value], v) || v < 0 || v > 100) {
      problems.add({imd.file, row.line, row.places[c.imd_value].column, imd.header[c.imd_value],
                    "expected an IMD score between 0 and 100, got '" + row.fields[c.imd_value] + "'"});
      continue;
    }
    imd_score[row.fields[c.imd_code]] = v;
  }
  return imd_score;
}

// A deterministic point in a disc of radius jitter_km around (x, y), from the
// postcode, so that practices at one postcode stay in one place.
std::pair<double, double> jittered(double x_km, double y_km, const std::string& postcode, double jitter_km) {
  const std::uint64_t h = code_hash(normal_postcode(postcode));
  const double u = hash_uniform(h, 1, 0), v = hash_uniform(h, 2, 0);
  const double r = jitter_km * std::sqrt(u), a = 2.0 * std::numbers::pi * v;
  return {x_km + r * std::cos(a), y_km + r * std::sin(a)};
}

// One row of the practices file checked; false (with the problems added) when it cannot be used.
bool practice_row_ok(const CsvTable& practices, const CsvRow& row, const EnglandColumns& c,
                     std::map<std::string, int>& first_line, double& patients, DiagnosticList& problems) {
  const std::string& code = row.fields[c.code];
  auto problem = [&](std::size_t column, std::string what) {
    problems.add({practices.file, row.line, row.places[column].column, practices.header[column], std::move(what)});
  };
  const std::size_t before = problems.size();
  if (code.empty()) problem(c.code, "empty practice code");
  if (row.fields[c.commissioner].empty()) problem(c.commissioner, "empty commissioner code");
  if (!parse_number(row.fields[c.patients], patients) || patients != std::floor(patients) || patients < 0) {
    problem(c.patients, "expected a whole number of patients, got '" + row.fields[c.patients] + "'");
  } else if (patients == 0) {
    problem(c.patients, "practice " + code + " has zero patients");
  } else if (patients > kMaxPracticePatients) {
    problem(c.patients, "practice " + code + " has " + row.fields[c.patients] + " patients, more than the " +
                            std::to_string(static_cast<long>(kMaxPracticePatients)) +
                            " a practice can have (the largest in England has about 100,000)");
  }
  if (!code.empty()) {
    auto [it, inserted] = first_line.emplace(code, row.line);
    if (!inserted) problem(c.code, "duplicate practice code " + code + " (first on line " + std::to_string(it->second) + ")");
  }
  return problems.size() == before;
}

// Practices from the list file, placed at their full postcode, else jittered in
// their postcode district, else (later) at their commissioner's centroid.
std::vector<std::string> read_practices(World& world, const std::vector<CsvTable>& t, const EnglandColumns& c,
                                        const EnglandSourceParams& params, DiagnosticList& problems,
                                        PopulationReport& report) {
  const std::map<std::string, Located> located = read_locations(t[3], c, problems);
  const auto district = read_district_centroids(t[1], c, problems);
  const std::map<std::string, double> imd_score = read_imd_scores(t[2], c, problems);
  const CsvTable& practices = t[0];
  Practices& p = world.practices;
  p = Practices{};
  std::vector<std::string> commissioner_code;
  std::map<std::string, int> first_line;
  for (const auto& row : practices.rows) {
    // Age/sex breakdown files hold one row per band; only the totals count.
    if ((c.sex && row.fields[*c.sex] != "ALL") || (c.age && row.fields[*c.age] != "ALL")) continue;
    if (c.type && row.fields[*c.type] != "GP") continue;
    ++report.rows_read;
    double patients = 0;
    if (!practice_row_ok(practices, row, c, first_line, patients, problems)) continue;
    if (patients < params.min_list_size) {
      ++report.excluded_small;
      continue;
    }
    const std::string& code = row.fields[c.code];
    const std::size_t i = p.size();
    p.resize(i + 1);
    p.code[i] = code;
    p.postcode[i] = row.fields[c.postcode];
    p.list_size[i] = patients;
    commissioner_code.push_back(row.fields[c.commissioner]);
    if (auto l = located.find(code); l != located.end()) {
      p.x_km[i] = l->second.x_km;
      p.y_km[i] = l->second.y_km;
      p.rural_urban_class[i] = l->second.rural_urban_class;
      // The located postcode is the practice's site (it may have moved since the list file).
      if (!l->second.postcode.empty()) p.postcode[i] = l->second.postcode;
      p.location_source[i] = LocationSource::full_postcode;
      ++report.located_by_postcode;
    } else if (auto d = district.find(outward_code(p.postcode[i])); d != district.end()) {
      std::tie(p.x_km[i], p.y_km[i]) = jittered(d->second.first, d->second.second, p.postcode[i], params.location_jitter_km);
      p.location_source[i] = LocationSource::postcode_district;
    } else {
      p.location_source[i] = LocationSource::commissioner_centroid;
    }
    if (auto s = imd_score.find(code); s != imd_score.end()) {
      p.imd_score[i] = s->second;
    } else {
      p.imd_imputed[i] = 1;
    }
  }
  if (problems.empty() && p.size() == 0) {
    problems.add({practices.file, 0, 0, "", "no practices left after filtering (need SEX=ALL, AGE=ALL rows)"});
  }
  return commissioner_code;
}

// Unlocated practices sit at their commissioner's centroid, jittered like the
// rest; missing IMD scores take the commissioner's list-weighted mean.
void place_unlocated_and_impute(World& world, const EnglandSourceParams& params, PopulationReport& report) {
  Practices& p = world.practices;
  for (const auto& c : world.commissioners) {
    double w = 0, s = 0;
    for (int i : c.members) {
      if (!p.imd_imputed[i]) {
        w += p.list_size[i];
        s += p.list_size[i] * p.imd_score[i];
      }
    }
    const double mean_imd = w > 0 ? s / w : 21.7;  // England mean IMD 2019 score when a commissioner has none
    for (int i : c.members) {
      if (p.imd_imputed[i]) {
        p.imd_score[i] = mean_imd;
        ++report.imd_imputed;
      }
      if (p.location_source[i] == LocationSource::commissioner_centroid) {
        std::tie(p.x_km[i], p.y_km[i]) = jittered(c.x_km, c.y_km, p.postcode[i], params.location_jitter_km);
        ++report.located_by_commissioner_centroid;
      }
    }
  }
}

// The England import, shared by load_england (files) and load_england_text
// (text, for fuzzing): `read(k)` gives table k (0 practices, 1 centroids, 2 IMD,
// 3 full-postcode locations, read only when `with_locations`).
void import_england(World& world, const EnglandSourceParams& params, const std::function<CsvTable(int)>& read,
                    bool with_locations, PopulationReport& report) {
  DiagnosticList problems;
  const std::vector<CsvTable> tables = read_england_tables(read, with_locations, problems);
  const EnglandColumns columns = find_england_columns(tables, with_locations, problems);
  std::vector<std::string> commissioner_code = read_practices(world, tables, columns, params, problems, report);
  problems.throw_if_any();
  index_world(world, commissioner_code);
  compute_centroids(world);
  place_unlocated_and_impute(world, params, report);
}

}  // namespace

void load_england(World& world, const EnglandSourceParams& params, PopulationReport& report) {
  DiagnosticList problems;
  if (params.practices_csv.empty()) problems.add({"scenario", 0, 0, "population.england.practices_csv", "required when population.source is england"});
  if (params.centroids_csv.empty()) problems.add({"scenario", 0, 0, "population.england.centroids_csv", "required when population.source is england"});
  if (params.imd_csv.empty()) problems.add({"scenario", 0, 0, "population.england.imd_csv", "required when population.source is england"});
  problems.throw_if_any();
  const std::string* paths[4] = {&params.practices_csv, &params.centroids_csv, &params.imd_csv, &params.locations_csv};
  import_england(world, params, [&](int k) { return read_csv(*paths[k], true); }, !params.locations_csv.empty(), report);
}

void load_england_text(World& world, const EnglandSourceParams& params, const std::string& practices,
                       const std::string& centroids, const std::string& imd, PopulationReport& report,
                       const std::string& locations) {
  const std::string* texts[4] = {&practices, &centroids, &imd, &locations};
  const std::string* names[4] = {&params.practices_csv, &params.centroids_csv, &params.imd_csv, &params.locations_csv};
  import_england(world, params, [&](int k) { return parse_csv(*texts[k], *names[k], true); }, !locations.empty(),
                 report);
}

// ---------------------------------------------------------- synthetic ----

void generate_synthetic(World& world, const SyntheticSourceParams& params, std::uint64_t seed) {
  Engine rng = make_stream(seed, "synthetic_population", 0);
  boost::random::uniform_01<double> uniform;
  boost::random::normal_distribution<double> normal;
  Practices& p = world.practices;
  p = Practices{};
  p.resize(static_cast<std::size_t>(params.practices));
  const int nc = params.commissioners;
  const int grid = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(nc))));
  const int towns = std::max(1, static_cast<int>(std::lround(params.towns_per_commissioner)));
  std::vector<double> town_x(static_cast<std::size_t>(nc) * towns), town_y(town_x.size()), town_imd(town_x.size());
  for (std::size_t t = 0; t < town_x.size(); ++t) {
    const int c = static_cast<int>(t) / towns;
    town_x[t] = (c % grid + 0.15 + 0.7 * uniform(rng)) * params.region_km;
    town_y[t] = (c / grid + 0.15 + 0.7 * uniform(rng)) * params.region_km;
    town_imd[t] = 10.0 + 25.0 * uniform(rng);
  }
  std::vector<std::string> commissioner_code(p.size());
  char buf[32];
  for (std::size_t i = 0; i < p.size(); ++i) {
    // Practices are spread evenly over commissioners, in order.
    const int c = static_cast<int>(i * static_cast<std::size_t>(nc) / p.size());
    std::snprintf(buf, sizeof buf, "C%03d", c);
    commissioner_code[i] = buf;
    std::snprintf(buf, sizeof buf, "S%06zu", i);
    p.code[i] = buf;
    const std::size_t t = static_cast<std::size_t>(c) * towns +
                          boost::random::uniform_int_distribution<int>(0, towns - 1)(rng);
    if (uniform(rng) < params.scattered_share) {
      p.x_km[i] = (c % grid + uniform(rng)) * params.region_km;
      p.y_km[i] = (c / grid + uniform(rng)) * params.region_km;
      p.imd_score[i] = std::clamp(15.0 + 6.0 * normal(rng), 1.0, 90.0);
    } else {
      p.x_km[i] = town_x[t] + params.town_sd_km * normal(rng);
      p.y_km[i] = town_y[t] + params.town_sd_km * normal(rng);
      p.imd_score[i] = std::clamp(town_imd[t] + 8.0 * normal(rng), 1.0, 90.0);
    }
    p.location_source[i] = LocationSource::synthetic;
    p.list_size[i] = std::clamp(std::round(params.list_median * std::exp(params.list_log_sd * normal(rng))), 300.0,
                                kMaxPracticePatients);
  }
  index_world(world, commissioner_code);
  compute_centroids(world);
}

// ---------------------------------------------------------- attributes ---

namespace {

// Distance to the k-th nearest other practice, using a uniform grid of cells.
std::vector<double> kth_neighbour_km(const Practices& p, int k, double cell_km) {
  const std::size_t n = p.size();
  std::vector<double> result(n, 1e9);
  if (n < 2) return result;
  const auto [xmin, xmax] = std::minmax_element(p.x_km.begin(), p.x_km.end());
  const auto [ymin, ymax] = std::minmax_element(p.y_km.begin(), p.y_km.end());
  const int gx = static_cast<int>((*xmax - *xmin) / cell_km) + 1, gy = static_cast<int>((*ymax - *ymin) / cell_km) + 1;
  std::vector<std::vector<int>> cells(static_cast<std::size_t>(gx) * gy);
  // Init-captures, not the structured bindings themselves: clang before 16 cannot capture those.
  auto cell_of = [&, x0 = *xmin, y0 = *ymin](std::size_t i) {
    return std::pair<int, int>{static_cast<int>((p.x_km[i] - x0) / cell_km), static_cast<int>((p.y_km[i] - y0) / cell_km)};
  };
  for (std::size_t i = 0; i < n; ++i) {
    auto [cx, cy] = cell_of(i);
    cells[static_cast<std::size_t>(cy) * gx + cx].push_back(static_cast<int>(i));
  }
  std::vector<double> d;
  for (std::size_t i = 0; i < n; ++i) {
    auto [cx, cy] = cell_of(i);
    // Widen the search ring until k neighbours are found within a distance the ring guarantees.
    for (int ring = 1;; ++ring) {
      d.clear();
      for (int y = std::max(0, cy - ring); y <= std::min(gy - 1, cy + ring); ++y) {
        for (int x = std::max(0, cx - ring); x <= std::min(gx - 1, cx + ring); ++x) {
          for (int j : cells[static_cast<std::size_t>(y) * gx + x]) {
            if (static_cast<std::size_t>(j) != i) d.push_back(std::hypot(p.x_km[i] - p.x_km[j], p.y_km[i] - p.y_km[j]));
          }
        }
      }
      const bool whole_grid = ring > gx && ring > gy;
      if (static_cast<int>(d.size()) >= k) {
        std::nth_element(d.begin(), d.begin() + (k - 1), d.end());
        if (d[k - 1] <= ring * cell_km || whole_grid) {
          result[i] = d[k - 1];
          break;
        }
      } else if (whole_grid) {
        break;
      }
    }
  }
  return result;
}

}  // namespace

namespace {

// Deprivation as a z-score (list-weighted), then age via a Gaussian copula;
// the needs index from both.
void synthesise_age_and_needs(Practices& p, const AttributeParams& a, Engine& rng) {
  const std::size_t n = p.size();
  boost::random::normal_distribution<double> normal;
  double w = 0, m = 0, v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    w += p.list_size[i];
    m += p.list_size[i] * p.imd_score[i];
  }
  m /= w;
  for (std::size_t i = 0; i < n; ++i) v += p.list_size[i] * (p.imd_score[i] - m) * (p.imd_score[i] - m);
  const double imd_sd = std::sqrt(v / w) > 0 ? std::sqrt(v / w) : 1.0;
  const double rho = a.age_deprivation_correlation;
  std::vector<double> z_age(n), z_imd(n);
  for (std::size_t i = 0; i < n; ++i) {
    z_imd[i] = (p.imd_score[i] - m) / imd_sd;
    z_age[i] = rho * z_imd[i] + std::sqrt(1.0 - rho * rho) * normal(rng);
    p.share_65_plus[i] = 1.0 / (1.0 + std::exp(-(a.share_65_logit_mean + a.share_65_logit_sd * z_age[i])));
  }
  // Needs index: linear in the two z-scores, floored, rescaled to a list-weighted mean of 1.
  double weighted = 0;
  for (std::size_t i = 0; i < n; ++i) {
    p.needs_index[i] = std::max(0.5, 1.0 + a.needs_age_weight * z_age[i] + a.needs_deprivation_weight * z_imd[i]);
    weighted += p.list_size[i] * p.needs_index[i];
  }
  for (std::size_t i = 0; i < n; ++i) p.needs_index[i] *= w / weighted;
}

// Clinical staff per 1,000 patients and care-home beds.
void synthesise_staff_and_care_homes(Practices& p, const AttributeParams& a, Engine& rng) {
  const std::size_t n = p.size();
  boost::random::normal_distribution<double> normal;
  for (std::size_t i = 0; i < n; ++i) {
    const double per_1000 = std::clamp(a.gp_fte_per_1000_mean + a.gp_fte_per_1000_sd * normal(rng), 0.15, 1.5);
    p.gp_fte[i] = p.list_size[i] / 1000.0 * per_1000;
    const double nurse = std::clamp(a.nurse_fte_per_1000_mean + a.nurse_fte_per_1000_sd * normal(rng), 0.02, 1.5);
    p.nurse_fte[i] = p.list_size[i] / 1000.0 * nurse;
    // Care-home beds: gamma-Poisson, so a few practices carry most beds.
    const double expected = a.care_home_beds_per_patient_65 * p.list_size[i] * p.share_65_plus[i];
    const double rate = expected * boost::random::gamma_distribution<double>(a.care_home_beds_dispersion,
                                                                             1.0 / a.care_home_beds_dispersion)(rng);
    p.care_home_beds[i] = rate > 0 ? boost::random::poisson_distribution<int, double>(rate)(rng) : 0;
  }
}

// Rural: the ONS class of the practice's LSOA (D and E rural) where known,
// else isolation (the third-nearest practice farther than rural_neighbour_km).
void classify_rural(Practices& p, const AttributeParams& a) {
  const std::size_t n = p.size();
  const std::vector<double> third = kth_neighbour_km(p, 3, std::max(1.0, a.rural_neighbour_km));
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& ruc = p.rural_urban_class[i];
    p.rural[i] = ruc.empty() ? (third[i] > a.rural_neighbour_km ? 1 : 0) : (ruc[0] == 'D' || ruc[0] == 'E' ? 1 : 0);
  }
}

// Federations: per commissioner, K seeds (stochastic rounding of share*n/mean);
// each practice belongs to its nearest seed's federation with probability `share`.
void synthesise_federations(World& world, const AttributeParams& a, Engine& rng) {
  Practices& p = world.practices;
  boost::random::uniform_01<double> uniform;
  int federations = 0;
  std::fill(p.federation.begin(), p.federation.end(), -1);
  for (const auto& c : world.commissioners) {
    const double expected = a.federation_share * static_cast<double>(c.members.size()) / a.federation_mean_practices;
    int k = static_cast<int>(std::floor(expected));
    if (uniform(rng) < expected - k) ++k;
    k = std::min<int>(k, static_cast<int>(c.members.size()));
    if (k == 0) continue;
    std::vector<int> seeds = c.members;
    for (int s = 0; s < k; ++s) {  // partial Fisher-Yates: k distinct seeds
      const int j = boost::random::uniform_int_distribution<int>(s, static_cast<int>(seeds.size()) - 1)(rng);
      std::swap(seeds[s], seeds[j]);
    }
    seeds.resize(k);
    std::vector<int> size(k, 0);
    for (int i : c.members) {
      const bool joins = uniform(rng) < a.federation_share;
      int best = 0;
      double best_d = 1e300;
      for (int s = 0; s < k; ++s) {
        const double d = std::hypot(p.x_km[i] - p.x_km[seeds[s]], p.y_km[i] - p.y_km[seeds[s]]);
        if (d < best_d) {
          best_d = d;
          best = s;
        }
      }
      if ((joins || i == seeds[best]) && size[best] < a.federation_max_practices) {
        p.federation[i] = federations + best;
        ++size[best];
      }
    }
    federations += k;
  }
}

// Super-partnerships: anchors drawn with probability proportional to list
// size; each takes the nearest free practices of its commissioner.
void synthesise_super_partnerships(World& world, const AttributeParams& a, Engine& rng) {
  Practices& p = world.practices;
  const std::size_t n = p.size();
  boost::random::uniform_01<double> uniform;
  std::fill(p.super_partnership.begin(), p.super_partnership.end(), -1);
  const int count = static_cast<int>(std::lround(a.super_partnerships_per_1000_practices * static_cast<double>(n) / 1000.0));
  std::vector<double> cumulative(n);
  std::partial_sum(p.list_size.begin(), p.list_size.end(), cumulative.begin());
  int made = 0;
  for (int attempt = 0; made < count && attempt < 20 * count + 100; ++attempt) {
    const double target = uniform(rng) * cumulative.back();
    const int anchor = static_cast<int>(std::lower_bound(cumulative.begin(), cumulative.end(), target) - cumulative.begin());
    if (p.super_partnership[anchor] >= 0) continue;
    const int extra = boost::random::poisson_distribution<int, double>(std::max(1e-9, a.super_partnership_extra_practices_mean))(rng);
    std::vector<std::pair<double, int>> near;
    for (int j : world.commissioners[p.commissioner[anchor]].members) {
      if (j != anchor && p.super_partnership[j] < 0) {
        near.emplace_back(std::hypot(p.x_km[j] - p.x_km[anchor], p.y_km[j] - p.y_km[anchor]), j);
      }
    }
    std::sort(near.begin(), near.end());
    p.super_partnership[anchor] = made;
    for (int e = 0; e < extra && e < static_cast<int>(near.size()); ++e) p.super_partnership[near[e].second] = made;
    ++made;
  }
}

}  // namespace

void synthesise_attributes(World& world, const AttributeParams& a, std::uint64_t seed) {
  Engine rng = make_stream(seed, "population", 0);  // one stream, drawn in this order
  synthesise_age_and_needs(world.practices, a, rng);
  synthesise_staff_and_care_homes(world.practices, a, rng);
  classify_rural(world.practices, a);
  synthesise_federations(world, a, rng);
  synthesise_super_partnerships(world, a, rng);
}

PopulationReport build_population(World& world, const PopulationParams& params, std::uint64_t seed) {
  PopulationReport report;
  if (params.source == "england") {
    load_england(world, params.england, report);
  } else {
    generate_synthetic(world, params.synthetic, seed);
    report.rows_read = static_cast<int>(world.practices.size());
  }
  synthesise_attributes(world, params.attributes, seed);
  return report;
}

Mechanism population_mechanism() {
  Mechanism m{"population", "practices and commissioners from the data, with synthesised attributes"};
  m.setup = [](ModelState& s) {
    s.population_report = build_population(s.world, s.params.population, s.seed);
    const std::size_t n = s.world.practices.size();
    s.world.signed_up.assign(n, 0);
    s.world.network_of.assign(n, -1);
    s.world.covering_network.assign(n, -1);
    s.world.ceased_step.assign(n, -1);
    for (double l : s.world.practices.list_size) s.total_patients += l;
  };
  return m;
}

}  // namespace pcnsim
