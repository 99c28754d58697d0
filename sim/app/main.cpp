// pcnsim command line. Exit codes: 0 success; 1 a check failed (validate);
// 2 bad input (scenario, data, arguments, output path); 3 internal error;
// 130 / 143 stopped by SIGINT / SIGTERM (temporary outputs removed).
#include <CLI/CLI.hpp>
#include <chrono>
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <filesystem>
#include <iostream>

#include <fstream>

#include "pcnsim/analysis/calibrate.hpp"
#include "pcnsim/app/load.hpp"
#include "pcnsim/app/serve.hpp"
#include "pcnsim/analysis/compare.hpp"
#include "pcnsim/engine/ensemble.hpp"
#include "pcnsim/engine/metrics.hpp"
#include "pcnsim/io/export.hpp"
#include "pcnsim/kernel/outputs.hpp"
#include "pcnsim/kernel/progress.hpp"
#include "pcnsim/analysis/sweep.hpp"
#include "pcnsim/io/output_file.hpp"
#include "pcnsim/io/run_tables.hpp"
#include "pcnsim/engine/scenario.hpp"
#include "pcnsim/engine/simulation.hpp"
#include "pcnsim/analysis/history.hpp"
#include "pcnsim/analysis/membership.hpp"
#include "pcnsim/analysis/validate.hpp"
#include "pcnsim/analysis/workforce.hpp"
#include "pcnsim/kernel/version.hpp"
#include "pcnsim/io/writer.hpp"

namespace fs = std::filesystem;
using namespace pcnsim;

namespace {

// A default file: relative to the working directory if there, else to the source tree.
std::string project_file(const std::string& relative) {
  if (fs::exists(relative)) return relative;
  const fs::path in_source = fs::path(PCNSIM_SOURCE_DIR) / relative;
  return fs::exists(in_source) ? in_source.string() : relative;
}

// The default targets and real membership files of validate and calibrate.
const char* const kTargetsFile = "data/targets.yaml";
const char* const kMembershipFile = "data/epcn-2019-12-calibration.csv";
// The default real history and workforce files of validate.
const char* const kHistoryFile = "data/epcn-history-calibration.csv";
const char* const kWorkforceFile = "data/pcn-workforce-calibration.csv";

Scenario load(const std::string& path, const std::vector<std::string>& sets, std::int64_t seed) {
  std::vector<Diagnostic> warnings;
  Scenario scenario = load_with_sets(path, sets, seed, &warnings);
  for (const auto& w : warnings) std::fprintf(stderr, "warning: %s\n", w.to_string().c_str());
  return scenario;
}

void print_summary(const RunResult& run, double seconds, const std::string& out) {
  const auto m = formation_metrics(run);
  const std::size_t commissioners = run.world.commissioners.size();
  std::printf("scenario %s (seed %lld): %zu practices in %zu commissioner%s, %d weeks from %s\n",
              run.scenario.name.c_str(), static_cast<long long>(run.scenario.seed), run.world.practices.size(),
              commissioners, commissioners == 1 ? "" : "s", run.calendar.steps(), run.calendar.start().iso().c_str());
  std::printf("  signed up in 2019: %.1f%% of practices\n", 100.0 * m.at("signup_share_2019"));
  if (m.at("networks") == 0) {
    std::printf("  networks formed: 0 (no practice signed the Network DES)\n");
  } else {
    std::printf("  networks formed: %.0f; list size mean %.0f, median %.0f, P10 %.0f, P90 %.0f\n", m.at("networks"),
                m.at("list_mean"), m.at("list_median"), m.at("list_p10"), m.at("list_p90"));
    std::printf("  size bands: %.1f%% under 30k, %.1f%% in 30-50k, %.1f%% over 50k\n", 100 * m.at("share_under_30k"),
                100 * m.at("share_in_30k_50k"), 100 * m.at("share_over_50k"));
    std::printf("  practices per network: mean %.2f, median %.0f; %.0f single-practice, %.0f with more than 10\n",
                m.at("practices_mean"), m.at("practices_median"), m.at("single_practice_networks"),
                m.at("networks_over_10_practices"));
  }
  if (run.scenario.dynamics.enabled && run.membership.size() > 1) {
    const NetworkEventLog& log = run.network_events;
    const auto& last = run.membership.back().network_of;
    const auto in_network = std::count_if(last.begin(), last.end(), [](int n) { return n >= 0; });
    std::printf("  re-evaluations to %s: %d exits, %d joins, %d switches, %d merges, %d splits, %d dissolutions; "
                "%d networks live, %.1f%% of open practices signed\n",
                run.membership.back().date.iso().c_str(), log.count(NetworkEventKind::exit), log.count(NetworkEventKind::join),
                log.count(NetworkEventKind::switch_network), log.count(NetworkEventKind::merge),
                log.count(NetworkEventKind::split), log.count(NetworkEventKind::dissolution), run.world.live_networks(),
                100.0 * static_cast<double>(in_network) / static_cast<double>(run.world.open_practices()));
  }
  if (run.practice_events.size() > 0) {
    const PracticeEventLog& p = run.practice_events;
    double moved = 0;
    for (double n : p.patients) moved += n;
    std::printf("  practices merged or closed: %d merged, %d closed (%.0f patients registered elsewhere); %d open\n",
                p.ceased(PracticeEventKind::merger), p.ceased(PracticeEventKind::closure), moved,
                run.world.open_practices());
  }
  // Each year's figures are the key outcomes (metrics.cpp), so the summary,
  // the file's /outcomes and `compare` say the same thing.
  std::map<std::string, double> outcome;
  for (const Outcome& o : key_outcomes(run)) outcome[o.name] = o.value;
  for (const ArrsYearTotals& money : arrs_year_totals(run.finance)) {
    const std::string y = year_suffix(money.year);
    if (!outcome.count("arrs_wte_" + y)) continue;  // a year before the networks went live
    // Millions for England, thousands for small populations.
    const bool millions = to_gbp(money.ceiling) >= 1e7;
    const double scale = millions ? 1e6 : 1e3;
    const char* unit = millions ? "m" : "k";
    std::printf("  %s: ARRS ceiling £%.0f%s, claimed £%.0f%s (%.1f%% unclaimed), %.0f WTE at year end; "
                "%.1f GP hours/FTE/week (mean week); %.0f CD resignations, %.0f%% of CDs strained at year end\n",
                financial_year_label(money.year).c_str(), to_gbp(money.ceiling) / scale, unit,
                to_gbp(money.claimed) / scale, unit, 100.0 * outcome.at("arrs_unclaimed_share_" + y),
                outcome.at("arrs_wte_" + y), outcome.at("hours_per_gp_fte_" + y), outcome.at("cd_resignations_" + y),
                100.0 * outcome.at("cd_unmanageable_share_" + y));
  }
  std::printf("  run time %.3f s (formation %.3f s); results in %s\n", seconds, run.formation_seconds, out.c_str());
}

void print_ensemble_summary(const Ensemble& ensemble, double seconds, const std::string& out) {
  const auto& meta = ensemble.outcome_meta;
  std::printf("scenario %s (seed %lld): %zu replicates; key outcomes, median [10th, 90th percentile]:\n",
              ensemble.detail.scenario.name.c_str(), static_cast<long long>(ensemble.detail.scenario.seed),
              ensemble.replicates.size());
  for (std::size_t k = 0; k < meta.size(); ++k) {
    std::vector<double> v;
    for (const auto& r : ensemble.replicates) v.push_back(r.outcomes[k]);
    const DisplayUnits shown = display_units(meta[k].units);
    auto text = [&](double q) { return display_number(quantile(v, q) * shown.factor); };
    std::printf("  %-34s %10s [%s, %s] %s\n", meta[k].name.c_str(), text(0.5).c_str(), text(0.1).c_str(),
                text(0.9).c_str(), shown.label.c_str());
  }
  std::printf("  run time %.3f s; results in %s\n", seconds, out.c_str());
}

int run_command(const std::string& scenario_path, const std::vector<std::string>& sets, std::int64_t seed,
                std::string out, bool overwrite, int replicates, int threads, bool quiet) {
  const Scenario scenario = load(scenario_path, sets, seed);
  if (out.empty()) out = "outputs/" + scenario.name + ".h5";
  AtomicOutput output(out, overwrite, true);  // checked before any work is done; removed on SIGINT/SIGTERM
  const auto t0 = std::chrono::steady_clock::now();
  std::optional<RunResult> single;
  std::optional<Ensemble> ensemble;
  if (replicates > 0) {
    Progress progress("replicates", replicates, quiet);
    ensemble = run_ensemble(scenario, replicates, threads, &progress);
  } else {
    single = run_simulation(scenario, 0, {}, scenario.output.gzip_level);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  try {
    if (ensemble) {
      write_run(ensemble->detail, output.temp_path(), &*ensemble);
    } else {
      write_run(*single, output.temp_path());
    }
    output.commit();
  } catch (const std::runtime_error& e) {
    // A full disk or a vanished directory is a problem with the output path;
    // AtomicOutput removes the partial temporary file.
    throw InputError(Diagnostic{out, 0, 0, "", std::string("could not write the output: ") + e.what()});
  }
  if (ensemble) {
    print_ensemble_summary(*ensemble, seconds, out);
  } else {
    print_summary(*single, seconds, out);
  }
  return 0;
}

int sweep_command(const std::string& path, std::string out, const SweepOptions& base_options) {
  const SweepSpec spec = load_sweep(path);
  SweepOptions options = base_options;
  options.out = out.empty() ? "outputs/" + spec.name + ".h5" : out;
  return run_sweep(spec, options);
}

int calibrate_command(const std::string& path, const std::string& out, const std::string& fragment,
                      const CalibrationOptions& base_options) {
  const CalibrationSpec spec =
      load_calibration(path, {project_file(kTargetsFile), project_file(kMembershipFile), project_file(kHistoryFile),
                              project_file(kWorkforceFile)});
  CalibrationOptions options = base_options;
  // An interrupted calibration is finished in its own file unless told otherwise.
  options.out = !out.empty() ? out : !options.resume.empty() ? options.resume : "outputs/" + spec.name + ".h5";
  if (fragment.empty()) {
    // Next to the results: outputs/NAME.h5 -> outputs/NAME-best.yaml.
    const fs::path results(options.out);
    options.fragment = (results.parent_path() / (results.stem().string() + "-best.yaml")).string();
  } else {
    options.fragment = fragment;
  }
  // What reproduces the results, for the fragment's header (no threads: they change nothing).
  options.command = "pcnsim calibrate " + path + " --out " + options.out + " --fragment " + options.fragment;
  return run_calibration(spec, options);
}

int design_command(const std::string& path, const std::string& out, bool overwrite) {
  const SweepSpec spec = load_sweep(path);
  const std::string text = design_csv(spec, make_design(spec));
  if (out.empty()) {
    std::cout << text;
    return 0;
  }
  AtomicOutput(out, overwrite, true).write_text([&](std::ostream& file) { file << text; }, "design file");
  return 0;
}

int compare_command(const std::vector<std::string>& files, const std::string& csv, bool overwrite,
                    const std::vector<std::string>& filters, bool force) {
  if (files.size() < 2) {
    throw InputError(Diagnostic{"command line", 0, 0, "", "compare needs a base file and at least one other file"});
  }
  std::optional<AtomicOutput> output;
  if (!csv.empty()) output.emplace(csv, overwrite, true);  // checked before reading anything
  // Read every file first so that all unreadable ones are reported together.
  DiagnosticList problems;
  std::vector<ComparedRun> runs;
  for (const auto& f : files) {
    try {
      runs.push_back(read_compared_run(f));
    } catch (const InputError& e) {
      for (const auto& d : e.problems()) problems.add(d);
    }
  }
  problems.throw_if_any();
  std::vector<Comparison> comparisons;
  for (std::size_t k = 1; k < runs.size(); ++k) {
    comparisons.push_back(compare_runs(runs.front(), runs[k]));
    // Different practices or calendars: the differences would measure the worlds, not the policies.
    for (const auto& why : comparisons.back().incompatibilities) {
      if (force) {
        std::fprintf(stderr, "warning: %s: %s; compared anyway (--force)\n", runs[k].path.c_str(), why.c_str());
      } else {
        problems.add(Diagnostic{runs[k].path, 0, 0, "", why + "; its outcomes are not comparable with " + runs.front().path +
                                                            " (--force compares them anyway)"});
      }
    }
  }
  problems.throw_if_any();
  std::cout << format_comparisons(comparisons, filters);
  if (output) output->write_text([&](std::ostream& file) { file << comparison_csv(comparisons); }, "CSV file");
  return 0;
}

// The files validate compares a run with; "" = the section is left out.
struct ValidateFiles {
  std::string targets, membership, history, workforce;
};

// The dynamics and workforce sections: what was read, then the rows.
void print_history_sections(std::vector<TargetRow>& targets, const HistoryComparison& c) {
  if (!c.history_file.empty()) {
    std::printf("dynamics: %s: %d rows, %d practice codes (%d practices of the population); each 1 April against the "
                "one before\n",
                c.history_file.c_str(), c.history_rows, c.history_practices, c.matched);
  }
  if (!c.workforce_file.empty()) {
    std::string unknown;
    for (const auto& r : c.unknown_roles) unknown += (unknown.empty() ? "" : ", ") + r;
    std::printf("workforce: %s: %d rows over %zu census months; ARRS roles only (directors, managers and other staff "
                "left out)%s%s\n"
                "  the file records only the staff that networks report, below the national ARRS total: compare "
                "shapes and shares, not levels\n\n%s",
                c.workforce_file.c_str(), c.workforce_rows, c.census.size(),
                unknown.empty() ? "" : "; roles not mapped to ARRS roles: ", unknown.c_str(),
                format_workforce_quarters(c).c_str());
  }
  compare_history_targets(targets, c);
  std::erase_if(targets, [&](const TargetRow& t) {
    return (t.section == "dynamics" && c.history_file.empty()) || (t.section == "workforce" && c.workforce_file.empty());
  });
}

int validate_command(const std::string& scenario_path, const ValidateFiles& files, const std::vector<std::string>& sets) {
  // Every input is read (and every problem reported) before the run.
  if (!files.workforce.empty() && files.history.empty()) {
    throw InputError(Diagnostic{"command line", 0, 0, "--workforce",
                                "the workforce section needs the history (--history FILE) for the networks' patients"});
  }
  auto targets = read_targets(files.targets);
  std::optional<RealMembership> membership;
  if (!files.membership.empty()) membership = read_membership(files.membership);
  std::optional<RealHistory> history;
  if (!files.history.empty()) history = read_history(files.history);
  std::optional<RealWorkforce> workforce;
  if (!files.workforce.empty()) workforce = read_workforce(files.workforce);
  const Scenario scenario = load(scenario_path, sets, -1);
  const RunResult run = run_simulation(scenario);
  compare_targets(targets, run);
  std::printf("validate: scenario %s against %s\n", scenario.name.c_str(), files.targets.c_str());
  if (membership) {
    const MembershipComparison c = compare_membership(run, *membership);
    compare_membership_targets(targets, c);
    std::string unknown;
    for (std::size_t k = 0; k < c.unknown_codes.size() && k < 10; ++k) unknown += (k ? ", " : "") + c.unknown_codes[k];
    if (c.unknown_codes.size() > 10) unknown += ", ...";
    std::printf("membership: %s: %d practices in %d real networks over %d commissioners; %zu listed codes are not "
                "practices of the population%s%s%s\n"
                "  (the naive geography column: k-means on locations in each commissioner, one cluster per %s patients)\n",
                c.file.c_str(), c.matched, c.real_networks, c.commissioners, c.unknown_codes.size(),
                unknown.empty() ? "" : " (", unknown.c_str(), unknown.empty() ? "" : ")",
                format_number(c.naive_patients_per_cluster).c_str());
  } else {
    std::erase_if(targets, [](const TargetRow& t) { return t.section == "membership"; });
  }
  print_history_sections(targets, compare_histories(run, history ? &*history : nullptr, workforce ? &*workforce : nullptr));
  std::printf("\n%s", format_targets(targets).c_str());
  int failed = 0, simulated = 0;
  for (const auto& t : targets) {
    simulated += t.simulated ? 1 : 0;
    failed += t.simulated && !t.pass ? 1 : 0;
  }
  std::printf("\n%d of %d simulated targets within tolerance", simulated - failed, simulated);
  std::printf(" (%zu targets not simulated yet)\n", targets.size() - static_cast<std::size_t>(simulated));
  return failed == 0 ? 0 : 1;
}

// The options of `pcnsim export`.
struct ExportRequest {
  std::string file, path, csv, directory;
  bool every = false, long_layout = false, overwrite = false;
};

// Which of `export FILE DATASET` and `export FILE --all --dir D` was asked for, or why neither.
void check_export_request(const ExportRequest& r) {
  auto refuse = [](const std::string& message) { throw InputError(Diagnostic{"command line", 0, 0, "", message}); };
  if (r.every && !r.path.empty()) refuse("give a DATASET or --all, not both");
  if (r.every && r.directory.empty()) refuse("--all writes a directory of CSV files: give it with --dir DIRECTORY");
  if (r.every && !r.csv.empty()) refuse("--csv writes one DATASET; --all writes every dataset into --dir DIRECTORY");
  if (!r.every && !r.directory.empty()) refuse("--dir goes with --all (every dataset); one DATASET goes to --csv FILE");
  if (!r.every && r.path.empty()) refuse("give a DATASET (e.g. networks or series/arrs_wte), or --all --dir DIRECTORY");
}

int export_command(const ExportRequest& r) {
  check_export_request(r);
  const CsvLayout layout = r.long_layout ? CsvLayout::tidy : CsvLayout::wide;
  if (r.every) {
    export_all(r.file, r.directory, layout, r.overwrite);
    return 0;
  }
  if (r.csv.empty()) {
    export_csv(r.file, r.path, std::cout, layout, &std::cerr);
    return 0;
  }
  AtomicOutput(r.csv, r.overwrite, true)
      .write_text([&](std::ostream& out) { export_csv(r.file, r.path, out, layout, &std::cerr); }, "CSV file");
  return 0;
}

int params_command(const std::string& scenario_path, bool markdown) {
  const Scenario scenario = scenario_path.empty() ? Scenario{} : load(scenario_path, {}, -1);
  if (!markdown) {
    std::cout << resolved_yaml(scenario);
    return 0;
  }
  std::cout << "# Scenario reference\n\n"
               "Generated by `pcnsim params --markdown` from the parameter declarations in `models/` and\n"
               "`include/pcnsim/engine/scenario.hpp` (a test keeps this file current). Values are the built-in\n"
               "defaults, which `scenarios/baseline.yaml` states in full with sources. A scenario sets any\n"
               "subset as nested YAML keys (`formation:` then `  inertia: 0.1`), may `extends:` another file\n"
               "(maps merge, anything else replaces) and `pcnsim run --set formation.inertia=0.1` overrides\n"
               "one value. Relative paths are relative to the file that sets them. Dated series are lists\n"
               "of `{from: YYYY-MM-DD, value: number, source: text}`; the value on a date is that of the\n"
               "latest entry not after it (0 before the first).\n\n"
               "| parameter | type | default | units | range | meaning |\n|---|---|---|---|---|---|\n";
  for (const auto& r : parameter_rows(scenario)) {
    std::string value = r.value;
    if (r.type == "path") value = fs::path(value).filename().string();
    std::cout << "| `" << r.path << "` | " << r.type << " | " << value << " | " << r.units << " | " << r.range
              << " | " << r.description << " |\n";
  }
  return 0;
}

int outputs_command(bool markdown) {
  if (markdown) {
    output_schema_markdown(std::cout);
    return 0;
  }
  std::cout << "path\taxes\ttype\tunits\tdescription\tsource\n";
  for (const OutputInfo& o : run_file_catalogue().all()) {
    std::string axes;
    for (const auto& a : o.axes) axes += (axes.empty() ? "" : ",") + a;
    std::cout << o.path << '\t' << axes << '\t' << to_string(o.dtype) << '\t' << o.units << '\t' << o.description
              << '\t' << o.source << '\n';
  }
  return 0;
}

}  // namespace

namespace {

// Every option of every subcommand, filled by CLI11, read by dispatch().
struct CommandLine {
  std::string scenario_path, out, targets_path = project_file(kTargetsFile);
  std::string membership_path = project_file(kMembershipFile);
  std::string history_path = project_file(kHistoryFile), workforce_path = project_file(kWorkforceFile);
  std::vector<std::string> sets;
  std::int64_t seed = -1;
  bool overwrite = false, markdown = false, quiet = false, force = false;
  int replicates = 0, threads = 0, compression = -1;
  std::string design_file;
  long design_row = -1;
  std::string sweep_file;
  SweepOptions sweep_options;
  std::string calibration_file, fragment;
  CalibrationOptions calibration_options;
  std::vector<std::string> compare_files, compare_filters;
  std::string compare_csv;
  ExportRequest export_request;
  ServeOptions serve_options;
  CLI::App *run = nullptr, *sweep = nullptr, *calibrate = nullptr, *design = nullptr, *compare = nullptr,
           *validate = nullptr, *export_cmd = nullptr, *params = nullptr, *outputs = nullptr, *serve = nullptr;
};

void add_run(CLI::App& app, CommandLine& c) {
  auto* run = c.run = app.add_subcommand("run", "run a scenario and write an HDF5 file");
  run->add_option("scenario", c.scenario_path, "scenario YAML file")->required();
  run->add_option("--out", c.out, "output HDF5 file (default outputs/<scenario name>.h5)");
  // Integer bounds: CLI::NonNegativeNumber's message printed the largest double.
  run->add_option("--seed", c.seed, "override the scenario seed")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{9'000'000'000'000'000}));
  run->add_option("--set", c.sets, "override a parameter: --set formation.inertia=0.1 (repeatable)");
  run->add_flag("--overwrite", c.overwrite, "replace an existing output file");
  run->add_option("--replicates", c.replicates,
                  "run N replicates (seeds derived from the scenario seed) and write an ensemble file")
      ->check(CLI::Range(1, 1000000));
  run->add_option("--threads", c.threads, "threads for replicates (default: all cores); results do not depend on it")
      ->check(CLI::Range(0, 4096));
  run->add_flag("--quiet", c.quiet, "no progress report");
  run->add_option("--compression", c.compression,
                  "gzip level of the output's datasets, 0 (none, fastest, about 4x larger) to 9 (smallest, slowest); "
                  "sets output.gzip_level (default 1, see bench/README.md)")
      ->check(CLI::Range(0, 9));
  run->add_option("--design", c.design_file, "a design CSV from `pcnsim design`: run one of its rows")
      ->check(CLI::ExistingFile);
  run->add_option("--row", c.design_row, "the design row to run (with --design)")->check(CLI::Range(0L, 1'000'000'000L));
}

// The options a long parallel job (sweep, calibrate) shares.
void add_overwrite_quiet_checkpoint(CLI::App* job, bool& overwrite, const std::string& what, bool& quiet,
                                    double& checkpoint_seconds) {
  job->add_flag("--overwrite", overwrite, "replace " + what);
  job->add_flag("--quiet", quiet, "no progress report");
  job->add_option("--checkpoint", checkpoint_seconds, "most seconds between checkpoints of the output file (default 2)")
      ->check(CLI::Range(0.0, 1e6));
}

void add_sweep(CLI::App& app, CommandLine& c) {
  SweepOptions& o = c.sweep_options;
  auto* sweep = c.sweep = app.add_subcommand("sweep", "run a parameter sweep or sensitivity analysis (threads, MPI ranks)");
  sweep->add_option("sweep", c.sweep_file, "sweep YAML file")->required();
  sweep->add_option("--out", c.out, "output HDF5 file (default outputs/<sweep name>.h5)");
  sweep->add_option("--threads", o.threads, "threads per process (default: all cores)")->check(CLI::Range(0, 4096));
  sweep->add_flag("--resume", o.resume, "finish the missing runs of an interrupted sweep's file");
  add_overwrite_quiet_checkpoint(sweep, o.overwrite, "an existing output file", o.quiet, o.checkpoint_seconds);
  sweep->add_option("--stop-after", o.stop_after_runs,
                    "stop as if interrupted once this many runs are done (for testing --resume)")
      ->check(CLI::NonNegativeNumber);
}

void add_calibrate(CLI::App& app, CommandLine& c) {
  CalibrationOptions& o = c.calibration_options;
  auto* calibrate = c.calibrate =
      app.add_subcommand("calibrate", "fit scenario parameters to the calibration targets (threads, MPI ranks)");
  calibrate->add_option("calibration", c.calibration_file, "calibration YAML file")->required();
  calibrate->add_option("--out", c.out, "output HDF5 file (default outputs/<calibration name>.h5, or the --resume file)");
  calibrate->add_option("--fragment", c.fragment, "best values as a scenario file (default: <out>-best.yaml beside --out)");
  calibrate->add_option("--resume", o.resume,
                        "replay the evaluations of this earlier output of the same calibration file, then go on");
  calibrate->add_option("--threads", o.threads, "threads per process (default: all cores)")->check(CLI::Range(0, 4096));
  add_overwrite_quiet_checkpoint(calibrate, o.overwrite, "existing output and fragment files", o.quiet,
                                 o.checkpoint_seconds);
  calibrate->add_option("--stop-after", o.stop_after_evaluations,
                        "stop as if interrupted once this many evaluations are computed (for testing --resume)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000'000}));
}

void add_design(CLI::App& app, CommandLine& c) {
  auto* design = c.design = app.add_subcommand("design", "write a sweep's design matrix as CSV (for SALib, EMEWS, OpenMOLE...)");
  design->add_option("sweep", c.sweep_file, "sweep YAML file")->required();
  design->add_option("--out", c.out, "CSV file (default: standard output)");
  design->add_flag("--overwrite", c.overwrite, "replace an existing CSV file");
}

void add_reading_commands(CLI::App& app, CommandLine& c) {
  auto* compare = c.compare = app.add_subcommand("compare", "key outcomes of runs side by side with a base run: differences, 95% intervals, parameters");
  compare->add_option("files", c.compare_files, "BASE.h5 OTHER.h5 [OTHER.h5 ...]")->required()->expected(2, -1);
  compare->add_option("--csv", c.compare_csv, "also write the outcome table as CSV to this file");
  compare->add_flag("--overwrite", c.overwrite, "replace an existing CSV file");
  compare->add_option("--only", c.compare_filters,
                      "show only outcomes whose name contains this text (repeatable, e.g. --only 2023_24)");
  compare->add_flag("--force", c.force,
                    "compare runs of different practices or calendars (refused otherwise), with a warning");

  auto* validate = c.validate = app.add_subcommand("validate", "compare a run with the published calibration targets");
  validate->add_option("scenario", c.scenario_path, "scenario YAML (default scenarios/baseline.yaml)");
  validate->add_option("--targets", c.targets_path, "targets YAML (default data/targets.yaml)");
  validate->add_option("--membership", c.membership_path,
                       "real membership CSV (ePCN core partner layout: practice_code, pcn_code; default "
                       "data/epcn-2019-12-calibration.csv, the calibration half); 'none' to leave the section out");
  validate->add_option("--history", c.history_path,
                       "real membership history CSV (ePCN layout: practice_code, pcn_code, start_date, end_date; default "
                       "data/epcn-history-calibration.csv); 'none' to leave the dynamics (and workforce) sections out");
  validate->add_option("--workforce", c.workforce_path,
                       "real PCN workforce CSV (census_month, pcn_code, staff_role, fte; default "
                       "data/pcn-workforce-calibration.csv); 'none' to leave the workforce section out");
  validate->add_option("--set", c.sets, "override a parameter (repeatable)");

  auto* export_cmd = c.export_cmd = app.add_subcommand(
      "export", "write any dataset or group of an output file as CSV, axes labelled, every value exact");
  ExportRequest& e = c.export_request;
  export_cmd->add_option("file", e.file, "pcnsim output file (HDF5)")->required();
  export_cmd->add_option("dataset", e.path,
                         "dataset or group, e.g. networks, outcomes, series/arrs_wte, networks/weekly/arrs_wte");
  export_cmd->add_flag("--long", e.long_layout,
                       "one row per value: every axis's label columns, then value (default: wide, the last axis "
                       "across columns)");
  export_cmd->add_option("--csv", e.csv, "write to this file instead of standard output");
  export_cmd->add_flag("--all", e.every, "every dataset, one CSV each, with data_dictionary.csv and attributes.csv");
  export_cmd->add_option("--dir", e.directory, "with --all: the directory to write (made whole or not at all)");
  export_cmd->add_flag("--overwrite", e.overwrite, "replace an existing CSV file or non-empty directory");

  auto* params = c.params = app.add_subcommand("params", "print the resolved scenario (or the parameter reference)");
  params->add_option("scenario", c.scenario_path, "scenario YAML (default: built-in defaults)");
  params->add_flag("--markdown", c.markdown, "print the parameter reference as a Markdown table");

  auto* outputs = c.outputs = app.add_subcommand("outputs", "list every dataset of a run file, tab-separated (the output registry)");
  outputs->add_flag("--markdown", c.markdown, "print the output schema (docs/output-schema.md) as Markdown");
}

void add_serve(CLI::App& app, CommandLine& c) {
  ServeOptions& o = c.serve_options;
  o.static_dir = project_file(o.static_dir);
  o.scenarios_dir = project_file(o.scenarios_dir);
  auto* cmd = c.serve = app.add_subcommand(
      "serve", "the explorer: a local web server of the front end and a JSON API that runs library scenarios");
  cmd->add_option("--port", o.port, "TCP port (default 8080; 0 = any free port, printed)")->check(CLI::Range(0, 65535));
  cmd->add_option("--host", o.host, "address to listen on (default 127.0.0.1, this machine only)");
  cmd->add_option("--static", o.static_dir, "folder of the front end (default web/dist)");
  cmd->add_option("--cache", o.cache_dir, "folder of the runs' HDF5 files (default outputs/explorer)");
  cmd->add_option("--max-replicates", o.max_replicates, "most replicates a request may ask for (default 20)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--max-concurrent", o.max_concurrent, "runs at once (default 2)")->check(CLI::Range(1, 64));
  cmd->add_option("--max-queue", o.max_queue, "runs waiting beyond those; more are refused with 503 (default 8)")
      ->check(CLI::Range(0, 10000));
  cmd->add_option("--time-limit", o.time_limit_seconds, "seconds after which a run is stopped as failed (default 120)")
      ->check(CLI::Range(0.001, 1e6));
}

// The chosen subcommand, run; its exit code.
int dispatch(CLI::App& app, CommandLine& c) {
  if (*c.run) {
    if (!c.design_file.empty() || c.design_row >= 0) {
      if (c.design_file.empty() || c.design_row < 0) {
        throw InputError(Diagnostic{"command line", 0, 0, "", "--design and --row go together"});
      }
      for (const auto& o : design_row_overrides(c.design_file, c.design_row, c.scenario_path)) {
        c.sets.push_back(o.path + "=" + o.value);
      }
    }
    if (c.compression >= 0) c.sets.push_back("output.gzip_level=" + std::to_string(c.compression));
    return run_command(c.scenario_path, c.sets, c.seed, c.out, c.overwrite, c.replicates, c.threads, c.quiet);
  }
  if (*c.sweep) return sweep_command(c.sweep_file, c.out, c.sweep_options);
  if (*c.design) return design_command(c.sweep_file, c.out, c.overwrite);
  if (*c.calibrate) return calibrate_command(c.calibration_file, c.out, c.fragment, c.calibration_options);
  if (*c.compare) return compare_command(c.compare_files, c.compare_csv, c.overwrite, c.compare_filters, c.force);
  if (*c.validate) {
    if (c.scenario_path.empty()) c.scenario_path = project_file("scenarios/baseline.yaml");
    auto file = [](const std::string& path) { return path == "none" ? std::string() : path; };
    // Without the history the default workforce file goes too (its networks' patients come from the history).
    if (file(c.history_path).empty() && c.workforce_path == project_file(kWorkforceFile)) c.workforce_path = "none";
    return validate_command(
        c.scenario_path, {c.targets_path, file(c.membership_path), file(c.history_path), file(c.workforce_path)}, c.sets);
  }
  if (*c.params) return params_command(c.scenario_path, c.markdown);
  if (*c.outputs) return outputs_command(c.markdown);
  if (*c.export_cmd) return export_command(c.export_request);
  if (*c.serve) return serve(c.serve_options);
  std::cout << app.help();
  return 0;
}

}  // namespace

// "; did you mean --replicates?" for each --option of the command line that
// the chosen subcommand does not know but nearly spells.
std::string option_suggestions(CLI::App& app, int argc, char** argv) {
  CLI::App* command = &app;
  for (int i = 1; i < argc; ++i) {
    for (CLI::App* sub : app.get_subcommands({})) {
      if (sub->get_name() == argv[i]) command = sub;
    }
    if (command != &app) break;
  }
  std::vector<std::string> known;
  for (const CLI::App* a : {static_cast<const CLI::App*>(&app), static_cast<const CLI::App*>(command)}) {
    for (const CLI::Option* o : a->get_options({})) {
      for (const std::string& name : o->get_lnames()) known.push_back(name);
    }
  }
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.rfind("--", 0) != 0 || word.size() < 3) continue;
    const std::string name = word.substr(2, word.find('=') == std::string::npos ? std::string::npos : word.find('=') - 2);
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const std::string close = closest_match(name, known);
    if (!close.empty()) out += "; did you mean --" + close + " instead of " + word + "?";
  }
  return out;
}

int main(int argc, char** argv) {
  CLI::App app{"pcnsim: agent-based simulator of England's Primary Care Networks"};
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", std::string("pcnsim ") + kVersion + " (" + kGitHash + ")");
  CommandLine command_line;
  add_run(app, command_line);
  add_sweep(app, command_line);
  add_calibrate(app, command_line);
  add_design(app, command_line);
  add_reading_commands(app, command_line);
  add_serve(app, command_line);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: command line: " << e.what() << option_suggestions(app, argc, argv) << "\n";
    return 2;
  }
  try {
    return dispatch(app, command_line);
  } catch (const InputError& e) {
    std::cerr << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << "\n";
    return 3;
  }
}
