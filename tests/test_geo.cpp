// Latitude/longitude to the National Grid, checked against the project's own
// real data: the postcode-district file gives each district's National Grid
// point (to 100 m) and its latitude/longitude on OSGB36; the practice file
// gives practices' WGS84 latitude/longitude from the ONS Postcode Directory.
#include <catch2/catch.hpp>
#include <cmath>
#include <map>

#include "pcnsim/kernel/csv.hpp"
#include "pcnsim/kernel/geo.hpp"

using namespace pcnsim;

namespace {
const std::string kRealData = std::string(PCNSIM_SOURCE_DIR) + "/data";
}

TEST_CASE("the National Grid projection reproduces the district grid points", "[geo]") {
  const CsvTable t = read_csv(kRealData + "/postcode-district-centroids.csv");
  const auto e = *t.column({"easting"}), n = *t.column({"northing"}), lat = *t.column({"latitude"}),
             lon = *t.column({"longitude"});
  double worst = 0;
  int districts = 0;
  for (const auto& row : t.rows) {
    if (row.fields[lat].empty()) continue;
    const GridPoint g = osgb36_to_national_grid(std::stod(row.fields[lat]), std::stod(row.fields[lon]));
    worst = std::max(worst, std::hypot(g.easting_m - std::stod(row.fields[e]), g.northing_m - std::stod(row.fields[n])));
    ++districts;
  }
  CHECK(districts > 2800);
  CHECK(worst < 2.0);  // metres: the file's latitude/longitude were derived from these grid points
}

TEST_CASE("WGS84 positions land in their postcode district without a datum shift", "[geo]") {
  // Practices scatter around their district's centroid; their mean offset is
  // what is left of the datum: about 100 m west-north-west without the
  // WGS84-to-OSGB36 transformation, a few metres with it.
  const CsvTable districts = read_csv(kRealData + "/postcode-district-centroids.csv");
  std::map<std::string, std::pair<double, double>> centroid;
  for (const auto& row : districts.rows) centroid[row.fields[0]] = {std::stod(row.fields[1]), std::stod(row.fields[2])};
  const CsvTable t = read_csv(kRealData + "/practice-locations.csv");
  const auto pc = *t.column({"postcode_2021"}), lat = *t.column({"latitude"}), lon = *t.column({"longitude"});
  double dx = 0, dy = 0;
  int used = 0;
  for (const auto& row : t.rows) {
    const std::string& postcode = row.fields[pc];
    const auto it = centroid.find(postcode.substr(0, postcode.find(' ')));
    if (it == centroid.end()) continue;
    const GridPoint g = wgs84_to_national_grid(std::stod(row.fields[lat]), std::stod(row.fields[lon]));
    const double ex = g.easting_m - it->second.first, ey = g.northing_m - it->second.second;
    if (std::hypot(ex, ey) > 5000) continue;  // large rural districts
    dx += ex;
    dy += ey;
    ++used;
  }
  REQUIRE(used > 5000);
  INFO("mean offset " << dx / used << " m east, " << dy / used << " m north");
  CHECK(std::hypot(dx / used, dy / used) < 30.0);
}

TEST_CASE("distances on the grid are true distances", "[geo]") {
  // London to Manchester: 262.37 km on the ellipsoid (Vincenty's inverse
  // formula on WGS84); the grid's scale factor stays within 0.04% of 1 in England.
  const GridPoint a = wgs84_to_national_grid(51.5074, -0.1278), b = wgs84_to_national_grid(53.4808, -2.2426);
  CHECK(std::hypot(a.easting_m - b.easting_m, a.northing_m - b.northing_m) / 1000.0 == Approx(262.371).epsilon(0.001));
}
