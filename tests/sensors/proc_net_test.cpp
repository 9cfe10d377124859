#include "sensors/proc_net.hpp"

#include <gtest/gtest.h>

#include "support/source_readings.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::sensors {
namespace {

using powerfit::testing::has_channel;
using powerfit::testing::read_all;
using powerfit::testing::TempTree;

const std::string kHeader =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n";

std::string line(const std::string& name, unsigned long long rx, unsigned long long tx) {
  return name + ": " + std::to_string(rx) + " 3 0 0 0 0 0 0 " + std::to_string(tx) + " 4 0 0 0 0 0 0\n";
}

TEST(ProcNet, RealFileListsEveryInterface) {
  ProcNetSource source({.proc = powerfit::testing::fixture("debian12-vm/proc")}, false);
  ASSERT_TRUE(source.open().available);
  EXPECT_TRUE(has_channel(source, "net.lo.rx_bytes"));
  EXPECT_TRUE(has_channel(source, "net.eth0.tx_bytes"));
  auto readings = read_all(source);
  EXPECT_GT(readings["net.eth0.rx_bytes"].value, 0.0);
  EXPECT_DOUBLE_EQ(readings["net.rx_bytes"].value, 0.0);  // totals count from the first reading
}

TEST(ProcNet, LoopbackStaysOutOfTheTotalUnlessAsked) {
  for (const bool loopback : {false, true}) {
    TempTree tree;
    tree.write("net/dev", kHeader + line("lo", 0, 0) + line("eth0", 0, 0));
    ProcNetSource source({.proc = tree.root()}, loopback);
    ASSERT_TRUE(source.open().available);
    read_all(source);
    tree.write("net/dev", kHeader + line("lo", 1000, 1000) + line("eth0", 10, 20));
    auto readings = read_all(source);
    EXPECT_DOUBLE_EQ(readings["net.rx_bytes"].value, loopback ? 1010.0 : 10.0);
    EXPECT_DOUBLE_EQ(readings["net.tx_bytes"].value, loopback ? 1020.0 : 20.0);
    EXPECT_DOUBLE_EQ(readings["net.lo.rx_bytes"].value, 1000.0);
  }
}

TEST(ProcNet, CountersGluedToTheColonAreParsed) {
  TempTree tree;
  tree.write("net/dev", kHeader + "  eth0:18446215     457    0    0    0     0          0         0    21856     260    0    0    0     0       0          0\n");
  ProcNetSource source({.proc = tree.root()}, false);
  ASSERT_TRUE(source.open().available);
  auto readings = read_all(source);
  EXPECT_DOUBLE_EQ(readings["net.eth0.rx_bytes"].value, 18446215.0);
  EXPECT_DOUBLE_EQ(readings["net.eth0.tx_bytes"].value, 21856.0);
}

TEST(ProcNet, InterfaceAppearingMidRunCountsFromItsFirstSighting) {
  TempTree tree;
  tree.write("net/dev", kHeader + line("eth0", 100, 100));
  ProcNetSource source({.proc = tree.root()}, false);
  ASSERT_TRUE(source.open().available);
  read_all(source);
  tree.write("net/dev", kHeader + line("eth0", 150, 100) + line("wg0", 7000, 7000));
  auto appeared = read_all(source);
  EXPECT_DOUBLE_EQ(appeared["net.rx_bytes"].value, 50.0);
  tree.write("net/dev", kHeader + line("eth0", 150, 100) + line("wg0", 7300, 7100));
  auto later = read_all(source);
  EXPECT_DOUBLE_EQ(later["net.rx_bytes"].value, 350.0);
  EXPECT_DOUBLE_EQ(later["net.tx_bytes"].value, 100.0);
}

TEST(ProcNet, InterfaceRecreatedWithResetCountersNeverSubtracts) {
  TempTree tree;
  tree.write("net/dev", kHeader + line("veth0", 500, 500));
  ProcNetSource source({.proc = tree.root()}, false);
  ASSERT_TRUE(source.open().available);
  read_all(source);
  tree.write("net/dev", kHeader + line("veth0", 40, 0));
  EXPECT_DOUBLE_EQ(read_all(source)["net.rx_bytes"].value, 40.0);
}

}  // namespace
}  // namespace powerfit::sensors
