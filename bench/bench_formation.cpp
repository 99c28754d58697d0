// Formation benchmark: wall time of building the relationship graph, sign-up
// and network formation for England (and the whole run), median of N repeats.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "pcnsim/scenario.hpp"
#include "pcnsim/simulation.hpp"

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : PCNSIM_SOURCE_DIR "/scenarios/baseline.yaml";
  const int repeats = argc > 2 ? std::stoi(argv[2]) : 7;
  const pcnsim::Scenario scenario = pcnsim::load_scenario(path);
  std::vector<double> formation, total;
  std::size_t practices = 0, networks = 0;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto run = pcnsim::run_simulation(scenario);
    total.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    formation.push_back(run.formation_seconds);
    practices = run.world.practices.size();
    networks = run.world.networks.size();
  }
  std::sort(formation.begin(), formation.end());
  std::sort(total.begin(), total.end());
  std::printf("scenario: %s (%zu practices, %zu networks), %d repeats\n", path.c_str(), practices, networks, repeats);
  std::printf("formation (sign-up + graph + game): median %.4f s, min %.4f s\n", formation[formation.size() / 2],
              formation.front());
  std::printf("whole run (data import + formation + weekly loop): median %.4f s, min %.4f s\n", total[total.size() / 2],
              total.front());
  return 0;
}
