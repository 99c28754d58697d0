#include "pcnsim/writer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <functional>

#include "pcnsim/errors.hpp"
#include "pcnsim/h5.hpp"
#include "pcnsim/output_file.hpp"
#include "pcnsim/metrics.hpp"
#include "pcnsim/version.hpp"
#include "pcnsim/weekly_output.hpp"

namespace pcnsim {

std::string now_iso() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void write_record(const std::string& path, const std::string& kind, const std::function<void(h5::File&)>& fill) try {
  AtomicOutput output(path, true);
  {
    h5::File f = h5::File::create(output.temp_path());
    f.set_attribute("/", "format_version", static_cast<std::int64_t>(kFormatVersion));
    f.set_attribute("/", "kind", kind);
    f.set_attribute("/", "software_version", std::string(kVersion) + "+" + kGitHash);
    f.set_attribute("/", "created", now_iso());
    fill(f);
    f.flush();
    f.close();
  }
  output.commit();
} catch (const InputError&) {
  throw;
} catch (const std::runtime_error& e) {
  // A full disk is a problem with the output path (exit 2); the temporary file
  // is gone and the previous checkpoint, if any, is untouched.
  throw InputError(Diagnostic{path, 0, 0, "", std::string("could not write the output: ") + e.what()});
}

h5::File open_for_resume(const std::string& path, const std::string& missing, const std::string& unreadable) {
  if (!std::filesystem::is_regular_file(path)) {
    throw InputError(Diagnostic{path, 0, 0, "", "--resume: no " + missing + " to resume"});
  }
  try {
    return h5::File::open_read(path);
  } catch (const std::runtime_error& e) {  // not HDF5: bad input, not an internal error
    throw InputError(Diagnostic{path, 0, 0, "", "--resume: cannot read it as a " + unreadable + ": " + e.what()});
  }
}

namespace {

template <class T, class F>
std::vector<T> column(std::size_t n, F f) {
  std::vector<T> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<T>(f(i));
  return out;
}

using Options = std::function<h5::DatasetOptions(std::string, std::string)>;

void write_weekly_arrays(h5::File& file, const RunResult& run, const Options& opt) {
  // Weekly per-network and per-practice arrays, [step, ...], as the mechanisms declare them.
  for (const WeeklyArray& a : run.weekly.arrays) {
    const OutputInfo& info = a.output->info;
    if (info.dtype == Dtype::int32) {
      write_weekly(file, info.path, a.ints, opt(info.units, info.description));
    } else {
      write_weekly(file, info.path, a.floats, opt(info.units, info.description));
    }
  }
  file.write("/arrs/roles", std::vector<std::string>(kArrsRoles.begin(), kArrsRoles.end()),
             opt("", "ARRS roles, the last axis of /networks/weekly/arrs_wte"));
  file.write("/clinical_directors/sources", std::vector<std::string>(kCdSourceNames.begin(), kCdSourceNames.end()),
             opt("", "sources of CD demand, the last axis of /networks/weekly/cd_hours"));
}

void write_clinical_directors(h5::File& file, const RunResult& run, const Options& opt) {
  const CdRecords& cd = run.clinical_directors;
  const std::size_t n = cd.network.size();
  auto time_of = [&](int step) { return step < 0 ? std::string() : run.calendar.step_start(step).iso(); };
  std::vector<std::int32_t> network(cd.network.begin(), cd.network.end());
  std::vector<std::string> practice(n), start(n), end(n);
  std::vector<std::int32_t> tenure(n);
  for (std::size_t k = 0; k < n; ++k) {
    practice[k] = run.world.practices.code[cd.practice[k]];
    start[k] = time_of(cd.start_step[k]);
    end[k] = time_of(cd.end_step[k]);
    tenure[k] = (cd.end_step[k] < 0 ? run.calendar.steps() : cd.end_step[k]) - cd.start_step[k];
  }
  file.write("/clinical_directors/network", network, opt("", "network id"));
  file.write("/clinical_directors/practice", practice, opt("", "ODS code of the CD's practice"));
  file.write("/clinical_directors/start_time", start, opt("date", "first week in post"));
  file.write("/clinical_directors/end_time", end, opt("date", "week of resignation; empty while in post"));
  file.write("/clinical_directors/tenure_weeks", tenure, opt("weeks", "weeks in post (to the end of the run if still in post)"));
  // Trust per evaluation: [rows of /practices/network, networks], NaN where a network did not exist.
  const std::size_t nets = run.world.networks.size();
  std::vector<double> trust;
  for (const auto& snap : run.membership) {
    std::vector<double> row(nets, std::nan(""));
    std::copy(snap.mean_affinity.begin(), snap.mean_affinity.end(), row.begin());
    for (std::size_t k = 0; k < nets && k < snap.mean_affinity.size(); ++k) {
      const Network& net = run.world.networks[k];
      if (net.ended_step >= 0 && net.ended_step <= snap.step) row[k] = std::nan("");
    }
    trust.insert(trust.end(), row.begin(), row.end());
  }
  file.write("/networks/mean_affinity", trust, {static_cast<hsize_t>(run.membership.size()), static_cast<hsize_t>(nets)},
             opt("", "mean affinity of member pairs (trust, with collaboration history) at each evaluation (rows as "
                     "/practices/network); NaN where the network did not exist"));
  file.write("/clinical_directors/end_reason", cd.end_reason,
             opt("", "resigned, network ended or practice left the network; empty while in post"));
}

void write_finance(h5::File& file, const RunResult& run, const Options& opt) {
  // Money per financial year, exact in pence.
  const FinanceRecord& fin = run.finance;
  const auto years = static_cast<hsize_t>(fin.years.size());
  const auto net_rows = static_cast<hsize_t>(run.weekly.networks);
  std::vector<std::int64_t> ceiling, claimed, unclaimed, redistributed;
  std::vector<double> nat_ceiling, nat_claimed, nat_unclaimed, nat_share;
  for (const auto& year : fin.arrs) {
    Pence c = 0, k = 0;
    for (const auto& m : year) {
      ceiling.push_back(m.ceiling);
      claimed.push_back(m.claimed);
      unclaimed.push_back(m.unclaimed());
      redistributed.push_back(m.redistributed);
      c += m.ceiling;
      k += m.claimed;
    }
    nat_ceiling.push_back(to_gbp(c));
    nat_claimed.push_back(to_gbp(k));
    nat_unclaimed.push_back(to_gbp(c - k));
    nat_share.push_back(c > 0 ? static_cast<double>(c - k) / static_cast<double>(c) : 0.0);
  }
  file.write("/finance/year", std::vector<std::int32_t>(fin.years.begin(), fin.years.end()),
             opt("", "financial year (2019 = 2019/20)"));
  file.write("/finance/network/arrs_ceiling_pence", ceiling, {years, net_rows},
             opt("pence", "ARRS ceiling (allocated, after any redistribution) per year and network"));
  file.write("/finance/network/arrs_claimed_pence", claimed, {years, net_rows}, opt("pence", "ARRS reimbursement claimed"));
  file.write("/finance/network/arrs_unclaimed_pence", unclaimed, {years, net_rows},
             opt("pence", "ARRS ceiling not claimed, lost at year end"));
  file.write("/finance/network/arrs_redistributed_pence", redistributed, {years, net_rows},
             opt("pence", "ceiling moved by the commissioner (+ received, - given up)"));
  for (int line = 0; line < kFundingLines; ++line) {
    std::vector<std::int64_t> paid;
    for (const auto& year : fin.lines) {
      for (std::size_t n = 0; n < run.weekly.networks; ++n) paid.push_back(year[n * kFundingLines + line]);
    }
    file.write(std::string("/finance/network/") + kFundingLineNames[line] + "_pence", paid, {years, net_rows},
               opt("pence", std::string("DES payments in the year: ") + kFundingLineNames[line]));
  }
  std::vector<std::int32_t> achieved;
  for (const auto& year : fin.iif_achieved) achieved.insert(achieved.end(), year.begin(), year.end());
  file.write("/finance/network/iif_indicators_achieved", achieved, {years, net_rows},
             opt("indicators", "IIF indicators achieved in the year (-1 = year not finished)"));
  file.write("/finance/national/arrs_ceiling_gbp", nat_ceiling, opt("GBP", "sum of ARRS ceilings per year"));
  file.write("/finance/national/arrs_claimed_gbp", nat_claimed, opt("GBP", "ARRS claimed per year"));
  file.write("/finance/national/arrs_unclaimed_gbp", nat_unclaimed, opt("GBP", "ARRS unclaimed per year"));
  file.write("/finance/national/arrs_unclaimed_share", nat_share, opt("1", "unclaimed / ceiling per year"));

}

void write_series_and_outcomes(h5::File& file, const RunResult& run, const Ensemble* ensemble, const Options& opt) {
  // National series, h5md-like; an ensemble adds a leading replicate axis
  // and summaries across replicates.
  const std::vector<std::string> dates = run.calendar.step_dates();
  const auto steps = column<std::int32_t>(dates.size(), [](std::size_t i) { return i; });
  const auto& all = run.recorder.series();
  for (std::size_t k = 0; k < all.size(); ++k) {
    const Series& s = all[k];
    const std::string g = "/series/" + s.name;
    file.write(g + "/step", steps, opt("week", "step index"));
    file.write(g + "/time", dates, opt("date", "first day of the step"));
    if (!ensemble) {
      file.write(g + "/value", s.value, opt(s.units, s.description));
      continue;
    }
    const std::size_t reps = ensemble->replicates.size(), n = s.value.size();
    std::vector<double> value;
    value.reserve(reps * n);
    for (const auto& r : ensemble->replicates) value.insert(value.end(), r.series[k].begin(), r.series[k].end());
    file.write(g + "/value", value, {static_cast<hsize_t>(reps), static_cast<hsize_t>(n)},
               opt(s.units, s.description));
    std::vector<double> mean(n), median(n), p10(n), p90(n), across(reps);
    for (std::size_t t = 0; t < n; ++t) {
      double total = 0;
      for (std::size_t r = 0; r < reps; ++r) total += across[r] = value[r * n + t];
      mean[t] = total / static_cast<double>(reps);
      median[t] = quantile(across, 0.5);
      p10[t] = quantile(across, 0.1);
      p90[t] = quantile(across, 0.9);
    }
    const std::string sg = "/summary/" + s.name;
    file.write(sg + "/mean", mean, opt(s.units, s.description + ": mean across replicates"));
    file.write(sg + "/median", median, opt(s.units, s.description + ": median across replicates"));
    file.write(sg + "/p10", p10, opt(s.units, s.description + ": 10th percentile across replicates"));
    file.write(sg + "/p90", p90, opt(s.units, s.description + ": 90th percentile across replicates"));
  }

  // Key outcomes, one row per replicate (one for a single run): what `pcnsim compare` reads.
  const std::vector<Outcome> meta = ensemble ? ensemble->outcome_meta : key_outcomes(run);
  std::vector<double> outcome_values;
  std::vector<std::int64_t> seeds;
  if (ensemble) {
    for (const auto& r : ensemble->replicates) {
      outcome_values.insert(outcome_values.end(), r.outcomes.begin(), r.outcomes.end());
      seeds.push_back(static_cast<std::int64_t>(r.seed));
    }
  } else {
    for (const auto& o : meta) outcome_values.push_back(o.value);
    seeds.push_back(static_cast<std::int64_t>(replicate_seed(run.scenario, run.replicate)));
  }
  const auto replicate_rows = static_cast<hsize_t>(seeds.size()), cols = static_cast<hsize_t>(meta.size());
  file.write("/outcomes/name", column<std::string>(meta.size(), [&](std::size_t i) { return meta[i].name; }),
             opt("", "key outcome (columns of /outcomes/value)"));
  file.write("/outcomes/units", column<std::string>(meta.size(), [&](std::size_t i) { return meta[i].units; }),
             opt("", "units of each outcome"));
  file.write("/outcomes/description",
             column<std::string>(meta.size(), [&](std::size_t i) { return meta[i].description; }), opt("", "meaning"));
  file.write("/outcomes/value", outcome_values, {replicate_rows, cols}, opt("", "[replicate, outcome]; units in /outcomes/units"));
  file.write("/replicates/seed", seeds, opt("", "seed of each replicate (replicate 0 uses the scenario seed)"));
}

}  // namespace

namespace {

void write_provenance(h5::File& file, const RunResult& run, const Ensemble* ensemble) {
  // Provenance.
  file.set_attribute("/", "format_version", static_cast<std::int64_t>(kFormatVersion));
  file.set_attribute("/", "software_version", std::string(kVersion) + "+" + kGitHash);
  file.set_attribute("/", "created", now_iso());
  file.set_attribute("/", "seed", static_cast<std::int64_t>(run.scenario.seed));
  file.set_attribute("/", "replicate", static_cast<std::int64_t>(run.replicate));
  // An ensemble's tables and weekly arrays are those of replicate 0; its
  // series, summaries and outcomes cover every replicate.
  file.set_attribute("/", "replicates", static_cast<std::int64_t>(ensemble ? ensemble->replicates.size() : 1));
  file.set_attribute("/", "ensemble", static_cast<std::int64_t>(ensemble ? 1 : 0));
  file.set_attribute("/", "scenario_name", run.scenario.name);
  file.set_attribute("/", "scenario_yaml", resolved_yaml(run.scenario));
  file.set_attribute("/", "population_source", run.scenario.population.source);
  // Which mechanisms ran, so an ablation is visible in the file itself.
  const Scenario& sc = run.scenario;
  const std::vector<std::pair<const char*, bool>> switches = {
      {"relationships", sc.relationships.enabled}, {"signup", sc.signup.enabled},       {"formation", sc.formation.enabled},
      {"funding", sc.funding.enabled},             {"arrs", sc.arrs.enabled},           {"gp_workload", sc.gp_workload.enabled},
      {"gp_substitution", sc.gp_workload.substitution}, {"covid", sc.covid.enabled},    {"service_specs", sc.service_specs.enabled},
      {"management", sc.management.enabled},       {"cd_workload", sc.cd_workload.enabled},
      {"dynamics", sc.dynamics.enabled}};
  std::string on, off;
  for (const auto& [name, enabled] : switches) {
    std::string& list = enabled ? on : off;
    list += (list.empty() ? "" : ", ") + std::string(name);
  }
  file.set_attribute("/", "mechanisms_on", on);
  file.set_attribute("/", "mechanisms_off", off.empty() ? std::string("none") : off);
  file.set_attribute("/", "synthesised_attributes",
                     std::string("share_65_plus, needs_index, gp_fte, nurse_fte, rural, care_home_beds, federation, "
                                 "super_partnership, autonomy_gbp_per_patient (see docs/model.md)"));
}

void write_parameters(h5::File& file, const RunResult& run, const Options& opt) {
  // Parameters as a table of text columns.
  const auto rows = parameter_rows(run.scenario);
  file.write("/parameters/name", column<std::string>(rows.size(), [&](std::size_t i) { return rows[i].path; }),
             opt("", "dotted parameter path"));
  file.write("/parameters/value", column<std::string>(rows.size(), [&](std::size_t i) { return rows[i].value; }),
             opt("", "resolved value as text"));
  file.write("/parameters/units", column<std::string>(rows.size(), [&](std::size_t i) { return rows[i].units; }),
             opt("", "units of the value"));
  file.write("/parameters/description",
             column<std::string>(rows.size(), [&](std::size_t i) { return rows[i].description; }), opt("", "meaning"));
}

void write_practices(h5::File& file, const RunResult& run, const Options& opt) {
  // Practices.
  const World& w = run.world;
  const Practices& p = w.practices;
  const std::size_t n = p.size();
  file.write("/practices/code", p.code, opt("", "ODS practice code"));
  file.write("/practices/commissioner",
             column<std::string>(n, [&](std::size_t i) { return w.commissioners[p.commissioner[i]].code; }),
             opt("", "CCG / sub-ICB location code"));
  file.write("/practices/list_size", p.list_size, opt("patients", "registered patients"));
  file.write("/practices/x_km", p.x_km, opt("km", "OS grid easting"));
  file.write("/practices/y_km", p.y_km, opt("km", "OS grid northing"));
  file.write("/practices/location_source", column<std::int32_t>(n, [&](std::size_t i) { return p.location_source[i]; }),
             opt("", "0 = postcode district centroid + jitter, 1 = commissioner centroid + jitter, 2 = synthetic, "
                     "3 = full postcode"));
  file.write("/practices/site", column<std::int32_t>(n, [&](std::size_t i) { return p.site[i]; }),
             opt("", "site id: practices at one postcode share a site (one building)"));
  file.write("/practices/rural_urban_class", p.rural_urban_class,
             opt("", "ONS 2011 rural-urban class of the practice's LSOA (A1-C2 urban, D1-E2 rural), empty = unknown"));
  file.write("/practices/imd_score", p.imd_score, opt("score", "IMD 2019 score of the registered population"));
  file.write("/practices/imd_imputed", column<std::int32_t>(n, [&](std::size_t i) { return p.imd_imputed[i]; }),
             opt("", "1 = no score in the input, commissioner mean used"));
  file.write("/practices/share_65_plus", p.share_65_plus, opt("1", "share of patients aged 65+ (synthesised)"));
  file.write("/practices/needs_index", p.needs_index, opt("1", "weighted list / list (synthesised)"));
  file.write("/practices/gp_fte", p.gp_fte, opt("FTE", "qualified GP full-time equivalents (synthesised)"));
  file.write("/practices/nurse_fte", p.nurse_fte, opt("FTE", "practice nurse full-time equivalents (synthesised)"));
  file.write("/practices/rural", column<std::int32_t>(n, [&](std::size_t i) { return p.rural[i]; }),
             opt("", "1 = rural: rural-urban class D or E, or, where the class is unknown, isolated (third-nearest "
                     "practice beyond the threshold)"));
  file.write("/practices/care_home_beds", column<std::int32_t>(n, [&](std::size_t i) { return p.care_home_beds[i]; }),
             opt("beds", "care-home beds aligned to the practice (synthesised)"));
  file.write("/practices/federation", column<std::int32_t>(n, [&](std::size_t i) { return p.federation[i]; }),
             opt("", "federation id, -1 = none (synthesised)"));
  file.write("/practices/super_partnership",
             column<std::int32_t>(n, [&](std::size_t i) { return p.super_partnership[i]; }),
             opt("", "super-partnership id, -1 = none (synthesised)"));
  file.write("/practices/autonomy_gbp_per_patient", p.autonomy_gbp_per_patient,
             opt("GBP/patient/year", "latent autonomy preference (sign-up)"));
  file.write("/practices/signed_up", column<std::int32_t>(n, [&](std::size_t i) { return w.signed_up[i]; }),
             opt("", "1 = signed the Network DES (at the last sign-up of the run)"));
  file.write("/practices/covering_network", column<std::int32_t>(n, [&](std::size_t i) { return w.covering_network[i]; }),
             opt("", "network covering the practice's patients (its own, or the nearest for non-signers)"));
  std::vector<std::int32_t> membership;
  std::vector<std::string> membership_time;
  for (const auto& snap : run.membership) {
    membership.insert(membership.end(), snap.network_of.begin(), snap.network_of.end());
    membership_time.push_back(snap.date.iso());
  }
  file.write("/practices/network", membership, {static_cast<hsize_t>(run.membership.size()), static_cast<hsize_t>(n)},
             opt("", "network id per evaluation (rows: formation, then each 1 April re-evaluation) and practice "
                     "(columns); -1 = not in a network"));
  file.write("/practices/network_time", membership_time, opt("date", "date of each row of /practices/network"));
}

void write_networks(h5::File& file, const RunResult& run, const Options& opt) {
  const World& w = run.world;
  const Practices& p = w.practices;
  // Networks.
  const auto& nets = w.networks;
  const std::size_t m = nets.size();
  file.write("/networks/id", column<std::int32_t>(m, [&](std::size_t i) { return nets[i].id; }), opt("", "network id"));
  file.write("/networks/commissioner",
             column<std::string>(m, [&](std::size_t i) { return w.commissioners[nets[i].commissioner].code; }),
             opt("", "commissioner code"));
  // Size of each network when it formed (in 2019, or at the re-evaluation that split it off).
  std::vector<double> formed_list(m, 0.0), formed_weighted(m, 0.0);
  std::vector<std::int32_t> formed_practices(m, 0);
  for (std::size_t r = 0; r < run.membership.size(); ++r) {
    const auto& row = run.membership[r].network_of;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const int k = row[i];
      if (k < 0 || membership_row(run, nets[k].formed_step) != r) continue;
      formed_list[k] += p.list_size[i];
      formed_weighted[k] += p.list_size[i] * p.needs_index[i];
      ++formed_practices[k];
    }
  }
  file.write("/networks/list_size", formed_list, opt("patients", "registered patients of member practices at formation"));
  file.write("/networks/weighted_list_size", formed_weighted, opt("patients", "needs-weighted list at formation"));
  file.write("/networks/practices", formed_practices, opt("practices", "member practices at formation"));
  file.write("/networks/lead_practice",
             column<std::string>(m, [&](std::size_t i) { return p.code[nets[i].lead_practice]; }),
             opt("", "nominated payee (largest member)"));
  file.write("/networks/hosting_model",
             column<std::string>(m, [&](std::size_t i) { return std::string(to_string(nets[i].hosting)); }),
             opt("", "flat, lead_practice, federation or super_practice"));
  file.write("/networks/approved_under_size",
             column<std::int32_t>(m, [&](std::size_t i) { return nets[i].approved_under_size; }),
             opt("", "1 = under the size threshold, approved by the commissioner"));
  file.write("/networks/formed_time",
             column<std::string>(m, [&](std::size_t i) {
               return run.membership[membership_row(run, nets[i].formed_step)].date.iso();
             }),
             opt("date", "date of the evaluation that formed it (a row of /practices/network_time)"));

  file.write("/networks/employer", run.employers, opt("", "ARRS employer: lead_practice, federation or community_trust"));
  auto date_of = [&](int step) { return step < 0 ? std::string() : run.calendar.step_start(step).iso(); };
  file.write("/networks/parent", column<std::int32_t>(m, [&](std::size_t i) { return nets[i].parent; }),
             opt("", "network it split from (mechanism 9); -1 = formed in 2019 or by a lone joiner"));
  file.write("/networks/ended_time", column<std::string>(m, [&](std::size_t i) { return date_of(nets[i].ended_step); }),
             opt("date", "week the network merged into another or dissolved; empty while live"));
  file.write("/networks/successor", column<std::int32_t>(m, [&](std::size_t i) { return nets[i].successor; }),
             opt("", "network that took most of its patients when it ended; -1 = none"));
  file.write("/networks/end_reason", column<std::string>(m, [&](std::size_t i) { return nets[i].end_reason; }),
             opt("", "why it ended (merged or dissolved, with the gain in Phi or the vacancy and trust)"));
  file.write("/networks/final_practices",
             column<std::int32_t>(m, [&](std::size_t i) { return nets[i].members.size(); }),
             opt("practices", "member practices at the end of the run (0 once ended)"));
  file.write("/networks/final_list_size", column<double>(m, [&](std::size_t i) { return w.network_list_size(nets[i]); }),
             opt("patients", "registered patients of member practices at the end of the run"));
}

void write_network_events(h5::File& file, const RunResult& run, const Options& opt) {
  const Practices& p = run.world.practices;
  auto date_of = [&](int step) { return step < 0 ? std::string() : run.calendar.step_start(step).iso(); };
  // Network dynamics (mechanism 9): one row per event.
  const NetworkEventLog& ev = run.network_events;
  const std::size_t ne = ev.size();
  file.write("/network_events/step", column<std::int32_t>(ne, [&](std::size_t i) { return ev.step[i]; }),
             opt("week", "step of the re-evaluation"));
  file.write("/network_events/time", column<std::string>(ne, [&](std::size_t i) { return date_of(ev.step[i]); }),
             opt("date", "date of the re-evaluation week"));
  file.write("/network_events/kind", ev.kind,
             opt("", "exit, join, switch, merge, split, dissolution, approval or conflict"));
  file.write("/network_events/network", column<std::int32_t>(ne, [&](std::size_t i) { return ev.network[i]; }),
             opt("", "network the event happened to (row of /networks)"));
  file.write("/network_events/other_network", column<std::int32_t>(ne, [&](std::size_t i) { return ev.other[i]; }),
             opt("", "switch or merge target, split-off network, or the network a joiner came from; -1 = none"));
  file.write("/network_events/practice",
             column<std::string>(ne, [&](std::size_t i) { return ev.practice[i] < 0 ? std::string() : p.code[ev.practice[i]]; }),
             opt("", "ODS code of the practice concerned; empty for whole-network events"));
  file.write("/network_events/reason", ev.reason, opt("", "why, with the gain in Phi where a move raised it"));
}

void write_commissioners(h5::File& file, const RunResult& run, const Options& opt) {
  const World& w = run.world;
  // Commissioners, with formation diagnostics.
  const std::size_t c = w.commissioners.size();
  const auto& fs = run.formation_stats;
  auto stat = [&](std::size_t i, auto member) { return i < fs.size() ? fs[i].*member : 0; };
  file.write("/commissioners/code", column<std::string>(c, [&](std::size_t i) { return w.commissioners[i].code; }),
             opt("", "CCG / sub-ICB location code"));
  file.write("/commissioners/practices",
             column<std::int32_t>(c, [&](std::size_t i) { return w.commissioners[i].members.size(); }),
             opt("practices", "practices of the commissioner"));
  file.write("/commissioners/potential_after_construction",
             column<double>(c, [&](std::size_t i) { return stat(i, &FormationStats::potential_after_construction); }),
             opt("", "formation potential Phi after construction and merges"));
  file.write("/commissioners/potential_final",
             column<double>(c, [&](std::size_t i) { return stat(i, &FormationStats::potential_final); }),
             opt("", "formation potential Phi after improvement moves"));
  file.write("/commissioners/improvement_moves",
             column<std::int32_t>(c, [&](std::size_t i) { return stat(i, &FormationStats::improvement_moves); }),
             opt("moves", "accepted single-practice moves"));
  file.write("/commissioners/merges",
             column<std::int32_t>(c, [&](std::size_t i) { return stat(i, &FormationStats::merges); }),
             opt("merges", "under-size networks merged during construction"));
}

void write_relationships(h5::File& file, const RunResult& run, const Options& opt) {
  // Relationship graph as an edge list.
  std::vector<std::int32_t> source, target, kinds;
  std::vector<double> affinity;
  for (auto [it, end] = boost::edges(run.graph); it != end; ++it) {
    source.push_back(static_cast<std::int32_t>(boost::source(*it, run.graph)));
    target.push_back(static_cast<std::int32_t>(boost::target(*it, run.graph)));
    affinity.push_back(run.graph[*it].affinity);
    kinds.push_back(run.graph[*it].kinds);
  }
  file.write("/relationships/source", source, opt("", "practice index (row of /practices)"));
  file.write("/relationships/target", target, opt("", "practice index (row of /practices)"));
  file.write("/relationships/affinity", affinity, opt("", "affinity a_ij of the pair"));
  file.write("/relationships/kinds", kinds, opt("", "bit set: 1 = k-nearest, 2 = spanning tree, 4 = relationship tie"));
}

void write_timeline_events(h5::File& file, const RunResult& run, const Options& opt) {
  // Timeline events.
  file.write("/events/time", column<std::string>(run.events.size(), [&](std::size_t i) { return run.events[i].date.iso(); }),
             opt("date", "date of the event"));
  file.write("/events/step", column<std::int32_t>(run.events.size(), [&](std::size_t i) { return run.events[i].step; }),
             opt("week", "step of the event"));
  file.write("/events/name", column<std::string>(run.events.size(), [&](std::size_t i) { return run.events[i].name; }),
             opt("", "what happened"));
}

}  // namespace

void write_run(const RunResult& run, const std::string& path, const Ensemble* ensemble) {
  h5::File file = h5::File::create(path);
  const int gzip = run.scenario.output.gzip_level;
  const Options opt = [gzip](std::string units, std::string description) {
    return h5::DatasetOptions{std::move(units), std::move(description), gzip, 0};
  };
  write_provenance(file, run, ensemble);
  write_parameters(file, run, opt);
  write_practices(file, run, opt);
  write_networks(file, run, opt);
  write_network_events(file, run, opt);
  write_weekly_arrays(file, run, opt);
  write_finance(file, run, opt);
  write_clinical_directors(file, run, opt);
  write_commissioners(file, run, opt);
  write_relationships(file, run, opt);
  write_timeline_events(file, run, opt);
  write_series_and_outcomes(file, run, ensemble, opt);
  file.flush();
  file.close();
}

}  // namespace pcnsim
