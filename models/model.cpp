#include "models/model.hpp"

namespace pcnsim {

void OutputDeclarations::series(std::string name, std::string units, std::string description,
                                std::function<bool(const ModelState&)> when,
                                std::function<double(const ModelState&)> value) {
  series_outputs.push_back(
      {OutputInfo{"/series/" + name, {"step"}, Dtype::float64, std::move(units), std::move(description), source_},
       std::move(when), std::move(value)});
}

void OutputDeclarations::network_weekly(std::string name, std::string units, std::string description,
                                        std::size_t width, std::string width_axis,
                                        std::function<bool(const ModelState&)> when,
                                        std::function<void(const ModelState&, float*)> fill) {
  std::vector<std::string> axes{"step", "network"};
  if (width > 1) axes.push_back(std::move(width_axis));
  WeeklyOutput out{OutputInfo{"/networks/weekly/" + name, std::move(axes), Dtype::float32, std::move(units),
                              std::move(description), source_},
                   WeeklyOutput::Entity::network, width, std::move(when), std::move(fill), {}};
  weekly_outputs.push_back(std::move(out));
}

void OutputDeclarations::network_weekly(std::string name, std::string units, std::string description,
                                        std::function<bool(const ModelState&)> when,
                                        std::function<void(const ModelState&, std::int32_t*)> fill) {
  WeeklyOutput out{OutputInfo{"/networks/weekly/" + name, {"step", "network"}, Dtype::int32, std::move(units),
                              std::move(description), source_},
                   WeeklyOutput::Entity::network, 1, std::move(when), {}, std::move(fill)};
  weekly_outputs.push_back(std::move(out));
}

void OutputDeclarations::practice_weekly(std::string name, std::string units, std::string description,
                                         std::function<bool(const ModelState&)> when,
                                         std::function<void(const ModelState&, float*)> fill) {
  WeeklyOutput out{OutputInfo{"/practices/weekly/" + name, {"step", "practice"}, Dtype::float32, std::move(units),
                              std::move(description), source_},
                   WeeklyOutput::Entity::practice, 1, std::move(when), std::move(fill), {}};
  weekly_outputs.push_back(std::move(out));
}

void snapshot_membership(ModelState& state, Date date) {
  const Practices& p = state.world.practices;
  state.membership.push_back(
      {date, state.step, state.world.network_of, p.list_size, p.needs_index, p.care_home_beds, state.network_mean_affinity});
}

const std::vector<Mechanism>& mechanisms() {
  // The documented order (docs/model.md): each phase runs through this list.
  static const std::vector<Mechanism> list{
      population_mechanism(),   signup_mechanism(),      relationships_mechanism(), formation_mechanism(),
      practice_changes_mechanism(), dynamics_mechanism(), funding_mechanism(),       arrs_mechanism(),
      service_specs_mechanism(), gp_workload_mechanism(), iif_mechanism(),           management_mechanism(),
      cd_workload_mechanism()};
  return list;
}

const ModelOutputs& model_outputs() {
  static const ModelOutputs outputs = [] {
    ModelOutputs all;
    for (const Mechanism& m : mechanisms()) {
      if (!m.declare_outputs) continue;
      OutputDeclarations declared(m.name);
      m.declare_outputs(declared);
      for (auto& s : declared.series_outputs) all.series.push_back(std::move(s));
      for (auto& w : declared.weekly_outputs) all.weekly.push_back(std::move(w));
    }
    return all;
  }();
  return outputs;
}

}  // namespace pcnsim
