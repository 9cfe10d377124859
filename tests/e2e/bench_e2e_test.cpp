// End-to-end: `powerfit bench` and `powerfit demo` as a user runs them, read back from the
// database and the JSON they write.

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstdlib>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "dataset/npy.hpp"
#include "recording/database.hpp"
#include "support/powerfit_process.hpp"
#include "support/temp_tree.hpp"

namespace powerfit {
namespace {

using powerfit::testing::run_powerfit;
using powerfit::testing::TempTree;
using json = nlohmann::json;

const std::string kZoo = POWERFIT_ZOO;

json zoo_figures(const std::string& model) {
  std::ifstream in(kZoo + "/zoo.json");
  return json::parse(in)["models"][model];
}

TEST(BenchEndToEnd, ABenchRunIsStoredWithExactCountsAndScoresThatFollowFromItsFigures) {
  TempTree tree;
  const auto db = tree.path("runs.db").string();
  const auto outcome = run_powerfit({"bench", "-m", kZoo + "/lenet.pt", "-d", kZoo + "/digits-test", "-b", "8", "-r", "2",
                                     "--min-time", "0.3s", "--baseline", "0.5s", "-i", "20ms", "-o", db,
                                     "--summary-json", tree.path("bench.json").string()},
                                    tree.root());
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("ESTIMATED"), std::string::npos) << outcome.out;  // no RAPL here: estimated energy
  std::ifstream in(tree.path("bench.json"));
  const auto bench = json::parse(in);
  const auto figures = zoo_figures("lenet");
  EXPECT_EQ(bench["parameters"], figures["parameters"]);
  EXPECT_EQ(bench["macs"], figures["macs_per_image"]);
  EXPECT_EQ(bench["model_sha256"].get<std::string>().size(), 64u);
  ASSERT_EQ(bench["repeats"].size(), 2u);

  auto database = recording::Database::open(db, recording::Database::Mode::read_only);
  const auto runs = database.reported_runs();
  ASSERT_EQ(runs.size(), 2u);
  // The idle floor is its own run, measured before the model was loaded (a process holding a GPU
  // context kept an H200 at 122 W against 77 W), and both repeats reuse it.
  const auto all = database.runs();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].label, "lenet idle floor");
  ASSERT_TRUE(all[0].end_time);
  EXPECT_LE(*all[0].end_time, all[1].start_time);
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(raw, "SELECT count(*) FROM baselines WHERE from_run_uuid = ?1", -1, &statement, nullptr);
  sqlite3_bind_text(statement, 1, all[0].uuid.c_str(), -1, SQLITE_TRANSIENT);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), 2);
  sqlite3_finalize(statement);
  sqlite3_close(raw);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& run = runs[i];
    const auto& repeat = bench["repeats"][i];
    // Whole passes over 360 samples: the counts are exact multiples of the recorded accuracy.
    ASSERT_EQ(run.counts.inferences % 360, 0);
    EXPECT_EQ(run.counts.correct, run.counts.inferences / 360 * figures["test_correct"].get<std::int64_t>());
    EXPECT_EQ(run.counts.batch_size, 8);
    EXPECT_EQ(run.counts.backend.rfind("libtorch ", 0), 0u);
    ASSERT_TRUE(run.window_estimated_energy_j.has_value());
    EXPECT_GT(*run.window_estimated_energy_j, 0.0);
    ASSERT_TRUE(run.baseline_estimated_power_w.has_value());  // the second repeat reuses the first's
    // The composite score and NetScore by hand from the stored figures.
    const double n = static_cast<double>(run.counts.inferences);
    const double accuracy = 100.0 * static_cast<double>(run.counts.correct) / n;
    const double mj_per_correct = *run.window_estimated_energy_j * 1e3 / static_cast<double>(run.counts.correct);
    EXPECT_NEAR(repeat["composite_score"].get<double>(), 20.0 * std::log10(accuracy * accuracy / mj_per_correct), 1e-9);
    const double p = 3350e-6, m = 19648e-6;
    EXPECT_NEAR(repeat["netscore"].get<double>(), 20.0 * std::log10(accuracy * accuracy / (std::sqrt(p) * std::sqrt(m))), 1e-9);
    EXPECT_GT(*run.counts.latency_p99_s, 0.0);
    EXPECT_LE(*run.counts.latency_p50_s, *run.counts.latency_p99_s);
  }
  // The score command ranks them as one group of two repeats.
  const auto score = run_powerfit({"score", db}, tree.root());
  EXPECT_EQ(score.status, 0) << score.err;
  EXPECT_NE(score.out.find("lenet"), std::string::npos);
  EXPECT_NE(score.out.find("libtorch"), std::string::npos);
}

TEST(BenchEndToEnd, OnnxThroughOpenCvMeasuresTheSameAccuracy) {
  TempTree tree;
  const auto outcome = run_powerfit({"bench", "-q", "-m", kZoo + "/mobile.onnx", "-d", kZoo + "/digits-test", "--min-time", "0",
                                     "--baseline", "0", "-o", tree.path("runs.db").string(), "--summary-json",
                                     tree.path("bench.json").string()},
                                    tree.root());
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  std::ifstream in(tree.path("bench.json"));
  const auto bench = json::parse(in);
  EXPECT_EQ(bench["backend"].get<std::string>().rfind("opencv-dnn ", 0), 0u);
  EXPECT_EQ(bench["repeats"][0]["inferences"], 360);
  EXPECT_EQ(bench["repeats"][0]["correct"], zoo_figures("mobile")["test_correct"]);
}

TEST(BenchEndToEnd, SyntheticInputsWithDeclaredAccuracyAreScoredAsDeclared) {
  TempTree tree;
  const auto db = tree.path("runs.db").string();
  ASSERT_EQ(run_powerfit({"bench", "-q", "-m", kZoo + "/wide.pt", "-d", "synthetic:1x8x8", "--limit", "64", "-b", "16",
                          "--accuracy", "80", "--min-time", "0.2s", "--baseline", "0", "-o", db},
                         tree.root())
                .status,
            0);
  const auto score = run_powerfit({"score", "--json", db}, tree.root());
  ASSERT_EQ(score.status, 0) << score.err;
  const auto runs = json::parse(score.out);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["declared_accuracy_percent"], 80.0);
  EXPECT_DOUBLE_EQ(runs[0]["accuracy_percent"].get<double>(), 80.0);
  // Without --accuracy the run is kept, unscored, and says why: in the bench's own output ("0 %/J"
  // was printed), its JSON, and score.
  const auto summary_path = tree.path("bench.json").string();
  const auto unlabelled = run_powerfit({"bench", "-m", kZoo + "/wide.pt", "-d", "synthetic:1x8x8", "--limit", "16", "--min-time",
                                        "0", "--baseline", "0", "-o", db, "--summary-json", summary_path},
                                       tree.root());
  ASSERT_EQ(unlabelled.status, 0) << unlabelled.err;
  EXPECT_NE(unlabelled.out.find("unscored: the data set has no labels"), std::string::npos) << unlabelled.out;
  EXPECT_EQ(unlabelled.out.find("%/J"), std::string::npos) << unlabelled.out;
  std::ifstream summary_file(summary_path);
  EXPECT_FALSE(json::parse(summary_file)["repeats"][0]["scored"].get<bool>());
  const auto second = json::parse(run_powerfit({"score", "--json", db}, tree.root()).out);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_FALSE(second[1]["scored"].get<bool>());
  EXPECT_NE(second[1]["why"].get<std::string>().find("--accuracy"), std::string::npos);
}

TEST(BenchEndToEnd, BadInputIsAOneLineErrorWithStatusTwoAndTheDatabaseKeepsEarlierRuns) {
  TempTree tree;
  const auto db = tree.path("runs.db").string();
  ASSERT_EQ(run_powerfit({"bench", "-q", "-m", kZoo + "/mlp.pt", "-d", kZoo + "/digits-test", "--min-time", "0", "--baseline",
                          "0", "-o", db},
                         tree.root())
                .status,
            0);
  // Labels beyond the model's ten classes.
  std::vector<std::int64_t> labels(360, 3);
  labels[17] = 12;
  tree.mkdir("bad-labels");
  std::filesystem::copy_file(kZoo + "/digits-test/inputs.npy", tree.path("bad-labels/inputs.npy"));
  {
    // A hand-written .npy header: int64 labels.
    std::string header = "{'descr': '<i8', 'fortran_order': False, 'shape': (360,), }";
    header.append(64 - (10 + header.size() + 1) % 64, ' ');
    header += '\n';
    std::ofstream out(tree.path("bad-labels/labels.npy"), std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const char length[2] = {static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
    out.write(length, 2);
    out << header;
    out.write(reinterpret_cast<const char*>(labels.data()), static_cast<std::streamsize>(labels.size() * 8));
  }
  tree.mkdir("empty");
  tree.write("broken-image/cat/a.png", std::string("\x89PNG\r\n\x1a\nbroken"));
  tree.write("not-a-model.pt", "plain text");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"-m", kZoo + "/mlp.pt", "-d", tree.path("bad-labels").string()}, "label 12"},
      {{"-m", kZoo + "/mlp.pt", "-d", "synthetic:3x8x8"}, "[1, 3, 8, 8]"},
      {{"-m", kZoo + "/mlp.onnx", "-d", "synthetic:3x8x8"}, "[1, 3, 8, 8]"},
      // OpenCV's own "[ERROR:0@0.002] ... getMemoryShapes" line came first: one line, powerfit's.
      {{"-m", kZoo + "/resnet.onnx", "-d", "synthetic:3x8x8"}, "[1, 3, 8, 8]"},
      // OpenCV ran LeNet's 1-channel convolution on 3-channel inputs as 3 groups and scored it.
      {{"-m", kZoo + "/lenet.onnx", "-d", "synthetic:3x8x8", "--accuracy", "50"}, "takes 1 input channel(s) but the data has 3"},
      {{"-m", tree.path("not-a-model.pt").string(), "-d", kZoo + "/digits-test"}, "TorchScript"},
      {{"-m", kZoo + "/mlp.pt", "-d", tree.path("empty").string()}, "no images found"},
      {{"-m", kZoo + "/mlp.pt", "-d", kZoo + "/digits-test", "--device", "cuda"}, "--device cuda"},
      // A misspelt device was called a missing CUDA build.
      {{"-m", kZoo + "/mlp.pt", "-d", kZoo + "/digits-test", "--device", "cuda:x"}, "--device cuda:x is not a device"},
      {{"-m", kZoo + "/mlp.onnx", "-d", kZoo + "/digits-test", "--device", "cudaa"}, "--device cudaa is not a device"},
      {{"-m", kZoo + "/mlp.pt", "-d", kZoo + "/digits-test", "--min-time", "soon"}, "--min-time"},
      {{"-m", kZoo + "/mlp.pt", "-d", kZoo + "/digits-test", "--accuracy", "180"}, "--accuracy"},
      // NaN was stored as NULL and averaged as 0 %; sizes beyond memory aborted with bad_alloc.
      {{"-m", kZoo + "/mlp.pt", "-d", kZoo + "/digits-test", "--accuracy", "nan"}, "--accuracy"},
      {{"-m", kZoo + "/mlp.pt", "-d", "synthetic:3x100000x100000"}, "MiB allowed"},
      {{"-m", kZoo + "/mlp.pt", "-d", "synthetic:64", "--limit", "100000000000"}, "MiB allowed"},
      // libpng's own "libpng error: Read Error" came first: one line, powerfit's.
      {{"-m", kZoo + "/mlp.onnx", "-d", tree.path("broken-image").string()}, "not a readable image"},
  };
  for (const auto& [arguments, expected] : cases) {
    std::vector<std::string> args{"bench", "--baseline", "0", "-o", db};
    args.insert(args.end(), arguments.begin(), arguments.end());
    const auto outcome = run_powerfit(args, tree.root());
    EXPECT_EQ(outcome.status, 2) << expected << ": " << outcome.err;
    EXPECT_NE(outcome.err.find(expected), std::string::npos) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
  auto database = recording::Database::open(db, recording::Database::Mode::read_only);
  EXPECT_EQ(database.reported_runs().size(), 1u);
}

TEST(BenchEndToEnd, APluginOfAnotherVersionIsRefusedOnLoad) {
  // Plugins carried no version: one built for another boundary would have been called.
  TempTree tree;
  tree.mkdir("plugins");
  std::filesystem::copy_file(FAKE_NVML_LIBRARY, tree.path("plugins/libpowerfit_opencv.so"));  // a library, but no plugin
  ::setenv("POWERFIT_PLUGIN_DIR", tree.path("plugins").c_str(), 1);
  const auto outcome = run_powerfit({"bench", "-m", kZoo + "/mlp.onnx", "-d", kZoo + "/digits-test", "--baseline", "0",
                                     "-o", tree.path("runs.db").string()},
                                    tree.root());
  ::unsetenv("POWERFIT_PLUGIN_DIR");
  EXPECT_EQ(outcome.status, 2) << outcome.err;
  EXPECT_NE(outcome.err.find("is not a powerfit plugin of this version"), std::string::npos) << outcome.err;
}

TEST(DemoEndToEnd, BenchesTheWholeZooOnEveryBackendAndRanksIt) {
  TempTree tree;
  const auto db = tree.path("demo.db").string();
  const auto outcome = run_powerfit({"demo", "-r", "1", "--min-time", "0", "--baseline", "0.2s", "-o", db}, tree.root());
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  for (const char* model : {"mlp", "lenet", "mobile", "resnet", "wide"}) {
    EXPECT_NE(outcome.out.find(model), std::string::npos) << model;
  }
  EXPECT_NE(outcome.out.find("rank"), std::string::npos);
  auto database = recording::Database::open(db, recording::Database::Mode::read_only);
  const auto runs = database.reported_runs();
  EXPECT_EQ(runs.size(), 10u);  // 5 models x 2 backends
  for (const auto& run : runs) {
    EXPECT_EQ(run.counts.correct, zoo_figures(run.counts.model)["test_correct"].get<std::int64_t>()) << run.counts.model;
  }
}

}  // namespace
}  // namespace powerfit

namespace powerfit {
namespace {

// Engines are plugins: the binary that measures every command links none of them.
TEST(Plugins, ThePowerfitBinaryLinksNoInferenceEngine) {
  FILE* pipe = ::popen((std::string("ldd ") + POWERFIT_BINARY).c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string libraries;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) libraries += buffer;
  ::pclose(pipe);
  EXPECT_NE(libraries.find("libsqlite3"), std::string::npos) << libraries;
  EXPECT_EQ(libraries.find("torch"), std::string::npos) << libraries;
  EXPECT_EQ(libraries.find("opencv"), std::string::npos) << libraries;
}

TEST(Plugins, AMissingPluginIsNamedWithTheFix) {
  testing::TempTree tree;
  ::setenv("POWERFIT_PLUGIN_DIR", tree.root().c_str(), 1);
  const auto outcome = testing::run_powerfit({"bench", "-m", kZoo + "/mlp.pt", "-d", kZoo + "/digits-test", "-o",
                                              tree.path("runs.db").string()},
                                             tree.root());
  ::unsetenv("POWERFIT_PLUGIN_DIR");
  EXPECT_EQ(outcome.status, 2);
  EXPECT_NE(outcome.err.find("libtorch-dev"), std::string::npos) << outcome.err;
}

}  // namespace
}  // namespace powerfit
