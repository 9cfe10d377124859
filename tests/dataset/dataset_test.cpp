// Data sets as bench reads them: synthetic shapes, image folders decoded and preprocessed as
// stated, and the errors that name the fix.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "dataset/dataset.hpp"
#include "inference/plugins.hpp"
#include "support/temp_tree.hpp"
#ifdef POWERFIT_WITH_OPENCV
#include <opencv2/imgcodecs.hpp>
#endif

namespace powerfit::dataset {
namespace {

using powerfit::testing::TempTree;

TEST(Dataset, SyntheticHasTheShapeAndCountAskedAndNoLabels) {
  const auto loaded = load_dataset("synthetic:3x4x5", {.limit = 7});
  ASSERT_TRUE(std::holds_alternative<Dataset>(loaded));
  const auto& dataset = std::get<Dataset>(loaded);
  EXPECT_EQ(dataset.sample_shape, (std::vector<std::size_t>{3, 4, 5}));
  EXPECT_EQ(dataset.samples, 7u);
  EXPECT_EQ(dataset.inputs.size(), 7u * 60u);
  EXPECT_FALSE(dataset.labelled());
  EXPECT_EQ(std::get<Dataset>(load_dataset("synthetic:10", {})).samples, 256u);
}

TEST(Dataset, BadSpecsAreRefusedWithTheFix) {
  for (const char* spec : {"synthetic:3x", "synthetic:ax2", "synthetic:0x3", "synthetic:"}) {
    const auto loaded = load_dataset(spec, {});
    ASSERT_TRUE(std::holds_alternative<DataError>(loaded)) << spec;
    EXPECT_NE(std::get<DataError>(loaded).message.find("e.g. synthetic:3x224x224"), std::string::npos);
  }
  const auto missing = load_dataset("/nonexistent/data", {});
  ASSERT_TRUE(std::holds_alternative<DataError>(missing));
  EXPECT_NE(std::get<DataError>(missing).message.find("inputs.npy"), std::string::npos);
}

TEST(Dataset, AFolderOfImagesGoesToTheDecoderItIsGiven) {
  TempTree tree;
  tree.write("cls/a.png", "not read here");
  const auto refused = load_dataset(tree.root().string(), {});
  ASSERT_TRUE(std::holds_alternative<DataError>(refused));
  EXPECT_NE(std::get<DataError>(refused).message.find("cannot decode image folders"), std::string::npos);
  std::string asked;
  const auto decoded = load_dataset(tree.root().string(), {.limit = 3},
                                    [&](const std::string& directory, const DatasetOptions& options) -> std::variant<Dataset, DataError> {
                                      asked = directory;
                                      return Dataset{.name = directory, .samples = options.limit};
                                    });
  ASSERT_TRUE(std::holds_alternative<Dataset>(decoded));
  EXPECT_EQ(asked, tree.root().string());
  EXPECT_EQ(std::get<Dataset>(decoded).samples, 3u);
}

TEST(Dataset, LimitKeepsTheFirstSamples) {
  auto dataset = std::get<Dataset>(load_dataset(std::string(POWERFIT_ZOO) + "/digits-test", {.limit = 50}));
  EXPECT_EQ(dataset.samples, 50u);
  EXPECT_EQ(dataset.labels.size(), 50u);
  EXPECT_EQ(dataset.inputs.size(), 50u * 64u);
}

#ifdef POWERFIT_WITH_OPENCV
TEST(ImageFolder, ClassesFollowSortedFoldersAndPixelsAreNormalisedAsStated) {
  TempTree tree;
  // Two classes; every image one flat colour (BGR on disk) so the expected values are exact.
  const auto write = [&](const std::string& relative, int width, int height, cv::Scalar bgr) {
    tree.mkdir(std::filesystem::path(relative).parent_path().string());
    cv::imwrite(tree.path(relative).string(), cv::Mat(height, width, CV_8UC3, bgr));
  };
  write("b_cats/1.png", 40, 30, {0, 0, 255});    // red
  write("b_cats/2.png", 30, 40, {0, 0, 255});
  write("a_dogs/1.png", 50, 50, {255, 0, 0});    // blue
  tree.write("a_dogs/notes.txt", "not an image");
  DatasetOptions options{.images = {.resize = 20, .crop = 16}};
  const auto loaded = load_dataset(tree.root().string(), options, inference::image_folder_loader());
  ASSERT_TRUE(std::holds_alternative<Dataset>(loaded)) << std::get<DataError>(loaded).message;
  const auto& dataset = std::get<Dataset>(loaded);
  EXPECT_EQ(dataset.samples, 3u);
  EXPECT_EQ(dataset.classes, 2);
  EXPECT_EQ(dataset.sample_shape, (std::vector<std::size_t>{3, 16, 16}));
  // Round-robin: a_dogs/1, b_cats/1, b_cats/2.
  EXPECT_EQ(dataset.labels, (std::vector<std::int64_t>{0, 1, 1}));
  const std::size_t plane = 16 * 16;
  const auto at = [&](std::size_t sample, std::size_t channel) { return dataset.inputs[sample * 3 * plane + channel * plane + 5]; };
  // RGB order: the blue image has its 255 in channel 2, the red one in channel 0.
  EXPECT_NEAR(at(0, 2), (1.0f - 0.406f) / 0.225f, 1e-5);
  EXPECT_NEAR(at(0, 0), (0.0f - 0.485f) / 0.229f, 1e-5);
  EXPECT_NEAR(at(1, 0), (1.0f - 0.485f) / 0.229f, 1e-5);
  // --limit 2 keeps one image of each class.
  options.limit = 2;
  EXPECT_EQ(std::get<Dataset>(load_dataset(tree.root().string(), options, inference::image_folder_loader())).labels, (std::vector<std::int64_t>{0, 1}));
}

TEST(ImageFolder, PreprocessingThatCannotNormaliseIsRefused) {
  // A NaN mean or std passed the check (NaN <= 0 is false): every input became NaN and the
  // accuracy came from whatever the model made of NaNs.
  TempTree tree;
  tree.mkdir("set/cls");
  cv::imwrite(tree.path("set/cls/a.png").string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)));
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  for (const ImagePreprocessing& images : {ImagePreprocessing{.resize = 8, .crop = 0}, ImagePreprocessing{.resize = 4, .crop = 8},
                                     ImagePreprocessing{.resize = 8, .crop = 8, .std = {1, 0, 1}},
                                     ImagePreprocessing{.resize = 8, .crop = 8, .mean = {0, nan, 0}},
                                     ImagePreprocessing{.resize = 8, .crop = 8, .std = {1, 1, nan}},
                                     ImagePreprocessing{.resize = 8, .crop = 8, .mean = {inf, 0, 0}}}) {
    const auto loaded = load_dataset(tree.path("set").string(), {.images = images}, inference::image_folder_loader());
    ASSERT_TRUE(std::holds_alternative<DataError>(loaded));
    EXPECT_NE(std::get<DataError>(loaded).message.find("--mean"), std::string::npos) << std::get<DataError>(loaded).message;
  }
  EXPECT_TRUE(std::holds_alternative<Dataset>(
      load_dataset(tree.path("set").string(), {.images = {.resize = 8, .crop = 8}}, inference::image_folder_loader())));
}

TEST(ImageFolder, UnreadableImagesEmptyFoldersAndHugeSetsAreRefused) {
  TempTree tree;
  tree.mkdir("only/empty");
  auto loaded = load_dataset(tree.path("only").string(), {}, inference::image_folder_loader());
  ASSERT_TRUE(std::holds_alternative<DataError>(loaded));
  EXPECT_NE(std::get<DataError>(loaded).message.find("no images found"), std::string::npos);
  tree.write("broken/cls/x.jpg", "this is no jpeg");
  loaded = load_dataset(tree.path("broken").string(), {}, inference::image_folder_loader());
  ASSERT_TRUE(std::holds_alternative<DataError>(loaded));
  EXPECT_NE(std::get<DataError>(loaded).message.find("x.jpg"), std::string::npos);
  tree.mkdir("big/cls");
  cv::imwrite(tree.path("big/cls/a.png").string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)));
  loaded = load_dataset(tree.path("big").string(), {.max_bytes = 1000}, inference::image_folder_loader());
  ASSERT_TRUE(std::holds_alternative<DataError>(loaded));
  EXPECT_NE(std::get<DataError>(loaded).message.find("--limit"), std::string::npos);
}
#endif

}  // namespace
}  // namespace powerfit::dataset
