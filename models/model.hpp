#pragma once
// The model as the engine runs it: the parameters of every mechanism, the
// state one run's mechanisms share, and each mechanism's one surface, its
// phases and the outputs it declares. `mechanisms()` lists them in the
// documented order (docs/model.md, "Data flow and the week"); the engine
// (sim/engine/simulation.cpp) calls each phase of each mechanism in that order and
// records what they declare.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/arrs.hpp"
#include "models/cd_workload.hpp"
#include "models/dynamics.hpp"
#include "models/formation.hpp"
#include "models/funding.hpp"
#include "models/gp_workload.hpp"
#include "models/management.hpp"
#include "models/population.hpp"
#include "models/practice_changes.hpp"
#include "models/relationships.hpp"
#include "models/service_specs.hpp"
#include "models/signup.hpp"
#include "pcnsim/kernel/calendar.hpp"
#include "pcnsim/kernel/outputs.hpp"
#include "pcnsim/kernel/params.hpp"
#include "pcnsim/kernel/rng.hpp"
#include "pcnsim/kernel/world.hpp"

namespace pcnsim {

/// Dated events of the contract timetable.
struct TimelineParams {
  Date signup_window_open = Date::from_ymd(2019, 4, 1);
  Date signup_window_close = Date::from_ymd(2019, 5, 15);
  Date networks_live = Date::from_ymd(2019, 7, 1);

  template <class V>
  void describe(V& v) {
    v.field("signup_window_open", signup_window_open, {"practices may start signing the Network DES"});
    v.field("signup_window_close", signup_window_close,
            {"sign-up and network registration deadline: practices decide and networks form this week"});
    v.field("networks_live", networks_live, {"networks go live and payments start"});
  }
};

/// The parameters of every mechanism (a scenario adds its name, seed, calendar
/// and output settings; scenario.hpp lists the blocks in file order).
struct ModelParams {
  TimelineParams timeline;
  PopulationParams population;
  RelationshipParams relationships;
  SignupParams signup;
  FormationParams formation;
  FundingParams funding;
  ArrsParams arrs;
  GpWorkloadParams gp_workload;
  CovidParams covid;
  ServiceSpecParams service_specs;
  ManagementParams management;
  CdWorkloadParams cd_workload;
  PracticeChangeParams practice_changes;
  DynamicsParams dynamics;
};

struct TimelineEvent {
  int step = 0;
  Date date;
  std::string name;
};

/// Network membership of every practice at one (re-)evaluation.
struct MembershipSnapshot {
  Date date;
  int step = 0;
  std::vector<int> network_of;        // per practice, -1 = not in a network
  std::vector<double> list_size;      // per practice: registered patients then (practice mergers change them)
  std::vector<double> needs_index;    // per practice then
  std::vector<int> care_home_beds;    // per practice then
  std::vector<double> mean_affinity;  // per network existing then: members' mean pair affinity (trust)
};

/// Everything one run's mechanisms read and change: the world, each
/// mechanism's state and the facts of the current week. Mechanisms are plain
/// functions over it; only the engine advances `step`, `date` and `live`.
struct ModelState {
  ModelState(const ModelParams& model_params, std::uint64_t run_seed, Calendar run_calendar)
      : params(model_params), seed(run_seed), calendar(run_calendar) {}

  const ModelParams& params;
  const std::uint64_t seed;
  const Calendar calendar;

  // The week being simulated.
  int step = 0;
  Date date;
  bool live = false;   // networks are live and paid
  bool covid = false;  // the COVID-19 shock is on this week
  bool paying() const { return live && funding.has_value(); }

  // The world and its history.
  World world;
  PopulationReport population_report;
  double total_patients = 0.0;
  std::vector<TimelineEvent> events;
  std::vector<MembershipSnapshot> membership;
  std::vector<double> network_mean_affinity;  // per network, at the last (re-)evaluation

  // Relationships (graph) and formation (2).
  std::optional<Affinity> affinity;
  SharedGraph graph = std::make_shared<const RelationshipGraph>();
  std::vector<std::vector<int>> neighbours;
  std::vector<FormationStats> formation_stats;

  // Funding (3), ARRS (4), service specifications and IIF (8), GP workload (5).
  std::optional<FundingFlows> funding;
  std::optional<ArrsWorkforce> arrs;
  Deployment arrs_staff;  // nothing deployed until networks are live
  std::vector<double> spec_setup_hours, spec_gp_hours;
  GpWeek gp;
  struct Iif {
    Engine rng;
    std::vector<double> spare_sum;   // per network: spare GP capacity share summed over the year's live weeks
    int spare_weeks = 0;
    std::vector<double> reinvested;  // per network: IIF money reinvested in management this year
    std::vector<std::vector<int>> achieved;  // [year][network]: indicators achieved
  } iif;

  // Management (7) and clinical directors (6).
  ManagementState management;
  Engine management_rng;
  SupportWeek support;
  std::optional<ClinicalDirectors> cds;
  CdInputs cd_inputs;

  // Practice mergers and closures (9a), before each re-evaluation.
  PracticeEventLog practice_events;
  PracticeChangeCounts practice_counts;
  int practices_changed_step = -1;

  // Network dynamics (9): the latest re-evaluation.
  NetworkEventLog network_events;
  Reorganisation change;
  ReevaluationCounts counts;
  int reevaluated_step = -1;
};

/// The membership, list sizes and trust as they stand now (appended to
/// `state.membership` at formation and at each re-evaluation).
void snapshot_membership(ModelState& state, Date date);

inline bool always(const ModelState&) { return true; }
inline bool while_paying(const ModelState& s) { return s.paying(); }

/// A national series: one value per week, recorded while `when` holds (0 otherwise).
struct SeriesOutput {
  OutputInfo info;
  std::function<bool(const ModelState&)> when;
  std::function<double(const ModelState&)> value;
};

/// A weekly array per network or practice: each week `when` holds, `fill`
/// writes entities * width values (networks: every network so far, ended ones too).
struct WeeklyOutput {
  enum class Entity { network, practice };
  OutputInfo info;
  Entity entity = Entity::network;
  std::size_t width = 1;
  std::function<bool(const ModelState&)> when;
  std::function<void(const ModelState&, float*)> fill_float;        // dtype float32
  std::function<void(const ModelState&, std::int32_t*)> fill_int;  // dtype int32
};

/// What a mechanism declares it records.
class OutputDeclarations {
 public:
  explicit OutputDeclarations(std::string source) : source_(std::move(source)) {}
  /// /series/<name>: step, time and value.
  void series(std::string name, std::string units, std::string description,
              std::function<bool(const ModelState&)> when, std::function<double(const ModelState&)> value);
  /// /networks/weekly/<name> ([step, network] or, with width > 1, [step, network, <width_axis>]).
  void network_weekly(std::string name, std::string units, std::string description, std::size_t width,
                      std::string width_axis, std::function<bool(const ModelState&)> when,
                      std::function<void(const ModelState&, float*)> fill);
  void network_weekly(std::string name, std::string units, std::string description,
                      std::function<bool(const ModelState&)> when,
                      std::function<void(const ModelState&, std::int32_t*)> fill);
  /// /practices/weekly/<name>, [step, practice].
  void practice_weekly(std::string name, std::string units, std::string description,
                       std::function<bool(const ModelState&)> when, std::function<void(const ModelState&, float*)> fill);

  std::vector<SeriesOutput> series_outputs;
  std::vector<WeeklyOutput> weekly_outputs;

 private:
  std::string source_;
};

/// One mechanism of the model: what it does in each phase of a run (any may
/// be empty) and what it records. Phases, in the order the engine calls them:
///   setup          before the first week (the population builds the world);
///   at_deadline    the week of the sign-up deadline (practices sign, networks form, money starts);
///   at_reevaluation each later financial-year start when dynamics is on: network
///                  dynamics re-evaluates, every other mechanism follows `state.change`;
///   at_year_start  each later financial-year start (the year's money, ceilings, managers);
///   each_week      every week, after the phases above.
struct Mechanism {
  Mechanism(std::string mechanism_name, std::string one_line)
      : name(std::move(mechanism_name)), summary(std::move(one_line)) {}
  std::string name;     // as in docs/model.md and the scenario block
  std::string summary;  // one line
  std::function<void(ModelState&)> setup, at_deadline, at_reevaluation, at_year_start, each_week;
  std::function<void(OutputDeclarations&)> declare_outputs;
};

/// Every mechanism, in the documented order.
const std::vector<Mechanism>& mechanisms();

/// Each mechanism's outputs, declared in mechanism order.
struct ModelOutputs {
  std::vector<SeriesOutput> series;
  std::vector<WeeklyOutput> weekly;
};
const ModelOutputs& model_outputs();

// Each mechanism's one surface, defined in its own file.
Mechanism population_mechanism();
Mechanism signup_mechanism();
Mechanism relationships_mechanism();
Mechanism formation_mechanism();
Mechanism practice_changes_mechanism();
Mechanism dynamics_mechanism();
Mechanism funding_mechanism();
Mechanism arrs_mechanism();
Mechanism service_specs_mechanism();
Mechanism gp_workload_mechanism();
Mechanism iif_mechanism();
Mechanism management_mechanism();
Mechanism cd_workload_mechanism();

}  // namespace pcnsim
