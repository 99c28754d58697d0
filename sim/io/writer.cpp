#include "pcnsim/io/writer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <functional>

#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/io/run_tables.hpp"
#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/kernel/version.hpp"
#include "pcnsim/io/weekly_output.hpp"

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

void write_weekly_arrays(h5::File& file, const RunResult& run, int gzip) {
  // Weekly per-network and per-practice arrays, [step, ...], as the mechanisms declare them.
  for (const WeeklyArray& a : run.weekly.arrays) {
    const OutputInfo& info = a.output->info;
    if (info.dtype == Dtype::int32) {
      write_weekly(file, info.path, a.ints, dataset_options(info, gzip));
    } else {
      write_weekly(file, info.path, a.floats, dataset_options(info, gzip));
    }
  }
}

void write_series_and_outcomes(h5::File& file, const RunResult& run, const Ensemble* ensemble, int gzip) {
  const OutputCatalogue& catalogue = run_file_catalogue();
  const auto opt = [&](const std::string& path) { return dataset_options(catalogue.at(path), gzip); };
  const auto described = [gzip](const Series& s, const std::string& what) {
    return h5::DatasetOptions{s.units, s.description + what, gzip, 0};
  };
  // National series, h5md-like; an ensemble adds a leading replicate axis
  // and summaries across replicates.
  const std::vector<std::string> dates = run.calendar.step_dates();
  const auto steps = column<std::int32_t>(dates.size(), [](std::size_t i) { return i; });
  const auto& all = run.recorder.series();
  for (std::size_t k = 0; k < all.size(); ++k) {
    const Series& s = all[k];
    const std::string g = "/series/" + s.name;
    file.write(g + "/step", steps, opt("/series/<name>/step"));
    file.write(g + "/time", dates, opt("/series/<name>/time"));
    if (!ensemble) {
      file.write(g + "/value", s.value, described(s, ""));
      continue;
    }
    const std::size_t reps = ensemble->replicates.size(), n = s.value.size();
    std::vector<double> value;
    value.reserve(reps * n);
    for (const auto& r : ensemble->replicates) value.insert(value.end(), r.series[k].begin(), r.series[k].end());
    file.write(g + "/value", value, {static_cast<hsize_t>(reps), static_cast<hsize_t>(n)}, described(s, ""));
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
    file.write(sg + "/mean", mean, described(s, ": mean across replicates"));
    file.write(sg + "/median", median, described(s, ": median across replicates"));
    file.write(sg + "/p10", p10, described(s, ": 10th percentile across replicates"));
    file.write(sg + "/p90", p90, described(s, ": 90th percentile across replicates"));
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
             opt("/outcomes/name"));
  file.write("/outcomes/units", column<std::string>(meta.size(), [&](std::size_t i) { return meta[i].units; }),
             opt("/outcomes/units"));
  file.write("/outcomes/description",
             column<std::string>(meta.size(), [&](std::size_t i) { return meta[i].description; }),
             opt("/outcomes/description"));
  file.write("/outcomes/value", outcome_values, {replicate_rows, cols}, opt("/outcomes/value"));
  file.write("/replicates/seed", seeds, opt("/replicates/seed"));
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

}  // namespace

void write_run(const RunResult& run, const std::string& path, const Ensemble* ensemble) {
  h5::File file = h5::File::create(path);
  const int gzip = run.scenario.output.gzip_level;
  write_provenance(file, run, ensemble);
  for (const TableOutput& table : run_tables()) write_table(file, table, run, gzip);
  write_weekly_arrays(file, run, gzip);
  write_series_and_outcomes(file, run, ensemble, gzip);
  file.flush();
  file.close();
}

}  // namespace pcnsim
