#pragma once
// Writes one weekly output array to HDF5 as [step, entity] or
// [step, entity, width], chunked along time per entity.
#include <string>

#include "pcnsim/io/h5.hpp"
#include "pcnsim/engine/weekly_store.hpp"

namespace pcnsim {

template <class T>
void write_weekly(h5::File& file, const std::string& path, const WeeklyStore<T>& weekly,
                  const h5::DatasetOptions& options) {
  std::vector<hsize_t> shape{static_cast<hsize_t>(weekly.steps), static_cast<hsize_t>(weekly.entities)};
  if (weekly.width > 1) shape.push_back(static_cast<hsize_t>(weekly.width));
  file.write_by_entity(
      path, [&](std::size_t first, std::size_t count, T* out) { weekly.copy_entities(first, count, out); }, shape,
      options);
}

}  // namespace pcnsim
