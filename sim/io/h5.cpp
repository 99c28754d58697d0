#include "pcnsim/io/h5.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>

#include "pcnsim/kernel/chunk_codec.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "pcnsim/kernel/workers.hpp"

namespace pcnsim::h5 {
namespace {

// HDF5 prints its error stack to stderr by default; we report failures as
// exceptions instead. The setting is per thread in thread-safe builds.
// Also: no clean-up at process exit. After a failed write (a full disk) the
// file cannot be closed, and HDF5's exit handler would crash closing it again;
// every file pcnsim writes is closed explicitly, so there is nothing to lose.
void silence_hdf5_errors() {
  thread_local const bool silenced = [] {
    H5dont_atexit();  // fails harmlessly once the library is initialised
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    return true;
  }();
  (void)silenced;
}

// The innermost entry of HDF5's error stack usually says what went wrong
// ("object 'x' doesn't exist"), so it is worth adding to our message.
std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
        if (n == 0 && err->desc != nullptr) *static_cast<std::string*>(data) = err->desc;
        return 0;
      },
      &reason);
  H5Eclear2(H5E_DEFAULT);
  // A failed write's description is a dump (time, buffer address, offset...);
  // keep its operating-system message, e.g. "No space left on device".
  const std::string marker = "error message = '";
  const auto at = reason.find(marker);
  if (at != std::string::npos) {
    const auto start = at + marker.size();
    reason = reason.substr(0, reason.find(':')) + ": " + reason.substr(start, reason.find('\'', start) - start);
  }
  return reason;
}

/// Names the file and object an operation is about, and turns negative HDF5
/// return values into std::runtime_error carrying both.
struct Where {
  std::string file;
  std::string object;  // e.g. "object '/a/b'"; empty for the file itself

  [[noreturn]] void fail(const std::string& what) const {
    std::string message = "HDF5 file '" + file + "'";
    if (!object.empty()) message += ", " + object;
    throw std::runtime_error(message + ": " + what);
  }

  template <class T>
  T operator()(T result, const char* action) const {
    if (result < 0) {
      const std::string reason = hdf5_reason();
      fail(std::string("cannot ") + action + (reason.empty() ? "" : ": " + reason));
    }
    return result;
  }
};

Where at_object(const std::string& file, const std::string& path) { return {file, "object '" + path + "'"}; }

Where at_attribute(const std::string& file, const std::string& path, const std::string& name) {
  return {file, "attribute '" + name + "' of '" + path + "'"};
}

/// Components of an absolute path; "/a//b/" gives {"a", "b"} and "/" gives {}.
std::vector<std::string> components(const std::string& path) {
  if (path.empty() || path.front() != '/') throw std::invalid_argument("HDF5 path must be absolute: '" + path + "'");
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string parent_of(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// Output files read back are untrusted input: a link that points into another
// file is refused before HDF5 would follow it (a link to a device or a FIFO
// could hang the read, one to any file would read it).
void refuse_links_out(hid_t file, const std::string& path, const Where& check) {
  if (path.empty() || path.front() != '/') return;
  std::string current;
  for (const std::string& part : components(path)) {
    current += "/" + part;
    if (H5Lexists(file, current.c_str(), H5P_DEFAULT) <= 0) return;  // missing: the caller reports it
    H5L_info_t info;
    if (H5Lget_info(file, current.c_str(), &info, H5P_DEFAULT) < 0) return;
    if (info.type == H5L_TYPE_EXTERNAL || info.type >= H5L_TYPE_UD_MIN) {
      throw InputError(Diagnostic{check.file, 0, 0, current,
                                  "is an external link to another file; pcnsim never follows links out of an "
                                  "output file"});
    }
  }
}

// A dataset whose values live in other files (external storage, a virtual
// dataset) is refused for the same reason.
void refuse_values_outside(hid_t dataset, const std::string& path, const Where& check) {
  Handle dcpl(check(H5Dget_create_plist(dataset), "get dataset creation plist"));
  if (H5Pget_external_count(dcpl.id()) > 0 || H5Pget_layout(dcpl.id()) == H5D_VIRTUAL) {
    throw InputError(Diagnostic{check.file, 0, 0, path,
                                "stores its values in another file (external storage or a virtual dataset); pcnsim "
                                "reads only values inside the output file"});
  }
}

bool is_group(hid_t file, const std::string& path, const Where& check) {
  Handle object(check(H5Oopen(file, path.c_str(), H5P_DEFAULT), "open object"));
  return H5Iget_type(object.id()) == H5I_GROUP;
}

/// Group creation plist without modification times, so identical content
/// gives identical bytes.
Handle group_plist(const Where& check) {
  Handle gcpl(check(H5Pcreate(H5P_GROUP_CREATE), "create group property list"));
  check(H5Pset_obj_track_times(gcpl.id(), false), "disable group time tracking");
  return gcpl;
}

Handle fixed_string_type(std::size_t width, H5T_cset_t cset, const Where& check) {
  Handle type(check(H5Tcopy(H5T_C_S1), "copy string type"));
  check(H5Tset_size(type.id(), width), "set string width");
  check(H5Tset_strpad(type.id(), H5T_STR_NULLPAD), "set string padding");
  check(H5Tset_cset(type.id(), cset), "set string character set");
  return type;
}

Handle variable_string_type(H5T_cset_t cset, const Where& check) {
  Handle type(check(H5Tcopy(H5T_C_S1), "copy string type"));
  check(H5Tset_size(type.id(), H5T_VARIABLE), "make string type variable-length");
  check(H5Tset_cset(type.id(), cset), "set string character set");
  return type;
}

/// A fixed-length string as stored, without its padding.
std::string unpad(const char* text, std::size_t width, H5T_str_t pad) {
  std::string s(text, width);
  if (pad == H5T_STR_NULLTERM) {
    s.resize(std::min(s.find('\0'), s.size()));
  } else {
    s.erase(s.find_last_not_of(pad == H5T_STR_SPACEPAD ? ' ' : '\0') + 1);
  }
  return s;
}

/// Writes a scalar attribute, replacing one of the same name.
void write_attribute(hid_t object, const std::string& name, hid_t file_type, hid_t memory_type, const void* value,
                     const Where& check) {
  if (check(H5Aexists(object, name.c_str()), "look up attribute") > 0) {
    check(H5Adelete(object, name.c_str()), "delete old attribute");
  }
  Handle space(check(H5Screate(H5S_SCALAR), "create dataspace"));
  Handle attribute(
      check(H5Acreate2(object, name.c_str(), file_type, space.id(), H5P_DEFAULT, H5P_DEFAULT), "create attribute"));
  check(H5Awrite(attribute.id(), memory_type, value), "write attribute");
}

// Variable-length UTF-8: any length fits (the text lives in the global heap,
// not the 64 KiB object header) and h5py reads it as str.
void write_string_attribute(hid_t object, const std::string& name, const std::string& value, const Where& check) {
  Handle type = variable_string_type(H5T_CSET_UTF8, check);
  const char* text = value.c_str();
  write_attribute(object, name, type.id(), type.id(), &text, check);
}

/// A scalar numeric attribute converted to `memory_type`; integer-only when
/// `allow_float` is false so that reading never truncates silently.
template <class T>
T read_numeric_attribute(hid_t file, const std::string& object_path, const std::string& name, hid_t memory_type,
                         bool allow_float, const Where& check) {
  refuse_links_out(file, object_path, check);
  Handle attribute(
      check(H5Aopen_by_name(file, object_path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), "open attribute"));
  Handle type(check(H5Aget_type(attribute.id()), "get attribute type"));
  const H5T_class_t type_class = H5Tget_class(type.id());
  if (type_class != H5T_INTEGER && !(allow_float && type_class == H5T_FLOAT)) {
    check.fail(allow_float ? "is not numeric" : "is not an integer");
  }
  Handle space(check(H5Aget_space(attribute.id()), "get attribute dataspace"));
  if (check(H5Sget_simple_extent_npoints(space.id()), "count attribute values") != 1) check.fail("is not a single value");
  T value{};
  check(H5Aread(attribute.id(), memory_type, &value), "read attribute");
  return value;
}

/// Opens a dataset and returns its element count, filling `shape` if asked.
Handle open_dataset(hid_t file, const std::string& path, std::size_t& count, std::vector<hsize_t>* shape,
                    const Where& check) {
  refuse_links_out(file, path, check);
  Handle dataset(check(H5Dopen2(file, path.c_str(), H5P_DEFAULT), "open dataset"));
  refuse_values_outside(dataset.id(), path, check);
  Handle space(check(H5Dget_space(dataset.id()), "get dataspace"));
  count = static_cast<std::size_t>(check(H5Sget_simple_extent_npoints(space.id()), "count elements"));
  if (shape != nullptr) {
    const int rank = check(H5Sget_simple_extent_ndims(space.id()), "get rank");
    shape->assign(static_cast<std::size_t>(rank), 0);
    check(H5Sget_simple_extent_dims(space.id(), shape->data(), nullptr), "get shape");
  }
  return dataset;
}

template <class T>
std::vector<T> read_numeric_dataset(hid_t file, const std::string& file_path, const std::string& path,
                                    hid_t memory_type, bool allow_float, std::vector<hsize_t>* shape) {
  const Where check = at_object(file_path, path);
  std::size_t count = 0;
  Handle dataset = open_dataset(file, path, count, shape, check);
  Handle type(check(H5Dget_type(dataset.id()), "get dataset type"));
  const H5T_class_t type_class = H5Tget_class(type.id());
  if (type_class != H5T_INTEGER && !(allow_float && type_class == H5T_FLOAT)) {
    check.fail(allow_float ? "is not a numeric dataset" : "is not an integer dataset");
  }
  std::vector<T> values(count);
  if (count > 0) {
    check(H5Dread(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "read dataset");
  }
  return values;
}

/// Rows per chunk: as asked, else about 64 KiB of rows; never more than the
/// dataset has (HDF5 rejects chunks larger than a fixed-size dataset).
hsize_t chunk_rows(const std::vector<hsize_t>& shape, std::size_t element_bytes, std::size_t requested) {
  const hsize_t rows = shape.front();
  if (requested > 0) return std::min<hsize_t>(requested, rows);
  hsize_t row_bytes = element_bytes;
  for (std::size_t i = 1; i < shape.size(); ++i) row_bytes *= shape[i];
  // An empty row (no networks: nobody signed up) has no chunk to size.
  return std::min<hsize_t>(rows, std::max<hsize_t>(1, row_bytes > 0 ? 65536 / row_bytes : rows));
}

/// Entities per chunk of a [step, entity, ...] dataset: about 64 KiB of
/// every step (smaller chunks compress a little better: a block of entities
/// repeats at a shorter distance from week to week; larger ones no faster).
hsize_t chunk_entities(const std::vector<hsize_t>& shape, std::size_t element_bytes) {
  hsize_t per_entity = element_bytes;
  for (std::size_t i = 0; i < shape.size(); ++i) per_entity *= i == 1 ? 1 : shape[i];
  return std::min<hsize_t>(shape[1], std::max<hsize_t>(1, per_entity > 0 ? 65536 / per_entity : shape[1]));
}

/// Creates a dataset with its attributes, ready for its data: chunked to
/// `chunk` when it has data and compression is on (or `always_chunked`), and
/// compressed when compression is on; else contiguous. Checks that `count`
/// values fill `shape`.
Handle create_dataset(File& file, const std::string& path, hid_t file_type, std::size_t count,
                      std::size_t element_bytes, const std::vector<hsize_t>& shape, const std::vector<hsize_t>& chunk,
                      const DatasetOptions& options, bool always_chunked = false) {
  const Where check = at_object(file.path(), path);
  if (shape.empty()) throw std::invalid_argument("HDF5 dataset '" + path + "': shape must have at least one dimension");
  hsize_t expected = 1;
  for (hsize_t d : shape) expected *= d;
  if (expected != count) {
    throw std::invalid_argument("HDF5 dataset '" + path + "': " + std::to_string(count) +
                                " values do not fill a shape of " + std::to_string(expected) + " elements");
  }
  if (options.gzip_level < 0 || options.gzip_level > 9) {
    throw std::invalid_argument("HDF5 dataset '" + path + "': gzip level must be 0-9");
  }
  if (components(path).empty()) throw std::invalid_argument("HDF5 dataset path must name a dataset, not '/'");

  // Parent groups are made here with our own creation plist: groups made by the
  // link plist get library defaults, which track times in newer file formats.
  file.ensure_group(parent_of(path));
  Handle lcpl(check(H5Pcreate(H5P_LINK_CREATE), "create link property list"));
  check(H5Pset_create_intermediate_group(lcpl.id(), true), "enable intermediate groups");

  const int rank = static_cast<int>(shape.size());
  Handle space(check(H5Screate_simple(rank, shape.data(), nullptr), "create dataspace"));
  Handle dcpl(check(H5Pcreate(H5P_DATASET_CREATE), "create dataset property list"));
  check(H5Pset_obj_track_times(dcpl.id(), false), "disable dataset time tracking");
  // An empty dataset cannot be chunked, so it stays contiguous and uncompressed.
  if (count > 0 && (options.gzip_level > 0 || always_chunked)) {
    check(H5Pset_chunk(dcpl.id(), rank, chunk.data()), "set chunk shape");
  }
  if (count > 0 && options.gzip_level > 0) {
    // Byte shuffling first groups the similar high bytes of numbers, which
    // makes gzip faster and the file smaller (strings gain nothing from it).
    if (element_bytes > 1 && H5Tget_class(file_type) != H5T_STRING) check(H5Pset_shuffle(dcpl.id()), "enable shuffle");
    check(H5Pset_deflate(dcpl.id(), static_cast<unsigned>(options.gzip_level)), "enable gzip");
  }
  Handle dataset(check(H5Dcreate2(file.id(), path.c_str(), file_type, space.id(), lcpl.id(), dcpl.id(), H5P_DEFAULT),
                       "create dataset"));
  if (!options.units.empty()) write_string_attribute(dataset.id(), "units", options.units, check);
  if (!options.description.empty()) {
    write_string_attribute(dataset.id(), "description", options.description, check);
  }
  return dataset;
}

/// The chunks of rows of a compressed dataset stored as they are
/// (H5Dwrite_chunk), compressed by ChunkCodec (libdeflate) with this
/// thread's codec; the last chunk is stored at full size, zero past the end.
/// Shuffled as the dataset's filters say: not for strings (`shuffle_bytes` 1).
void write_row_chunks(hid_t dataset, const unsigned char* data, std::size_t count, std::size_t element_bytes,
                      std::size_t shuffle_bytes, const std::vector<hsize_t>& shape, const std::vector<hsize_t>& chunk,
                      int level, const Where& check) {
  const std::size_t row_bytes = count * element_bytes / shape.front(), rows = shape.front();
  std::vector<unsigned char> buffer(chunk.front() * row_bytes);
  ChunkCodec& codec = ChunkCodec::of_thread(level);
  std::vector<hsize_t> start(shape.size(), 0);
  for (std::size_t first = 0; first < rows; first += chunk.front()) {
    const std::size_t n = std::min<std::size_t>(chunk.front(), rows - first);
    std::copy_n(data + first * row_bytes, n * row_bytes, buffer.begin());
    std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(n * row_bytes), buffer.end(), 0);
    const auto stored = codec.compress(buffer.data(), buffer.size(), shuffle_bytes);
    start.front() = first;
    check(H5Dwrite_chunk(dataset, H5P_DEFAULT, 0, start.data(), stored.size(), stored.data()), "write chunk");
  }
}

/// Shared body of every File::write overload: the whole array at once, in
/// chunks of rows; compressed ones by write_row_chunks when the array's bytes
/// are those of the file (little-endian numbers, fixed-length strings).
void write_dataset(File& file, const std::string& path, hid_t file_type, hid_t memory_type, const void* data,
                   std::size_t count, std::size_t element_bytes, const std::vector<hsize_t>& shape,
                   const DatasetOptions& options) {
  std::vector<hsize_t> chunk = shape;
  if (!shape.empty()) chunk.front() = chunk_rows(shape, element_bytes, options.chunk_rows);
  Handle dataset = create_dataset(file, path, file_type, count, element_bytes, shape, chunk, options);
  if (count == 0) return;
  const Where check = at_object(file.path(), path);
  if (options.gzip_level > 0 && check(H5Tequal(file_type, memory_type), "compare types") > 0) {
    const bool text = H5Tget_class(file_type) == H5T_STRING;
    write_row_chunks(dataset.id(), static_cast<const unsigned char*>(data), count, element_bytes,
                     text ? 1 : element_bytes, shape, chunk, options.gzip_level, check);
    return;
  }
  check(H5Dwrite(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write dataset");
}

/// The chunks of a [step, entity, ...] dataset: every step of `per_chunk` entities each.
template <class T>
struct EntityChunks {
  const EntityColumns<T>& columns;
  std::size_t steps = 0, entities = 0, per_entity = 1, per_chunk = 1;  // per_entity: values of one entity in one step

  EntityChunks(const EntityColumns<T>& columns_of, const std::vector<hsize_t>& shape, hsize_t entities_per_chunk)
      : columns(columns_of), steps(shape[0]), entities(shape[1]), per_chunk(entities_per_chunk) {
    for (std::size_t i = 2; i < shape.size(); ++i) per_entity *= shape[i];
  }
  std::size_t count() const { return (entities + per_chunk - 1) / per_chunk; }
  std::size_t values() const { return steps * per_chunk * per_entity; }

  /// Chunk `c` into `chunk` (values() long); the last chunk is stored at
  /// full size, its missing entities zero. `block` is scratch.
  void gather(std::size_t c, std::vector<T>& block, std::vector<T>& chunk) const {
    const std::size_t first = c * per_chunk, n = std::min(per_chunk, entities - first);
    if (n == per_chunk) {
      columns(first, n, chunk.data());
      return;
    }
    block.resize(steps * n * per_entity);
    columns(first, n, block.data());
    std::fill(chunk.begin(), chunk.end(), T{});
    for (std::size_t s = 0; s < steps; ++s) {
      std::copy_n(block.begin() + static_cast<std::ptrdiff_t>(s * n * per_entity), n * per_entity,
                  chunk.begin() + static_cast<std::ptrdiff_t>(s * per_chunk * per_entity));
    }
  }
};

/// Every chunk gathered, shuffled and compressed at `level`, on every core:
/// chunks are independent, so the bytes are the same whatever the number of threads.
template <class T>
std::vector<std::vector<unsigned char>> compress_chunks(const EntityChunks<T>& chunks, int level) {
  std::vector<std::vector<unsigned char>> compressed(chunks.count());
  // On the worker pool (every core): each worker takes chunks until none is left.
  run_tasks(compressed.size(), 0, [&](std::size_t c, int) {
    thread_local std::vector<T> block, chunk;
    chunk.assign(chunks.values(), T{});  // zero padding past the last entity: the same bytes on any thread
    chunks.gather(c, block, chunk);
    compressed[c] = ChunkCodec::of_thread(level).compress(chunk.data(), chunk.size() * sizeof(T), sizeof(T));
  });
  return compressed;
}

/// Shared body of the File::write_by_entity overloads: always chunked (an
/// uncompressed dataset too, so that it is written in whole chunks, not one
/// short run per step) and every chunk stored as it is (H5Dwrite_chunk):
/// compressed by compress_chunks, or else gathered one at a time.
template <class T>
void write_entity_chunks(File& file, const std::string& path, hid_t file_type, const EntityColumns<T>& columns,
                         const std::vector<hsize_t>& shape, const DatasetOptions& options) {
  if (shape.size() < 2) throw std::invalid_argument("HDF5 dataset '" + path + "': needs [step, entity, ...]");
  hsize_t count = 1;
  for (hsize_t d : shape) count *= d;
  std::vector<hsize_t> chunk_shape = shape;
  chunk_shape[1] = chunk_entities(shape, sizeof(T));
  Handle dataset = create_dataset(file, path, file_type, count, sizeof(T), shape, chunk_shape, options, true);
  if (count == 0) return;
  const Where check = at_object(file.path(), path);
  const EntityChunks<T> chunks(columns, shape, chunk_shape[1]);
  std::vector<hsize_t> start(shape.size(), 0);
  auto store = [&](std::size_t c, const void* bytes, std::size_t size) {
    start[1] = c * chunks.per_chunk;
    check(H5Dwrite_chunk(dataset.id(), H5P_DEFAULT, 0, start.data(), size, bytes), "write chunk");
  };
  if (options.gzip_level > 0) {
    const auto compressed = compress_chunks(chunks, options.gzip_level);
    for (std::size_t c = 0; c < compressed.size(); ++c) store(c, compressed[c].data(), compressed[c].size());
    return;
  }
  std::vector<T> block, chunk(chunks.values());
  for (std::size_t c = 0; c < chunks.count(); ++c) {
    chunks.gather(c, block, chunk);
    store(c, chunk.data(), chunk.size() * sizeof(T));
  }
}

template <class T>
struct StoredType;
template <>
struct StoredType<float> {
  static hid_t id() { return H5T_IEEE_F32LE; }
};
template <>
struct StoredType<std::int32_t> {
  static hid_t id() { return H5T_STD_I32LE; }
};

}  // namespace

template <class T>
void File::write_stored_chunks(const std::string& path, const std::vector<hsize_t>& shape,
                               const std::vector<hsize_t>& chunk, const std::vector<StoredChunk>& chunks,
                               const DatasetOptions& options) {
  if (options.gzip_level <= 0 || chunk.size() != shape.size()) {
    throw std::invalid_argument("HDF5 dataset '" + path + "': stored chunks need compression and a chunk shape");
  }
  hsize_t count = 1;
  for (hsize_t d : shape) count *= d;
  Handle dataset = create_dataset(*this, path, StoredType<T>::id(), count, sizeof(T), shape, chunk, options, true);
  const Where check = at_object(path_, path);
  for (const StoredChunk& c : chunks) {
    check(H5Dwrite_chunk(dataset.id(), H5P_DEFAULT, 0, c.start.data(), c.size, c.bytes), "write chunk");
  }
}

template void File::write_stored_chunks<float>(const std::string&, const std::vector<hsize_t>&,
                                               const std::vector<hsize_t>&, const std::vector<StoredChunk>&,
                                               const DatasetOptions&);
template void File::write_stored_chunks<std::int32_t>(const std::string&, const std::vector<hsize_t>&,
                                                      const std::vector<hsize_t>&, const std::vector<StoredChunk>&,
                                                      const DatasetOptions&);

// --- Handle -------------------------------------------------------------------

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    Handle old(id_);  // closes the current identifier on scope exit
    id_ = other.release();
  }
  return *this;
}

Handle::~Handle() {
  // Errors are ignored: a destructor cannot report them, and File::close()
  // exists for callers who need to know.
  if (id_ < 0 || H5Iis_valid(id_) <= 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
}

// --- File: opening and structure -----------------------------------------------

File File::create(const std::string& path) {
  silence_hdf5_errors();
  const Where check{path, ""};
  // The file creation plist is also the root group's creation plist.
  Handle fcpl(check(H5Pcreate(H5P_FILE_CREATE), "create file property list"));
  check(H5Pset_obj_track_times(fcpl.id(), false), "disable root group time tracking");
  File file;
  file.handle_ = Handle(check(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id(), H5P_DEFAULT), "create file"));
  file.path_ = path;
  return file;
}

File File::open_read(const std::string& path) {
  silence_hdf5_errors();
  const Where check{path, ""};
  File file;
  file.handle_ = Handle(check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open file for reading"));
  file.path_ = path;
  return file;
}

bool File::exists(const std::string& path) const {
  const Where check = at_object(path_, path);
  refuse_links_out(id(), path, check);
  const std::vector<std::string> parts = components(path);
  std::string current;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    current += "/" + parts[i];
    if (check(H5Lexists(id(), current.c_str(), H5P_DEFAULT), "look up link") == 0) return false;
    // Only groups hold links; asking HDF5 to look inside a dataset is an error.
    if (i + 1 < parts.size() && !is_group(id(), current, check)) return false;
  }
  return true;
}

void File::ensure_group(const std::string& path) {
  const Where check = at_object(path_, path);
  Handle gcpl = group_plist(check);
  std::string current;
  for (const std::string& part : components(path)) {
    current += "/" + part;
    if (check(H5Lexists(id(), current.c_str(), H5P_DEFAULT), "look up link") > 0) {
      if (!is_group(id(), current, check)) check.fail("'" + current + "' exists and is not a group");
      continue;
    }
    Handle group(
        check(H5Gcreate2(id(), current.c_str(), H5P_DEFAULT, gcpl.id(), H5P_DEFAULT), "create group"));
  }
}

namespace {
// An H5Literate / H5Aiterate callback adding each name to a std::vector<std::string>.
template <class Info>
herr_t collect_name(hid_t, const char* name, const Info*, void* names) {
  try {  // exceptions must not cross the C library
    static_cast<std::vector<std::string>*>(names)->emplace_back(name);
    return 0;
  } catch (...) {
    return -1;
  }
}
}  // namespace

std::vector<std::string> File::list(const std::string& group_path) const {
  const Where check = at_object(path_, group_path);
  refuse_links_out(id(), group_path, check);
  Handle group(check(H5Gopen2(id(), group_path.c_str(), H5P_DEFAULT), "open group"));
  std::vector<std::string> names;
  check(H5Literate(
            group.id(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
            collect_name<H5L_info_t>, &names),
        "list group");
  std::sort(names.begin(), names.end());
  return names;
}

// --- File: writing -------------------------------------------------------------

void File::write(const std::string& path, const std::vector<double>& data, const std::vector<hsize_t>& shape,
                 const DatasetOptions& options) {
  write_dataset(*this, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data.data(), data.size(), sizeof(double), shape,
                 options);
}

void File::write(const std::string& path, const std::vector<float>& data, const std::vector<hsize_t>& shape,
                 const DatasetOptions& options) {
  write_dataset(*this, path, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data.data(), data.size(), sizeof(float), shape,
                 options);
}

void File::write(const std::string& path, const std::vector<std::int64_t>& data, const std::vector<hsize_t>& shape,
                 const DatasetOptions& options) {
  write_dataset(*this, path, H5T_STD_I64LE, H5T_NATIVE_INT64, data.data(), data.size(), sizeof(std::int64_t), shape,
                 options);
}

void File::write(const std::string& path, const std::vector<std::int32_t>& data, const std::vector<hsize_t>& shape,
                 const DatasetOptions& options) {
  write_dataset(*this, path, H5T_STD_I32LE, H5T_NATIVE_INT32, data.data(), data.size(), sizeof(std::int32_t), shape,
                 options);
}

void File::write(const std::string& path, const std::vector<std::string>& data, const std::vector<hsize_t>& shape,
                 const DatasetOptions& options) {
  std::size_t width = 1;  // HDF5 has no zero-width strings
  for (const std::string& s : data) width = std::max(width, s.size());
  // Zero-filled, so each string is null-padded to the common width.
  std::vector<char> buffer(data.size() * width, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) std::memcpy(buffer.data() + i * width, data[i].data(), data[i].size());
  Handle type = fixed_string_type(width, H5T_CSET_UTF8, at_object(path_, path));
  write_dataset(*this, path, type.id(), type.id(), buffer.data(), data.size(), width, shape, options);
}

void File::write_by_entity(const std::string& path, const EntityColumns<float>& columns,
                           const std::vector<hsize_t>& shape, const DatasetOptions& options) {
  write_entity_chunks(*this, path, H5T_IEEE_F32LE, columns, shape, options);
}

void File::write_by_entity(const std::string& path, const EntityColumns<std::int32_t>& columns,
                           const std::vector<hsize_t>& shape, const DatasetOptions& options) {
  write_entity_chunks(*this, path, H5T_STD_I32LE, columns, shape, options);
}

void File::set_attribute(const std::string& object_path, const std::string& name, const std::string& value) {
  const Where check = at_attribute(path_, object_path, name);
  Handle object(check(H5Oopen(id(), object_path.c_str(), H5P_DEFAULT), "open object"));
  write_string_attribute(object.id(), name, value, check);
}

void File::set_attribute(const std::string& object_path, const std::string& name, std::int64_t value) {
  const Where check = at_attribute(path_, object_path, name);
  Handle object(check(H5Oopen(id(), object_path.c_str(), H5P_DEFAULT), "open object"));
  write_attribute(object.id(), name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, check);
}

void File::set_attribute(const std::string& object_path, const std::string& name, double value) {
  const Where check = at_attribute(path_, object_path, name);
  Handle object(check(H5Oopen(id(), object_path.c_str(), H5P_DEFAULT), "open object"));
  write_attribute(object.id(), name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, check);
}

// --- File: reading -------------------------------------------------------------

std::vector<double> File::read_doubles(const std::string& path, std::vector<hsize_t>* shape) const {
  return read_numeric_dataset<double>(id(), path_, path, H5T_NATIVE_DOUBLE, true, shape);
}

std::vector<std::int64_t> File::read_ints(const std::string& path, std::vector<hsize_t>* shape) const {
  return read_numeric_dataset<std::int64_t>(id(), path_, path, H5T_NATIVE_INT64, false, shape);
}

std::vector<std::string> File::read_strings(const std::string& path, std::vector<hsize_t>* shape) const {
  const Where check = at_object(path_, path);
  std::size_t count = 0;
  Handle dataset = open_dataset(id(), path, count, shape, check);
  Handle type(check(H5Dget_type(dataset.id()), "get dataset type"));
  if (H5Tget_class(type.id()) != H5T_STRING) check.fail("is not a string dataset");
  if (check(H5Tis_variable_str(type.id()), "inspect string type") > 0) {
    check.fail("holds variable-length strings; only fixed-length strings are supported");
  }
  const std::size_t width = H5Tget_size(type.id());
  const H5T_str_t pad = H5Tget_strpad(type.id());
  std::vector<char> buffer(count * width);
  if (count > 0) {
    // The file type doubles as memory type: fixed-length strings need no conversion.
    check(H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()), "read dataset");
  }
  std::vector<std::string> values;
  values.reserve(count);
  for (std::size_t i = 0; i < count; ++i) values.push_back(unpad(buffer.data() + i * width, width, pad));
  return values;
}

std::string File::string_attribute(const std::string& object_path, const std::string& name) const {
  const Where check = at_attribute(path_, object_path, name);
  refuse_links_out(id(), object_path, check);
  Handle attribute(
      check(H5Aopen_by_name(id(), object_path.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), "open attribute"));
  Handle type(check(H5Aget_type(attribute.id()), "get attribute type"));
  if (H5Tget_class(type.id()) != H5T_STRING) check.fail("is not a string");
  Handle space(check(H5Aget_space(attribute.id()), "get attribute dataspace"));
  if (check(H5Sget_simple_extent_npoints(space.id()), "count attribute values") != 1) check.fail("is not a single string");

  if (check(H5Tis_variable_str(type.id()), "inspect string type") > 0) {
    Handle memory_type = variable_string_type(H5Tget_cset(type.id()), check);
    char* text = nullptr;
    check(H5Aread(attribute.id(), memory_type.id(), &text), "read attribute");
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);  // allocated by the HDF5 library, so freed by it too
    return value;
  }
  const std::size_t width = H5Tget_size(type.id());
  std::vector<char> buffer(width);
  check(H5Aread(attribute.id(), type.id(), buffer.data()), "read attribute");
  return unpad(buffer.data(), width, H5Tget_strpad(type.id()));
}

std::int64_t File::int_attribute(const std::string& object_path, const std::string& name) const {
  return read_numeric_attribute<std::int64_t>(id(), object_path, name, H5T_NATIVE_INT64, false,
                                              at_attribute(path_, object_path, name));
}

double File::double_attribute(const std::string& object_path, const std::string& name) const {
  return read_numeric_attribute<double>(id(), object_path, name, H5T_NATIVE_DOUBLE, true,
                                        at_attribute(path_, object_path, name));
}

bool File::has_attribute(const std::string& object_path, const std::string& name) const {
  if (!exists(object_path)) return false;
  const Where check = at_attribute(path_, object_path, name);
  return check(H5Aexists_by_name(id(), object_path.c_str(), name.c_str(), H5P_DEFAULT), "look up attribute") > 0;
}

std::vector<std::string> File::attribute_names(const std::string& object_path) const {
  const Where check = at_object(path_, object_path);
  refuse_links_out(id(), object_path, check);
  std::vector<std::string> names;
  check(H5Aiterate_by_name(
            id(), object_path.c_str(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
            collect_name<H5A_info_t>, &names, H5P_DEFAULT),
        "list attributes");
  std::sort(names.begin(), names.end());
  return names;
}

void File::flush() { Where{path_, ""}(H5Fflush(id(), H5F_SCOPE_GLOBAL), "flush file"); }

void File::close() {
  if (!handle_.valid()) return;
  Where{path_, ""}(H5Fclose(handle_.release()), "close file");
}

}  // namespace pcnsim::h5
