#pragma once
// Mechanism 1, DES sign-up. A practice signs when the income it expects
// (core + participation x needs index + the value it puts on access to ARRS
// staff, all per patient) exceeds the cost of the obligations plus its latent
// autonomy preference, drawn once per practice from N(mean, sd^2) (stream
// "signup"). Calibrated to ~99.5% signing in 2019 [E]. Each 1 April after the
// first year practices decide again with the same autonomy and that year's
// rates and obligations (the 2020/21 DES added specifications: ~98% signed
// [E]); see models/dynamics.hpp for what leaving and joining do to networks.
// Non-signing practices' patients are covered by the nearest network of their
// commissioner.
#include <cstdint>

#include "models/funding.hpp"
#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

struct SignupParams {
  bool enabled = true;
  double arrs_access_value_gbp_per_patient = 2.0;
  DatedSeries obligation_cost_gbp_per_patient{
      {{Date::from_ymd(2019, 4, 1), 1.0, "DES 2019/20 obligations (extended hours); calibrated to ~99.5% signing [E]"},
       {Date::from_ymd(2020, 4, 1), 1.8,
        "DES 2020/21 adds the service specifications; calibrated to ~98% signing (~74 practices declined) [E]"}}};
  double autonomy_mean_gbp_per_patient = 0.0;
  double autonomy_sd_gbp_per_patient = 1.6;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"practices decide whether to sign; off = every practice signs"});
    v.field("arrs_access_value_gbp_per_patient", arrs_access_value_gbp_per_patient,
            {"value a practice puts on access to shared ARRS staff", "GBP/patient/year", 0, 1000});
    v.field("obligation_cost_gbp_per_patient", obligation_cost_gbp_per_patient,
            {"cost of the DES obligations (extended hours, specifications) in force on the sign-up date",
             "GBP/patient/year", 0, 1000});
    v.field("autonomy_mean_gbp_per_patient", autonomy_mean_gbp_per_patient,
            {"mean latent autonomy preference (reluctance to join)", "GBP/patient/year", -1000, 1000});
    v.field("autonomy_sd_gbp_per_patient", autonomy_sd_gbp_per_patient,
            {"sd of the latent autonomy preference", "GBP/patient/year", 0, 1000});
  }
};

/// Draws autonomy preferences and sets world.signed_up for the sign-up on `when`.
/// Returns the number of practices that signed.
int decide_signup(World& world, const SignupParams& params, const FundingParams& funding, Date when,
                  std::uint64_t seed);

/// The yearly re-sign-up on `when`: the same autonomy preferences, that date's
/// rates and obligations. Returns the number of practices that signed.
int redecide_signup(World& world, const SignupParams& params, const FundingParams& funding, Date when);

}  // namespace pcnsim
