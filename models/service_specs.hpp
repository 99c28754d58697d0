#pragma once
// Mechanism 8, service specifications and the Investment and Impact Fund.
// Each specification starts on a date, costs the clinical director set-up
// hours spread over some weeks, and adds ongoing GP demand in proportion to
// the needs-weighted list [S3]. IIF: at each financial year's end every
// network achieves each indicator with a probability rising with its spare GP
// capacity over the year (logistic); it is paid its weighted-population share
// of the national pot times the share of indicators achieved, and reinvests a
// share of the payment in management support the next year.
#include <array>
#include <cstdint>
#include <vector>

#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/rng.hpp"
#include "pcnsim/kernel/world.hpp"

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

struct IifParams {
  bool enabled = true;
  DatedSeries national_pot_gbp{{{Date::from_ymd(2020, 4, 1), 40.5e6, "IIF 2020/21: £40.5m planned [E]"},
                                {Date::from_ymd(2021, 4, 1), 150e6, "IIF 2021/22: at least £150m [E]"},
                                {Date::from_ymd(2022, 4, 1), 225e6, "IIF 2022/23: £225m [E]"},
                                {Date::from_ymd(2023, 4, 1), 305e6, "2023/24: £59m IIF + £246m capacity and access [E]"}}};
  int indicators = 10;
  double achievement_logit_intercept = 0.0;
  double achievement_logit_per_spare_capacity = 6.0;
  double reinvest_share = 0.5;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"networks earn Investment and Impact Fund payments"});
    v.field("national_pot_gbp", national_pot_gbp,
            {"national IIF pot of the financial year (value in force on 1 April)", "GBP/year", 0, 1e11});
    v.field("indicators", indicators, {"indicators a network can achieve each year", "", 1, 1000});
    v.field("achievement_logit_intercept", achievement_logit_intercept,
            {"logit of the chance to achieve an indicator with no spare GP capacity", "logit", -50, 50});
    v.field("achievement_logit_per_spare_capacity", achievement_logit_per_spare_capacity,
            {"increase of that logit per unit of spare GP capacity share over the year", "logit", -100, 100});
    v.field("reinvest_share", reinvest_share,
            {"share of the IIF payment reinvested in management support the next year", "1", 0, 1});
  }
};

struct ServiceSpecParams {
  bool enabled = true;
  ServiceSpecList specifications;
  IifParams iif;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"service specifications add CD set-up work and GP demand"});
    v.block("specifications", specifications, "the phased specifications");
    v.block("iif", iif, "the Investment and Impact Fund");
  }
};

/// IIF achievement of one financial year for every network, from the mean
/// spare GP capacity share of its member practices over the year. Returns the
/// payment per network in pence (its national share of the pot x the share of
/// indicators achieved); `achieved` gets the indicators achieved.
struct FundingParams;
std::vector<std::int64_t> iif_year_end(const World& world, const IifParams& params, const FundingParams& funding, int fy,
                                       const std::vector<double>& spare_capacity_share, Engine& rng,
                                       std::vector<int>& achieved);

/// This week's CD set-up hours per network and extra GP hours per practice.
void service_spec_week(const World& world, const ServiceSpecParams& params, Date week_start,
                       std::vector<double>& cd_setup_hours, std::vector<double>& gp_extra_hours);

}  // namespace pcnsim
