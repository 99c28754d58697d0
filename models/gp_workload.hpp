#pragma once
// Mechanism 5, GP workload. Each practice's weekly demand for GP time is its
// needs-weighted list x consultations per patient-year x minutes per
// consultation, raised during the COVID-19 shock and by any extra demand other
// mechanisms add. Each productive ARRS WTE of role r takes s_r GP hours a week
// off that demand (substitution) and every ARRS WTE costs sup_r GP hours of
// supervision: the central, unproven claim of the programme theory [S3 ch.3],
// so both are parameters per role and substitution can be switched off.
// GPs supply what is demanded up to max_hours_per_fte_week each; the rest is
// unmet demand.
#include <vector>

#include "models/arrs.hpp"
#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

struct CovidParams {
  bool enabled = true;
  Date start = Date::from_ymd(2020, 3, 23);
  Date end = Date::from_ymd(2021, 6, 30);
  double extra_gp_demand_share = 0.10;
  double arrs_inflow_multiplier = 0.7;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"the COVID-19 shock happens"});
    v.field("start", start, {"first day of the shock (first national lockdown)"});
    v.field("end", end, {"last day of the shock"});
    v.field("extra_gp_demand_share", extra_gp_demand_share,
            {"extra GP demand during the shock (remote triage, vaccination, backlog)", "1", -1, 10});
    v.field("arrs_inflow_multiplier", arrs_inflow_multiplier,
            {"ARRS labour-pool inflow during the shock, relative to normal (recruitment was disrupted)", "1", 0, 10});
  }
};

struct GpWorkloadParams {
  bool enabled = true;
  bool substitution = true;
  bool supervision = true;
  double consultations_per_patient_year = 3.3;
  double minutes_per_consultation = 18;
  double max_hours_per_fte_week = 45;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"GP demand and supply are computed"});
    v.field("substitution", substitution, {"ARRS staff take work off GPs (off = programme-theory sceptic)"});
    v.field("supervision", supervision, {"ARRS staff need GP supervision time"});
    v.field("consultations_per_patient_year", consultations_per_patient_year,
            {"GP consultations per needs-weighted patient per year", "1/year", 0, 100});
    v.field("minutes_per_consultation", minutes_per_consultation,
            {"GP time per consultation including follow-up work", "minutes", 0, 600});
    v.field("max_hours_per_fte_week", max_hours_per_fte_week,
            {"most hours one GP FTE works in a week; demand beyond it is unmet", "hours/week", 1, 168});
  }
};

/// One week of GP workload for every practice (hours per week).
struct GpWeek {
  std::vector<double> demand, substituted, supervision, supplied, unmet, arrs_hours;
};

void gp_workload_week(const Practices& practices, const GpWorkloadParams& params, const ArrsParams& arrs,
                      double demand_multiplier, const std::vector<double>& extra_demand_hours,
                      const Deployment& arrs_staff, GpWeek& out);

}  // namespace pcnsim
