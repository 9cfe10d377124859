#include "sensors/cpu_estimate.hpp"

#include <gtest/gtest.h>

#include "sensors/catalog.hpp"
#include "support/source_readings.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::sensors {
namespace {

using powerfit::testing::read_all;

TEST(CpuPowerModel, KnownModelIsScaledToTheVisibleCpus) {
  const auto model = choose_cpu_power_model("AMD EPYC 7763 64-Core Processor", 16, std::nullopt);
  EXPECT_DOUBLE_EQ(model.tdp_w, 280.0 * 16 / 128);
  EXPECT_NE(model.basis.find("AMD EPYC 7763"), std::string::npos);
}

TEST(CpuPowerModel, GivenTdpWinsAndUnknownModelsSayHowTheyWereGuessed) {
  EXPECT_DOUBLE_EQ(choose_cpu_power_model("AMD EPYC 7763", 16, 95.0).tdp_w, 95.0);
  const auto unknown = choose_cpu_power_model("AMD EPYC", 2, std::nullopt);
  EXPECT_DOUBLE_EQ(unknown.tdp_w, 2 * kFallbackWattsPerLogicalCpu);
  EXPECT_NE(unknown.basis.find("--cpu-tdp"), std::string::npos);
}

TEST(CpuEstimate, LinearBetweenIdleFloorAndTdpAndMarkedEstimated) {
  powerfit::testing::TempTree tree;
  tree.write("stat", "cpu  0 0 0 0 0 0 0 0 0 0\n");
  CpuEstimateSource source({.proc = tree.root()}, {.tdp_w = 100.0, .idle_fraction = 0.3, .basis = "test"});
  const auto availability = source.open();
  ASSERT_TRUE(availability.available);
  EXPECT_NE(availability.detail.find("ESTIMATED"), std::string::npos);
  ASSERT_EQ(source.channels().size(), 1u);
  EXPECT_EQ(source.channels()[0].provenance, Provenance::estimated);
  EXPECT_EQ(source.channels()[0].name, "cpu.power.estimated");
  EXPECT_EQ(read_all(source)["cpu.power.estimated"].status, ReadStatus::missing);
  tree.write("stat", "cpu  50 0 0 50 0 0 0 0 0 0\n");  // 50% busy
  EXPECT_DOUBLE_EQ(read_all(source)["cpu.power.estimated"].value, 100.0 * (0.3 + 0.7 * 0.5));
  tree.write("stat", "cpu  50 0 0 150 0 0 0 0 0 0\n");  // idle
  EXPECT_DOUBLE_EQ(read_all(source)["cpu.power.estimated"].value, 30.0);
}

TEST(Catalog, TheCpuAndItsEstimateReadProcStatOnceATick) {
  // Each read /proc/stat on every tick: the kernel wrote the text twice (9 µs of CPU each beside
  // an H100). Rewritten between the two sources' reads of one tick, the second must still see
  // what the first read; the next tick reads it afresh.
  powerfit::testing::FixtureCopy vm("debian12-vm");
  const Roots roots{.proc = vm.path("proc"), .sys = vm.path("sys"), .dev = vm.path("dev")};
  const auto stat = [&](int busy, int idle) {
    vm.write("proc/stat", "cpu  " + std::to_string(busy) + " 0 0 " + std::to_string(idle) + " 0 0 0 0 0 0\n");
  };
  stat(0, 0);
  auto catalog = open_catalog({.roots = roots, .cpu_tdp_w = 100.0, .wanted = {"procfs.cpu", "estimate.cpu"}});
  ASSERT_FALSE(choose_sources(catalog, {"procfs.cpu", "estimate.cpu"}));
  auto sources = available_sources(catalog);
  ASSERT_EQ(sources.size(), 2U);
  Source& cpu = *sources[0];
  Source& estimate = *sources[1];
  ASSERT_EQ(cpu.name(), "procfs.cpu");
  ASSERT_EQ(estimate.name(), "estimate.cpu");
  read_all(cpu);  // tick 1: no interval yet
  stat(100, 100);
  read_all(estimate);
  stat(150, 150);  // tick 2: 50% busy since tick 1
  EXPECT_DOUBLE_EQ(read_all(cpu)["cpu.utilization"].value, 50.0);
  stat(150, 250);  // rewritten inside tick 2: not read again
  const auto power = read_all(estimate)["cpu.power.estimated"];
  ASSERT_EQ(power.status, ReadStatus::ok);
  const double idle_w = 100.0 * CpuPowerModel{}.idle_fraction;
  EXPECT_DOUBLE_EQ(power.value, idle_w + (100.0 - idle_w) * 0.5);
  stat(250, 250);  // tick 3: 100 busy of 200 since tick 2 as each saw it
  EXPECT_DOUBLE_EQ(read_all(cpu)["cpu.utilization"].value, 50.0);
  EXPECT_DOUBLE_EQ(read_all(estimate)["cpu.power.estimated"].value, idle_w + (100.0 - idle_w) * 0.5);
}

bool has_source(const std::vector<CatalogEntry>& catalog, std::string_view name, bool available) {
  for (const auto& entry : catalog) {
    if (entry.source->name() == name) return entry.availability.available == available;
  }
  return false;
}

TEST(Catalog, EstimateOnlyWhereNothingMeasuresCpuPowerAndOnlyWhenWanted) {
  const auto vm = powerfit::testing::fixture("debian12-vm");
  const Roots roots{.proc = vm / "proc", .sys = vm / "sys", .dev = vm / "dev"};
  EXPECT_TRUE(has_source(open_catalog({.roots = roots}), "estimate.cpu", true));
  EXPECT_TRUE(has_source(open_catalog({.roots = roots, .estimate = false}), "estimate.cpu", false));

  // With RAPL counters that move, no estimate is made.
  powerfit::testing::FixtureCopy server("intel-2socket-server");
  std::filesystem::copy(vm / "proc", server.path("proc"), std::filesystem::copy_options::recursive);
  const Roots measured{.proc = server.path("proc"), .sys = server.path("sys"), .dev = server.path("dev")};
  // The counters advance between the catalog's two probing readings, as the kernel's do.
  const auto catalog = open_catalog({.roots = measured, .rapl_settle = [&] {
                                       server.write("sys/class/powercap/intel-rapl:0/energy_uj", "100001000\n");
                                       server.write("sys/class/powercap/intel-rapl:1/energy_uj", "100006000\n");
                                     }});
  EXPECT_TRUE(has_source(catalog, "rapl", true));
  EXPECT_TRUE(has_source(catalog, "estimate.cpu", false));
}

TEST(Catalog, RaplIsCheckedOnlyWhenItOrTheEstimateIsNamed) {
  // The RAPL check (two readings 20 ms apart) ran for every run, whatever --sources named.
  const auto vm = powerfit::testing::fixture("debian12-vm");
  powerfit::testing::FixtureCopy server("intel-2socket-server");
  std::filesystem::copy(vm / "proc", server.path("proc"), std::filesystem::copy_options::recursive);
  const Roots measured{.proc = server.path("proc"), .sys = server.path("sys"), .dev = server.path("dev")};
  int checks = 0;
  std::string energy = "100001000\n";
  const auto settle = [&] {
    ++checks;
    server.write("sys/class/powercap/intel-rapl:0/energy_uj", energy);
    server.write("sys/class/powercap/intel-rapl:1/energy_uj", energy);
    energy = std::to_string(std::stoll(energy) + 5000) + "\n";
  };
  const auto cpu_only = open_catalog({.roots = measured, .rapl_settle = settle, .wanted = {"procfs.cpu"}});
  EXPECT_EQ(checks, 0);
  EXPECT_TRUE(has_source(cpu_only, "procfs.cpu", true));
  EXPECT_TRUE(has_source(cpu_only, "rapl", false));
  EXPECT_TRUE(has_source(cpu_only, "estimate.cpu", false));
  // Naming the estimate asks RAPL whether it is needed: here it is not.
  auto estimate = open_catalog({.roots = measured, .rapl_settle = settle, .wanted = {"estimate.cpu"}});
  EXPECT_EQ(checks, 1);
  EXPECT_TRUE(has_source(estimate, "rapl", true));
  const auto problem = choose_sources(estimate, {"estimate.cpu"});
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("RAPL measures CPU power here"), std::string::npos) << *problem;
  // On a machine without RAPL the named estimate is opened and kept, RAPL set aside.
  const Roots bare{.proc = vm / "proc", .sys = vm / "sys", .dev = vm / "dev"};
  auto estimated = open_catalog({.roots = bare, .wanted = {"estimate.cpu"}});
  ASSERT_FALSE(choose_sources(estimated, {"estimate.cpu"}));
  EXPECT_TRUE(has_source(estimated, "estimate.cpu", true));
  EXPECT_TRUE(has_source(estimated, "rapl", false));
}

}  // namespace
}  // namespace powerfit::sensors
