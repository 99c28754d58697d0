#pragma once
// Mechanism 8 (part), service specifications: each specification starts on a
// date, costs the clinical director set-up hours spread over some weeks, and
// adds ongoing GP demand in proportion to the needs-weighted list [S3].
#include <array>
#include <vector>

#include "pcnsim/params.hpp"
#include "pcnsim/world.hpp"

namespace pcnsim {

struct ServiceSpec {
  Date starts = Date::from_ymd(2020, 10, 1);
  double cd_setup_hours = 40;
  double setup_weeks = 12;
  double gp_hours_per_1000_weighted_patients_week = 0.3;

  template <class V>
  void describe(V& v) {
    v.field("starts", starts, {"date the specification starts"});
    v.field("cd_setup_hours", cd_setup_hours, {"clinical director hours to set it up", "hours", 0, 1e4});
    v.field("setup_weeks", setup_weeks, {"weeks over which the set-up hours fall, from the start", "weeks", 1, 520});
    v.field("gp_hours_per_1000_weighted_patients_week", gp_hours_per_1000_weighted_patients_week,
            {"ongoing GP demand it adds", "hours/1000 weighted patients/week", 0, 100});
  }
};

inline constexpr std::array<const char*, 6> kServiceSpecs = {
    "structured_medication_reviews", "enhanced_health_in_care_homes", "early_cancer_diagnosis",
    "personalised_care", "cvd_prevention", "anticipatory_care"};

struct ServiceSpecList {
  std::array<ServiceSpec, kServiceSpecs.size()> spec = defaults();
  static std::array<ServiceSpec, kServiceSpecs.size()> defaults();
  template <class V>
  void describe(V& v) {
    for (std::size_t i = 0; i < spec.size(); ++i) v.block(kServiceSpecs[i], spec[i], "one service specification");
  }
};

struct ServiceSpecParams {
  bool enabled = true;
  ServiceSpecList specifications;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"service specifications add CD set-up work and GP demand"});
    v.block("specifications", specifications, "the phased specifications");
  }
};

/// This week's CD set-up hours per network and extra GP hours per practice.
void service_spec_week(const World& world, const ServiceSpecParams& params, Date week_start,
                       std::vector<double>& cd_setup_hours, std::vector<double>& gp_extra_hours);

}  // namespace pcnsim
