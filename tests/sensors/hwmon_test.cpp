#include "sensors/hwmon.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "support/source_readings.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::sensors {
namespace {

using powerfit::testing::FixtureCopy;
using powerfit::testing::read_all;

const ChannelInfo* find(const Source& source, const std::string& name) {
  for (const auto& channel : source.channels()) {
    if (channel.name == name) return &channel;
  }
  return nullptr;
}

TEST(Hwmon, JetsonRailsArePowerFromVoltageTimesCurrent) {
  FixtureCopy tree("jetson-ina3221");
  HwmonSource source({.sys = tree.path("sys")});
  ASSERT_TRUE(source.open().available);
  auto readings = read_all(source);
  EXPECT_DOUBLE_EQ(readings["jetson.VDD_IN.power"].value, 5.080 * 1.210);
  EXPECT_DOUBLE_EQ(readings["jetson.VDD_CPU_GPU_CV.power"].value, 5.072 * 0.420);
  EXPECT_DOUBLE_EQ(readings["jetson.VDD_SOC.power"].value, 5.064 * 0.310);
  // Only the input rail counts in the total: the others are parts of it.
  EXPECT_TRUE(find(source, "jetson.VDD_IN.power")->in_energy_total);
  EXPECT_FALSE(find(source, "jetson.VDD_SOC.power")->in_energy_total);
  EXPECT_EQ(find(source, "jetson.VDD_IN.power")->kind, ChannelKind::power_gauge);
}

TEST(Hwmon, AmdgpuCardGivesPowerBusyAndVram) {
  FixtureCopy tree("amdgpu-card");
  HwmonSource source({.sys = tree.path("sys")});
  const auto availability = source.open();
  ASSERT_TRUE(availability.available);
  auto readings = read_all(source);
  EXPECT_DOUBLE_EQ(readings["amdgpu0.power"].value, 45.0);
  EXPECT_DOUBLE_EQ(readings["amdgpu0.utilization"].value, 37.0);
  EXPECT_DOUBLE_EQ(readings["amdgpu0.vram_used"].value, 2147483648.0);
  EXPECT_TRUE(find(source, "amdgpu0.power")->in_energy_total);
  EXPECT_EQ(find(source, "amdgpu0.power")->scope, "gpu:amdgpu0");
  // A generic power meter is listed with its label but kept out of the total.
  ASSERT_NE(find(source, "hwmon.acpi_power_meter.Server_PSU.power"), nullptr);
  EXPECT_FALSE(find(source, "hwmon.acpi_power_meter.Server_PSU.power")->in_energy_total);
  EXPECT_DOUBLE_EQ(readings["hwmon.acpi_power_meter.Server_PSU.power"].value, 187.0);
  EXPECT_EQ(find(source, "hwmon.k10temp.power1.power"), nullptr);  // a thermometer only
}

TEST(Hwmon, AmdgpuWithOnlyInstantPowerUsesPowerInput) {
  FixtureCopy tree("amdgpu-card");
  tree.remove("sys/class/hwmon/hwmon0/power1_average");
  tree.write("sys/class/hwmon/hwmon0/power1_input", "61000000\n");
  HwmonSource source({.sys = tree.path("sys")});
  ASSERT_TRUE(source.open().available);
  EXPECT_DOUBLE_EQ(read_all(source)["amdgpu0.power"].value, 61.0);
}

TEST(Hwmon, EnergySensorIsACounterInJoules) {
  powerfit::testing::TempTree tree;
  tree.write("sys/class/hwmon/hwmon3/name", "zenpower\n");
  tree.write("sys/class/hwmon/hwmon3/energy1_input", "2500000\n");
  tree.write("sys/class/hwmon/hwmon3/energy1_label", "Esocket0\n");
  HwmonSource source({.sys = tree.path("sys")});
  ASSERT_TRUE(source.open().available);
  const auto* channel = find(source, "hwmon.zenpower.Esocket0.energy");
  ASSERT_NE(channel, nullptr);
  EXPECT_EQ(channel->kind, ChannelKind::energy_counter);
  EXPECT_DOUBLE_EQ(read_all(source)["hwmon.zenpower.Esocket0.energy"].value, 2.5);
}

TEST(Hwmon, TwoChipsOfOneNameAreToldApartByTheirHwmonDirectory) {
  // Two power supplies, both `pmbus` with `pin` and `pout1`, reached through /sys/class/hwmon's
  // symlinks as on a real server: one name for both made `powerfit run` fail with a UNIQUE
  // constraint and leave an orphan run row.
  FixtureCopy tree("two-psu-server");
  ASSERT_TRUE(std::filesystem::is_symlink(tree.path("sys/class/hwmon/hwmon2")));
  HwmonSource source({.sys = tree.path("sys")});
  ASSERT_TRUE(source.open().available);
  auto readings = read_all(source);
  EXPECT_DOUBLE_EQ(readings["hwmon.pmbus-hwmon2.pin.power"].value, 400.0);
  EXPECT_DOUBLE_EQ(readings["hwmon.pmbus-hwmon3.pin.power"].value, 450.0);
  EXPECT_DOUBLE_EQ(readings["hwmon.pmbus-hwmon3.pout1.power"].value, 400.0);
  std::set<std::string> names;
  for (const auto& channel : source.channels()) EXPECT_TRUE(names.insert(channel.name).second) << channel.name;
  EXPECT_EQ(names.size(), 4u);
}

TEST(Hwmon, NoHwmonDirectoryIsUnavailableWithTheReason) {
  powerfit::testing::TempTree tree;
  HwmonSource source({.sys = tree.path("sys")});
  const auto availability = source.open();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.detail.find("file absent"), std::string::npos);
}

TEST(Hwmon, SensorThatDisappearsFailsItsReading) {
  FixtureCopy tree("jetson-ina3221");
  HwmonSource source({.sys = tree.path("sys")});
  ASSERT_TRUE(source.open().available);
  tree.write("sys/class/hwmon/hwmon0/curr1_input", "garbage\n");
  EXPECT_EQ(read_all(source)["jetson.VDD_IN.power"].status, ReadStatus::io_error);
}

}  // namespace
}  // namespace powerfit::sensors
