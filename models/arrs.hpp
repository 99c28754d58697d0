#pragma once
// Mechanism 4, ARRS workforce. Each financial year a network's ceiling is the
// national pot times its share of the weighted population. Every week a
// network posts vacancies for the open roles, by its role preferences, while
// the annual cost of its staff and vacancies stays within `plan_share` of the
// ceiling; vacancies are filled from a regional labour pool per role (weekly
// inflow, candidates drift away, networks of a region compete for the same
// candidates in random order); new staff ramp up to full productivity over
// some weeks and leave with a weekly hazard. The network claims each week's
// reimbursable cost (up to the role's maximum, times the reimbursement rate)
// until its ceiling is reached; what is left at 31 March is lost (or moved by
// the commissioner before then, if redistribution is switched on). Staff are
// deployed to member practices by list share or by need.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/funding.hpp"
#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/rng.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

struct RoleParams {
  Date opens = Date::from_ymd(2019, 4, 1);
  DatedSeries max_reimbursable_gbp_per_wte;
  bool always_fully_reimbursed = false;
  double preference = 1.0;
  double pool_inflow_wte_per_week = 1.0;
  double ramp_up_weeks = 12;
  double attrition_per_year = 0.12;
  double substitution_gp_hours_per_wte_week = 4.0;
  double supervision_gp_hours_per_wte_week = 1.0;

  template <class V>
  void describe(V& v) {
    v.field("opens", opens, {"first date the role can be reimbursed"});
    v.field("max_reimbursable_gbp_per_wte", max_reimbursable_gbp_per_wte,
            {"maximum reimbursable cost of one WTE including on-costs; 0 = the role is not reimbursed, so networks "
             "do not recruit it through the ARRS", "GBP/WTE/year", 0, 1e6});
    v.field("always_fully_reimbursed", always_fully_reimbursed, {"reimbursed at 100% even when the general rate is lower"});
    v.field("preference", preference, {"relative weight of the role in networks' hiring plans", "", 0, 1e6});
    v.field("pool_inflow_wte_per_week", pool_inflow_wte_per_week,
            {"national weekly inflow of candidates into the labour pool, split by region by weighted population",
             "WTE/week", 0, 1e6});
    v.field("ramp_up_weeks", ramp_up_weeks, {"weeks for a new starter to reach full productivity", "weeks", 0, 520});
    v.field("attrition_per_year", attrition_per_year, {"share of staff leaving per year (weekly hazard)", "1/year", 0, 1});
    v.field("substitution_gp_hours_per_wte_week", substitution_gp_hours_per_wte_week,
            {"GP hours a productive WTE takes off GPs each week (uncertain [S3 ch.3])", "hours/WTE/week", 0, 100});
    v.field("supervision_gp_hours_per_wte_week", supervision_gp_hours_per_wte_week,
            {"GP supervision hours each WTE needs each week", "hours/WTE/week", 0, 100});
  }
};

inline constexpr std::array<const char*, 16> kArrsRoles = {
    "clinical_pharmacist",       "social_prescribing_link_worker", "first_contact_physiotherapist",
    "physician_associate",       "pharmacy_technician",            "care_coordinator",
    "health_wellbeing_coach",    "nursing_associate",              "paramedic",
    "mental_health_practitioner", "advanced_practitioner",         "dietitian",
    "podiatrist",                "occupational_therapist",         "gp_assistant",
    "digital_lead"};
inline constexpr std::size_t kRoleCount = kArrsRoles.size();

/// Most ARRS posts (staff in post plus open vacancies, all roles) a network
/// plans: one per this many registered patients of its members. England had
/// about one ARRS WTE per 1,600 patients in 2024 (at most one per about 500 in
/// a network of high need), so the cap does not bind in realistic runs; it
/// bounds the plan (and the run's time) when posts are nearly free or pots
/// enormous (issue 14).
inline constexpr double kPatientsPerArrsPost = 100;

/// The roles as one parameters block, one sub-block per role.
struct ArrsRoles {
  std::array<RoleParams, kRoleCount> role = defaults();
  static std::array<RoleParams, kRoleCount> defaults();

  RoleParams& operator[](std::size_t i) { return role[i]; }
  const RoleParams& operator[](std::size_t i) const { return role[i]; }
  template <class V>
  void describe(V& v) {
    for (std::size_t i = 0; i < kRoleCount; ++i) v.block(kArrsRoles[i], role[i], "one ARRS role");
  }
};

/// What drives a network's recruitment readiness, each a term of ln(readiness)
/// (the order of the last axis of /networks/weekly/arrs_readiness_drivers).
inline constexpr std::array<const char*, 8> kReadinessDrivers = {
    "manager", "hosted_employer", "deprivation", "rurality", "cd_strain", "members", "practice_size", "idiosyncratic"};
inline constexpr std::size_t kReadinessDriverCount = kReadinessDrivers.size();
/// Reference points of the size drivers: a network of this many members whose
/// practices have this mean list has no size term.
inline constexpr double kReadinessReferenceMembers = 5;
inline constexpr double kReadinessReferencePracticeList = 9000;

/// Recruitment readiness (issue 15): each network's readiness R is
/// exp(sum of driver terms), bounded by `max`; the idiosyncratic term is
/// normal with mean 0 (a lognormal factor of median 1). A network starts recruiting with weekly hazard
/// `start_per_week` x R; from then it plans min(1, R x weeks recruiting /
/// `full_plan_weeks`) of its ceiling.
struct ReadinessParams {
  bool enabled = true;
  double sd_log = 2.2;
  double manager = 0.5;
  double hosted_employer = 0.3;
  double deprivation_per_sd = -0.1;
  double rurality = -0.3;
  double cd_strain = -0.3;
  double members_per_log = -0.1;
  double practice_size_per_log = 0.2;
  double max = 50;
  double start_per_week = 0.0445;
  double full_plan_weeks = 45;
  double competition = 1;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled,
            {"networks differ in recruitment readiness; off = every network recruits from the start at full plan"});
    v.field("sd_log", sd_log,
            {"standard deviation of the idiosyncratic part of ln(readiness) (lognormal, median 1; drawn once per "
             "network)", "1", 0, 5});
    v.field("manager", manager,
            {"term of ln(readiness) per manager WTE in post (capacity to write job plans and recruit)", "1", -10, 10});
    v.field("hosted_employer", hosted_employer,
            {"term of ln(readiness) when a federation or community trust employs the staff (HR and payroll in place) "
             "rather than a lead practice", "1", -10, 10});
    v.field("deprivation_per_sd", deprivation_per_sd,
            {"term of ln(readiness) per standard deviation of the members' IMD score above the national mean "
             "(harder recruitment and more pressing demand; direction uncertain: deprived areas also have more need "
             "and larger weighted ceilings)", "1/SD", -10, 10});
    v.field("rurality", rurality,
            {"term of ln(readiness) per share of the network's patients in rural (isolated) practices (farther from "
             "labour pools)", "1", -10, 10});
    v.field("cd_strain", cd_strain,
            {"term of ln(readiness) per unit of the clinical director's strain (last week's)", "1", -10, 10});
    v.field("members_per_log", members_per_log,
            {"term of ln(readiness) per unit of ln(members / 5) (more practices to agree; direction uncertain: more "
             "members also pool more back-office capacity)", "1", -10, 10});
    v.field("practice_size_per_log", practice_size_per_log,
            {"term of ln(readiness) per unit of ln(mean member list / 9,000) (large practices have managers and HR "
             "of their own)", "1", -10, 10});
    v.field("max", max, {"upper bound of readiness", "1", 0, 100});
    v.field("start_per_week", start_per_week,
            {"weekly hazard that a network of readiness 1 starts recruiting (agrees an employer, job plans and "
             "first adverts); the hazard is proportional to readiness", "1/week", 0, 1});
    v.field("full_plan_weeks", full_plan_weeks,
            {"weeks after starting until a network of readiness 1 plans to use its whole ceiling (readiness 2 "
             "takes half as long)", "weeks", 0, 520});
    v.field("competition", competition,
            {"when a regional pool has fewer candidates than vacancies, each vacancy's chance of a candidate is "
             "weighted by readiness to this power (0 = all equal)", "1", 0, 10});
  }
};

struct ArrsParams {
  bool enabled = true;
  int regions = 7;
  double plan_share = 1.0;
  double cost_share_of_maximum = 0.85;
  int plan_ahead_weeks = 0;
  double vacancy_withdrawal_per_week = 0.05;
  double pool_exit_per_week = 0.02;
  double hours_per_wte_week = 37.5;
  std::string deployment = "list";
  double trust_employer_probability = 0.15;
  ReadinessParams readiness;
  ArrsRoles roles;

  template <class V>
  void describe(V& v) {
    v.field("enabled", enabled, {"networks recruit ARRS staff; off = no hiring and every ceiling unclaimed"});
    v.field("regions", regions, {"labour-market regions (commissioners grouped by location)", "", 1, 1000});
    v.field("plan_share", plan_share,
            {"share of the ceiling a network commits to staff (annual cost of staff and vacancies)", "1", 0, 2});
    v.field("cost_share_of_maximum", cost_share_of_maximum,
            {"actual employment cost of a WTE as a share of the role's maximum reimbursable amount (staff are "
             "often paid below the top of the band; under half of it is not a cost the DES figures describe)",
             "1", 0.5, 1});
    v.field("plan_ahead_weeks", plan_ahead_weeks,
            {"in the last weeks of a financial year networks plan against next year's ceiling (pots are announced "
             "in advance; recruiting takes months)", "weeks", 0, 52});
    v.field("vacancy_withdrawal_per_week", vacancy_withdrawal_per_week,
            {"chance a vacancy is withdrawn each week (and the money re-planned, perhaps for another role)",
             "1/week", 0, 1});
    v.field("pool_exit_per_week", pool_exit_per_week,
            {"share of waiting candidates who leave the pool each week", "1/week", 0, 1});
    v.field("hours_per_wte_week", hours_per_wte_week, {"working hours of one WTE", "hours/week", 1, 80});
    v.choice("deployment", deployment, {"list", "need"},
             {"staff time goes to member practices by list share or by needs-weighted list share"});
    v.field("trust_employer_probability", trust_employer_probability,
            {"probability a flat or lead-practice network employs through a community trust", "", 0, 1});
    v.block("readiness", readiness, "recruitment readiness: how soon and how fully each network recruits");
    v.block("roles", roles, "the ARRS roles");
  }
};

/// Who employs a network's ARRS staff (follows the hosting model).
enum class Employer : std::uint8_t { lead_practice = 0, federation = 1, community_trust = 2 };
const char* to_string(Employer e);

/// Staff of every network as a structure of arrays (one row per WTE).
/// A transfer to another network (mechanism 9) ends one row and starts
/// another, so each row's network is fixed and money can be recomputed per row.
struct ArrsStaff {
  std::vector<int> network, role, start_step;  // start_step: first week in this network
  std::vector<int> end_step;    // week they left or transferred (before that week's claims), -1 while in post
  std::vector<int> hired_step;  // week of hiring into any network (drives ramp-up)
  std::vector<std::uint8_t> active;
};

/// Per-network, per-financial-year money (pence).
struct NetworkYearMoney {
  Pence ceiling = 0;        // after redistribution
  Pence claimed = 0;        // reimbursed staff costs
  Pence redistributed = 0;  // change to the ceiling by the commissioner (+ received, - given up)
  Pence unclaimed() const { return ceiling - claimed; }
};

/// ARRS staff deployed to practices in one week: a member practice receives
/// `share` of its network's staff in every role (its list, or needs-weighted
/// list, over its network's), other practices nothing. Kept per network and
/// a share per practice rather than per practice and role, so a week touches
/// a few bytes per practice instead of 256.
struct Deployment {
  std::vector<double> productive_wte;  // [network * kRoleCount + role], ramped up from each start
  // [network * kRoleCount + role], in post: the workforce's own counts (not
  // copied each week), valid until its next step.
  const std::vector<double>* wte = nullptr;
  std::vector<int> network;            // per practice, -1 = none; empty before the first deployment
  std::vector<double> share;           // per practice: its share of its network's staff

  /// Productive WTE practice `i` receives in `role` (0 outside networks).
  double productive_wte_of(std::size_t i, std::size_t role) const {
    return i < network.size() && network[i] >= 0
               ? share[i] * productive_wte[static_cast<std::size_t>(network[i]) * kRoleCount + role]
               : 0.0;
  }
  /// WTE in post practice `i` receives in `role` (0 outside networks).
  double wte_of(std::size_t i, std::size_t role) const {
    return i < network.size() && network[i] >= 0
               ? share[i] * (*wte)[static_cast<std::size_t>(network[i]) * kRoleCount + role]
               : 0.0;
  }
};

/// What other mechanisms tell the readiness each week, per network (last
/// week's values; null or short = nothing yet: no manager, no strain).
struct ReadinessInputs {
  const std::vector<double>* manager_wte = nullptr;
  const std::vector<double>* cd_strain = nullptr;
};

class ArrsWorkforce {
 public:
  ArrsWorkforce(const World& world, const ArrsParams& params, const FundingParams& funding, const Calendar& calendar,
                std::uint64_t seed);

  /// After a yearly re-evaluation (mechanism 9): staff of an ended network
  /// transfer to its successor (or leave when it has none); a network split
  /// off takes its share of the parent's staff and vacancies in each role (the
  /// most recent starters) and the parent's employer.
  void reorganise(const Reorganisation& change);
  /// Ceilings for the new financial year from the current membership.
  void start_year(int fy);
  /// One week: redistribution (if due), attrition, vacancies, hiring, claims.
  /// `inflow_multiplier` scales this week's labour-pool inflow (e.g. COVID-19).
  /// `inputs` feed this week's recruitment readiness.
  void step(int step, double inflow_multiplier = 1.0, const ReadinessInputs& inputs = {});
  /// This week's deployment of staff to practices; `out`'s buffers are reused from week to week.
  void deploy(int step, Deployment& out) const;

  // Results.
  const ArrsStaff& staff() const { return staff_; }
  /// [network * kRoleCount + role]
  const std::vector<double>& wte_by_network_role() const { return wte_; }
  const std::vector<int>& vacancies_by_network_role() const { return vacancies_; }
  const std::vector<Pence>& claimed_this_week() const { return claimed_week_; }
  /// money_[fy index][network]
  const std::vector<std::vector<NetworkYearMoney>>& money() const { return money_; }
  const std::vector<int>& years() const { return years_; }
  const std::vector<Employer>& employers() const { return employer_; }
  const std::vector<int>& region_of_commissioner() const { return region_; }
  int year_index(int fy) const;
  Pence ceiling_this_year(int network) const;
  Pence weekly_cost_pence(int role, Date d) const;
  std::int64_t hires() const { return hires_; }
  /// Per network: this week's readiness, its driver terms of ln(readiness)
  /// ([network * kReadinessDriverCount + driver]), the week it started
  /// recruiting (-1 = not yet) and the share of its ceiling it plans to use.
  const std::vector<double>& readiness() const { return readiness_; }
  const std::vector<double>& readiness_terms() const { return terms_; }
  const std::vector<int>& recruiting_since() const { return started_; }
  const std::vector<double>& plan_use() const { return plan_use_; }

 private:
  double annual_cost(int role, Date d) const;
  void redistribute(int year, Date date);
  // The steps of a week (step): leavers and withdrawn vacancies, plans, the
  // labour-pool matching, claims.
  void leave_and_withdraw(int step, const std::array<double, kRoleCount>& hazard);
  void plan_vacancies(Date date, const std::vector<int>& open, double open_preference);
  void match_labour_pools(int step, const std::vector<int>& open, double inflow_multiplier);
  void order_by_readiness(std::vector<int>& slots, std::size_t fill);
  void claim(const std::array<Pence, kRoleCount>& week_cost);
  void recount();
  // Readiness: the terms fixed by membership (after each reorganisation),
  // then each week's readiness, starts and plan use.
  void readiness_from_membership();
  void update_readiness(int step, const ReadinessInputs& inputs);
  void hire(int network, int role, int step, int hired_step);

  const World& world_;
  const ArrsParams& params_;
  const FundingParams& funding_;
  const Calendar& calendar_;
  // One stream per kind of draw, so that e.g. more vacancies elsewhere do not
  // shift who leaves: runs that differ in one input stay comparable.
  Engine leaver_rng_, vacancy_rng_, match_rng_;
  std::vector<int> region_;             // per commissioner
  std::vector<double> pool_;            // [region * kRoleCount + role] candidates waiting (WTE)
  std::vector<double> region_share_;    // weighted-population share per region
  std::vector<std::vector<int>> region_networks_;  // network ids of each region, ascending
  ArrsStaff staff_;
  std::vector<double> wte_;             // per network x role
  std::vector<int> vacancies_;          // per network x role
  std::vector<Pence> claimed_week_;     // per network
  std::vector<Employer> employer_;      // per network
  std::vector<int> years_;
  std::vector<std::vector<NetworkYearMoney>> money_;
  std::uint64_t readiness_stream_;      // counter-based draws: (network, 0) idiosyncratic, (network, step) start
  double imd_mean_ = 0, imd_sd_ = 1;     // list-weighted, over practices
  std::vector<double> readiness_, terms_, plan_use_;
  std::vector<int> started_;
  int current_year_ = -1;
  std::int64_t hires_ = 0;
};

}  // namespace pcnsim
