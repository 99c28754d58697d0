#pragma once
// Mechanism 1, DES sign-up. A practice signs when the income it expects
// (core + participation x needs index + the value it puts on access to ARRS
// staff, all per patient) exceeds the cost of the obligations plus its latent
// autonomy preference, drawn once per practice from N(mean, sd^2) (stream
// "signup"). Calibrated to ~99.5% signing in 2019 [E]. Non-signing practices'
// patients are covered by the nearest network of their commissioner.
#include <cstdint>

#include "models/funding.hpp"
#include "pcnsim/params.hpp"
#include "pcnsim/world.hpp"

namespace pcnsim {

struct SignupParams {
  bool enabled = true;
  double arrs_access_value_gbp_per_patient = 2.0;
  double obligation_cost_gbp_per_patient = 1.0;
  double autonomy_mean_gbp_per_patient = 0.0;
  double autonomy_sd_gbp_per_patient = 1.6;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"practices decide whether to sign; off = every practice signs"});
    v.field("arrs_access_value_gbp_per_patient", arrs_access_value_gbp_per_patient,
            {"value a practice puts on access to shared ARRS staff", "GBP/patient/year", 0, 1000});
    v.field("obligation_cost_gbp_per_patient", obligation_cost_gbp_per_patient,
            {"cost of the DES obligations (extended hours, specifications)", "GBP/patient/year", 0, 1000});
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

}  // namespace pcnsim
