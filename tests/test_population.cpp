#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "models/population.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/kernel/geo.hpp"
#include "pcnsim/engine/metrics.hpp"

using namespace pcnsim;

namespace {

const std::string kData = PCNSIM_TEST_DATA_DIR;
const std::string kRealData = std::string(PCNSIM_SOURCE_DIR) + "/data";

EnglandSourceParams fixture(const std::string& practices) {
  EnglandSourceParams p;
  p.practices_csv = kData + "/" + practices;
  p.centroids_csv = kData + "/centroids.csv";
  p.imd_csv = kData + "/imd.csv";
  p.min_list_size = 250;
  return p;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<Diagnostic> load_problems(const EnglandSourceParams& params) {
  World world;
  PopulationReport report;
  try {
    load_england(world, params, report);
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

}  // namespace

TEST_CASE("the importer reads a good file and imputes what is missing", "[population]") {
  World world;
  PopulationReport report;
  load_england(world, fixture("practices_good.csv"), report);
  const Practices& p = world.practices;
  REQUIRE(p.size() == 5);               // B81001 (100 patients) is below min_list_size
  CHECK(report.rows_read == 6);
  CHECK(report.excluded_small == 1);
  REQUIRE(world.commissioners.size() == 2);
  CHECK(world.commissioners[0].code == "00L");
  CHECK(world.commissioners[0].members == std::vector<int>{0, 1, 2, 3});
  CHECK(p.code[0] == "A84002");
  CHECK(p.list_size[1] == 14738);
  // NE65 centroid (412, 602) km, jittered by at most 1.5 km.
  CHECK(std::hypot(p.x_km[0] - 412.0, p.y_km[0] - 602.0) <= 1.5 + 1e-9);
  CHECK(p.location_source[0] == LocationSource::postcode_district);
  // ZZ99 is not a district: the practice sits at its commissioner's centroid.
  CHECK(p.location_source[3] == LocationSource::commissioner_centroid);
  CHECK(report.located_by_commissioner_centroid == 1);
  CHECK(std::hypot(p.x_km[3] - world.commissioners[0].x_km, p.y_km[3] - world.commissioners[0].y_km) <= 1.5 + 1e-9);
  // A84006 has no IMD score: the commissioner's list-weighted mean is used.
  CHECK(p.imd_imputed[3] == 1);
  const double expected = (5903 * 20.5 + 14738 * 35.0 + 12066 * 28.25) / (5903 + 14738 + 12066);
  CHECK(p.imd_score[3] == Approx(expected));
  CHECK(report.imd_imputed == 1);
}

TEST_CASE("the importer accepts the newer sub-ICB column names", "[population]") {
  World world;
  PopulationReport report;
  load_england(world, fixture("practices_sub_icb.csv"), report);
  REQUIRE(world.practices.size() == 3);
  CHECK(world.commissioners.at(0).code == "00L");
}

TEST_CASE("the importer reports malformed rows, duplicates and missing columns", "[population]") {
  const auto malformed = load_problems(fixture("practices_malformed.csv"));
  REQUIRE(malformed.size() == 3);
  CHECK(malformed[0].line == 3);
  CHECK_THAT(malformed[0].message, Catch::Contains("fields"));
  CHECK(malformed[1].line == 4);
  CHECK_THAT(malformed[1].message, Catch::Contains("twelve"));
  CHECK(malformed[2].line == 5);
  CHECK_THAT(malformed[2].message, Catch::Contains("zero patients"));

  const auto dup = load_problems(fixture("practices_duplicate.csv"));
  REQUIRE(dup.size() == 1);
  CHECK(dup[0].line == 4);
  CHECK_THAT(dup[0].message, Catch::Contains("duplicate practice code A84002 (first on line 2)"));

  const auto missing = load_problems(fixture("practices_missing_column.csv"));
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].key == "NUMBER_OF_PATIENTS");

  const auto bytes = load_problems(fixture("practices_not_utf8.csv"));
  REQUIRE(bytes.size() == 1);
  CHECK_THAT(bytes[0].message, Catch::Contains("UTF-8"));

  auto no_files = fixture("practices_good.csv");
  no_files.centroids_csv = kData + "/none.csv";
  no_files.imd_csv = kData + "/none2.csv";
  CHECK(load_problems(no_files).size() == 2);  // both missing files in one report
}

TEST_CASE("full-postcode locations, shared sites and the rural-urban class", "[population]") {
  World world;
  PopulationReport report;
  auto params = fixture("practices_good.csv");
  params.locations_csv = kData + "/locations_good.csv";
  load_england(world, params, report);
  const Practices& p = world.practices;
  REQUIRE(p.size() == 5);
  CHECK(report.located_by_postcode == 3);  // Z99999 is not in the practices file: ignored
  // A84002 at 55.33 N, 1.60 W: its own point on the grid, no jitter.
  const GridPoint g = wgs84_to_national_grid(55.33, -1.60);
  CHECK(p.location_source[0] == LocationSource::full_postcode);
  CHECK(p.x_km[0] == Approx(g.easting_m / 1000.0).margin(1e-9));
  CHECK(p.y_km[0] == Approx(g.northing_m / 1000.0).margin(1e-9));
  // A84003 and A84005 are one building: one site, one point; A84005 has moved there.
  CHECK(p.site[1] == p.site[2]);
  CHECK(p.site[0] != p.site[1]);
  CHECK(p.x_km[1] == p.x_km[2]);
  CHECK(p.postcode[2] == "NE63 9UT");
  // Practices without a row stay in their district (A84006 at its commissioner's centroid).
  CHECK(p.location_source[3] == LocationSource::commissioner_centroid);
  CHECK(p.location_source[4] == LocationSource::postcode_district);
  // Rural: class E1 is rural, C1 urban; the class is kept.
  synthesise_attributes(world, AttributeParams{}, 1);
  CHECK(p.rural_urban_class[0] == "E1");
  CHECK(p.rural[0] == 1);
  CHECK(p.rural[1] == 0);
  CHECK(p.rural_urban_class[3].empty());
}

TEST_CASE("a malformed locations file names every bad row", "[population]") {
  auto params = fixture("practices_good.csv");
  params.locations_csv = kData + "/locations_bad.csv";
  const auto problems = load_problems(params);
  REQUIRE(problems.size() == 5);
  // Line 2: latitude and longitude swapped (both out of England).
  CHECK(problems[0].line == 2);
  CHECK(problems[0].key == "latitude");
  CHECK(problems[1].line == 2);
  CHECK(problems[1].key == "longitude");
  CHECK(problems[2].line == 3);
  CHECK_THAT(problems[2].message, Catch::Contains("rural-urban class"));
  CHECK(problems[3].line == 4);
  CHECK_THAT(problems[3].message, Catch::Contains("located twice (first on line 3)"));
  CHECK(problems[4].line == 5);
  CHECK_THAT(problems[4].message, Catch::Contains("empty practice code"));
  for (const auto& d : problems) CHECK(d.file == params.locations_csv);
  params.locations_csv = kData + "/practices_good.csv";  // a file without the columns
  const auto columns = load_problems(params);
  REQUIRE(columns.size() == 3);  // it has a CODE column, but no latitude, longitude or ruc11
  CHECK(columns[0].key == "latitude");
  CHECK(columns[1].key == "longitude");
  CHECK(columns[2].key == "ruc11");
}

TEST_CASE("real England: every practice located, attributes follow their targets", "[population][england]") {
  PopulationParams params;
  params.england.practices_csv = kRealData + "/gp-reg-pat-prac-all-2021-01.csv";
  params.england.centroids_csv = kRealData + "/postcode-district-centroids.csv";
  params.england.imd_csv = kRealData + "/practice-imd2019-score.csv";
  World world;
  const PopulationReport report = build_population(world, params, 20190701);
  const Practices& p = world.practices;
  CHECK(report.rows_read == 6658);
  CHECK(static_cast<int>(p.size()) == 6658 - report.excluded_small);
  CHECK(world.commissioners.size() == 135);
  // LE19, E20, NR7 have no centroid (data/README.md): 6 practices, one of them
  // (Y03584, 46 patients) below min_list_size.
  CHECK(report.located_by_commissioner_centroid == 5);
  std::set<std::string> codes(p.code.begin(), p.code.end());
  CHECK(codes.size() == p.size());
  // England lies within the OS grid box.
  for (std::size_t i = 0; i < p.size(); ++i) {
    REQUIRE(p.x_km[i] > 80);
    REQUIRE(p.x_km[i] < 660);
    REQUIRE(p.y_km[i] > 0);
    REQUIRE(p.y_km[i] < 660);
  }
  double list = 0, needs = 0, fte = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    list += p.list_size[i];
    needs += p.list_size[i] * p.needs_index[i];
    fte += p.gp_fte[i];
  }
  CHECK(needs / list == Approx(1.0).epsilon(1e-9));            // the design normalises needs to a list-weighted mean of 1
  CHECK(quantile(p.needs_index, 0.1) == Approx(0.90).margin(0.03));  // [S3 T6.1]
  CHECK(quantile(p.needs_index, 0.9) == Approx(1.11).margin(0.03));
  CHECK(quantile(p.share_65_plus, 0.1) == Approx(0.092).margin(0.02));
  CHECK(quantile(p.share_65_plus, 0.9) == Approx(0.256).margin(0.02));
  CHECK(fte / list * 1000 == Approx(0.49).margin(0.02));
  int federated = 0, partnered = 0;
  std::set<int> federations, partnerships;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.federation[i] >= 0) {
      ++federated;
      federations.insert(p.federation[i]);
    }
    if (p.super_partnership[i] >= 0) {
      ++partnered;
      partnerships.insert(p.super_partnership[i]);
    }
  }
  CHECK(static_cast<double>(federated) / static_cast<double>(p.size()) == Approx(0.62).margin(0.05));
  CHECK(static_cast<double>(federated) / static_cast<double>(federations.size()) == Approx(25).margin(5));
  CHECK(partnerships.size() == Approx(166).margin(3));
}

TEST_CASE("synthetic populations are reproducible and sized as asked", "[population]") {
  PopulationParams params;
  params.source = "synthetic";
  params.synthetic.practices = 300;
  params.synthetic.commissioners = 7;
  World a, b, c;
  build_population(a, params, 1);
  build_population(b, params, 1);
  build_population(c, params, 2);
  REQUIRE(a.practices.size() == 300);
  CHECK(a.commissioners.size() == 7);
  CHECK(a.practices.x_km == b.practices.x_km);
  CHECK(a.practices.list_size == b.practices.list_size);
  CHECK(a.practices.federation == b.practices.federation);
  CHECK(a.practices.list_size != c.practices.list_size);
  CHECK(quantile(a.practices.list_size, 0.5) == Approx(7900).epsilon(0.15));
}

TEST_CASE("load_england_text reads the same practices as load_england", "[population]") {
  EnglandSourceParams params;
  params.practices_csv = kData + "/practices_good.csv";
  params.centroids_csv = kData + "/centroids.csv";
  params.imd_csv = kData + "/imd.csv";
  World from_files, from_text;
  PopulationReport r1, r2;
  load_england(from_files, params, r1);
  load_england_text(from_text, params, slurp(params.practices_csv), slurp(params.centroids_csv),
                    slurp(params.imd_csv), r2);
  CHECK(from_text.practices.code == from_files.practices.code);
  CHECK(from_text.practices.x_km == from_files.practices.x_km);
  CHECK(r2.rows_read == r1.rows_read);
  try {
    load_england_text(from_text, params, slurp(kData + "/practices_duplicate.csv"), slurp(params.centroids_csv),
                      slurp(params.imd_csv), r2);
    FAIL("expected InputError");
  } catch (const InputError& e) {
    CHECK(e.problems().front().file == params.practices_csv);  // named as the file it stands for
  }
}

TEST_CASE("list sizes, codes and coordinates out of what the model can hold are input errors", "[population]") {
  EnglandSourceParams params = fixture("practices_good.csv");
  const std::string header = "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n";
  const std::string row = "GP_PRAC_PAT_LIST,01JAN2021,GP,00L,E38000130,";
  auto problems = [&](const std::string& practices, const std::string& centroids, const std::string& locations) {
    World world;
    PopulationReport report;
    try {
      load_england_text(world, params, practices, centroids, slurp(params.imd_csv), report, locations);
    } catch (const InputError& e) {
      return e.problems();
    }
    return std::vector<Diagnostic>{};
  };
  const std::string centroids = slurp(params.centroids_csv);
  // 1e18 patients overflowed money to -£92 trillion; above 1,000,000 is refused, at its place.
  const auto huge = problems(header + row + "A84002,NE65 7UW,ALL,ALL,1e18\n" + row + "A84003,NE63 9UT,ALL,ALL,1000000\n",
                             centroids, "");
  REQUIRE(huge.size() == 1);
  CHECK(huge[0].to_string() == params.practices_csv + ":2:69: 'NUMBER_OF_PATIENTS': practice A84002 has 1e18 patients, "
                                                      "more than the 1000000 a practice can have (the largest in England has about 100,000)");
  // A NUL in a practice code.
  const auto nul = problems(header + row + std::string("A84\0" "002,NE65 7UW,ALL,ALL,5903\n", 30), centroids, "");
  REQUIRE(nul.size() == 1);
  CHECK(nul[0].line == 2);
  CHECK(nul[0].column == 48);
  CHECK(nul[0].key == "CODE");
  CHECK_THAT(nul[0].message, Catch::Contains("U+0000"));
  // Centroids off the National Grid, full-postcode locations outside England.
  const auto grid = problems(header + row + "A84002,NE65 7UW,ALL,ALL,5903\n",
                             "outcode,easting,northing,latitude,longitude\nNE65,9e12,602000,55.3,-1.8\n", "");
  REQUIRE(grid.size() == 1);
  CHECK(grid[0].line == 2);
  CHECK_THAT(grid[0].message, Catch::Contains("National Grid point in or near Great Britain"));
  const auto far = problems(header + row + "A84002,NE65 7UW,ALL,ALL,5903\n", centroids,
                            "practice_code,latitude,longitude,ruc11\nA84002,55.3,1e300,E1\n");
  REQUIRE(far.size() == 1);
  CHECK(far[0].column == 13);
  CHECK(far[0].key == "longitude");
  CHECK_THAT(far[0].message, Catch::Contains("expected a longitude in England"));
}

TEST_CASE("synthetic list sizes are capped at the most patients a practice may have", "[population]") {
  SyntheticSourceParams params;
  params.practices = 200;
  params.commissioners = 2;
  params.list_median = 1e6;
  params.list_log_sd = 3;
  World world;
  generate_synthetic(world, params, 7);
  const auto& sizes = world.practices.list_size;
  CHECK(*std::max_element(sizes.begin(), sizes.end()) == kMaxPracticePatients);
  CHECK(*std::min_element(sizes.begin(), sizes.end()) >= 300);
}
