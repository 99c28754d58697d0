#pragma once
// The processes a sweep runs on: one process, or the ranks of an MPI job when
// pcnsim was built with MPI and started by mpirun. MPI is initialised only
// then (never for `pcnsim run`), so a plain command never pays for it, and
// with MPI_THREAD_FUNNELED: worker threads compute, the main thread talks.
#include <cstdint>
#include <utility>
#include <vector>

namespace pcnsim {

class Cluster {
 public:
  /// Joins the MPI job when started under mpirun (and built with MPI).
  Cluster();
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool leader() const { return rank_ == 0; }
  static bool built_with_mpi();

  /// Waits until every rank has called it (nothing without MPI).
  void barrier() const;
  /// Point-to-point messages between ranks (only the calling thread uses MPI).
  void send(int to, int tag, const std::vector<double>& data) const;
  void send(int to, int tag, const std::vector<std::int64_t>& data) const;
  /// A message with `tag` if one has arrived (from any rank); never blocks.
  bool poll(int tag, int& from, std::vector<double>& data) const;
  bool poll(int tag, int& from, std::vector<std::int64_t>& data) const;

 private:
  int rank_ = 0, size_ = 1;
  bool mpi_ = false;
};

}  // namespace pcnsim
