#pragma once
// Mechanism 3, funding flows: every Network Contract DES payment line as a
// dated series with its source (values per year; rates per patient, weighted
// patient or bed). Lines paid during a year accrue weekly pro rata; national
// pots are allocated at the start of each financial year by each network's
// share of the weighted (needs-adjusted) population. Money is counted in
// whole pence so that totals balance exactly.
#include <array>
#include <cstdint>
#include <vector>

#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

using Pence = std::int64_t;
inline Pence to_pence(double gbp) { return static_cast<Pence>(gbp * 100.0 + (gbp >= 0 ? 0.5 : -0.5)); }
inline double to_gbp(Pence p) { return static_cast<double>(p) / 100.0; }

struct FundingParams {
  bool enabled = true;
  double national_patients = 60606345;
  DatedSeries core_gbp_per_patient{{{Date::from_ymd(2019, 4, 1), 1.50, "Network Contract DES 2019/20, core PCN funding"}}};
  DatedSeries participation_gbp_per_weighted_patient{
      {{Date::from_ymd(2019, 4, 1), 1.76, "Network Contract DES 2019/20, network participation payment"}}};
  DatedSeries clinical_director_gbp_per_patient{
      {{Date::from_ymd(2019, 7, 1), 0.6853, "DES 2019/20: £0.514 per patient for Jul-Mar, i.e. £0.685 a year"},
       {Date::from_ymd(2020, 4, 1), 0.722, "DES 2020/21 (approximately £0.72)"},
       {Date::from_ymd(2022, 4, 1), 0.729, "DES 2022/23"},
       {Date::from_ymd(2023, 4, 1), 0.72963, "DES 2023/24"}}};
  DatedSeries care_home_premium_gbp_per_bed{
      {{Date::from_ymd(2020, 8, 1), 90.0, "DES 2020/21: £60 per bed for Aug-Mar, i.e. £90 a year"},
       {Date::from_ymd(2021, 4, 1), 120.0, "DES 2021/22 onwards: £120 per bed per year"}}};
  DatedSeries leadership_management_national_gbp{
      {{Date::from_ymd(2021, 4, 1), 43e6, "DES 2021/22: £43m one-off leadership and management"},
       {Date::from_ymd(2022, 4, 1), 0.0, "replaced by the per-patient line"}}};
  DatedSeries leadership_management_gbp_per_weighted_patient{
      {{Date::from_ymd(2022, 4, 1), 0.68, "DES 2022/23 and 2023/24: £0.68 per adjusted patient"}}};
  DatedSeries arrs_national_pot_gbp{
      {{Date::from_ymd(2019, 4, 1), 110e6, "estimated: the 2019/20 total was not found [E]"},
       {Date::from_ymd(2020, 4, 1), 430e6, "DES 2020/21 [S3, E]"},
       {Date::from_ymd(2021, 4, 1), 746e6, "DES 2021/22 [E]"},
       {Date::from_ymd(2022, 4, 1), 1020e6, "DES 2022/23, about £1.02bn [E]"},
       {Date::from_ymd(2023, 4, 1), 1412e6, "DES 2023/24 [S3, E]"}}};
  DatedSeries arrs_reimbursement_rate{
      {{Date::from_ymd(2019, 4, 1), 0.70, "DES 2019/20: 70% (social prescribers 100%)"},
       {Date::from_ymd(2020, 4, 1), 1.00, "2020 contract update: 100% [S3]"}}};
  bool arrs_redistribution = true;
  int arrs_redistribution_month = 7;
  double arrs_redistribution_margin = 0.05;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled,
            {"DES money flows to networks (payment lines and ARRS ceilings); off = no money paid, while sign-up "
             "still weighs the announced lines"});
    v.field("national_patients", national_patients,
            {"registered patients the national pots (ARRS, leadership and management, IIF) and labour pools are for; "
             "a network's share of a pot is its weighted population over this, so a smaller or synthetic population "
             "gets its share, not the whole pot (England, January 2021: 60,606,345)", "patients", 1, 1e10});
    v.field("core_gbp_per_patient", core_gbp_per_patient, {"core PCN funding paid to the network", "GBP/patient/year", 0, 1000});
    v.field("participation_gbp_per_weighted_patient", participation_gbp_per_weighted_patient,
            {"participation payment to each signed practice", "GBP/weighted patient/year", 0, 1000});
    v.field("clinical_director_gbp_per_patient", clinical_director_gbp_per_patient,
            {"clinical director funding paid to the network", "GBP/patient/year", 0, 1000});
    v.field("care_home_premium_gbp_per_bed", care_home_premium_gbp_per_bed,
            {"care-home premium paid to the network", "GBP/bed/year", 0, 1e5});
    v.field("leadership_management_national_gbp", leadership_management_national_gbp,
            {"national one-off leadership and management pot of the financial year starting on or after the date, "
             "allocated by weighted population at the year's start", "GBP/year", 0, 1e11});
    v.field("leadership_management_gbp_per_weighted_patient", leadership_management_gbp_per_weighted_patient,
            {"leadership and management payment to the network", "GBP/weighted patient/year", 0, 1000});
    v.field("arrs_national_pot_gbp", arrs_national_pot_gbp,
            {"national ARRS pot of the financial year (value in force on 1 April); each network's ceiling is its "
             "share of the weighted population", "GBP/year", 0, 1e11});
    v.field("arrs_reimbursement_rate", arrs_reimbursement_rate,
            {"share of staff cost reimbursed, up to the role's maximum; a role reimbursed nothing (0, or under half "
             "a penny a week) is not recruited through the ARRS", "1", 0, 1});
    v.field("arrs_redistribution", arrs_redistribution,
            {"the commissioner moves ceiling that networks will not claim to its networks that will overspend"});
    v.field("arrs_redistribution_month", arrs_redistribution_month,
            {"month (1-12) of the redistribution each financial year (1 = January)", "month", 1, 12});
    v.field("arrs_redistribution_margin", arrs_redistribution_margin,
            {"share of its ceiling a network keeps as headroom when the commissioner takes back what it will not "
             "claim", "1", 0, 1});
  }
};

/// The DES lines paid to networks (participation goes to member practices but
/// is totalled per network here).
enum FundingLine : int { core, participation, clinical_director, care_home_premium, leadership_management, iif, kFundingLines };
inline constexpr std::array<const char*, kFundingLines> kFundingLineNames = {
    "core", "participation", "clinical_director", "care_home_premium", "leadership_management", "iif"};

/// Accrues every line for every live network, week by week, in pence.
class FundingFlows {
 public:
  FundingFlows(const World& world, const FundingParams& params, const Calendar& calendar);
  /// A new financial year: one-off national pots are allocated now.
  void start_year(int fy);
  /// One week's payments (networks are paid once live).
  void step(int step);
  /// A payment decided by another mechanism (the IIF at year end), paid this week.
  void pay(int network, FundingLine line, Pence amount);

  /// This week's payment per network and line: [network * kFundingLines + line].
  const std::vector<Pence>& week() const { return week_; }
  /// Totals per financial year: [year][network * kFundingLines + line].
  const std::vector<std::vector<Pence>>& year_totals() const { return totals_; }
  const std::vector<int>& years() const { return years_; }
  /// Leadership-and-management money of the current year per network (the
  /// one-off pot share plus the per-patient line at 1 April).
  std::vector<double> leadership_management_year_gbp() const;

 private:
  const World& world_;
  const FundingParams& params_;
  const Calendar& calendar_;
  std::vector<Pence> week_;
  std::vector<std::vector<Pence>> totals_;
  std::vector<Pence> one_off_;  // per network: the year's one-off pot, paid in the year's first paid week
  std::vector<int> years_;
};

/// A network's share of a national pot: its weighted population over the
/// national patients the pot is for.
double national_pot_share(const World& world, const Network& network, const FundingParams& params);

/// Most money any one line (a payment line, the ARRS ceilings, the IIF) may
/// total nationally in a year, in pence: £100 trillion. With 8 lines and
/// calendars of at most 60 years every sum of pence a run forms (a network's
/// year, a line's national year, all lines over all years) stays below
/// 8 x 60 x 1.02 x 1e16 < 4.9e18 < 2^63, so no sum can wrap.
inline constexpr double kMaxPencePerLineYear = 1e16;

/// Checks, before any money is paid, that each line's national yearly total
/// for this population (rates times its patients, weighted patients or beds;
/// pots times its share of `national_patients`) stays within
/// kMaxPencePerLineYear; throws InputError naming the parameter otherwise.
/// `iif_pot_gbp` is the IIF's national pot (service_specs.iif).
void check_money_bounds(const World& world, const FundingParams& params, const DatedSeries& iif_pot_gbp);

/// Days in financial year `fy` (1 April to 31 March).
int days_in_financial_year(int fy);
/// Amount accruing in one week (7 days) of a line worth `annual_gbp` a year.
Pence weekly_amount(double annual_gbp, int fy);

}  // namespace pcnsim
