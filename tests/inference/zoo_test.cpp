// Every zoo model on every backend in this build: the accuracy powerfit measures is the accuracy
// the training script recorded, and the parameter and multiply-accumulate counts read from the
// graph are the ones derived by hand from the layer shapes (models/train_zoo.py).

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "inference/loop.hpp"
#include "dataset/npy_dataset.hpp"
#include "inference/backend.hpp"

namespace powerfit::inference {
namespace {

const std::filesystem::path kZoo = POWERFIT_ZOO;

nlohmann::json zoo_record() {
  std::ifstream in(kZoo / "zoo.json");
  return nlohmann::json::parse(in);
}

struct ZooCase {
  std::string model;
  BackendKind backend;
};

std::vector<ZooCase> zoo_cases() {
  std::vector<ZooCase> cases;
  const auto record = zoo_record();
  for (const auto& [name, figures] : record["models"].items()) {
    for (const auto& backend : available_backends()) cases.push_back({name, backend});
  }
  return cases;
}

void PrintTo(const ZooCase& test, std::ostream* out) { *out << test.model << " on " << test.backend.name; }

}  // namespace

void PrintTo(const BackendKind& kind, std::ostream* out) { *out << kind.name; }

namespace {

class ZooModel : public ::testing::TestWithParam<ZooCase> {};

TEST_P(ZooModel, AccuracyParametersAndMacsMatchTheRecord) {
  const auto& [name, backend] = GetParam();
  const auto figures = zoo_record()["models"][name];
  auto loaded = dataset::load_npy_dataset(kZoo / "digits-test");
  ASSERT_TRUE(std::holds_alternative<dataset::Dataset>(loaded));
  const auto& dataset = std::get<dataset::Dataset>(loaded);
  auto model = open_backend(kZoo / (name + backend.extension), backend.name, {});
  EXPECT_EQ(model->name(), backend.name);
  EXPECT_EQ(inference::check_model_fits(*model, dataset), 10u);
  EXPECT_EQ(model->parameter_count(), figures["parameters"].get<std::int64_t>());
  EXPECT_EQ(model->count_macs({1, 8, 8}), figures["macs_per_image"].get<std::int64_t>());
  // Batch 7 does not divide 360: the short last batch must count too.
  const auto pass = inference::run_passes(*model, dataset, 7);
  EXPECT_EQ(pass.inferences, 360);
  EXPECT_EQ(pass.correct, figures["test_correct"].get<std::int64_t>());
  EXPECT_EQ(pass.correct_top5, figures["test_correct_top5"].get<std::int64_t>());
  EXPECT_EQ(pass.batch_latency_s.size(), 52u);  // ceil(360 / 7)
}

INSTANTIATE_TEST_SUITE_P(EveryBackend, ZooModel, ::testing::ValuesIn(zoo_cases()),
                         [](const auto& test) { return test.param.model + "_" + (test.param.backend.name == "libtorch" ? "libtorch" : "opencv"); });

TEST(Backends, BothEnginesAreInThisBuild) {
  // CI configures with POWERFIT_REQUIRE_BACKENDS; a build without them would skip the zoo silently.
  EXPECT_EQ(available_backends().size(), 2u);
}

TEST(Backends, MultiplyAccumulatesScaleWithTheInputSize) {
  for (const auto& backend : available_backends()) {
    // A fully convolutional prefix: resnet's convolutions cost 4x on a 16x16 image (then the
    // global pooling and the classifier stay the same).
    auto model = open_backend(kZoo / ("resnet" + backend.extension), backend.name, {});
    const auto small = model->count_macs({1, 8, 8});
    const auto large = model->count_macs({1, 16, 16});
    ASSERT_TRUE(small && large) << backend.name;
    EXPECT_EQ(*large - 320, 4 * (*small - 320)) << backend.name;
  }
}

class BadModels : public ::testing::TestWithParam<BackendKind> {};

TEST_P(BadModels, TruncatedOrForeignFilesAreRefusedWithTheFix) {
  const auto& backend = GetParam();
  const auto scratch = std::filesystem::temp_directory_path() / ("powerfit-bad-model" + backend.extension);
  {
    std::ifstream in(kZoo / ("lenet" + backend.extension), std::ios::binary);
    std::string bytes(200, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    std::ofstream(scratch, std::ios::binary) << bytes;
  }
  try {
    open_backend(scratch, "", {});
    ADD_FAILURE() << "a truncated model opened";
  } catch (const BackendError& error) {
    EXPECT_NE(std::string(error.what()).find(scratch.string()), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).find('\n'), std::string::npos) << error.what();
  }
  std::ofstream(scratch) << "not a model at all\n";
  EXPECT_THROW(open_backend(scratch, "", {}), BackendError);
  std::filesystem::remove(scratch);
}

TEST_P(BadModels, CudaOnACpuBuildIsRefused) {
  const auto& backend = GetParam();
  try {
    open_backend(kZoo / ("lenet" + backend.extension), backend.name, {.device = "cuda"});
    GTEST_SKIP() << "this machine has a CUDA " << backend.name;
  } catch (const BackendError& error) {
    EXPECT_NE(std::string(error.what()).find("--device cuda"), std::string::npos) << error.what();
  }
}

TEST_P(BadModels, AnInputShapeTheModelCannotTakeIsNamed) {
  const auto& backend = GetParam();
  auto model = open_backend(kZoo / ("mlp" + backend.extension), backend.name, {});
  const std::vector<float> wrong(3 * 8 * 8, 0.0f);
  try {
    model->infer(wrong.data(), {1, 3, 8, 8});
    ADD_FAILURE() << "a 3-channel input ran through a 1-channel model";
  } catch (const BackendError& error) {
    EXPECT_NE(std::string(error.what()).find("[1, 3, 8, 8]"), std::string::npos) << error.what();
  }
}

INSTANTIATE_TEST_SUITE_P(EveryBackend, BadModels, ::testing::ValuesIn(available_backends()),
                         [](const auto& test) { return test.param.name == "libtorch" ? std::string("libtorch") : std::string("opencv"); });

TEST(Backends, UnknownExtensionsAndMissingFilesAreRefused) {
  EXPECT_THROW(open_backend("/nonexistent/model.pt", "", {}), BackendError);
  const auto scratch = std::filesystem::temp_directory_path() / "powerfit-model.bin";
  std::ofstream(scratch) << "x";
  try {
    open_backend(scratch, "", {});
    ADD_FAILURE();
  } catch (const BackendError& error) {
    EXPECT_NE(std::string(error.what()).find("--backend"), std::string::npos);
  }
  std::filesystem::remove(scratch);
}

}  // namespace
}  // namespace powerfit::inference
