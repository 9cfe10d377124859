#include "sensors/proc_process.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include "sensors/process_tree.hpp"
#include "support/source_readings.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::sensors {
namespace {

using powerfit::testing::read_all;
using powerfit::testing::TempTree;

struct FakeProcess {
  int pid;
  std::string comm;
  int ppid;
  unsigned utime, stime, cutime, cstime;
  unsigned long rss_pages;
  unsigned long read_bytes = 0, write_bytes = 0;
  unsigned long starttime = 1000;
};

void write_process(const TempTree& tree, const FakeProcess& p) {
  const std::string dir = std::to_string(p.pid);
  tree.write(dir + "/stat", std::to_string(p.pid) + " (" + p.comm + ") S " + std::to_string(p.ppid) +
                                " 1 1 0 -1 4194304 10 0 0 0 " + std::to_string(p.utime) + " " +
                                std::to_string(p.stime) + " " + std::to_string(p.cutime) + " " +
                                std::to_string(p.cstime) + " 20 0 1 0 " + std::to_string(p.starttime) +
                                " 2990080 " + std::to_string(p.rss_pages) +
                                " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  tree.write(dir + "/io", "rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: " + std::to_string(p.read_bytes) +
                              "\nwrite_bytes: " + std::to_string(p.write_bytes) + "\ncancelled_write_bytes: 0\n");
}

// Files deleted from a fixture stay readable through open descriptors, unlike /proc entries of
// reaped processes, so these tests rescan on every tick instead of relying on a failed read.
constexpr std::int64_t kRescanEveryTick = 0;

double ticks_to_seconds(double ticks) { return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK)); }
double pages_to_bytes(double pages) { return pages * static_cast<double>(::sysconf(_SC_PAGESIZE)); }

TEST(ProcStat, NameWithSpacesAndParenthesesIsSkippedWhole) {
  const auto stat = parse_proc_stat(
      "4242 (my (odd) prog) ) R 17 1 1 0 -1 0 0 0 0 0 11 22 33 44 20 0 1 0 5555 100 66 0 0\n");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->ppid, 17);
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->utime, 11u);
  EXPECT_EQ(stat->stime, 22u);
  EXPECT_EQ(stat->cutime, 33u);
  EXPECT_EQ(stat->cstime, 44u);
  EXPECT_EQ(stat->starttime, 5555u);
  EXPECT_EQ(stat->rss_pages, 66u);
}

TEST(ProcStat, RealCapturedLineParses) {
  const auto text = read_text_file(powerfit::testing::fixture("debian12-vm/proc/3260/stat"));
  ASSERT_TRUE(text);
  const auto stat = parse_proc_stat(*text);
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->ppid, 3203);
  EXPECT_EQ(stat->rss_pages, 396u);
}

TEST(ProcStat, TruncatedLineIsRejected) {
  EXPECT_FALSE(parse_proc_stat("12 (x) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("no parenthesis at all"));
}

TEST(ProcIo, ParsesStorageBytes) {
  const auto text = read_text_file(powerfit::testing::fixture("debian12-vm/proc/3260/io"));
  ASSERT_TRUE(text);
  EXPECT_TRUE(parse_proc_io(*text));
  EXPECT_FALSE(parse_proc_io("rchar: 1\n"));
}

TEST(ProcessTree, FollowsDescendantsAndIgnoresStrangers) {
  TempTree tree;
  write_process(tree, {.pid = 100, .comm = "root (a) b", .ppid = 1});
  write_process(tree, {.pid = 101, .comm = "child", .ppid = 100});
  write_process(tree, {.pid = 57, .comm = "grandchild after pid wrap", .ppid = 101});
  write_process(tree, {.pid = 200, .comm = "stranger", .ppid = 1});
  write_process(tree, {.pid = 201, .comm = "stranger's child", .ppid = 200});
  tree.write("self/stat", "not a pid directory");
  ProcessTree processes(tree.root(), 100);
  ASSERT_TRUE(processes.open());
  EXPECT_EQ(processes.members(), (std::vector<pid_t>{57, 100, 101}));

  write_process(tree, {.pid = 102, .comm = "forked later", .ppid = 100});
  tree.remove("101");
  tree.remove("57");
  processes.refresh();
  EXPECT_EQ(processes.members(), (std::vector<pid_t>{100, 102}));
}

// The first scan read the stat of every process on the host (about 2 µs each on a 2-core VM's
// /proc, BENCHMARKS.md; a node of a thousand kernel threads pays it a thousand times) to find the
// root's descendants. Where the kernel lists
// each thread's children, they are followed from the root, and no stranger's stat is read: here a
// stranger whose stat names the root as its parent (a fixture's trick; on a real /proc the
// lists and the stats agree) shows which one was consulted.
void write_children(const TempTree& tree, int pid, int tid, const std::string& children) {
  tree.write(std::to_string(pid) + "/task/" + std::to_string(tid) + "/children", children);
}

void write_children_listed_tree(const TempTree& tree) {
  tree.write("loadavg", "0.20 0.18 0.12 1/80 4000\n");
  write_process(tree, {.pid = 100, .comm = "root", .ppid = 1});
  write_process(tree, {.pid = 101, .comm = "child", .ppid = 100});
  write_process(tree, {.pid = 57, .comm = "grandchild after pid wrap", .ppid = 101});
  write_process(tree, {.pid = 300, .comm = "stranger naming the root", .ppid = 100});
  write_children(tree, 100, 100, "");
  write_children(tree, 100, 150, "101 ");  // forked by the root's second thread
  write_children(tree, 101, 101, "57 ");
  write_children(tree, 57, 57, "");
}

TEST(ProcessTree, TheFirstScanFollowsTheKernelsChildrenListsAndReadsNoStrangersStat) {
  TempTree tree;
  write_children_listed_tree(tree);
  ProcessTree processes(tree.root(), 100);
  ASSERT_TRUE(processes.open());
  EXPECT_EQ(processes.members(), (std::vector<pid_t>{57, 100, 101}));

  // Later forks are found as before, by the new processes' stat, once the last pid moves.
  write_process(tree, {.pid = 102, .comm = "forked later", .ppid = 100});
  write_process(tree, {.pid = 301, .comm = "the stranger's child", .ppid = 300});
  tree.rewrite("loadavg", "0.20 0.18 0.12 1/82 4002\n");
  processes.update();
  EXPECT_EQ(processes.members(), (std::vector<pid_t>{57, 100, 101, 102}));
}

TEST(ProcessTree, WhereAChildrenListIsMissingTheFirstScanReadsEveryStat) {
  TempTree tree;
  write_children_listed_tree(tree);
  tree.remove("57/task");  // a kernel without the lists, or a thread gone since it was listed
  ProcessTree processes(tree.root(), 100);
  ASSERT_TRUE(processes.open());
  EXPECT_EQ(processes.members(), (std::vector<pid_t>{57, 100, 101, 300}));
}

TEST(ProcProcess, SumsTheTreeAndKeepsReapedChildrenInTheParent) {
  TempTree tree;
  write_process(tree, {.pid = 100, .comm = "sh", .ppid = 1, .utime = 10, .stime = 5, .cutime = 0, .cstime = 0,
                       .rss_pages = 100, .read_bytes = 4096, .write_bytes = 0});
  write_process(tree, {.pid = 101, .comm = "worker", .ppid = 100, .utime = 200, .stime = 20, .cutime = 0, .cstime = 0,
                       .rss_pages = 1000, .read_bytes = 0, .write_bytes = 1 << 20});
  write_process(tree, {.pid = 300, .comm = "unrelated", .ppid = 1, .utime = 9999, .stime = 0, .cutime = 0, .cstime = 0,
                       .rss_pages = 50000, .write_bytes = 1 << 30});
  ProcProcessSource source({.proc = tree.root()}, std::make_shared<ProcessTree>(tree.root(), 100), kRescanEveryTick);
  ASSERT_TRUE(source.open().available);
  auto running = read_all(source);
  EXPECT_DOUBLE_EQ(running["process.cpu_time"].value, ticks_to_seconds(235));
  EXPECT_DOUBLE_EQ(running["process.rss"].value, pages_to_bytes(1100));
  EXPECT_DOUBLE_EQ(running["process.read_bytes"].value, 4096.0);
  EXPECT_DOUBLE_EQ(running["process.write_bytes"].value, static_cast<double>(1 << 20));

  // The worker exits and is waited for: its time and I/O move into the parent's accounts.
  tree.remove("101");
  write_process(tree, {.pid = 100, .comm = "sh", .ppid = 1, .utime = 12, .stime = 5, .cutime = 210, .cstime = 20,
                       .rss_pages = 100, .read_bytes = 4096, .write_bytes = 1 << 20});
  auto reaped = read_all(source);
  EXPECT_DOUBLE_EQ(reaped["process.cpu_time"].value, ticks_to_seconds(247));
  EXPECT_DOUBLE_EQ(reaped["process.rss"].value, pages_to_bytes(100));
  EXPECT_DOUBLE_EQ(reaped["process.write_bytes"].value, static_cast<double>(1 << 20));
}

TEST(ProcProcess, ChildLostToAnotherReaperNeverMakesTheCountersGoBack) {
  TempTree tree;
  write_process(tree, {.pid = 100, .comm = "sh", .ppid = 1, .utime = 10, .stime = 0, .cutime = 0, .cstime = 0, .rss_pages = 1});
  write_process(tree, {.pid = 101, .comm = "daemon", .ppid = 100, .utime = 50, .stime = 0, .cutime = 0, .cstime = 0, .rss_pages = 1});
  ProcProcessSource source({.proc = tree.root()}, std::make_shared<ProcessTree>(tree.root(), 100), kRescanEveryTick);
  ASSERT_TRUE(source.open().available);
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(60));
  tree.remove("101");
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(60));
}

TEST(ProcProcess, NewDescendantsAreLookedForAtMostOncePerRescanPeriod) {
  TempTree tree;
  write_process(tree, {.pid = 100, .comm = "sh", .ppid = 1, .utime = 10, .stime = 0, .cutime = 0, .cstime = 0, .rss_pages = 1});
  ProcProcessSource source({.proc = tree.root()}, std::make_shared<ProcessTree>(tree.root(), 100), 3'600'000'000'000);
  ASSERT_TRUE(source.open().available);
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(10));
  write_process(tree, {.pid = 101, .comm = "new", .ppid = 100, .utime = 40, .stime = 0, .cutime = 0, .cstime = 0, .rss_pages = 1});
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(10));
}

TEST(ProcProcess, TheProcessListIsScannedOnlyWhenAPidWasHandedOutSinceTheLastScan) {
  TempTree tree;
  tree.write("loadavg", "0.20 0.18 0.12 1/80 4000\n");
  write_process(tree, {.pid = 100, .comm = "sh", .ppid = 1, .utime = 10, .stime = 0, .cutime = 0, .cstime = 0, .rss_pages = 1});
  ProcProcessSource source({.proc = tree.root()}, std::make_shared<ProcessTree>(tree.root(), 100), kRescanEveryTick);
  ASSERT_TRUE(source.open().available);
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(10));
  // A directory that appears while the last pid stays put cannot be a new child (a fixture
  // could never show one on a real /proc): the tick takes no scan to look for it.
  write_process(tree, {.pid = 101, .comm = "new", .ppid = 100, .utime = 40, .stime = 0, .cutime = 0, .cstime = 0, .rss_pages = 1});
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(10));
  // The fork shows in /proc/loadavg (rewritten in place, as the kernel does): the next tick scans.
  tree.rewrite("loadavg", "0.20 0.18 0.12 2/81 4001\n");
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(50));
  write_process(tree, {.pid = 102, .comm = "later", .ppid = 100, .utime = 7, .stime = 0, .cutime = 0, .cstime = 0, .rss_pages = 1});
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(50));
  tree.rewrite("loadavg", "0.20 0.18 0.12 2/81 4002\n");
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(57));
}

TEST(ProcProcess, WithoutALoadavgEveryTickMayScan) {
  TempTree tree;
  write_process(tree, {.pid = 100, .comm = "sh", .ppid = 1, .utime = 10, .stime = 0, .cutime = 0, .cstime = 0, .rss_pages = 1});
  ProcProcessSource source({.proc = tree.root()}, std::make_shared<ProcessTree>(tree.root(), 100), kRescanEveryTick);
  ASSERT_TRUE(source.open().available);
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(10));
  write_process(tree, {.pid = 101, .comm = "new", .ppid = 100, .utime = 40, .stime = 0, .cutime = 0, .cstime = 0, .rss_pages = 1});
  EXPECT_DOUBLE_EQ(read_all(source)["process.cpu_time"].value, ticks_to_seconds(50));
}

TEST(ProcProcess, AbsentProcessIsUnavailable) {
  TempTree tree;
  ProcProcessSource source({.proc = tree.root()}, std::make_shared<ProcessTree>(tree.root(), 4242));
  const auto availability = source.open();
  EXPECT_FALSE(availability.available);
  EXPECT_NE(availability.detail.find("4242"), std::string::npos);
}

}  // namespace
}  // namespace powerfit::sensors
