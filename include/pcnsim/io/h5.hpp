#pragma once
// Thin RAII layer over the HDF5 C API: just what pcnsim writes and reads.
// Every dataset is written gzip-compressed with explicit chunks (weekly
// [step, entity] arrays: every step of a block of entities per chunk); object
// modification times are not tracked so identical runs give identical bytes
// in every dataset.
#include <hdf5.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pcnsim::h5 {

/// Owns one HDF5 identifier and closes it with the right H5*close call.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& other) noexcept;
  ~Handle();
  hid_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  /// Gives up ownership without closing (for a close whose failure must be reported).
  hid_t release() {
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

/// Options shared by every dataset written.
struct DatasetOptions {
  std::string units;        // written as attribute "units" when not empty
  std::string description;  // written as attribute "description" when not empty
  int gzip_level = 4;       // 0 disables compression
  std::size_t chunk_rows = 0;  // rows (first dimension) per chunk; 0 = automatic
};

/// Fills out[step][count][...] with entities first..first+count-1 of a
/// [step, entity, ...] array (a per-network or per-practice weekly array).
template <class T>
using EntityColumns = std::function<void(std::size_t first, std::size_t count, T* out)>;

/// One chunk as the dataset's filters store it (byte shuffle then deflate, at
/// the dataset's gzip level), starting at element `start` of each dimension.
struct StoredChunk {
  std::vector<hsize_t> start;
  const unsigned char* bytes = nullptr;
  std::size_t size = 0;
};

class File {
 public:
  /// Create (truncate) a file for writing. Throws std::runtime_error on failure.
  static File create(const std::string& path);
  /// Open an existing file read-only. Throws std::runtime_error on failure.
  static File open_read(const std::string& path);

  hid_t id() const { return handle_.id(); }
  const std::string& path() const { return path_; }

  /// True if a link (group or dataset) exists at an absolute path like "/a/b/c".
  bool exists(const std::string& path) const;
  /// Creates every missing group along an absolute path ("/series/networks").
  void ensure_group(const std::string& path);
  /// Names of the members of a group, sorted.
  std::vector<std::string> list(const std::string& group_path) const;

  // --- writing; `shape` is the full dataset shape, data are row-major -------
  void write(const std::string& path, const std::vector<double>& data,
             const std::vector<hsize_t>& shape, const DatasetOptions& options = {});
  /// Single precision, for large per-network or per-practice weekly arrays.
  void write(const std::string& path, const std::vector<float>& data,
             const std::vector<hsize_t>& shape, const DatasetOptions& options = {});
  void write(const std::string& path, const std::vector<std::int64_t>& data,
             const std::vector<hsize_t>& shape, const DatasetOptions& options = {});
  void write(const std::string& path, const std::vector<std::int32_t>& data,
             const std::vector<hsize_t>& shape, const DatasetOptions& options = {});
  /// Fixed-length, null-padded ASCII strings; the width is the longest string (at least 1).
  void write(const std::string& path, const std::vector<std::string>& data,
             const std::vector<hsize_t>& shape, const DatasetOptions& options = {});
  /// 1-D conveniences.
  template <class T>
  void write(const std::string& path, const std::vector<T>& data, const DatasetOptions& options = {}) {
    write(path, data, std::vector<hsize_t>{static_cast<hsize_t>(data.size())}, options);
  }

  /// A [step, entity, ...] dataset chunked along time per entity: a chunk holds
  /// every step of a block of entities, so compression sees each entity's weeks
  /// together (smaller and faster than rows of steps). `columns` fills one
  /// chunk at a time, so the whole array never needs to be in one buffer.
  void write_by_entity(const std::string& path, const EntityColumns<float>& columns,
                       const std::vector<hsize_t>& shape, const DatasetOptions& options = {});
  void write_by_entity(const std::string& path, const EntityColumns<std::int32_t>& columns,
                       const std::vector<hsize_t>& shape, const DatasetOptions& options = {});

  /// A dataset of `shape` chunked as `chunk`, from chunks already compressed at
  /// options.gzip_level (> 0) (ChunkCodec); chunks not given read as zero.
  /// T is float or std::int32_t.
  template <class T>
  void write_stored_chunks(const std::string& path, const std::vector<hsize_t>& shape,
                           const std::vector<hsize_t>& chunk, const std::vector<StoredChunk>& chunks,
                           const DatasetOptions& options);

  /// Attributes on an object (group or dataset) at an absolute path; "/" is the root.
  void set_attribute(const std::string& object_path, const std::string& name, const std::string& value);
  void set_attribute(const std::string& object_path, const std::string& name, std::int64_t value);
  void set_attribute(const std::string& object_path, const std::string& name, double value);

  // --- reading (tests, validate, compare) -----------------------------------
  std::vector<double> read_doubles(const std::string& path, std::vector<hsize_t>* shape = nullptr) const;
  std::vector<std::int64_t> read_ints(const std::string& path, std::vector<hsize_t>* shape = nullptr) const;
  std::vector<std::string> read_strings(const std::string& path, std::vector<hsize_t>* shape = nullptr) const;
  std::string string_attribute(const std::string& object_path, const std::string& name) const;
  std::int64_t int_attribute(const std::string& object_path, const std::string& name) const;
  double double_attribute(const std::string& object_path, const std::string& name) const;
  bool has_attribute(const std::string& object_path, const std::string& name) const;
  /// Names of the attributes of an object ("/" is the root), sorted.
  std::vector<std::string> attribute_names(const std::string& object_path) const;

  /// Flush everything to disk (called before the temporary file is renamed).
  void flush();
  void close();

 private:
  Handle handle_;
  std::string path_;
};

}  // namespace pcnsim::h5
