#pragma once
// Writes one weekly output array to HDF5 as [step, entity] or
// [step, entity, width]: a store compressed while the simulation ran (at the
// file's gzip level) as its chunks of a block of weeks x a block of entities,
// as they are; any other chunked along time per entity.
#include <string>

#include "pcnsim/io/h5.hpp"
#include "pcnsim/engine/weekly_store.hpp"

namespace pcnsim {

template <class T>
void write_weekly(h5::File& file, const std::string& path, const WeeklyStore<T>& weekly,
                  const h5::DatasetOptions& options) {
  std::vector<hsize_t> shape{static_cast<hsize_t>(weekly.steps), static_cast<hsize_t>(weekly.entities)};
  if (weekly.width > 1) shape.push_back(static_cast<hsize_t>(weekly.width));
  const PackedWeeks<T>* packed = weekly.packed();
  if (packed != nullptr && packed->level == options.gzip_level) {
    std::vector<hsize_t> chunk{packed->weeks, packed->entities};
    if (weekly.width > 1) chunk.push_back(static_cast<hsize_t>(weekly.width));
    std::vector<h5::StoredChunk> stored;
    for (std::size_t b = 0; b < packed->chunks.size(); ++b) {
      for (std::size_t c = 0; c < packed->chunks[b].size(); ++c) {
        std::vector<hsize_t> start(chunk.size(), 0);
        start[0] = b * packed->weeks;
        start[1] = c * packed->entities;
        stored.push_back({std::move(start), packed->chunks[b][c].data(), packed->chunks[b][c].size()});
      }
    }
    file.write_stored_chunks<T>(path, shape, chunk, stored, options);
    return;
  }
  file.write_by_entity(
      path, [&](std::size_t first, std::size_t count, T* out) { weekly.copy_entities(first, count, out); }, shape,
      options);
}

}  // namespace pcnsim
