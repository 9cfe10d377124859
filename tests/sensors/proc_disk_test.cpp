#include "sensors/proc_disk.hpp"

#include <gtest/gtest.h>

#include <tuple>

#include "support/source_readings.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::sensors {
namespace {

using powerfit::testing::has_channel;
using powerfit::testing::read_all;
using powerfit::testing::TempTree;

// major minor name reads merged sectors_read ms writes merged sectors_written ms ...
std::string line(const std::string& name, unsigned long long sectors_read, unsigned long long sectors_written) {
  return "   8       0 " + name + " 10 0 " + std::to_string(sectors_read) + " 5 20 0 " +
         std::to_string(sectors_written) + " 7 0 12 12 0 0 0 0 0 0\n";
}

// Writes /proc/diskstats and, for the devices given as whole disks, /sys/block/NAME/stat.
void write_disks(const TempTree& tree, std::initializer_list<std::tuple<std::string, unsigned long long, unsigned long long, bool>> disks) {
  std::string diskstats;
  for (const auto& [name, sectors_read, sectors_written, whole] : disks) {
    const std::string text = line(name, sectors_read, sectors_written);
    diskstats += text;
    if (whole) tree.write("sys/block/" + name + "/stat", text.substr(text.find(name) + name.size()));
  }
  tree.write("proc/diskstats", diskstats);
}

constexpr std::int64_t kRescanEveryTick = 0;

TEST(ProcDisk, RealFileKeepsTheWholeDiskAndDropsVirtualDevices) {
  const auto root = powerfit::testing::fixture("debian12-vm");
  ProcDiskSource source({.proc = root / "proc", .sys = root / "sys"});
  ASSERT_TRUE(source.open().available);
  EXPECT_TRUE(has_channel(source, "disk.vda.write_bytes"));
  EXPECT_FALSE(has_channel(source, "disk.loop0.write_bytes"));
  EXPECT_FALSE(has_channel(source, "disk.zram0.write_bytes"));
  auto readings = read_all(source);
  EXPECT_EQ(readings["disk.vda.read_bytes"].status, ReadStatus::ok);
  EXPECT_GT(readings["disk.vda.read_bytes"].value, 0.0);
}

TEST(ProcDisk, PartitionsAndStackedDevicesAreNeverCountedTwice) {
  TempTree tree;
  tree.mkdir("sys/block/sda/sda1");
  tree.mkdir("sys/block/nvme0n1/nvme0n1p1");
  tree.write("sys/block/dm-0/slaves/sda1", "");
  write_disks(tree, {{"sda", 100, 200, true}, {"sda1", 60, 150, false}, {"sda2", 40, 50, false},
                     {"nvme0n1", 1000, 2000, true}, {"nvme0n1p1", 1000, 2000, false}, {"dm-0", 60, 150, false}});
  ProcDiskSource source({.proc = tree.path("proc"), .sys = tree.path("sys")});
  ASSERT_TRUE(source.open().available);
  EXPECT_TRUE(has_channel(source, "disk.sda.read_bytes"));
  EXPECT_TRUE(has_channel(source, "disk.nvme0n1.read_bytes"));
  EXPECT_FALSE(has_channel(source, "disk.sda1.read_bytes"));
  EXPECT_FALSE(has_channel(source, "disk.nvme0n1p1.read_bytes"));
  EXPECT_FALSE(has_channel(source, "disk.dm-0.read_bytes"));
  auto first = read_all(source);
  EXPECT_DOUBLE_EQ(first["disk.sda.write_bytes"].value, 200.0 * 512);
  write_disks(tree, {{"sda", 100, 300, true}, {"sda1", 60, 250, false}, {"sda2", 40, 50, false},
                     {"nvme0n1", 1010, 2000, true}, {"nvme0n1p1", 1010, 2000, false}, {"dm-0", 60, 250, false}});
  auto second = read_all(source);
  // The total grows by the whole disks' increase only: 100 sectors written, 10 read.
  EXPECT_DOUBLE_EQ(second["disk.write_bytes"].value - first["disk.write_bytes"].value, 100.0 * 512);
  EXPECT_DOUBLE_EQ(second["disk.read_bytes"].value - first["disk.read_bytes"].value, 10.0 * 512);
}

TEST(ProcDisk, WithoutSysfsPartitionsAreRecognisedByName) {
  TempTree tree;
  tree.write("proc/diskstats", line("sda", 1, 2) + line("sda1", 1, 2) + line("mmcblk0", 1, 2) +
                                   line("mmcblk0p2", 1, 2) + line("md0", 1, 2));
  ProcDiskSource source({.proc = tree.path("proc"), .sys = tree.path("no-sys")});
  ASSERT_TRUE(source.open().available);
  EXPECT_TRUE(has_channel(source, "disk.sda.read_bytes"));
  EXPECT_TRUE(has_channel(source, "disk.mmcblk0.read_bytes"));
  EXPECT_FALSE(has_channel(source, "disk.sda1.read_bytes"));
  EXPECT_FALSE(has_channel(source, "disk.mmcblk0p2.read_bytes"));
  EXPECT_FALSE(has_channel(source, "disk.md0.read_bytes"));
}

TEST(ProcDisk, WithoutSysfsEveryTickReadsDiskstats) {
  TempTree tree;
  tree.write("proc/diskstats", line("sda", 0, 0));
  ProcDiskSource source({.proc = tree.path("proc"), .sys = tree.path("no-sys")});
  ASSERT_TRUE(source.open().available);
  read_all(source);
  tree.write("proc/diskstats", line("sda", 4, 8));
  auto readings = read_all(source);
  EXPECT_DOUBLE_EQ(readings["disk.read_bytes"].value, 4.0 * 512);
  EXPECT_DOUBLE_EQ(readings["disk.sda.write_bytes"].value, 8.0 * 512);
}

TEST(ProcDisk, DiskAddedMidRunCountsInTheTotalFromThen) {
  TempTree tree;
  write_disks(tree, {{"sda", 0, 0, true}});
  ProcDiskSource source({.proc = tree.path("proc"), .sys = tree.path("sys")}, kRescanEveryTick);
  ASSERT_TRUE(source.open().available);
  read_all(source);
  write_disks(tree, {{"sda", 0, 10, true}, {"sdb", 0, 5000, true}});
  auto appeared = read_all(source);
  EXPECT_DOUBLE_EQ(appeared["disk.write_bytes"].value, 10.0 * 512);  // sdb's past is not this run's
  write_disks(tree, {{"sda", 0, 10, true}, {"sdb", 0, 5004, true}});
  EXPECT_DOUBLE_EQ(read_all(source)["disk.write_bytes"].value, 14.0 * 512);
}

TEST(ProcDisk, RemovedDiskReportsGoneAndKeepsItsBytesInTheTotal) {
  TempTree tree;
  write_disks(tree, {{"sda", 0, 0, true}, {"sdb", 0, 0, true}});
  ProcDiskSource source({.proc = tree.path("proc"), .sys = tree.path("sys")});
  ASSERT_TRUE(source.open().available);
  read_all(source);
  write_disks(tree, {{"sda", 0, 0, true}, {"sdb", 0, 8, true}});
  read_all(source);
  // A removed device's stat file fails to read; a fixture file read through an open descriptor
  // cannot vanish, so an empty one stands for it.
  tree.write("sys/block/sdb/stat", "");
  auto after = read_all(source);
  EXPECT_EQ(after["disk.sdb.write_bytes"].status, ReadStatus::gone);
  EXPECT_DOUBLE_EQ(after["disk.write_bytes"].value, 8.0 * 512);
}

}  // namespace
}  // namespace powerfit::sensors
