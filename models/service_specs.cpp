#include "models/service_specs.hpp"

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

}  // namespace pcnsim
