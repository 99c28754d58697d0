// Tests of the HDF5 layer (pcnsim::h5).
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "pcnsim/io/h5.hpp"
#include "pcnsim/io/weekly_output.hpp"
#include "pcnsim/kernel/chunk_codec.hpp"
#include "pcnsim/kernel/errors.hpp"
#include "temp_dir_helpers.hpp"

using pcnsim::h5::File;
using pcnsim::h5::Handle;
using Options = pcnsim::h5::DatasetOptions;
using pcnsim::testing::read_bytes;
using pcnsim::testing::TempDir;

namespace {

/// The dataset creation plist of a dataset, as stored in the file.
Handle creation_plist(const File& file, const std::string& path) {
  Handle dataset(H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT));
  REQUIRE(dataset.valid());
  Handle dcpl(H5Dget_create_plist(dataset.id()));
  REQUIRE(dcpl.valid());
  return dcpl;
}

bool stored_type_is(const File& file, const std::string& path, hid_t expected) {
  Handle dataset(H5Dopen2(file.id(), path.c_str(), H5P_DEFAULT));
  Handle type(H5Dget_type(dataset.id()));
  return H5Tequal(type.id(), expected) > 0;
}

/// Some of everything, so byte-for-byte comparisons cover every writer.
void write_sample(const std::string& path) {
  File file = File::create(path);
  std::vector<double> values(5000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.5 * static_cast<double>(i);
  file.write("/series/deep/values", values, {1000, 5}, {"patients", "test values", 4, 0});
  file.write("/ids", std::vector<std::int64_t>{1, 2, 3});
  file.write("/small", std::vector<std::int32_t>{7, 8});
  file.write("/names", std::vector<std::string>{"alpha", "be"});
  file.write("/empty", std::vector<double>{});
  file.write_by_entity(
      "/weekly", pcnsim::h5::EntityColumns<float>([](std::size_t first, std::size_t count, float* out) {
        for (std::size_t k = 0; k < 3 * count; ++k) out[k] = static_cast<float>(first + k);
      }),
      {3, 50}, {"", "", 1, 0});
  file.set_attribute("/", "scenario", std::string("seed: 1\nname: x\n"));
  file.set_attribute("/", "seed", std::int64_t{42});
  file.set_attribute("/series", "scale", 1.5);
  file.close();
}

}  // namespace

TEST_CASE("h5: doubles round-trip in 1-D and 2-D", "[h5]") {
  TempDir dir;
  const std::string path = dir.file("d.h5");
  const std::vector<double> flat{1.5, -2.25, 0.0, 1e300, -1e-300};
  const std::vector<double> grid{1, 2, 3, 4, 5, 6};
  {
    File file = File::create(path);
    file.write("/flat", flat);
    file.write("/a/b/grid", grid, {2, 3});
    file.close();
  }
  File file = File::open_read(path);
  std::vector<hsize_t> shape;
  CHECK(file.read_doubles("/flat", &shape) == flat);
  CHECK(shape == std::vector<hsize_t>{5});
  CHECK(file.read_doubles("/a/b/grid", &shape) == grid);
  CHECK(shape == std::vector<hsize_t>{2, 3});
  CHECK(stored_type_is(file, "/flat", H5T_IEEE_F64LE));
  CHECK(file.read_doubles("/flat") == flat);  // shape is optional
}

TEST_CASE("h5: int64 and int32 round-trip through read_ints", "[h5]") {
  TempDir dir;
  const std::string path = dir.file("i.h5");
  const std::vector<std::int64_t> wide{std::numeric_limits<std::int64_t>::min(), -1, 0,
                                       std::numeric_limits<std::int64_t>::max()};
  const std::vector<std::int32_t> narrow{1, -2, 3, std::numeric_limits<std::int32_t>::max(), 5, 6};
  {
    File file = File::create(path);
    file.write("/wide", wide);
    file.write("/g/narrow", narrow, {3, 2});
    file.close();
  }
  File file = File::open_read(path);
  std::vector<hsize_t> shape;
  CHECK(file.read_ints("/wide", &shape) == wide);
  CHECK(shape == std::vector<hsize_t>{4});
  CHECK(file.read_ints("/g/narrow", &shape) == std::vector<std::int64_t>{1, -2, 3, 2147483647, 5, 6});
  CHECK(shape == std::vector<hsize_t>{3, 2});
  CHECK(stored_type_is(file, "/wide", H5T_STD_I64LE));
  CHECK(stored_type_is(file, "/g/narrow", H5T_STD_I32LE));
  // Integers read as doubles, but doubles are not silently truncated to integers.
  CHECK(file.read_doubles("/g/narrow").front() == 1.0);
  File writer = File::create(dir.file("f.h5"));
  writer.write("/x", std::vector<double>{1.5});
  CHECK_THROWS_AS(writer.read_ints("/x"), std::runtime_error);
}

TEST_CASE("h5: strings are fixed-length, null-padded and round-trip", "[h5]") {
  TempDir dir;
  const std::string path = dir.file("s.h5");
  const std::vector<std::string> words{"E82000001", "", "a b", "longest-one"};
  {
    File file = File::create(path);
    file.write("/words", words);
    file.write("/table", std::vector<std::string>{"a", "bb", "ccc", "d", "", "f"}, {2, 3});
    file.write("/blank", std::vector<std::string>{"", ""});
    file.close();
  }
  File file = File::open_read(path);
  std::vector<hsize_t> shape;
  CHECK(file.read_strings("/words", &shape) == words);
  CHECK(shape == std::vector<hsize_t>{4});
  CHECK(file.read_strings("/table", &shape) == std::vector<std::string>{"a", "bb", "ccc", "d", "", "f"});
  CHECK(shape == std::vector<hsize_t>{2, 3});
  CHECK(file.read_strings("/blank") == std::vector<std::string>{"", ""});

  Handle dataset(H5Dopen2(file.id(), "/words", H5P_DEFAULT));
  Handle type(H5Dget_type(dataset.id()));
  CHECK(H5Tget_class(type.id()) == H5T_STRING);
  CHECK(H5Tis_variable_str(type.id()) == 0);
  CHECK(H5Tget_size(type.id()) == 11);  // "longest-one"
  CHECK(H5Tget_strpad(type.id()) == H5T_STR_NULLPAD);
  CHECK(H5Tget_cset(type.id()) == H5T_CSET_UTF8);  // text may hold UTF-8 ("£" in a description)
  Handle blank(H5Dopen2(file.id(), "/blank", H5P_DEFAULT));
  Handle blank_type(H5Dget_type(blank.id()));
  CHECK(H5Tget_size(blank_type.id()) == 1);
}

TEST_CASE("h5: data must fill the shape exactly", "[h5]") {
  TempDir dir;
  File file = File::create(dir.file("x.h5"));
  CHECK_THROWS_AS(file.write("/x", std::vector<double>{1, 2, 3}, {2, 2}), std::invalid_argument);
  CHECK_THROWS_AS(file.write("/y", std::vector<std::int64_t>{1, 2}, {3}), std::invalid_argument);
  CHECK_THROWS_AS(file.write("/z", std::vector<std::string>{"a"}, {2}), std::invalid_argument);
  CHECK_FALSE(file.exists("/x"));
}

TEST_CASE("h5: attributes of every type, replaced by name", "[h5]") {
  TempDir dir;
  const std::string path = dir.file("a.h5");
  std::string yaml;
  for (int i = 0; i < 5000; ++i) yaml += "key_" + std::to_string(i) + ": value with spaces and ünïcode\n";
  REQUIRE(yaml.size() > 65536);  // beyond what fits in an object header
  {
    File file = File::create(path);
    file.write("/data/values", std::vector<double>{1, 2}, Options{"GBP", "money spent", 4, 0});
    file.set_attribute("/", "scenario_yaml", yaml);
    file.set_attribute("/", "seed", std::int64_t{-1234567890123});
    file.set_attribute("/data", "rate", 0.125);
    file.set_attribute("/data/values", "note", std::string("first"));
    file.set_attribute("/data/values", "note", std::string("second"));  // replaces
    file.set_attribute("/data", "rate", 2.5);                          // replaces
    // A fixed-length attribute, as other tools write them.
    Handle type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.id(), 8);
    H5Tset_strpad(type.id(), H5T_STR_NULLPAD);
    Handle space(H5Screate(H5S_SCALAR));
    Handle attribute(H5Acreate2(file.id(), "fixed", type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT));
    const char text[8] = {'a', 'b', 'c', 0, 0, 0, 0, 0};
    REQUIRE(H5Awrite(attribute.id(), type.id(), text) >= 0);
    file.close();
  }
  File file = File::open_read(path);
  CHECK(file.string_attribute("/", "scenario_yaml") == yaml);
  CHECK(file.int_attribute("/", "seed") == -1234567890123);
  CHECK(file.double_attribute("/data", "rate") == 2.5);
  CHECK(file.string_attribute("/data/values", "note") == "second");
  CHECK(file.string_attribute("/data/values", "units") == "GBP");
  CHECK(file.string_attribute("/data/values", "description") == "money spent");
  CHECK(file.string_attribute("/", "fixed") == "abc");
  CHECK(file.double_attribute("/", "seed") == -1234567890123.0);  // integers widen to double
  CHECK(file.has_attribute("/", "seed"));
  CHECK_FALSE(file.has_attribute("/", "missing"));
  CHECK_FALSE(file.has_attribute("/nowhere/at/all", "seed"));
  CHECK_THROWS_AS(file.int_attribute("/data", "rate"), std::runtime_error);  // no silent truncation
  CHECK_THROWS_AS(file.string_attribute("/", "seed"), std::runtime_error);
  CHECK_THROWS_AS(file.string_attribute("/", "missing"), std::runtime_error);

  // No units/description attributes when they are empty.
  File other = File::create(dir.file("b.h5"));
  other.write("/plain", std::vector<double>{1});
  CHECK_FALSE(other.has_attribute("/plain", "units"));
  CHECK_FALSE(other.has_attribute("/plain", "description"));
}

TEST_CASE("h5: exists walks every path component and list is sorted", "[h5]") {
  TempDir dir;
  File file = File::create(dir.file("e.h5"));
  file.write("/a/b/c", std::vector<double>{1});
  file.write("/a/zeta", std::vector<double>{1});
  file.write("/a/alpha", std::vector<double>{1});
  file.ensure_group("/a/m/n");
  file.ensure_group("/a/m/n");  // idempotent
  CHECK(file.exists("/"));
  CHECK(file.exists("/a"));
  CHECK(file.exists("/a/b/c"));
  CHECK(file.exists("/a/m/n"));
  CHECK_FALSE(file.exists("/b"));
  CHECK_FALSE(file.exists("/missing/intermediate/groups"));
  CHECK_FALSE(file.exists("/a/b/c/inside_a_dataset"));
  CHECK(file.list("/") == std::vector<std::string>{"a"});
  CHECK(file.list("/a") == std::vector<std::string>{"alpha", "b", "m", "zeta"});
  CHECK(file.list("/a/m/n").empty());
  CHECK_THROWS_AS(file.list("/nope"), std::runtime_error);
  CHECK_THROWS_AS(file.ensure_group("/a/b/c/d"), std::runtime_error);  // c is a dataset
}

TEST_CASE("h5: empty datasets are written contiguously", "[h5]") {
  TempDir dir;
  const std::string path = dir.file("z.h5");
  {
    File file = File::create(path);
    file.write("/none", std::vector<double>{});
    file.write("/grid", std::vector<std::int64_t>{}, {0, 3});
    file.write("/words", std::vector<std::string>{});
    file.close();
  }
  File file = File::open_read(path);
  std::vector<hsize_t> shape;
  CHECK(file.read_doubles("/none", &shape).empty());
  CHECK(shape == std::vector<hsize_t>{0});
  CHECK(file.read_ints("/grid", &shape).empty());
  CHECK(shape == std::vector<hsize_t>{0, 3});
  CHECK(file.read_strings("/words", &shape).empty());
  CHECK(shape == std::vector<hsize_t>{0});
  Handle dcpl = creation_plist(file, "/none");
  CHECK(H5Pget_layout(dcpl.id()) == H5D_CONTIGUOUS);
}

TEST_CASE("h5: gzip with explicit chunks", "[h5]") {
  TempDir dir;
  File file = File::create(dir.file("g.h5"));
  file.write("/big", std::vector<double>(10000 * 4, 1.0), {10000, 4});  // 32-byte rows
  file.write("/set", std::vector<double>(10000 * 4, 1.0), {10000, 4}, {"", "", 6, 100});
  file.write("/tiny", std::vector<std::int32_t>{1, 2, 3});
  file.write("/raw", std::vector<double>{1, 2, 3}, Options{"", "", 0, 0});
  file.write("/text", std::vector<std::string>{"ab", "cd"});
  {
    Handle dcpl = creation_plist(file, "/text");  // strings: gzip only, no shuffle
    REQUIRE(H5Pget_nfilters(dcpl.id()) == 1);
    unsigned flags = 0, level = 0;
    std::size_t count = 1;
    CHECK(H5Pget_filter2(dcpl.id(), 0, &flags, &count, &level, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE);
  }

  {
    Handle dcpl = creation_plist(file, "/big");
    REQUIRE(H5Pget_layout(dcpl.id()) == H5D_CHUNKED);
    hsize_t chunk[2] = {0, 0};
    REQUIRE(H5Pget_chunk(dcpl.id(), 2, chunk) == 2);
    CHECK(chunk[0] == 65536 / 32);
    CHECK(chunk[1] == 4);
    REQUIRE(H5Pget_nfilters(dcpl.id()) == 2);  // byte shuffle, then gzip
    unsigned flags = 0;
    std::size_t count = 1;
    unsigned level = 0;
    CHECK(H5Pget_filter2(dcpl.id(), 0, &flags, &count, &level, 0, nullptr, nullptr) == H5Z_FILTER_SHUFFLE);
    count = 1;
    CHECK(H5Pget_filter2(dcpl.id(), 1, &flags, &count, &level, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE);
    CHECK(level == 4);  // the default
  }
  {
    Handle dcpl = creation_plist(file, "/set");
    hsize_t chunk[2] = {0, 0};
    REQUIRE(H5Pget_chunk(dcpl.id(), 2, chunk) == 2);
    CHECK(chunk[0] == 100);
    unsigned flags = 0;
    std::size_t count = 1;
    unsigned level = 0;
    CHECK(H5Pget_filter2(dcpl.id(), 1, &flags, &count, &level, 0, nullptr, nullptr) == H5Z_FILTER_DEFLATE);
    CHECK(level == 6);
  }
  {
    Handle dcpl = creation_plist(file, "/tiny");  // a chunk never exceeds the dataset
    hsize_t chunk[1] = {0};
    REQUIRE(H5Pget_chunk(dcpl.id(), 1, chunk) == 1);
    CHECK(chunk[0] == 3);
  }
  {
    Handle dcpl = creation_plist(file, "/raw");
    CHECK(H5Pget_layout(dcpl.id()) == H5D_CONTIGUOUS);
    CHECK(H5Pget_nfilters(dcpl.id()) == 0);
  }
  CHECK(file.read_doubles("/big") == std::vector<double>(10000 * 4, 1.0));
  CHECK_THROWS_AS(file.write("/bad", std::vector<double>{1}, Options{"", "", 10, 0}), std::invalid_argument);
}

TEST_CASE("h5: weekly arrays are chunked along time per entity and round-trip", "[h5]") {
  TempDir dir;
  const hsize_t steps = 7, entities = 2000, roles = 3;
  // Entity e of step s, role r; gathered block by block as the writer asks.
  auto value = [](std::size_t s, std::size_t e, std::size_t r) { return static_cast<float>(s * 0.25 + e * 3 + r); };
  const pcnsim::h5::EntityColumns<float> roles_of = [&](std::size_t first, std::size_t count, float* out) {
    for (std::size_t s = 0; s < steps; ++s) {
      for (std::size_t e = first; e < first + count; ++e) {
        for (std::size_t r = 0; r < roles; ++r) *out++ = value(s, e, r);
      }
    }
  };
  const pcnsim::h5::EntityColumns<std::int32_t> ids = [&](std::size_t first, std::size_t count, std::int32_t* out) {
    for (std::size_t s = 0; s < steps; ++s) {
      for (std::size_t e = first; e < first + count; ++e) *out++ = static_cast<std::int32_t>(s * 10000 + e);
    }
  };
  std::vector<double> expected;
  std::vector<std::int64_t> expected_ids;
  for (std::size_t s = 0; s < steps; ++s) {
    for (std::size_t e = 0; e < entities; ++e) {
      for (std::size_t r = 0; r < roles; ++r) expected.push_back(value(s, e, r));
      expected_ids.push_back(static_cast<std::int64_t>(s * 10000 + e));
    }
  }
  File file = File::create(dir.file("w.h5"));
  file.write_by_entity("/weekly/gzip", roles_of, {steps, entities, roles}, {"WTE", "test", 1, 0});
  file.write_by_entity("/weekly/raw", roles_of, {steps, entities, roles}, {"", "", 0, 0});
  file.write_by_entity("/weekly/ids", ids, {steps, entities}, {"", "", 4, 0});
  file.write_by_entity("/weekly/none", ids, {steps, 0});
  std::vector<hsize_t> shape;
  CHECK(file.read_doubles("/weekly/gzip", &shape) == expected);  // through the library's own filters
  CHECK(shape == std::vector<hsize_t>{steps, entities, roles});
  CHECK(file.read_doubles("/weekly/raw") == expected);
  CHECK(file.read_ints("/weekly/ids", &shape) == expected_ids);
  CHECK(shape == std::vector<hsize_t>{steps, entities});
  CHECK(file.read_ints("/weekly/none", &shape).empty());
  CHECK(stored_type_is(file, "/weekly/gzip", H5T_IEEE_F32LE));
  CHECK(stored_type_is(file, "/weekly/ids", H5T_STD_I32LE));
  CHECK(file.string_attribute("/weekly/gzip", "units") == "WTE");
  {
    Handle dcpl = creation_plist(file, "/weekly/gzip");
    hsize_t chunk[3] = {0, 0, 0};
    REQUIRE(H5Pget_chunk(dcpl.id(), 3, chunk) == 3);
    CHECK(chunk[0] == steps);  // every step of a block of entities
    CHECK(chunk[1] == 65536 / (steps * roles * sizeof(float)));
    CHECK(entities % chunk[1] != 0);  // the last chunk is partial
    CHECK(chunk[2] == roles);
    REQUIRE(H5Pget_nfilters(dcpl.id()) == 2);
  }
  {
    Handle dcpl = creation_plist(file, "/weekly/raw");  // uncompressed: still whole chunks, no filters
    CHECK(H5Pget_layout(dcpl.id()) == H5D_CHUNKED);
    CHECK(H5Pget_nfilters(dcpl.id()) == 0);
  }
  CHECK_THROWS_AS(file.write_by_entity("/weekly/flat", ids, {steps}), std::invalid_argument);
}

TEST_CASE("h5: identical content gives identical bytes", "[h5]") {
  TempDir dir;
  write_sample(dir.file("one.h5"));
  // Object modification times have one-second resolution: wait past a tick
  // so that a stored time would differ.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  write_sample(dir.file("two.h5"));
  const std::string one = read_bytes(dir.file("one.h5"));
  const std::string two = read_bytes(dir.file("two.h5"));
  REQUIRE(!one.empty());
  CHECK(one.size() == two.size());
  CHECK(one == two);
}

TEST_CASE("h5: errors name the file and the object", "[h5]") {
  TempDir dir;
  const std::string missing = dir.file("missing.h5");
  try {
    File::open_read(missing);
    FAIL("open_read of a missing file did not throw");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains(missing));
  }
  const std::string path = dir.file("e.h5");
  File file = File::create(path);
  file.write("/x", std::vector<double>{1});
  try {
    file.read_doubles("/no/such/dataset");
    FAIL("reading a missing dataset did not throw");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains(path) && Catch::Contains("/no/such/dataset"));
  }
  CHECK_THROWS_AS(file.write("/x", std::vector<double>{2}), std::runtime_error);  // already exists
  CHECK_THROWS_AS(file.set_attribute("/nowhere", "a", 1.0), std::runtime_error);
  CHECK_THROWS_AS(file.exists("relative/path"), std::invalid_argument);
  file.close();
  file.close();  // closing twice is harmless
  CHECK_THROWS_AS(file.read_doubles("/x"), std::runtime_error);
}
namespace {

/// A run of 80 weeks recorded into `store` (width 3): nothing before week 5,
/// then 100 entities, 150 from week 30 (inside a block of weeks), 400 from
/// week 54 (the start of one).
template <class T>
void record_weeks(pcnsim::WeeklyStore<T>& store) {
  store.steps = 80;
  std::mt19937 random(7);
  std::uniform_int_distribution<int> draw(-50, 5000);
  for (int step = 5; step < 80; ++step) {
    store.entities = step < 30 ? 100 : step < 54 ? 150 : 400;
    T* row = store.week_row(step);
    for (std::size_t i = 0; i < store.entities * store.width; ++i) {
      row[i] = static_cast<T>(i % 7 == 0 ? 0 : draw(random)) / T{4};  // some zeros, some repeats
    }
  }
}

}  // namespace

TEST_CASE("weekly store: compressed as recorded reads back as recorded, entities added mid-run", "[h5][weekly]") {
  pcnsim::WeeklyStore<float> raw(3), packed(3);
  packed.compression = 1;
  record_weeks(raw);
  record_weeks(packed);
  REQUIRE(raw.packed() == nullptr);
  const pcnsim::PackedWeeks<float>* chunks = packed.packed();
  REQUIRE(chunks != nullptr);
  CHECK(chunks->weeks == 14);
  CHECK(chunks->entities == 16384 / (14 * 3 * sizeof(float)));
  REQUIRE(chunks->chunks.size() == 6);  // blocks of weeks 0-13, 14-27, ... 70-79
  CHECK(chunks->chunks[0].size() == 2);  // 100 entities in chunks of 97
  CHECK(chunks->chunks[2].size() == 2);  // weeks 28-41: 150 from week 30
  CHECK(chunks->chunks[3].size() == 5);  // weeks 42-55: 400 from week 54
  REQUIRE(packed.size() == raw.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < raw.size(); ++i) differ += raw[i] == packed[i] ? 0 : 1;
  CHECK(differ == 0);
  for (std::size_t s = 0; s < raw.steps; ++s) CHECK(packed.week(s).second == raw.week(s).second);
  std::vector<float> a(raw.steps * 70 * 3), b(a.size());
  raw.copy_entities(120, 70, a.data());
  packed.copy_entities(120, 70, b.data());
  CHECK(a == b);
  CHECK(packed[(40 * 400 + 200) * 3] == 0.0f);  // entity 200 did not exist in week 40
  CHECK_THROWS_AS(packed.week_row(70), std::logic_error);  // weeks in order, each once
}

TEST_CASE("weekly store: compressed chunks are written as they are and read back through HDF5's filters",
          "[h5][weekly]") {
  TempDir dir;
  pcnsim::WeeklyStore<float> raw(3), packed(3);
  pcnsim::WeeklyStore<std::int32_t> ids, packed_ids;
  packed.compression = packed_ids.compression = 1;
  for (auto* s : {&raw, &packed}) record_weeks(*s);
  for (auto* s : {&ids, &packed_ids}) record_weeks(*s);
  File file = File::create(dir.file("weekly.h5"));
  pcnsim::write_weekly(file, "/raw", raw, {"", "", 1, 0});
  pcnsim::write_weekly(file, "/packed", packed, {"", "", 1, 0});
  pcnsim::write_weekly(file, "/packed_level4", packed, {"", "", 4, 0});  // another level: decoded, chunked again
  pcnsim::write_weekly(file, "/ids", ids, {"", "", 1, 0});
  pcnsim::write_weekly(file, "/packed_ids", packed_ids, {"", "", 1, 0});
  std::vector<hsize_t> shape;
  const std::vector<double> expected = file.read_doubles("/raw");
  CHECK(file.read_doubles("/packed", &shape) == expected);
  CHECK(shape == std::vector<hsize_t>{80, 400, 3});
  CHECK(file.read_doubles("/packed_level4") == expected);
  CHECK(file.read_ints("/packed_ids") == file.read_ints("/ids"));
  Handle dcpl = creation_plist(file, "/packed");
  hsize_t chunk[3] = {0, 0, 0};
  REQUIRE(H5Pget_chunk(dcpl.id(), 3, chunk) == 3);
  CHECK(chunk[0] == 14);  // a block of weeks of a block of entities
  CHECK(chunk[1] == 97);
  CHECK(H5Pget_nfilters(dcpl.id()) == 2);  // shuffle, deflate
}

TEST_CASE("chunk codec: shuffled and deflated chunks decode to their values, damage is an error", "[h5]") {
  std::vector<float> values(5000);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 97) * 0.5f;
  for (int level : {1, 6, 12}) {
    pcnsim::ChunkCodec codec(level);
    const auto stored = codec.compress(values.data(), values.size() * sizeof(float), sizeof(float));
    CHECK(stored.size() < values.size() * sizeof(float) / 4);
    std::vector<float> back(values.size());
    codec.decompress(stored.data(), stored.size(), back.data(), back.size() * sizeof(float), sizeof(float));
    CHECK(back == values);
    auto damaged = stored;
    damaged[damaged.size() / 2] ^= 0x5a;
    CHECK_THROWS_AS(codec.decompress(damaged.data(), damaged.size(), back.data(), back.size() * sizeof(float),
                                     sizeof(float)),
                    std::runtime_error);
  }
  CHECK_THROWS_AS(pcnsim::ChunkCodec(0), std::invalid_argument);
}
