#include "models/signup.hpp"
#include "models/model.hpp"

#include <boost/random/normal_distribution.hpp>

#include "pcnsim/kernel/rng.hpp"

namespace pcnsim {

int redecide_signup(World& world, const SignupParams& params, const FundingParams& funding, Date when) {
  const Practices& p = world.practices;
  world.signed_up.assign(p.size(), 1);
  const double core = funding.core_gbp_per_patient.at(when);
  const double participation = funding.participation_gbp_per_weighted_patient.at(when);
  const double obligations = params.obligation_cost_gbp_per_patient.at(when);
  int signed_count = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double net_value =
        core + participation * p.needs_index[i] + params.arrs_access_value_gbp_per_patient - obligations;
    if (params.enabled) world.signed_up[i] = net_value > p.autonomy_gbp_per_patient[i] ? 1 : 0;
    if (!world.is_open(i)) world.signed_up[i] = 0;  // merged or closed
    signed_count += world.signed_up[i];
  }
  return signed_count;
}

int decide_signup(World& world, const SignupParams& params, const FundingParams& funding, Date when,
                  std::uint64_t seed) {
  Practices& p = world.practices;
  Engine rng = make_stream(seed, "signup", 0);
  boost::random::normal_distribution<double> autonomy(params.autonomy_mean_gbp_per_patient,
                                                      params.autonomy_sd_gbp_per_patient);
  for (std::size_t i = 0; i < p.size(); ++i) p.autonomy_gbp_per_patient[i] = autonomy(rng);  // drawn even when off
  return redecide_signup(world, params, funding, when);
}

Mechanism signup_mechanism() {
  Mechanism m{"signup", "mechanism 1: each practice decides at the deadline whether to sign the Network DES"};
  m.at_deadline = [](ModelState& s) {
    decide_signup(s.world, s.params.signup, s.params.funding, s.params.timeline.networks_live, s.seed);
  };
  m.declare_outputs = [](OutputDeclarations& out) {
    const auto signed_count = [](const ModelState& s) {
      int count = 0;
      for (auto signed_up : s.world.signed_up) count += signed_up;
      return count;
    };
    out.series("practices_signed_up", "practices", "practices that signed the Network DES", always,
               [signed_count](const ModelState& s) { return signed_count(s); });
    out.series("signup_share", "1", "share of the practices still open that signed the Network DES", always,
               [signed_count](const ModelState& s) {
                 return static_cast<double>(signed_count(s)) / static_cast<double>(s.world.open_practices());
               });
  };
  return m;
}

}  // namespace pcnsim
