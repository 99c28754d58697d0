#include "pcnsim/kernel/chunk_codec.hpp"

#include <libdeflate.h>

#include <stdexcept>

namespace pcnsim {

struct ChunkCodec::Libdeflate {
  libdeflate_compressor* compressor = nullptr;
  libdeflate_decompressor* decompressor = nullptr;
  ~Libdeflate() {
    if (compressor != nullptr) libdeflate_free_compressor(compressor);
    if (decompressor != nullptr) libdeflate_free_decompressor(decompressor);
  }
};

ChunkCodec::ChunkCodec(int level) : level_(level), lib_(std::make_unique<Libdeflate>()) {
  if (level < 1 || level > 12) throw std::invalid_argument("compression level must be 1-12");
}

ChunkCodec::~ChunkCodec() = default;

ChunkCodec& ChunkCodec::of_thread(int level) {
  thread_local std::unique_ptr<ChunkCodec> codec;
  if (!codec || codec->level() != level) codec = std::make_unique<ChunkCodec>(level);
  return *codec;
}

std::vector<unsigned char> ChunkCodec::compress(const void* values, std::size_t bytes, std::size_t element_bytes) {
  if (lib_->compressor == nullptr) {
    lib_->compressor = libdeflate_alloc_compressor(level_);
    if (lib_->compressor == nullptr) throw std::runtime_error("libdeflate could not start compressing");
  }
  const auto* in = static_cast<const unsigned char*>(values);
  const std::size_t elements = bytes / element_bytes;
  shuffled_.resize(bytes);
  for (std::size_t b = 0; b < element_bytes; ++b) {
    unsigned char* plane = shuffled_.data() + b * elements;
    for (std::size_t i = 0; i < elements; ++i) plane[i] = in[i * element_bytes + b];
  }
  out_.resize(libdeflate_zlib_compress_bound(lib_->compressor, bytes));
  const std::size_t size = libdeflate_zlib_compress(lib_->compressor, shuffled_.data(), bytes, out_.data(), out_.size());
  if (size == 0) throw std::runtime_error("libdeflate could not compress a chunk");
  return {out_.data(), out_.data() + size};
}

void ChunkCodec::decompress(const unsigned char* stored, std::size_t size, void* out, std::size_t bytes,
                            std::size_t element_bytes) {
  if (lib_->decompressor == nullptr) {
    lib_->decompressor = libdeflate_alloc_decompressor();
    if (lib_->decompressor == nullptr) throw std::runtime_error("libdeflate could not start decompressing");
  }
  shuffled_.resize(bytes);
  std::size_t actual = 0;
  if (libdeflate_zlib_decompress(lib_->decompressor, stored, size, shuffled_.data(), bytes, &actual) !=
          LIBDEFLATE_SUCCESS ||
      actual != bytes) {
    throw std::runtime_error("a compressed chunk does not decode to its size");
  }
  auto* values = static_cast<unsigned char*>(out);
  const std::size_t elements = bytes / element_bytes;
  for (std::size_t b = 0; b < element_bytes; ++b) {
    const unsigned char* plane = shuffled_.data() + b * elements;
    for (std::size_t i = 0; i < elements; ++i) values[i * element_bytes + b] = plane[i];
  }
}

}  // namespace pcnsim
