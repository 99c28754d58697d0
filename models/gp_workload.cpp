#include "models/gp_workload.hpp"

#include <algorithm>

namespace pcnsim {

void gp_workload_week(const Practices& p, const GpWorkloadParams& params, const ArrsParams& arrs,
                      double demand_multiplier, const std::vector<double>& extra_demand_hours,
                      const Deployment& arrs_staff, GpWeek& out) {
  const std::size_t n = p.size();
  for (auto* v : {&out.demand, &out.substituted, &out.supervision, &out.supplied, &out.unmet, &out.arrs_hours}) {
    v->resize(n);  // every element is written below
  }
  const double hours_per_patient_week =
      params.consultations_per_patient_year * params.minutes_per_consultation / 60.0 / (365.25 / 7.0);
  for (std::size_t i = 0; i < n; ++i) {
    double substituted = 0, supervision = 0, arrs_hours = 0;
    for (std::size_t r = 0; r < kRoleCount; ++r) {
      const auto& role = arrs.roles[r];
      const double productive = arrs_staff.productive_wte_of(i, r);
      substituted += productive * role.substitution_gp_hours_per_wte_week;
      supervision += arrs_staff.wte_of(i, r) * role.supervision_gp_hours_per_wte_week;
      arrs_hours += productive * arrs.hours_per_wte_week;
    }
    const double demand = p.list_size[i] * p.needs_index[i] * hours_per_patient_week * demand_multiplier +
                          (extra_demand_hours.empty() ? 0.0 : extra_demand_hours[i]);
    out.demand[i] = demand;
    out.arrs_hours[i] = arrs_hours;
    out.substituted[i] = params.substitution ? std::min(substituted, demand) : 0.0;
    out.supervision[i] = params.supervision ? supervision : 0.0;
    const double needed = demand - out.substituted[i] + out.supervision[i];
    out.supplied[i] = std::min(needed, p.gp_fte[i] * params.max_hours_per_fte_week);
    out.unmet[i] = needed - out.supplied[i];
  }
}

}  // namespace pcnsim
