#pragma once
// Storage of one weekly output array, [step][entity][width], filled week by
// week as the simulation produces it (entities: networks or practices).
#include <algorithm>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

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

/// One weekly quantity per entity (network or practice), read as the output
/// holds it: [step][entity][width] (width: roles or sources, else 1), zero
/// where nothing was recorded. Stored as one block of weeks per entity count:
/// networks are only added at a re-evaluation, which starts a new block, so
/// no week is ever re-copied.
template <class T>
struct WeeklyStore {
  struct Block {
    int first_step = 0;
    std::size_t entities = 0;
    WeeklyVector<T> values;  // [week of the block][entity][width]
  };
  std::size_t width = 1, steps = 0, entities = 0;
  std::vector<Block> blocks;
  T zero{};  // what operator[] refers to where nothing was recorded

  explicit WeeklyStore(std::size_t values_per_entity = 1) : width(values_per_entity) {}

  /// Appends the row of week `step` (the week after the last recorded one,
  /// or the first of a new block) and returns its entities * width values,
  /// uninitialised: the caller writes every one.
  T* week_row(int step) {
    const std::size_t row = entities * width;
    if (row == 0) throw std::logic_error("WeeklyStore: no entities to record");
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
};

}  // namespace pcnsim
