#pragma once
// Mechanism 3, funding flows: the Network Contract DES payment lines as dated
// values (each with its source). This block holds the lines practices weigh
// when they decide to sign up; the flows paid to networks each week and year
// build on the same lines.
#include "pcnsim/params.hpp"

namespace pcnsim {

struct FundingParams {
  DatedSeries core_gbp_per_patient{{{Date::from_ymd(2019, 4, 1), 1.50, "Network Contract DES 2019/20, core PCN funding"}}};
  DatedSeries participation_gbp_per_weighted_patient{
      {{Date::from_ymd(2019, 4, 1), 1.76, "Network Contract DES 2019/20, network participation payment"}}};

  template <class V>
  void describe(V& v) {
    v.field("core_gbp_per_patient", core_gbp_per_patient, {"core PCN funding paid to the network", "GBP/patient/year", 0, 1000});
    v.field("participation_gbp_per_weighted_patient", participation_gbp_per_weighted_patient,
            {"participation payment to each signed practice", "GBP/weighted patient/year", 0, 1000});
  }
};

}  // namespace pcnsim
