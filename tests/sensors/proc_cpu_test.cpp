#include "sensors/proc_cpu.hpp"

#include <gtest/gtest.h>

#include <set>

#include "support/source_readings.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::sensors {
namespace {

using powerfit::testing::read_all;
using powerfit::testing::TempTree;

// user nice system idle iowait irq softirq steal guest guest_nice
std::string stat_text(std::initializer_list<std::pair<std::string, std::string>> lines) {
  std::string text;
  for (const auto& [label, fields] : lines) text += label + " " + fields + "\n";
  return text + "intr 12345 0 0\nctxt 999\nbtime 1700000000\n";
}

TEST(ProcCpu, RealFileDiscoversSystemAndEveryCore) {
  ProcCpuSource source({.proc = powerfit::testing::fixture("debian12-vm/proc")});
  ASSERT_TRUE(source.open().available);
  ASSERT_EQ(source.channels().size(), 3u);
  EXPECT_EQ(source.channels()[0].name, "cpu.utilization");
  EXPECT_EQ(source.channels()[1].name, "cpu0.utilization");
  EXPECT_EQ(source.channels()[2].scope, "cpu:1");
  EXPECT_EQ(source.channels()[0].unit, Unit::percent);
  EXPECT_EQ(source.channels()[0].kind, ChannelKind::utilization);
  // The first reading has no interval to average over.
  EXPECT_EQ(read_all(source)["cpu.utilization"].status, ReadStatus::missing);
}

TEST(ProcCpu, UtilizationIsBusyShareOfTheInterval) {
  TempTree tree;
  tree.write("stat", stat_text({{"cpu ", "100 0 100 800 0 0 0 0 0 0"},
                                {"cpu0", "50 0 50 400 0 0 0 0 0 0"},
                                {"cpu1", "50 0 50 400 0 0 0 0 0 0"}}));
  ProcCpuSource source({.proc = tree.root()});
  ASSERT_TRUE(source.open().available);
  read_all(source);
  // cpu0: +75 busy (user 60, system 10, irq 5) of +75; cpu1: +125 of idle and iowait only.
  tree.write("stat", stat_text({{"cpu ", "160 0 110 900 25 5 0 0 0 0"},
                                {"cpu0", "110 0 60 400 0 5 0 0 0 0"},
                                {"cpu1", "50 0 50 500 25 0 0 0 0 0"}}));
  auto readings = read_all(source);
  EXPECT_EQ(readings["cpu0.utilization"].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(readings["cpu0.utilization"].value, 100.0);
  EXPECT_DOUBLE_EQ(readings["cpu1.utilization"].value, 0.0);
  EXPECT_DOUBLE_EQ(readings["cpu.utilization"].value, 100.0 * 75 / 200);
}

TEST(ProcCpu, DamagedLinesNeitherAllocateForBillionsOfCoresNorNameACoreTwice) {
  // Found by fuzz_procfs: "cpu99619476491" made the reader allocate for 10^11 cores, and a core
  // listed twice gave two channels of one name.
  TempTree tree;
  tree.write("stat", stat_text({{"cpu ", "100 0 100 800 0 0 0 0 0 0"},
                                {"cpu0", "50 0 50 400 0 0 0 0 0 0"},
                                {"cpu0", "50 0 50 400 0 0 0 0 0 0"},
                                {"cpu99619476491", "1 0 1 1 0 0 0 0 0 0"}}));
  ProcCpuSource source({.proc = tree.root()});
  ASSERT_TRUE(source.open().available);
  std::set<std::string> names;
  for (const auto& channel : source.channels()) EXPECT_TRUE(names.insert(channel.name).second) << channel.name;
  EXPECT_EQ(names, (std::set<std::string>{"cpu.utilization", "cpu0.utilization"}));
}

TEST(ProcCpu, GuestTimeIsNotCountedTwice) {
  TempTree tree;
  tree.write("stat", stat_text({{"cpu ", "0 0 0 0 0 0 0 0 0 0"}}));
  ProcCpuSource source({.proc = tree.root()});
  ASSERT_TRUE(source.open().available);
  read_all(source);
  // 50 jiffies of guest time are already inside user's 50.
  tree.write("stat", stat_text({{"cpu ", "50 0 0 50 0 0 0 0 50 0"}}));
  EXPECT_DOUBLE_EQ(read_all(source)["cpu.utilization"].value, 50.0);
}

TEST(ProcCpu, HotUnpluggedCoreHasNoValueAndRestartsCleanly) {
  TempTree tree;
  tree.write("stat", stat_text({{"cpu ", "0 0 0 0 0 0 0 0 0 0"}, {"cpu0", "0 0 0 0 0 0 0 0 0 0"},
                                {"cpu1", "0 0 0 0 0 0 0 0 0 0"}}));
  ProcCpuSource source({.proc = tree.root()});
  ASSERT_TRUE(source.open().available);
  read_all(source);
  tree.write("stat", stat_text({{"cpu ", "100 0 0 100 0 0 0 0 0 0"}, {"cpu0", "100 0 0 100 0 0 0 0 0 0"}}));
  auto offline = read_all(source);
  EXPECT_EQ(offline["cpu1.utilization"].status, ReadStatus::missing);
  EXPECT_FALSE(is_failure(offline["cpu1.utilization"].status));
  EXPECT_DOUBLE_EQ(offline["cpu0.utilization"].value, 50.0);
  // Back online with counters that moved while it was away: first interval is skipped.
  tree.write("stat", stat_text({{"cpu ", "300 0 0 100 0 0 0 0 0 0"}, {"cpu0", "150 0 0 150 0 0 0 0 0 0"},
                                {"cpu1", "900 0 0 900 0 0 0 0 0 0"}}));
  EXPECT_EQ(read_all(source)["cpu1.utilization"].status, ReadStatus::missing);
  tree.write("stat", stat_text({{"cpu ", "300 0 0 100 0 0 0 0 0 0"}, {"cpu0", "150 0 0 150 0 0 0 0 0 0"},
                                {"cpu1", "1000 0 0 900 0 0 0 0 0 0"}}));
  auto online = read_all(source);
  EXPECT_EQ(online["cpu1.utilization"].status, ReadStatus::ok);
  EXPECT_DOUBLE_EQ(online["cpu1.utilization"].value, 100.0);
}

TEST(ProcCpu, MissingFileIsUnavailableWithTheReason) {
  TempTree tree;
  ProcCpuSource source({.proc = tree.root()});
  const auto availability = source.open();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.detail.find("file absent"), std::string::npos) << availability.detail;
}

TEST(ProcCpu, UnreadableFileSaysPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  TempTree tree;
  tree.write("stat", "cpu 1 2 3 4\n");
  std::filesystem::permissions(tree.path("stat"), std::filesystem::perms::none);
  ProcCpuSource source({.proc = tree.root()});
  const auto availability = source.open();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.detail.find("permission denied"), std::string::npos);
}

}  // namespace
}  // namespace powerfit::sensors
