#include "dataset/npy.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_tree.hpp"

namespace powerfit::dataset {
namespace {

using powerfit::testing::fixture;

std::string error_of(const std::variant<FloatArray, NpyError>& result) {
  return std::holds_alternative<NpyError>(result) ? std::get<NpyError>(result).message : "";
}

// Files written by numpy 1.24 (tests/fixtures/npy): x = arange(12, float32).reshape(3, 1, 2, 2) / 4.
TEST(Npy, ReadsFloat32InputsInVersionsOneAndTwo) {
  for (const char* name : {"npy/inputs_f4.npy", "npy/inputs_v2.npy"}) {
    const auto result = read_npy_float32(fixture(name));
    ASSERT_TRUE(std::holds_alternative<FloatArray>(result)) << error_of(result);
    const auto& array = std::get<FloatArray>(result);
    EXPECT_EQ(array.shape, (std::vector<std::size_t>{3, 1, 2, 2}));
    ASSERT_EQ(array.values.size(), 12u);
    EXPECT_FLOAT_EQ(array.values[0], 0.0f);
    EXPECT_FLOAT_EQ(array.values[5], 1.25f);
    EXPECT_FLOAT_EQ(array.values[11], 2.75f);
  }
}

TEST(Npy, ReadsIntegerLabelsOfEveryWidth) {
  for (const char* name : {"npy/labels_i8.npy", "npy/labels_i4.npy", "npy/labels_u1.npy"}) {
    const auto result = read_npy_integers(fixture(name));
    ASSERT_TRUE((std::holds_alternative<std::vector<std::int64_t>>(result))) << name;
    EXPECT_EQ(std::get<std::vector<std::int64_t>>(result), (std::vector<std::int64_t>{2, 0, 1})) << name;
  }
}

TEST(Npy, UnsupportedFilesGetTheFix) {
  EXPECT_NE(error_of(read_npy_float32(fixture("npy/inputs_f8.npy"))).find("astype('<f4')"), std::string::npos);
  EXPECT_NE(error_of(read_npy_float32(fixture("npy/inputs_big_endian.npy"))).find("'>f4'"), std::string::npos);
  EXPECT_NE(error_of(read_npy_float32(fixture("npy/inputs_fortran.npy"))).find("ascontiguousarray"), std::string::npos);
  EXPECT_NE(error_of(read_npy_float32(fixture("npy/inputs_complex.npy"))).find("'<c8'"), std::string::npos);
  EXPECT_NE(error_of(read_npy_float32(fixture("npy/inputs_truncated.npy"))).find("truncated"), std::string::npos);
  EXPECT_NE(error_of(read_npy_float32(fixture("npy/not_npy.npy"))).find("not a .npy file"), std::string::npos);
  EXPECT_NE(error_of(read_npy_float32(fixture("npy/missing.npy"))).find("cannot read"), std::string::npos);
  const auto labels = read_npy_integers(fixture("npy/inputs_f4.npy"));
  ASSERT_TRUE(std::holds_alternative<NpyError>(labels));
  EXPECT_NE(std::get<NpyError>(labels).message.find("labels must be little-endian integers"), std::string::npos);
}

TEST(Npy, MalformedHeaderIsRefused) {
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  const std::string dict = "{'descr': '<f4', 'shape': (2,), }";
  bytes += static_cast<char>(dict.size());
  bytes += '\0';
  bytes += dict;
  const auto parsed = parse_npy_header(bytes, "x.npy");
  ASSERT_TRUE(std::holds_alternative<NpyError>(parsed));
  EXPECT_NE(std::get<NpyError>(parsed).message.find("malformed header"), std::string::npos);
  EXPECT_NE(std::get<NpyError>(parse_npy_header("\x93NUMPY\x07", "y.npy")).message.find("not a .npy"), std::string::npos);
}

// A version 1 header around `dict`.
std::string npy_with(const std::string& dict) {
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += static_cast<char>(dict.size());
  bytes += '\0';
  return bytes + dict;
}

TEST(Npy, DamagedHeaderTextIsRefusedNotGuessed) {
  // An unterminated shape `(360, 1, 8` was read as (360, 1); damaged descr and fortran_order
  // text was accepted.
  for (const std::string dict : {"{'descr': '<f4', 'fortran_order': False, 'shape': (360, 1, 8}",
                                 "{'descr': '<f4, 'fortran_order': False, 'shape': (360,), }",
                                 "{'descr': '<f4', 'fortran_order': Flase, 'shape': (360,), }",
                                 "{'descr': '<f4', 'fortran_order': False, 'shape': (360,), ",
                                 "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }"}) {
    const auto parsed = parse_npy_header(npy_with(dict), "x.npy");
    EXPECT_TRUE(std::holds_alternative<NpyError>(parsed)) << dict;
  }
  const auto good = parse_npy_header(npy_with("{'descr': '<f4', 'fortran_order': False, 'shape': (360, 1, 8), }"), "x.npy");
  ASSERT_TRUE(std::holds_alternative<NpyHeader>(good));
  EXPECT_EQ(std::get<NpyHeader>(good).shape, (std::vector<std::size_t>{360, 1, 8}));
}

}  // namespace
}  // namespace powerfit::dataset

#include "dataset/npy_dataset.hpp"

namespace powerfit::dataset {
namespace {

std::string dataset_error(const std::filesystem::path& directory) {
  const auto result = load_npy_dataset(directory);
  return std::holds_alternative<NpyError>(result) ? std::get<NpyError>(result).message : "";
}

TEST(NpyDataset, InputsAndLabelsPairUp) {
  const auto result = load_npy_dataset(fixture("npy-dataset"));
  ASSERT_TRUE(std::holds_alternative<Dataset>(result)) << dataset_error(fixture("npy-dataset"));
  const auto& dataset = std::get<Dataset>(result);
  EXPECT_EQ(dataset.samples, 3u);
  EXPECT_EQ(dataset.sample_shape, (std::vector<std::size_t>{1, 2, 2}));
  EXPECT_EQ(dataset.sample_size(), 4u);
  EXPECT_EQ(dataset.classes, 3);
  EXPECT_EQ(dataset.labels, (std::vector<std::int64_t>{2, 0, 1}));
}

TEST(NpyDataset, MismatchedNegativeOrMissingPartsAreRefused) {
  powerfit::testing::TempTree tree;
  std::filesystem::copy_file(fixture("npy/inputs_f4.npy"), tree.path("inputs.npy"));
  EXPECT_NE(dataset_error(tree.root()).find("labels.npy"), std::string::npos);  // missing

  // Two labels for three samples.
  const std::string two_labels = std::string("\x93NUMPY\x01\x00", 8) + std::string(1, 118) + std::string(1, '\0') +
                                 "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }";
  std::string padded = two_labels;
  padded.resize(128 - 1, ' ');
  padded += '\n';
  padded += std::string(16, '\0');
  std::ofstream(tree.path("labels.npy"), std::ios::binary) << padded;
  EXPECT_NE(dataset_error(tree.root()).find("must match one to one"), std::string::npos) << dataset_error(tree.root());

  std::string negative = padded.substr(0, 128);
  negative.replace(negative.find("(2,)"), 4, "(3,)");
  const std::int64_t values[3] = {0, -1, 1};
  negative.append(reinterpret_cast<const char*>(values), sizeof values);
  std::ofstream(tree.path("labels.npy"), std::ios::binary | std::ios::trunc) << negative;
  EXPECT_NE(dataset_error(tree.root()).find("negative label -1"), std::string::npos) << dataset_error(tree.root());
}

}  // namespace
}  // namespace powerfit::dataset

#include <nlohmann/json.hpp>

namespace powerfit::dataset {
namespace {

// The zoo's held-out split (models/train_zoo.py) reads back whole: what the harness will bench.
TEST(NpyDataset, BundledZooSplitMatchesItsRecord) {
  const auto zoo = std::filesystem::path(POWERFIT_FIXTURES) / ".." / ".." / "models" / "zoo";
  const auto result = load_npy_dataset(zoo / "digits-test");
  ASSERT_TRUE(std::holds_alternative<Dataset>(result)) << dataset_error(zoo / "digits-test");
  const auto& dataset = std::get<Dataset>(result);
  std::ifstream in(zoo / "zoo.json");
  const auto record = nlohmann::json::parse(in);
  EXPECT_EQ(dataset.samples, record["dataset"]["test"].get<std::size_t>());
  EXPECT_EQ(dataset.sample_shape, (std::vector<std::size_t>{1, 8, 8}));
  EXPECT_EQ(dataset.classes, 10);
  for (const float pixel : dataset.inputs) {
    EXPECT_GE(pixel, 0.0f);
    EXPECT_LE(pixel, 1.0f);
  }
  for (const auto& [name, model] : record["models"].items()) {
    EXPECT_EQ(model["test_images"].get<std::size_t>(), dataset.samples) << name;
  }
}

}  // namespace
}  // namespace powerfit::dataset
