#include "pcnsim/kernel/cluster.hpp"

#include <cstdlib>

#ifdef PCNSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace pcnsim {

#ifdef PCNSIM_HAVE_MPI
namespace {

bool under_mpirun() {
  // Open MPI, MPICH/Hydra and PMIx launchers set one of these.
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(var)) return true;
  }
  return false;
}

}  // namespace
#endif

bool Cluster::built_with_mpi() {
#ifdef PCNSIM_HAVE_MPI
  return true;
#else
  return false;
#endif
}

Cluster::Cluster() {
#ifdef PCNSIM_HAVE_MPI
  if (!under_mpirun()) return;
  int initialised = 0;
  MPI_Initialized(&initialised);
  int provided = 0;
  if (!initialised) MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  mpi_ = true;
#endif
}

void Cluster::barrier() const {
#ifdef PCNSIM_HAVE_MPI
  if (mpi_) MPI_Barrier(MPI_COMM_WORLD);
#endif
}

Cluster::~Cluster() {
#ifdef PCNSIM_HAVE_MPI
  if (mpi_) MPI_Finalize();
#endif
}

namespace {

#ifdef PCNSIM_HAVE_MPI
template <class T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<double>() { return MPI_DOUBLE; }
template <>
MPI_Datatype mpi_type<std::int64_t>() { return MPI_INT64_T; }
#endif

template <class T>
void send_vector(bool mpi, int to, int tag, const std::vector<T>& data) {
#ifdef PCNSIM_HAVE_MPI
  if (mpi) MPI_Send(data.data(), static_cast<int>(data.size()), mpi_type<T>(), to, tag, MPI_COMM_WORLD);
#else
  (void)mpi, (void)to, (void)tag, (void)data;
#endif
}

template <class T>
bool poll_vector(bool mpi, int tag, int& from, std::vector<T>& data) {
#ifdef PCNSIM_HAVE_MPI
  if (!mpi) return false;
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &flag, &status);
  if (!flag) return false;
  int count = 0;
  MPI_Get_count(&status, mpi_type<T>(), &count);
  data.resize(static_cast<std::size_t>(count));
  MPI_Recv(data.data(), count, mpi_type<T>(), status.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  from = status.MPI_SOURCE;
  return true;
#else
  (void)mpi, (void)tag, (void)from, (void)data;
  return false;
#endif
}

}  // namespace

void Cluster::send(int to, int tag, const std::vector<double>& data) const { send_vector(mpi_, to, tag, data); }
void Cluster::send(int to, int tag, const std::vector<std::int64_t>& data) const { send_vector(mpi_, to, tag, data); }
bool Cluster::poll(int tag, int& from, std::vector<double>& data) const { return poll_vector(mpi_, tag, from, data); }
bool Cluster::poll(int tag, int& from, std::vector<std::int64_t>& data) const {
  return poll_vector(mpi_, tag, from, data);
}

}  // namespace pcnsim
