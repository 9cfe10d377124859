#include "sensors/rapl.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "analysis/summary.hpp"
#include "sampler/sampler.hpp"
#include "support/source_readings.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::sensors {
namespace {

using powerfit::testing::FixtureCopy;
using powerfit::testing::has_channel;
using powerfit::testing::read_all;
using powerfit::testing::TempTree;

const std::string kPowercap = "sys/class/powercap/";

// Adds `microjoules` to every energy_uj under the tree, as the hardware would between two reads.
void advance_all(const TempTree& tree, std::uint64_t microjoules) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tree.root())) {
    if (entry.path().filename() != "energy_uj") continue;
    const auto value = std::stoull(*read_text_file(entry.path()));
    tree.rewrite(std::filesystem::relative(entry.path(), tree.root()).string(), std::to_string(value + microjoules) + "\n");
  }
}

void set_counter(const TempTree& tree, const std::string& zone, std::uint64_t microjoules) {
  tree.write(kPowercap + zone + "/energy_uj", std::to_string(microjoules) + "\n");
}

// No perf or MSR access: powercap alone, with a probe that makes every counter move.
std::unique_ptr<RaplSource> powercap_source(const TempTree& tree, std::function<void()> settle) {
  std::vector<std::unique_ptr<RaplMethod>> methods;
  methods.push_back(make_powercap_method({.sys = tree.path("sys")}));
  return std::make_unique<RaplSource>(std::move(methods), std::move(settle));
}

TEST(RaplPowercap, TwoSocketServerReadsPackagesAndDramIntoOneTotal) {
  FixtureCopy tree("intel-2socket-server");
  auto source = powercap_source(tree, [&] { advance_all(tree, 1000); });
  ASSERT_TRUE(source->open().available);
  for (const char* name : {"rapl.package-0.energy", "rapl.dram-0.energy", "rapl.package-1.energy",
                           "rapl.dram-1.energy", "rapl.energy"}) {
    EXPECT_TRUE(has_channel(*source, name)) << name;
  }
  const auto& channels = source->channels();
  EXPECT_EQ(channels[0].source, "rapl.powercap");
  EXPECT_EQ(channels[0].scope, "package:0");
  EXPECT_DOUBLE_EQ(channels[0].wrap_at, 262143.328850);
  EXPECT_TRUE(channels.back().in_energy_total);
  EXPECT_FALSE(channels[0].in_energy_total);  // the parts never count beside their sum

  auto first = read_all(*source);
  EXPECT_DOUBLE_EQ(first["rapl.package-1.energy"].value, 100.006);  // the fixture, moved 1 mJ by the probe
  advance_all(tree, 2'000'000);  // 2 J in each of the four domains
  auto second = read_all(*source);
  EXPECT_DOUBLE_EQ(second["rapl.energy"].value - first["rapl.energy"].value, 8.0);
}

TEST(RaplPowercap, WrapAtMaxEnergyRangeIsCountedAcrossTheBoundary) {
  FixtureCopy tree("intel-2socket-server");
  auto source = powercap_source(tree, [&] { advance_all(tree, 1000); });
  ASSERT_TRUE(source->open().available);
  set_counter(tree, "intel-rapl:0", 262143328850 - 500'000);  // 0.5 J before the wrap
  auto before = read_all(*source);
  set_counter(tree, "intel-rapl:0", 1'500'000);  // wrapped, then 1.5 J more
  read_all(*source);  // a wrap is believed once the next reading goes on from it
  set_counter(tree, "intel-rapl:0", 2'000'000);
  auto after = read_all(*source);
  EXPECT_NEAR(after["rapl.energy"].value - before["rapl.energy"].value, 2.5, 1e-6);
}

// Samples package 0 of the two-socket fixture every 10 ms for 1 s while it draws 99 W; `at_tick`
// may change the counter's true value, or return what the file shows instead. The file is
// rewritten in place before each tick. Returns the run's summary.
RunSummary sample_99_watts(const std::function<std::optional<std::uint64_t>(int tick, std::uint64_t& microjoules)>& at_tick) {
  FixtureCopy tree("intel-2socket-server");
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(powercap_source(tree, [&] { advance_all(tree, 1000); }));
  EXPECT_TRUE(sources.back()->open().available);
  Sampler sampler(std::move(sources), {.interval = std::chrono::milliseconds(10)});
  std::uint64_t microjoules = 5'000'000'000;  // 5 kJ since boot
  for (int tick = 0; tick <= 100; ++tick) {
    const auto shown = at_tick(tick, microjoules);
    set_counter(tree, "intel-rapl:0", shown.value_or(microjoules));
    sampler.sample_at(tick * 10'000'000LL);
    microjoules += 990'000;  // 0.99 J per 10 ms
  }
  RunSummary summary;
  summary.channels = analysis::summarize_channels(sampler.channels(), sampler.totals());
  analysis::add_energy_totals(summary);
  return summary;
}

TEST(RaplPowercap, CounterReadingZeroForThirtyMillisecondsAddsNoEnergy) {
  // The fault-injection case: energy_uj read as 0 for 30 ms gave 392,947 W for a 99 W machine.
  const auto summary = sample_99_watts([](int tick, std::uint64_t&) {
    return tick >= 50 && tick < 53 ? std::optional<std::uint64_t>(0) : std::nullopt;
  });
  ASSERT_TRUE(summary.measured_energy_j);
  EXPECT_NEAR(*summary.measured_energy_j, 99.0, 1e-6);
  EXPECT_NEAR(*summary.find("rapl.package-0.energy")->energy_j, 99.0, 1e-6);
  EXPECT_EQ(summary.find("rapl.package-0.energy")->glitches, 3u);
  EXPECT_FALSE(summary.measured_energy_partial);
}

TEST(RaplPowercap, CounterRestartingFromZeroLosesAtMostOneInterval) {
  // A counter reset once gave 130,926 W; now counting goes on from the new base.
  const auto summary = sample_99_watts([](int tick, std::uint64_t& microjoules) {
    if (tick == 50) microjoules = 990'000;  // restarted 10 ms ago
    return std::optional<std::uint64_t>();
  });
  ASSERT_TRUE(summary.measured_energy_j);
  EXPECT_LE(*summary.measured_energy_j, 99.0 + 1e-6);
  EXPECT_GE(*summary.measured_energy_j, 99.0 - 2 * 0.99 - 1e-6);
  EXPECT_EQ(summary.find("rapl.package-0.energy")->resets, 1u);
  EXPECT_DOUBLE_EQ(summary.find("rapl.package-0.energy")->first_reset_s, 0.5);
}

TEST(RaplPowercap, AZoneThatStartsReturningGarbageMakesTheSumPartialNotSilentlySmaller) {
  // A powercap zone that began returning garbage mid-run left `energy, measured total` complete
  // in appearance: the sum went on without that package and said nothing.
  FixtureCopy tree("intel-2socket-server");
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(powercap_source(tree, [&] { advance_all(tree, 1000); }));
  ASSERT_TRUE(sources.back()->open().available);
  Sampler sampler(std::move(sources), {.interval = std::chrono::milliseconds(20)});
  sampler.start();
  for (int i = 0; i < 25; ++i) {  // 0.5 s of 4 W per domain
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    advance_all(tree, 80'000);
  }
  tree.write(kPowercap + "intel-rapl:1/energy_uj", "garbage\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  sampler.stop();
  RunSummary summary{.duration_s = sampler.stats().wall_s};
  summary.channels = analysis::summarize_channels(sampler.channels(), sampler.totals());
  analysis::add_energy_totals(summary);
  EXPECT_TRUE(summary.measured_energy_partial);
  ASSERT_EQ(summary.partial_channels.size(), 1u);
  EXPECT_EQ(summary.partial_channels[0].rfind("rapl.energy (", 0), 0u) << summary.partial_channels[0];
  EXPECT_TRUE(summary.find("rapl.package-1.energy")->failure);
  EXPECT_FALSE(summary.find("rapl.package-0.energy")->failure);
}

TEST(RaplPowercap, SubzonesNextToTheirPackageAreNotCountedTwice) {
  FixtureCopy tree("intel-laptop-psys");
  auto source = powercap_source(tree, [&] { advance_all(tree, 1000); });
  const auto availability = source->open();
  ASSERT_TRUE(availability.available);
  EXPECT_TRUE(has_channel(*source, "rapl.core-0.energy"));
  EXPECT_TRUE(has_channel(*source, "rapl.uncore-0.energy"));
  EXPECT_TRUE(has_channel(*source, "rapl.psys.energy"));
  tree.write(kPowercap + "intel-rapl:0/energy_uj", "50000000\n");
  tree.write(kPowercap + "intel-rapl:0:0/energy_uj", "30000000\n");
  tree.write(kPowercap + "intel-rapl:0:2/energy_uj", "6000000\n");
  tree.write(kPowercap + "intel-rapl:1/energy_uj", "90000000\n");
  auto first = read_all(*source);
  tree.write(kPowercap + "intel-rapl:0/energy_uj", "53000000\n");    // package +3 J
  tree.write(kPowercap + "intel-rapl:0:0/energy_uj", "32000000\n");  // core +2 J, inside the package
  tree.write(kPowercap + "intel-rapl:0:2/energy_uj", "7000000\n");   // dram +1 J
  tree.write(kPowercap + "intel-rapl:1/energy_uj", "95000000\n");    // psys +5 J, covers all of it
  auto second = read_all(*source);
  EXPECT_DOUBLE_EQ(second["rapl.energy"].value - first["rapl.energy"].value, 4.0);
  EXPECT_NE(availability.detail.find("packages + DRAM"), std::string::npos);
}

// powercap and its MMIO control type, as make_rapl_source orders them, without perf or MSR.
std::unique_ptr<RaplSource> powercap_and_mmio_source(const TempTree& tree, std::function<void()> settle) {
  std::vector<std::unique_ptr<RaplMethod>> methods;
  methods.push_back(make_powercap_method({.sys = tree.path("sys")}));
  methods.push_back(make_powercap_mmio_method({.sys = tree.path("sys")}));
  return std::make_unique<RaplSource>(std::move(methods), std::move(settle));
}

TEST(RaplPowercap, EachDieOfAMultiDiePackageIsCountedOnceAndMmioIsNotCountedAgain) {
  // Laid out as the kernel lays it out: zones are symlinks from /sys/class/powercap into
  // /sys/devices/virtual/powercap, the control types intel-rapl and intel-rapl-mmio sit beside
  // them, subzones nest in their zone, and the counters are rewritten in place while the reader
  // keeps them open. Both dies were parsed as package 0 and the second dropped as a duplicate.
  FixtureCopy tree("intel-multi-die-server");
  ASSERT_TRUE(std::filesystem::is_symlink(tree.path(kPowercap + "intel-rapl:1")));
  auto source = powercap_and_mmio_source(tree, [&] { advance_all(tree, 1000); });
  const auto availability = source->open();
  ASSERT_TRUE(availability.available) << availability.detail;
  for (const char* name : {"rapl.package-0-die-0.energy", "rapl.package-0-die-1.energy", "rapl.dram-0-die-0.energy",
                           "rapl.dram-0-die-1.energy", "rapl.energy"}) {
    EXPECT_TRUE(has_channel(*source, name)) << name;
  }
  EXPECT_FALSE(has_channel(*source, "rapl.package-0.energy"));  // MMIO's reading of the same package
  EXPECT_EQ(source->channels().size(), 5u);
  auto first = read_all(*source);
  advance_all(tree, 1'000'000);  // 1 J in each domain, the MMIO one included
  auto second = read_all(*source);
  EXPECT_DOUBLE_EQ(second["rapl.package-0-die-1.energy"].value - first["rapl.package-0-die-1.energy"].value, 1.0);
  EXPECT_DOUBLE_EQ(second["rapl.energy"].value - first["rapl.energy"].value, 4.0);  // two dies, two DRAMs
}

TEST(RaplPowercap, MmioIsReadWhereTheMsrInterfaceIsAbsent) {
  FixtureCopy tree("intel-multi-die-server");
  for (const char* zone : {"intel-rapl:0", "intel-rapl:0:0", "intel-rapl:1", "intel-rapl:1:0"}) tree.remove(kPowercap + zone);
  auto source = powercap_and_mmio_source(tree, [&] { advance_all(tree, 1000); });
  ASSERT_TRUE(source->open().available);
  ASSERT_TRUE(has_channel(*source, "rapl.package-0.energy"));
  EXPECT_EQ(source->channels()[0].source, "rapl.powercap-mmio");
  auto first = read_all(*source);
  advance_all(tree, 2'000'000);
  EXPECT_DOUBLE_EQ(read_all(*source)["rapl.energy"].value - first["rapl.energy"].value, 2.0);
}

TEST(RaplPowercap, AmdZenDesktopAppearsUnderTheSameNames) {
  FixtureCopy tree("amd-zen-desktop");
  auto source = powercap_source(tree, [&] { advance_all(tree, 1000); });
  ASSERT_TRUE(source->open().available);
  EXPECT_TRUE(has_channel(*source, "rapl.package-0.energy"));
  EXPECT_TRUE(has_channel(*source, "rapl.core-0.energy"));
  auto first = read_all(*source);
  advance_all(tree, 1'000'000);
  EXPECT_DOUBLE_EQ(read_all(*source)["rapl.energy"].value - first["rapl.energy"].value, 1.0);  // package only
}

TEST(RaplPowercap, CounterThatNeverMovesIsUnusableNotZeroWatts) {
  FixtureCopy tree("intel-laptop-psys");
  // Everything moves during the probe except psys, as on a VM whose psys stays at zero.
  auto source = powercap_source(tree, [&] {
    advance_all(tree, 1000);
    tree.write(kPowercap + "intel-rapl:1/energy_uj", "90000000\n");
  });
  const auto availability = source->open();
  ASSERT_TRUE(availability.available);
  EXPECT_FALSE(has_channel(*source, "rapl.psys.energy"));
  EXPECT_NE(availability.detail.find("psys (powercap): unusable, the counter did not advance"), std::string::npos)
      << availability.detail;
}

TEST(RaplPowercap, OnlyStuckCountersMeansUnavailable) {
  FixtureCopy tree("amd-zen-desktop");
  auto source = powercap_source(tree, [] {});
  const auto availability = source->open();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.detail.find("did not advance"), std::string::npos);
}

TEST(RaplPowercap, RootOnlyEnergyFileGivesThePermissionFix) {
  FixtureCopy tree("amd-zen-desktop");
  // Everything readable by all, as in sysfs, except energy_uj (root-only there; unreadable here).
  namespace fs = std::filesystem;
  fs::permissions(tree.root(), fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  for (const auto& entry : fs::recursive_directory_iterator(tree.root())) {
    const bool counter = entry.path().filename() == "energy_uj";
    fs::permissions(entry.path(), counter ? fs::perms::none : fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  }
  // Root reads any file, so the check runs in a child that has given up root, as a user would.
  const pid_t child = ::fork();
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(3);
    auto source = powercap_source(tree, [] {});
    const auto availability = source->open();
    const bool explained = availability.detail.find("permission denied") != std::string::npos &&
                           availability.detail.find("docs/permissions.md") != std::string::npos;
    ::_exit(!availability.available && explained ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// The kernel's perf_event calls stood in for by counters the test moves.
struct FakePerf {
  std::map<int, std::uint64_t> counts;  // fd -> count
  std::vector<std::tuple<std::uint32_t, std::uint64_t, int>> opened;
  int refuse_with = 0;
  PerfEventCalls calls() {
    return {.open = [this](std::uint32_t type, std::uint64_t config, int cpu) {
              if (refuse_with != 0) return -refuse_with;
              opened.emplace_back(type, config, cpu);
              const int fd = 100 + static_cast<int>(opened.size());
              counts[fd] = 1'000'000'000ull * static_cast<std::uint64_t>(opened.size());
              return fd;
            },
            .read = [this](int fd) -> std::optional<std::uint64_t> { return counts.at(fd); },
            .close = [](int) {}};
  }
  void advance(std::uint64_t by) {
    for (auto& [fd, count] : counts) count += by;
  }
};

TEST(RaplPerfEvent, OpensEachEventOnOneCpuPerPackageWithItsScale) {
  FixtureCopy tree("perf-power-pmu");
  FakePerf perf;
  std::vector<std::unique_ptr<RaplMethod>> methods;
  methods.push_back(make_perf_event_method({.proc = tree.path("proc"), .sys = tree.path("sys")}, perf.calls()));
  RaplSource source(std::move(methods), [&] { perf.advance(1 << 20); });
  ASSERT_TRUE(source.open().available);
  EXPECT_EQ(perf.opened.size(), 5u);  // pkg and ram on CPUs 0 and 28, psys once
  EXPECT_EQ(perf.opened[0], std::make_tuple(23u, 0x02ull, 0));
  EXPECT_EQ(perf.opened[1], std::make_tuple(23u, 0x02ull, 28));
  EXPECT_TRUE(has_channel(source, "rapl.package-1.energy"));
  EXPECT_TRUE(has_channel(source, "rapl.dram-1.energy"));
  EXPECT_EQ(source.channels()[0].source, "rapl.perf_event");
  auto first = read_all(source);
  perf.advance(4294967296ull);  // 2^32 counts of 2^-32 J: one joule per counter
  auto second = read_all(source);
  EXPECT_NEAR(second["rapl.package-0.energy"].value - first["rapl.package-0.energy"].value, 1.0, 1e-9);
  EXPECT_NEAR(second["rapl.energy"].value - first["rapl.energy"].value, 4.0, 1e-9);
}

TEST(RaplPerfEvent, ParanoidKernelGivesTheFix) {
  FixtureCopy tree("perf-power-pmu");
  FakePerf perf;
  perf.refuse_with = EACCES;
  std::vector<std::unique_ptr<RaplMethod>> methods;
  methods.push_back(make_perf_event_method({.proc = tree.path("proc"), .sys = tree.path("sys")}, perf.calls()));
  RaplSource source(std::move(methods), [] {});
  const auto availability = source.open();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.detail.find("perf_event_paranoid is 2"), std::string::npos) << availability.detail;
  EXPECT_NE(availability.detail.find("CAP_PERFMON"), std::string::npos);
}

// A /dev/cpu/N/msr stand-in: a sparse file with 8-byte registers at their addresses.
void write_msr(const TempTree& tree, int cpu, std::uint32_t address, std::uint64_t value) {
  const auto path = tree.path("dev/cpu/" + std::to_string(cpu) + "/msr");
  std::filesystem::create_directories(path.parent_path());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, &value, sizeof value, address), static_cast<ssize_t>(sizeof value));
  ::close(fd);
}

void intel_cpuinfo(const TempTree& tree) {
  tree.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel name\t: Intel(R) Xeon(R)\n");
  tree.write("sys/devices/system/cpu/cpu0/topology/physical_package_id", "0\n");
}

TEST(RaplMsr, IntelUnitsAndThirtyTwoBitWrap) {
  TempTree tree;
  intel_cpuinfo(tree);
  write_msr(tree, 0, 0x606, 0xA0E03);           // energy status unit 14: 2^-14 J per count
  write_msr(tree, 0, 0x611, 0xFFFFC000ull);     // package: 2^32 - 2^14 counts, 1 J before the wrap
  write_msr(tree, 0, 0x619, 0x100000000ull | 5);  // dram: bits above 31 are not part of the counter
  std::vector<std::unique_ptr<RaplMethod>> methods;
  const Roots roots{.proc = tree.path("proc"), .sys = tree.path("sys"), .dev = tree.path("dev")};
  methods.push_back(make_msr_method(roots));
  RaplSource source(std::move(methods), [&] {
    write_msr(tree, 0, 0x611, 0xFFFFD000ull);
    write_msr(tree, 0, 0x619, 0x100000000ull | 6);
  });
  ASSERT_TRUE(source.open().available);
  EXPECT_EQ(source.channels()[0].source, "rapl.msr");
  EXPECT_DOUBLE_EQ(source.channels()[0].wrap_at, 262144.0);  // 2^32 × 2^-14 J
  auto first = read_all(source);
  EXPECT_DOUBLE_EQ(first["rapl.dram-0.energy"].value, 6.0 / 16384);
  write_msr(tree, 0, 0x611, 0x4000);  // wrapped, then one more joule
  read_all(source);                   // a wrap is believed once the next reading goes on from it
  write_msr(tree, 0, 0x611, 0x8000);  // and one more
  auto second = read_all(source);
  EXPECT_DOUBLE_EQ(second["rapl.energy"].value - first["rapl.energy"].value,
                   static_cast<double>(0x100000000ull - 0xFFFFD000ull + 0x8000) / 16384.0);
}

TEST(RaplMsr, AmdZenPackageRegister) {
  TempTree tree;
  tree.write("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n");
  tree.write("sys/devices/system/cpu/cpu0/topology/physical_package_id", "0\n");
  write_msr(tree, 0, 0xC0010299, 0x10 << 8);  // 2^-16 J per count
  write_msr(tree, 0, 0xC001029B, 65536);
  std::vector<std::unique_ptr<RaplMethod>> methods;
  methods.push_back(make_msr_method({.proc = tree.path("proc"), .sys = tree.path("sys"), .dev = tree.path("dev")}));
  RaplSource source(std::move(methods), [&] { write_msr(tree, 0, 0xC001029B, 3 * 65536); });
  ASSERT_TRUE(source.open().available);
  EXPECT_DOUBLE_EQ(read_all(source)["rapl.package-0.energy"].value, 3.0);
}

TEST(RaplMsr, MissingDeviceNamesTheModule) {
  TempTree tree;
  intel_cpuinfo(tree);
  std::vector<std::unique_ptr<RaplMethod>> methods;
  methods.push_back(make_msr_method({.proc = tree.path("proc"), .sys = tree.path("sys"), .dev = tree.path("dev")}));
  RaplSource source(std::move(methods), [] {});
  const auto availability = source.open();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.detail.find("modprobe msr"), std::string::npos) << availability.detail;
}

TEST(RaplChoice, EachDomainIsReadByTheFirstMethodThatCan) {
  // powercap offers the package only; the MSRs offer package and DRAM.
  TempTree tree;
  intel_cpuinfo(tree);
  tree.write(kPowercap + "intel-rapl:0/name", "package-0\n");
  tree.write(kPowercap + "intel-rapl:0/energy_uj", "1000\n");
  tree.write(kPowercap + "intel-rapl:0/max_energy_range_uj", "262143328850\n");
  write_msr(tree, 0, 0x606, 0xA0E03);
  write_msr(tree, 0, 0x611, 100);
  write_msr(tree, 0, 0x619, 100);
  const Roots roots{.proc = tree.path("proc"), .sys = tree.path("sys"), .dev = tree.path("dev")};
  std::vector<std::unique_ptr<RaplMethod>> methods;
  methods.push_back(make_powercap_method(roots));
  methods.push_back(make_msr_method(roots));
  RaplSource source(std::move(methods), [&] {
    set_counter(tree, "intel-rapl:0", 2000);
    write_msr(tree, 0, 0x611, 200);
    write_msr(tree, 0, 0x619, 200);
  });
  ASSERT_TRUE(source.open().available);
  std::map<std::string, std::string> method_of;
  for (const auto& channel : source.channels()) method_of[channel.name] = channel.source;
  EXPECT_EQ(method_of["rapl.package-0.energy"], "rapl.powercap");
  EXPECT_EQ(method_of["rapl.dram-0.energy"], "rapl.msr");
  EXPECT_EQ(source.channels().size(), 3u);  // package, dram, and their sum
}

}  // namespace
}  // namespace powerfit::sensors
