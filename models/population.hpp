#pragma once
// Mechanism 0, population: the practices and commissioners of the world.
// Real England from NHS Digital "Patients registered at a GP practice" (old CCG
// and newer sub-ICB column names), joined with postcode-district centroids and
// IMD 2019 scores; or a synthetic population for tests and scale studies.
// Attributes no file gives are synthesised from the distributions below, with
// the run's seed (stream "population").
#include <cstdint>
#include <string>

#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

/// Most patients a practice may have (the largest in England has about
/// 100,000): a larger list in the practices file is an input error, and
/// synthetic list sizes are capped at it, so money per patient stays far from
/// overflow.
inline constexpr double kMaxPracticePatients = 1'000'000;

struct EnglandSourceParams {
  std::string practices_csv;  // NHS Digital gp-reg-pat-prac-all.csv
  std::string centroids_csv;  // outcode,easting,northing,...
  std::string imd_csv;        // practice_code,imd2019_score
  std::string locations_csv;  // practice_code,latitude,longitude,ruc11 (full postcodes)
  double location_jitter_km = 1.5;
  double min_list_size = 250;

  template <class V>
  void describe(V& v) {
    v.path("practices_csv", practices_csv, {"NHS Digital 'Patients registered at a GP practice' totals file"});
    v.path("centroids_csv", centroids_csv, {"postcode-district centroids: outcode, easting, northing (OS grid, m)"});
    v.path("imd_csv", imd_csv, {"IMD 2019 score per practice: practice_code, imd2019_score"});
    v.path("locations_csv", locations_csv,
           {"full-postcode practice locations: practice_code, latitude, longitude (WGS84), ruc11 (ONS 2011 "
            "rural-urban class of the LSOA), optional postcode_2021; practices without a row are placed in their "
            "postcode district; empty = every practice in its district"});
    v.field("location_jitter_km", location_jitter_km,
            {"radius of the deterministic jitter around the district centroid (hash of the practice code)", "km", 0, 50});
    v.field("min_list_size", min_list_size,
            {"practices with fewer registered patients are dormant or closing codes and are left out", "patients", 0, 1e5});
  }
};

struct SyntheticSourceParams {
  int practices = 600;
  int commissioners = 10;
  double region_km = 40;
  double towns_per_commissioner = 4;
  double town_sd_km = 3;
  double scattered_share = 0.2;
  double list_median = 7900;
  double list_log_sd = 0.6;

  template <class V>
  void describe(V& v) {
    v.field("practices", practices, {"number of practices", "", 1, 1e7});
    v.field("commissioners", commissioners, {"number of commissioners (square regions on a grid)", "", 1, 1e5});
    v.field("region_km", region_km, {"side of each commissioner's square region", "km", 1, 1000});
    v.field("towns_per_commissioner", towns_per_commissioner, {"towns per region that practices cluster around", "", 1, 1000});
    v.field("town_sd_km", town_sd_km, {"spread of practices around a town centre", "km", 0.01, 100});
    v.field("scattered_share", scattered_share, {"share of practices placed uniformly (rural)", "", 0, 1});
    v.field("list_median", list_median, {"median list size (log-normal)", "patients", 100, 1e6});
    v.field("list_log_sd", list_log_sd, {"standard deviation of log list size", "", 0, 3});
  }
};

struct AttributeParams {
  double gp_fte_per_1000_mean = 0.49;
  double gp_fte_per_1000_sd = 0.08;
  double nurse_fte_per_1000_mean = 0.27;
  double nurse_fte_per_1000_sd = 0.08;
  double share_65_logit_mean = -1.678;
  double share_65_logit_sd = 0.478;
  double age_deprivation_correlation = -0.4;
  double needs_age_weight = 0.09;
  double needs_deprivation_weight = 0.05;
  double rural_neighbour_km = 4.0;
  double care_home_beds_per_patient_65 = 0.04;
  double care_home_beds_dispersion = 1.0;
  double federation_share = 0.62;
  double federation_mean_practices = 25;
  int federation_max_practices = 60;
  double super_partnerships_per_1000_practices = 24.9;
  double super_partnership_extra_practices_mean = 2.0;

  template <class V>
  void describe(V& v) {
    v.field("gp_fte_per_1000_mean", gp_fte_per_1000_mean,
            {"qualified GP FTE per 1,000 patients, mean (0.53 in 2013 to 0.45 in 2023) [E]", "FTE/1000", 0, 5});
    v.field("gp_fte_per_1000_sd", gp_fte_per_1000_sd, {"GP FTE per 1,000 patients, sd between practices", "FTE/1000", 0, 5});
    v.field("nurse_fte_per_1000_mean", nurse_fte_per_1000_mean, {"practice nurse FTE per 1,000 patients, mean", "FTE/1000", 0, 5});
    v.field("nurse_fte_per_1000_sd", nurse_fte_per_1000_sd, {"practice nurse FTE per 1,000 patients, sd", "FTE/1000", 0, 5});
    v.field("share_65_logit_mean", share_65_logit_mean,
            {"logit of the share aged 65+, mean (P10 9.2%, P90 25.6% [S3 T6.1])", "logit", -10, 10});
    v.field("share_65_logit_sd", share_65_logit_sd, {"logit of the share aged 65+, sd", "logit", 0, 5});
    v.field("age_deprivation_correlation", age_deprivation_correlation,
            {"correlation of the 65+ share with the IMD score (Gaussian copula)", "", -1, 1});
    v.field("needs_age_weight", needs_age_weight, {"needs index change per sd of the 65+ share", "", 0, 1});
    v.field("needs_deprivation_weight", needs_deprivation_weight, {"needs index change per sd of the IMD score", "", 0, 1});
    v.field("rural_neighbour_km", rural_neighbour_km,
            {"a practice is rural when its third-nearest practice is further than this", "km", 0, 100});
    v.field("care_home_beds_per_patient_65", care_home_beds_per_patient_65,
            {"care-home beds per registered patient aged 65+, mean", "beds", 0, 1});
    v.field("care_home_beds_dispersion", care_home_beds_dispersion,
            {"gamma shape of the between-practice variation in care-home beds (smaller = more uneven)", "", 0.01, 100});
    v.field("federation_share", federation_share, {"share of practices in a GP federation [S3 6.2]", "", 0, 1});
    v.field("federation_mean_practices", federation_mean_practices, {"mean practices per federation [S3 6.2]", "", 1, 1000});
    v.field("federation_max_practices", federation_max_practices, {"largest federation [S3 6.2]", "", 1, 10000});
    v.field("super_partnerships_per_1000_practices", super_partnerships_per_1000_practices,
            {"super-partnerships per 1,000 practices (166 of 6,658 [S3 6.2])", "", 0, 1000});
    v.field("super_partnership_extra_practices_mean", super_partnership_extra_practices_mean,
            {"mean number of practices joining a super-partnership's anchor practice (Poisson)", "", 0, 100});
  }
};

struct PopulationParams {
  std::string source = "england";
  EnglandSourceParams england;
  SyntheticSourceParams synthetic;
  AttributeParams attributes;

  template <class V>
  void describe(V& v) {
    v.choice("source", source, {"england", "synthetic"}, {"where practices come from"});
    v.block("england", england, "real England practice files");
    v.block("synthetic", synthetic, "synthetic generator");
    v.block("attributes", attributes, "synthesised practice attributes");
  }
};

/// What the importer left out or imputed, for the output's provenance.
struct PopulationReport {
  int rows_read = 0;
  int excluded_small = 0;
  int located_by_postcode = 0;  // at their full postcode (the rest in their postcode district)
  int located_by_commissioner_centroid = 0;
  int imd_imputed = 0;
};

/// Reads the England files into practices and commissioners (no synthesis).
/// Throws InputError listing every malformed row, duplicate code or missing column.
void load_england(World& world, const EnglandSourceParams& params, PopulationReport& report);
/// Same, from the three files' text (fuzzing); the *_csv params name them in messages.
void load_england_text(World& world, const EnglandSourceParams& params, const std::string& practices,
                       const std::string& centroids, const std::string& imd, PopulationReport& report,
                       const std::string& locations = "");
/// Generates a synthetic population (locations, list sizes, IMD scores).
void generate_synthetic(World& world, const SyntheticSourceParams& params, std::uint64_t seed);
/// Synthesises the attributes no file gives, in a fixed order, from stream "population".
void synthesise_attributes(World& world, const AttributeParams& params, std::uint64_t seed);
/// The whole mechanism: load or generate, then synthesise.
PopulationReport build_population(World& world, const PopulationParams& params, std::uint64_t seed);

}  // namespace pcnsim
