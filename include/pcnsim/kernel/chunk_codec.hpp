#pragma once
// Chunks of numbers as HDF5's shuffle then deflate filters store them: the
// bytes of the elements grouped by position (all first bytes, then all
// second bytes...), then a zlib stream (libdeflate: the same format as zlib's,
// two to three times faster at a similar size). Used to compress the weekly
// arrays while the simulation runs and to write chunks with H5Dwrite_chunk.
#include <cstddef>
#include <memory>
#include <vector>

namespace pcnsim {

class ChunkCodec {
 public:
  /// `level`: 1 (fastest) to 12 (smallest); HDF5's gzip levels 1-9 mean the same here.
  explicit ChunkCodec(int level);
  ChunkCodec(const ChunkCodec&) = delete;
  ChunkCodec& operator=(const ChunkCodec&) = delete;
  ~ChunkCodec();

  /// This thread's codec at `level` (made on first use, kept for the next chunk).
  static ChunkCodec& of_thread(int level);

  int level() const { return level_; }
  /// `bytes` of elements of `element_bytes` each, shuffled and compressed.
  std::vector<unsigned char> compress(const void* values, std::size_t bytes, std::size_t element_bytes);
  /// The inverse: `size` stored bytes back into the `bytes` of `out`. Throws
  /// std::runtime_error if they do not decode to exactly that many bytes.
  void decompress(const unsigned char* stored, std::size_t size, void* out, std::size_t bytes,
                  std::size_t element_bytes);

 private:
  struct Libdeflate;
  int level_;
  std::unique_ptr<Libdeflate> lib_;
  std::vector<unsigned char> shuffled_, out_;
};

}  // namespace pcnsim
