#include "models/service_specs.hpp"

#include <boost/random/uniform_01.hpp>
#include <cmath>

#include "models/funding.hpp"

namespace pcnsim {

std::array<ServiceSpec, kServiceSpecs.size()> ServiceSpecList::defaults() {
  auto spec = [](int y, int m, double setup, double gp) {
    ServiceSpec s;
    s.starts = Date::from_ymd(y, m, 1);
    s.cd_setup_hours = setup;
    s.gp_hours_per_1000_weighted_patients_week = gp;
    return s;
  };
  // Structured medication reviews and care homes from April 2020, deferred to
  // October 2020 by COVID-19; the rest phased to 2023/24 [S3]. Hours are assumptions.
  return {spec(2020, 10, 60, 0.4), spec(2020, 10, 60, 0.3), spec(2021, 4, 30, 0.1),
          spec(2021, 4, 30, 0.1), spec(2021, 10, 30, 0.15), spec(2023, 4, 60, 0.3)};
}

void service_spec_week(const World& world, const ServiceSpecParams& params, Date week_start,
                       std::vector<double>& cd_setup_hours, std::vector<double>& gp_extra_hours) {
  cd_setup_hours.assign(world.networks.size(), 0.0);
  gp_extra_hours.assign(world.practices.size(), 0.0);
  if (!params.enabled) return;
  const auto& p = world.practices;
  for (const auto& s : params.specifications.spec) {
    if (week_start < s.starts) continue;
    const double weeks_in = (week_start.days - s.starts.days) / 7.0;
    if (weeks_in < s.setup_weeks) {
      for (double& h : cd_setup_hours) h += s.cd_setup_hours / s.setup_weeks;
    }
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (world.network_of[i] >= 0) {
        gp_extra_hours[i] += s.gp_hours_per_1000_weighted_patients_week * p.list_size[i] * p.needs_index[i] / 1000.0;
      }
    }
  }
}

std::vector<std::int64_t> iif_year_end(const World& world, const IifParams& params, const FundingParams& funding, int fy,
                                       const std::vector<double>& spare_capacity_share, Engine& rng,
                                       std::vector<int>& achieved) {
  const std::size_t n = world.networks.size();
  std::vector<std::int64_t> paid(n, 0);
  achieved.assign(n, 0);
  boost::random::uniform_01<double> uniform;
  const double pot = params.national_pot_gbp.at(Date::from_ymd(fy, 4, 1));
  for (const auto& net : world.networks) {
    if (!net.live()) {
      achieved[net.id] = -1;  // ended before the year end
      continue;
    }
    const double logit = params.achievement_logit_intercept + params.achievement_logit_per_spare_capacity * spare_capacity_share[net.id];
    const double chance = 1.0 / (1.0 + std::exp(-logit));
    for (int k = 0; k < params.indicators; ++k) achieved[net.id] += uniform(rng) < chance ? 1 : 0;
    if (!params.enabled || pot <= 0) continue;
    paid[net.id] = to_pence(pot * national_pot_share(world, net, funding) * achieved[net.id] / params.indicators);
  }
  return paid;
}

}  // namespace pcnsim
