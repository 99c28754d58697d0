#pragma once
// Storage of one weekly output array, [step][entity][width], filled week by
// week as the simulation produces it (entities: networks or practices):
// either as recorded, or compressed block of weeks by block of weeks in the
// background while the simulation goes on (the run that will be written).
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include "pcnsim/kernel/chunk_codec.hpp"
#include "pcnsim/kernel/workers.hpp"

namespace pcnsim {

/// Allocator of the weekly arrays: a new element without a value is left
/// uninitialised, not zero-filled, because every recorded week is written in
/// full and unrecorded memory is never read. (Transparent huge pages were
/// tried for these arrays: a third of the page faults, but more kernel time
/// clearing and compacting 2 MiB pages; see bench/README.md.)
template <class T>
struct WeeklyAllocator : std::allocator<T> {
  WeeklyAllocator() = default;
  template <class U>
  WeeklyAllocator(const WeeklyAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // default-initialised
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <class T>
using WeeklyVector = std::vector<T, WeeklyAllocator<T>>;


/// The weekly array compressed as chunks of `weeks` steps x `entities`
/// entities x width, as HDF5's shuffle and deflate filters store them, each
/// block of weeks compressed in the background once the next one starts. A
/// chunk never recorded is zero (HDF5's fill value).
template <class T>
struct PackedWeeks {
  BackgroundWorker* worker = nullptr;  // where blocks are compressed; none: at once, on the recording thread
  int level = 1;
  std::size_t width = 1, weeks = 1, entities = 1;  // chunk shape
  std::vector<std::vector<std::vector<unsigned char>>> chunks;  // [block of weeks][block of entities]: stored bytes
  std::vector<std::size_t> step_entities;                       // entities recorded in each step (0: none)

  // The block being recorded (by the simulation's thread): one buffer per
  // recorded week, in step order, so that a week's buffer is reused as soon as
  // its block is compressed (a block and a part of the next are held, not two).
  using Rows = std::vector<WeeklyVector<T>>;
  std::size_t staging_block = 0;
  Rows staging;

  std::atomic<int> pending{0};  // blocks handed over and not yet compressed
  std::mutex mutex;             // guards spare and error
  Rows spare;                   // week buffers to reuse
  std::exception_ptr error;

  // Decoded on the first read (tests): [step][entity][width] of the whole run.
  std::vector<T> dense;
  bool decoded = false;

  /// Chunk `c` of block `block` ([weeks][entities][width], zero where not recorded) from its rows.
  void gather(std::size_t block, std::size_t c, const Rows& rows, std::vector<T>& chunk) const {
    std::fill(chunk.begin(), chunk.end(), T{});
    const std::size_t first = block * weeks, last = std::min(first + weeks, step_entities.size());
    auto row = rows.begin();
    for (std::size_t s = first; s < last; ++s) {
      const std::size_t n = step_entities[s], lo = c * entities;
      if (n == 0) continue;
      const std::size_t have = n > lo ? std::min(entities, n - lo) : 0;
      std::copy_n(row->data() + lo * width, have * width, chunk.data() + (s - first) * entities * width);
      ++row;
    }
  }

  /// Compresses block `block` (on the background thread) and gives its buffers back.
  void compress(std::size_t block, Rows rows) {
    try {
      std::size_t covered = 0;
      for (std::size_t s = block * weeks; s < std::min((block + 1) * weeks, step_entities.size()); ++s) {
        covered = std::max(covered, step_entities[s]);
      }
      std::vector<T> chunk(weeks * entities * width);
      ChunkCodec& codec = ChunkCodec::of_thread(level);
      auto& out = chunks[block];
      out.resize((covered + entities - 1) / entities);
      for (std::size_t c = 0; c < out.size(); ++c) {
        gather(block, c, rows, chunk);
        out[c] = codec.compress(chunk.data(), chunk.size() * sizeof(T), sizeof(T));
      }
      std::lock_guard<std::mutex> lock(mutex);
      for (auto& row : rows) spare.push_back(std::move(row));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      error = std::current_exception();
    }
    --pending;
  }

  /// Hands the block being recorded to the background thread.
  static void hand_over(const std::shared_ptr<PackedWeeks>& packed) {
    if (packed->staging.empty()) return;
    ++packed->pending;
    if (packed->worker == nullptr) {
      packed->compress(packed->staging_block, std::move(packed->staging));
    } else {
      packed->worker->submit([packed, block = packed->staging_block, rows = std::move(packed->staging)]() mutable {
        packed->compress(block, std::move(rows));
      });
    }
    packed->staging = Rows();
  }

  /// The row of step `s` (of `row` values) in the block being recorded.
  T* row_of(const std::shared_ptr<PackedWeeks>& packed, std::size_t s, std::size_t row) {
    if (!staging.empty() && s / weeks != staging_block) hand_over(packed);
    if (staging.empty()) {
      staging_block = s / weeks;
      staging.reserve(weeks);
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (spare.empty()) {
        staging.emplace_back();
      } else {
        staging.push_back(std::move(spare.back()));
        spare.pop_back();
      }
    }
    staging.back().resize(row);
    return staging.back().data();
  }

  /// Every block compressed (this thread helps); rethrows a failure.
  void finish(const std::shared_ptr<PackedWeeks>& packed) {
    hand_over(packed);
    if (worker != nullptr) worker->help_until([&] { return pending.load() == 0; });
    std::lock_guard<std::mutex> lock(mutex);
    if (error) std::rethrow_exception(error);
  }

  /// The whole array decoded, for reading in place (`entity_count`: the store's entities now).
  const std::vector<T>& decode(const std::shared_ptr<PackedWeeks>& packed, std::size_t entity_count) {
    finish(packed);
    const std::size_t steps = step_entities.size(), row = entity_count * width;
    if (decoded && dense.size() == steps * row) return dense;
    dense.assign(steps * row, T{});
    std::vector<T> chunk(weeks * entities * width);
    ChunkCodec codec(level);
    for (std::size_t b = 0; b < chunks.size(); ++b) {
      for (std::size_t c = 0; c < chunks[b].size(); ++c) {
        codec.decompress(chunks[b][c].data(), chunks[b][c].size(), chunk.data(), chunk.size() * sizeof(T), sizeof(T));
        const std::size_t n = std::min(entities, entity_count - std::min(entity_count, c * entities));
        for (std::size_t w = 0; w < weeks && b * weeks + w < steps; ++w) {
          std::copy_n(chunk.data() + w * entities * width, n * width,
                      dense.data() + (b * weeks + w) * row + c * entities * width);
        }
      }
    }
    decoded = true;
    return dense;
  }
};

/// One weekly quantity per entity (network or practice), read as the output
/// holds it: [step][entity][width] (width: roles or sources, else 1), zero
/// where nothing was recorded. As recorded, it is one block of weeks per
/// entity count: networks are only added at a re-evaluation, which starts a
/// new block, so no week is ever re-copied. With `compression` set before the
/// first week, it is kept only as compressed chunks (PackedWeeks).
template <class T>
struct WeeklyStore {
  struct Block {
    int first_step = 0;
    std::size_t entities = 0;
    WeeklyVector<T> values;  // [week of the block][entity][width]
  };
  /// Weeks and (about) bytes of a compressed chunk. A block of weeks is held
  /// uncompressed until it is compressed, while the next is recorded: fewer
  /// weeks hold less memory (page faults) for a slightly larger file (27
  /// weeks: 14.6 MB, 14: 15.4 MB, 9: 16.3 MB); smaller chunks of entities
  /// compress a little better (bench/README.md).
  static constexpr std::size_t kChunkWeeks = 14, kChunkBytes = 16384;

  std::size_t width = 1, steps = 0, entities = 0;
  int compression = 0;  // > 0: compress in the background at this gzip level
  BackgroundWorker* worker = nullptr;  // the thread that compresses (owned by the run's weekly arrays)
  std::vector<Block> blocks;
  T zero{};  // what operator[] refers to where nothing was recorded

  explicit WeeklyStore(std::size_t values_per_entity = 1) : width(values_per_entity) {}

  /// Appends the row of week `step` (after the last recorded one, or in raw
  /// mode the first of a new block) and returns its entities * width values,
  /// uninitialised: the caller writes every one.
  T* week_row(int step) {
    const std::size_t row = entities * width;
    if (row == 0) throw std::logic_error("WeeklyStore: no entities to record");
    if (compression > 0) return packed_row(step, row);
    if (blocks.empty() || blocks.back().entities != entities) {
      blocks.push_back(Block{step, entities, {}});
      // Room for every remaining week: growing then never moves the block.
      blocks.back().values.reserve((steps - static_cast<std::size_t>(step)) * row);
    }
    Block& b = blocks.back();
    if (b.first_step + static_cast<int>(b.values.size() / row) != step) {
      throw std::logic_error("WeeklyStore: weeks must be recorded in order, each once");
    }
    b.values.resize(b.values.size() + row);
    return b.values.data() + b.values.size() - row;
  }

  /// The recorded values of week `step` and the number of entities they cover (0 if none).
  std::pair<const T*, std::size_t> week(std::size_t step) const {
    if (packed_) {
      const std::size_t covered = step < steps ? packed_->step_entities[step] : 0;
      if (covered == 0) return {nullptr, 0};
      return {packed_->decode(packed_, entities).data() + step * entities * width, covered};
    }
    for (const Block& b : blocks) {
      const auto first = static_cast<std::size_t>(b.first_step);
      if (step >= first && step < first + b.values.size() / (b.entities * width)) {
        return {b.values.data() + (step - first) * b.entities * width, b.entities};
      }
    }
    return {nullptr, 0};
  }

  std::size_t size() const { return steps * entities * width; }
  /// Element `index` of the [step][entity][width] array of the whole run.
  const T& operator[](std::size_t index) const {
    const std::size_t row = entities * width, step = index / row, column = index % row;
    const auto [values, covered] = week(step);
    return column < covered * width ? values[column] : zero;
  }

  /// Entities first..first+count-1 of every week, as out[step][count][width]
  /// (zero where not recorded): one chunk of the output dataset.
  void copy_entities(std::size_t first, std::size_t count, T* out) const {
    for (std::size_t s = 0; s < steps; ++s, out += count * width) {
      const auto [values, covered] = week(s);
      const std::size_t have = covered > first ? std::min(count, covered - first) : 0;
      if (have > 0) std::copy_n(values + first * width, have * width, out);
      std::fill(out + have * width, out + count * width, T{});
    }
  }

  /// After the last week: starts compressing the last block now rather than
  /// when the array is first read or written.
  void finish_recording() {
    if (packed_) PackedWeeks<T>::hand_over(packed_);
  }

  /// The compressed chunks once every block is compressed (null when the
  /// store is not compressed or nothing was recorded).
  const PackedWeeks<T>* packed() const {
    if (!packed_) return nullptr;
    packed_->finish(packed_);
    return packed_.get();
  }

 private:
  std::shared_ptr<PackedWeeks<T>> packed_;  // shared with the background jobs; survives moves
  int last_step_ = -1;

  T* packed_row(int step, std::size_t row) {
    const auto s = static_cast<std::size_t>(step);
    if (step <= last_step_ || s >= steps) throw std::logic_error("WeeklyStore: weeks must be recorded in order, each once");
    if (!packed_) {
      packed_ = std::make_shared<PackedWeeks<T>>();
      PackedWeeks<T>& p = *packed_;
      p.worker = worker;
      p.level = compression;
      p.width = width;
      p.weeks = std::min(steps, kChunkWeeks);
      p.entities = std::clamp<std::size_t>(kChunkBytes / (p.weeks * width * sizeof(T)), 1, entities);
      p.chunks.resize((steps + p.weeks - 1) / p.weeks);
      p.step_entities.assign(steps, 0);
    }
    last_step_ = step;
    packed_->decoded = false;
    packed_->step_entities[s] = entities;
    return packed_->row_of(packed_, s, row);
  }
};

}  // namespace pcnsim
