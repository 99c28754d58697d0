#include "models/funding.hpp"
#include "models/model.hpp"

#include <algorithm>
#include <iomanip>
#include <sstream>
#include <string>
#include <utility>

namespace pcnsim {

double national_pot_share(const World& world, const Network& network, const FundingParams& params) {
  return world.network_weighted_list_size(network) / params.national_patients;
}

namespace {

double largest(const DatedSeries& series) {
  double top = 0.0;
  for (const auto& e : series.entries) top = std::max(top, e.value);
  return top;
}

std::string pounds(double gbp) {
  std::ostringstream out;
  out << std::setprecision(3) << gbp;
  return "£" + out.str();
}

}  // namespace

void check_money_bounds(const World& world, const FundingParams& params, const DatedSeries& iif_pot_gbp) {
  const auto& p = world.practices;
  double patients = 0, weighted = 0, beds = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    patients += p.list_size[i];
    weighted += p.list_size[i] * p.needs_index[i];
    beds += p.care_home_beds[i];
  }
  // A week's accrual is rounded to the penny and a year has up to 53 weekly steps of 7/365 of a year.
  const double limit_gbp = kMaxPencePerLineYear / 100.0 / 1.02;
  DiagnosticList problems;
  auto check = [&](const std::string& key, double total, const std::string& what) {
    if (total <= limit_gbp) return;
    problems.add({"scenario", 0, 0, key,
                  what + " totals " + pounds(total) + " a year for this population, more than the " +
                      pounds(limit_gbp) + " a year a line of money may total"});
  };
  auto rate = [&](const std::string& key, const DatedSeries& series, double base, const std::string& per) {
    check(key, largest(series) * base, pounds(largest(series)) + " " + per);
  };
  rate("funding.core_gbp_per_patient", params.core_gbp_per_patient, patients, "per patient");
  rate("funding.participation_gbp_per_weighted_patient", params.participation_gbp_per_weighted_patient, weighted,
       "per weighted patient");
  rate("funding.clinical_director_gbp_per_patient", params.clinical_director_gbp_per_patient, patients, "per patient");
  rate("funding.care_home_premium_gbp_per_bed", params.care_home_premium_gbp_per_bed, beds, "per bed");
  rate("funding.leadership_management_gbp_per_weighted_patient", params.leadership_management_gbp_per_weighted_patient,
       weighted, "per weighted patient");
  // National pots: the population's share is its weighted patients over national_patients; a share
  // over 1 (national_patients smaller than the population) multiplies the pot.
  const double share = weighted / params.national_patients;
  const std::pair<const char*, const DatedSeries*> pots[] = {
      {"funding.arrs_national_pot_gbp", &params.arrs_national_pot_gbp},
      {"funding.leadership_management_national_gbp", &params.leadership_management_national_gbp},
      {"service_specs.iif.national_pot_gbp", &iif_pot_gbp}};
  for (const auto& [key, pot] : pots) {
    std::ostringstream what;
    what << "a national pot of " << pounds(largest(*pot)) << " a year (" << key << ") shared by this population's "
         << std::setprecision(4) << weighted << " weighted patients over funding.national_patients ("
         << params.national_patients << ")";
    check(share > 1 ? "funding.national_patients" : key, largest(*pot) * share, what.str());
  }
  problems.throw_if_any();
}

int days_in_financial_year(int fy) { return Date::from_ymd(fy + 1, 4, 1).days - Date::from_ymd(fy, 4, 1).days; }

Pence weekly_amount(double annual_gbp, int fy) { return to_pence(annual_gbp * 7.0 / days_in_financial_year(fy)); }

FundingFlows::FundingFlows(const World& world, const FundingParams& params, const Calendar& calendar)
    : world_(world), params_(params), calendar_(calendar), week_(world.networks.size() * kFundingLines, 0) {}

void FundingFlows::start_year(int fy) {
  years_.push_back(fy);
  // Networks may have changed since last year (mechanism 9).
  week_.assign(world_.networks.size() * kFundingLines, 0);
  totals_.emplace_back(world_.networks.size() * kFundingLines, 0);
  one_off_.assign(world_.networks.size(), 0);
  if (!params_.enabled) return;
  // One-off national leadership-and-management pot, by weighted population share.
  const double pot = params_.leadership_management_national_gbp.at(Date::from_ymd(fy, 4, 1));
  if (pot <= 0) return;
  for (const auto& net : world_.networks) {
    one_off_[net.id] = to_pence(pot * national_pot_share(world_, net, params_));
    totals_.back()[net.id * kFundingLines + leadership_management] += one_off_[net.id];
  }
}

void FundingFlows::step(int step) {
  if (!params_.enabled) return;  // week_ stays all zero
  const Date date = calendar_.step_start(step);
  const int fy = date.financial_year();
  const auto& p = world_.practices;
  const double core_rate = params_.core_gbp_per_patient.at(date);
  const double participation_rate = params_.participation_gbp_per_weighted_patient.at(date);
  const double cd_rate = params_.clinical_director_gbp_per_patient.at(date);
  const double care_home_rate = params_.care_home_premium_gbp_per_bed.at(date);
  const double lm_rate = params_.leadership_management_gbp_per_weighted_patient.at(date);
  for (const auto& net : world_.networks) {
    double list = 0, weighted = 0, beds = 0;
    for (int m : net.members) {
      list += p.list_size[m];
      weighted += p.list_size[m] * p.needs_index[m];
      beds += p.care_home_beds[m];
    }
    Pence* w = &week_[net.id * kFundingLines];
    w[core] = weekly_amount(core_rate * list, fy);
    w[participation] = weekly_amount(participation_rate * weighted, fy);
    w[clinical_director] = weekly_amount(cd_rate * list, fy);
    w[care_home_premium] = weekly_amount(care_home_rate * beds, fy);
    w[leadership_management] = weekly_amount(lm_rate * weighted, fy);
    w[iif] = 0;  // paid by pay() at the year end
    for (int line = 0; line < kFundingLines; ++line) totals_.back()[net.id * kFundingLines + line] += w[line];
    // The one-off pot (already in the year's total) is paid in the year's first paid week.
    w[leadership_management] += one_off_[net.id];
    one_off_[net.id] = 0;
  }
}

void FundingFlows::pay(int network, FundingLine line, Pence amount) {
  week_[network * kFundingLines + line] += amount;
  totals_.back()[network * kFundingLines + line] += amount;
}

std::vector<double> FundingFlows::leadership_management_year_gbp() const {
  std::vector<double> out(world_.networks.size(), 0.0);
  if (years_.empty() || !params_.enabled) return out;
  const double rate = params_.leadership_management_gbp_per_weighted_patient.at(Date::from_ymd(years_.back(), 4, 1));
  for (const auto& net : world_.networks) {
    out[net.id] = to_gbp(totals_.back()[net.id * kFundingLines + leadership_management]) +
                  rate * world_.network_weighted_list_size(net);
  }
  return out;
}

Mechanism funding_mechanism() {
  Mechanism m{"funding", "mechanism 3: the DES funding lines paid to each network"};
  m.setup = [](ModelState& s) {
    check_money_bounds(s.world, s.params.funding, s.params.service_specs.iif.national_pot_gbp);
  };
  m.at_deadline = [](ModelState& s) {
    s.funding.emplace(s.world, s.params.funding, s.calendar);
    s.funding->start_year(s.date.financial_year());
  };
  m.at_year_start = [](ModelState& s) { s.funding->start_year(s.date.financial_year()); };
  m.each_week = [](ModelState& s) {
    if (s.paying()) s.funding->step(s.step);
  };
  m.declare_outputs = [](OutputDeclarations& out) {
    out.series("networks_live", "1", "1 once networks are live and paid, else 0", always,
               [](const ModelState& s) { return s.live ? 1.0 : 0.0; });
    for (int line = 0; line < kFundingLines; ++line) {
      out.series(std::string("payment_") + kFundingLineNames[line] + "_gbp", "GBP/week",
                 std::string("DES payments this week: ") + kFundingLineNames[line],
                 [](const ModelState& s) { return s.funding.has_value(); },
                 [line](const ModelState& s) {
                   if (!s.live) return 0.0;
                   double paid = 0.0;
                   for (std::size_t n = 0; n < s.world.networks.size(); ++n) {
                     paid += to_gbp(s.funding->week()[n * kFundingLines + line]);
                   }
                   return paid;
                 });
    }
  };
  return m;
}

}  // namespace pcnsim
