#include "models/gp_workload.hpp"
#include "models/model.hpp"

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

namespace {

bool gp_running(const ModelState& s) { return s.params.gp_workload.enabled; }

// A national total of one per-practice quantity of the week.
std::function<double(const ModelState&)> gp_total(std::vector<double> GpWeek::*hours) {
  return [hours](const ModelState& s) {
    double total = 0.0;
    for (double h : s.gp.*hours) total += h;
    return total;
  };
}

std::function<void(const ModelState&, float*)> gp_row(std::vector<double> GpWeek::*hours) {
  return [hours](const ModelState& s, float* row) {
    const std::vector<double>& values = s.gp.*hours;
    for (std::size_t i = 0; i < s.world.practices.size(); ++i) row[i] = static_cast<float>(values[i]);
  };
}

}  // namespace

Mechanism gp_workload_mechanism() {
  Mechanism m{"gp_workload", "mechanism 5: GP demand and supply per practice, with ARRS substitution"};
  m.each_week = [](ModelState& s) {
    if (!s.params.gp_workload.enabled) return;
    const double demand_multiplier = s.covid ? 1.0 + s.params.covid.extra_gp_demand_share : 1.0;
    gp_workload_week(s.world.practices, s.params.gp_workload, s.params.arrs, demand_multiplier, s.spec_gp_hours,
                     s.arrs_staff, s.gp);
  };
  m.declare_outputs = [](OutputDeclarations& out) {
    out.series("gp_demand_hours", "hours/week", "GP time demanded before ARRS substitution", gp_running,
               gp_total(&GpWeek::demand));
    out.series("gp_supplied_hours", "hours/week", "GP time worked", gp_running, gp_total(&GpWeek::supplied));
    out.series("gp_unmet_hours", "hours/week", "GP demand left unmet (beyond the maximum hours)", gp_running,
               gp_total(&GpWeek::unmet));
    out.series("hours_per_gp_fte", "hours/week", "GP hours worked per GP FTE", gp_running, [](const ModelState& s) {
      double supplied = 0, fte = 0;
      for (std::size_t i = 0; i < s.world.practices.size(); ++i) {
        supplied += s.gp.supplied[i];
        fte += s.world.practices.gp_fte[i];
      }
      return fte > 0 ? supplied / fte : 0.0;
    });
    out.series("arrs_hours", "hours/week", "productive ARRS hours delivered to practices", gp_running,
               gp_total(&GpWeek::arrs_hours));
    out.series("gp_hours_substituted", "hours/week", "GP hours taken over by ARRS staff", gp_running,
               gp_total(&GpWeek::substituted));
    out.series("gp_supervision_hours", "hours/week", "GP hours spent supervising ARRS staff", gp_running,
               gp_total(&GpWeek::supervision));
    out.practice_weekly("gp_demand_hours", "hours/week", "GP time demanded before ARRS substitution", gp_running,
                        gp_row(&GpWeek::demand));
    out.practice_weekly("gp_supplied_hours", "hours/week", "GP time worked", gp_running, gp_row(&GpWeek::supplied));
    out.practice_weekly("arrs_hours", "hours/week", "productive ARRS hours the practice received", gp_running,
                        gp_row(&GpWeek::arrs_hours));
  };
  return m;
}

}  // namespace pcnsim
