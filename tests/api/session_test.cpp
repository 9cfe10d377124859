// The C++ API: a region's time, CPU time and energy, counts and scores, and every misuse an error.

#include "powerfit/session.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "support/temp_tree.hpp"

namespace powerfit {
namespace {

void burn(double seconds) {
  const auto start = thread_cpu_ns();
  volatile double sink = 0.0;
  while (static_cast<double>(thread_cpu_ns() - start) * 1e-9 < seconds) sink = sink + 1.0;
}

TEST(Api, ARegionReportsItsTimeCpuAndEnergyAndCountsAreScored) {
  testing::TempTree tree;
  Session session({.output = tree.path("api.db").string(), .interval = "20ms", .label = "api test"});
  session.start();
  { auto loading = session.region("loading"); }
  {
    auto inference = session.region("inference");
    burn(0.3);
  }
  session.report({.inferences = 1000, .correct = 900, .model = "burner"});
  const auto summary = session.stop();
  ASSERT_EQ(summary.regions.size(), 2u);
  const auto& inference = summary.regions[1];
  EXPECT_EQ(inference.name, "inference");
  EXPECT_NEAR(inference.thread_cpu_s, 0.3, 0.02);
  EXPECT_GE(inference.seconds, 0.3);
  ASSERT_TRUE(inference.estimated_energy_j.has_value());  // no meter here: estimated, and said so
  EXPECT_GT(*inference.estimated_energy_j, 0.0);
  ASSERT_TRUE(summary.accuracy_percent.has_value());
  EXPECT_DOUBLE_EQ(*summary.accuracy_percent, 90.0);
  EXPECT_TRUE(summary.energy_estimated);
  EXPECT_NEAR(*summary.energy_per_inference_j, *inference.estimated_energy_j / 1000.0, 1e-12);
  EXPECT_EQ(summary.database, tree.path("api.db").string());
  const auto json = nlohmann::json::parse(summary.to_json());
  EXPECT_EQ(json["regions"][1]["name"], "inference");
  EXPECT_EQ(json["correct"], 900);
}

TEST(Api, MisuseIsAnErrorNeverACrashAndMeasurementsAreKept) {
  EXPECT_THROW(Session({.interval = "fast"}), Error);
  Session session({.interval = "10ms"});
  try {
    session.stop();
    ADD_FAILURE();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::state);
  }
  EXPECT_THROW(session.mark("early"), Error);
  session.start();
  EXPECT_THROW(session.start(), Error);
  EXPECT_THROW(session.report({.inferences = 5, .correct = 6}), Error);
  const auto summary = session.stop();
  EXPECT_GT(summary.samples, 0u);
  EXPECT_TRUE(summary.database.empty());  // a temporary database, removed with the session
  EXPECT_THROW(session.stop(), Error);
  try {
    Session unwritable({.output = "/nonexistent/dir/runs.db"});
    unwritable.start();
    ADD_FAILURE();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::storage);
  }
}

}  // namespace
}  // namespace powerfit
