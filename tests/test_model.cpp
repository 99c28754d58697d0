// The model's surface (models/model.hpp): the mechanisms in their documented
// order and the outputs they declare.
#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "models/model.hpp"

using namespace pcnsim;

namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("the mechanisms run in the documented order and the outputs they declare are well formed", "[model]") {
  std::vector<std::string> names;
  for (const Mechanism& m : mechanisms()) {
    INFO("mechanism " << m.name);
    CHECK_FALSE(m.summary.empty());
    names.push_back(m.name);
  }
  CHECK(names == std::vector<std::string>{"population", "signup", "relationships", "formation", "practice_changes", "dynamics", "funding",
                                          "arrs", "service_specs", "gp_workload", "iif", "management", "cd_workload"});
  const std::set<std::string> mechanism_names(names.begin(), names.end());

  const ModelOutputs& outputs = model_outputs();
  REQUIRE_FALSE(outputs.series.empty());
  REQUIRE_FALSE(outputs.weekly.empty());
  std::set<std::string> paths;
  for (const SeriesOutput& s : outputs.series) {
    INFO("series " << s.info.path);
    CHECK(starts_with(s.info.path, "/series/"));
    CHECK(paths.insert(s.info.path).second);  // declared once
    CHECK_FALSE(s.info.description.empty());
    CHECK(mechanism_names.count(s.info.source) == 1);
  }
  for (const WeeklyOutput& w : outputs.weekly) {
    INFO("weekly output " << w.info.path << " (width " << w.width << ")");
    CHECK((starts_with(w.info.path, "/networks/weekly/") || starts_with(w.info.path, "/practices/weekly/")));
    CHECK(paths.insert(w.info.path).second);
    CHECK_FALSE(w.info.description.empty());
    CHECK(mechanism_names.count(w.info.source) == 1);
    CHECK(w.info.axes.size() == (w.width > 1 ? 3u : 2u));
  }
}
