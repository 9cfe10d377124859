#include "sensors/proc_memory.hpp"

#include <gtest/gtest.h>

#include "support/source_readings.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::sensors {
namespace {

using powerfit::testing::read_all;

TEST(ProcMemory, RealFileGivesUsedAndAvailable) {
  ProcMemorySource source({.proc = powerfit::testing::fixture("debian12-vm/proc")});
  ASSERT_TRUE(source.open().available);
  auto readings = read_all(source);
  ASSERT_EQ(readings["memory.used"].status, ReadStatus::ok);
  EXPECT_GT(readings["memory.available"].value, 0.0);
  EXPECT_GT(readings["memory.used"].value, 0.0);
  EXPECT_LT(readings["memory.used"].value + readings["memory.available"].value, 64.0 * (1ull << 30));
}

TEST(ProcMemory, UsedIsTotalMinusAvailableInBytes) {
  powerfit::testing::TempTree tree;
  tree.write("meminfo", "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    600 kB\n");
  ProcMemorySource source({.proc = tree.root()});
  ASSERT_TRUE(source.open().available);
  auto readings = read_all(source);
  EXPECT_DOUBLE_EQ(readings["memory.used"].value, 400.0 * 1024);
  EXPECT_DOUBLE_EQ(readings["memory.available"].value, 600.0 * 1024);
}

TEST(ProcMemory, OldKernelWithoutMemAvailableIsNotSupported) {
  powerfit::testing::TempTree tree;
  tree.write("meminfo", "MemTotal:       1000 kB\nMemFree:         100 kB\n");
  ProcMemorySource source({.proc = tree.root()});
  const auto availability = source.open();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.detail.find("MemAvailable"), std::string::npos);
}

TEST(ProcMemory, TruncatedFileFailsTheReading) {
  powerfit::testing::TempTree tree;
  tree.write("meminfo", "MemTotal: 1000 kB\nMemAvailable: 600 kB\n");
  ProcMemorySource source({.proc = tree.root()});
  ASSERT_TRUE(source.open().available);
  tree.write("meminfo", "MemTot");
  EXPECT_EQ(read_all(source)["memory.used"].status, ReadStatus::io_error);
}

}  // namespace
}  // namespace powerfit::sensors
