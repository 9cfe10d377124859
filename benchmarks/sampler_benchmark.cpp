// CPU cost of one sampling tick over the procfs channel set of this machine, whole and per source.

#include <unistd.h>

#include <benchmark/benchmark.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "core/sleeper.hpp"
#include "sampler/sampler.hpp"
#include "sensors/catalog.hpp"
#include "sensors/process_tree.hpp"

namespace powerfit {
namespace {

std::vector<std::unique_ptr<sensors::Source>> procfs_sources() {
  auto catalog = sensors::open_catalog({.process_root = ::getpid()});
  return sensors::available_sources(catalog);
}

// One tick as the sampling thread takes it: every source read, every channel tracked, the tick
// queued for storage (drained outside the timing, as the recording thread would).
void BM_TickAllProcfsChannels(benchmark::State& state) {
  Sampler sampler(procfs_sources(), {.queue_ticks = 1024});
  std::int64_t t = 0;
  for (auto _ : state) {
    sampler.sample_at(t += 1'000'000);
    if (sampler.queue().size() > 512) {
      state.PauseTiming();
      sampler.queue().drain([](auto, auto, auto, auto) {});
      state.ResumeTiming();
    }
  }
  state.counters["channels"] = static_cast<double>(sampler.channels().size());
}
BENCHMARK(BM_TickAllProcfsChannels)->Unit(benchmark::kMicrosecond);

void BM_ReadOneSource(benchmark::State& state) {
  auto sources = procfs_sources();
  auto& source = *sources.at(static_cast<std::size_t>(state.range(0)));
  std::vector<sensors::Reading> readings(source.channels().size());
  for (auto _ : state) {
    source.read(readings);
    benchmark::DoNotOptimize(readings.data());
  }
  state.SetLabel(std::string(source.name()));
}
BENCHMARK(BM_ReadOneSource)->DenseRange(0, 4)->Unit(benchmark::kMicrosecond);

// What the sampling thread pays to wake for a tick, before any work: a timed wait on a condition
// variable, as Sampler::run waits, ARG ms apart (CPU column: the thread's CPU per wake).
void BM_TimedWake(benchmark::State& state) {
  std::mutex mutex;
  std::condition_variable never;
  auto next = std::chrono::steady_clock::now();
  for (auto _ : state) {
    next += std::chrono::milliseconds(state.range(0));
    std::unique_lock lock(mutex);
    never.wait_until(lock, next, [] { return false; });
  }
}
BENCHMARK(BM_TimedWake)->Arg(100)->Iterations(30)->Unit(benchmark::kMicrosecond);

// The same through the Sleeper the sampler and NVML's poller now sleep on (a futex word).
void BM_SleeperWake(benchmark::State& state) {
  Sleeper sleeper;
  std::int64_t next = monotonic_now_ns();
  for (auto _ : state) {
    next += state.range(0) * 1'000'000;
    sleeper.sleep_until(next);
  }
}
BENCHMARK(BM_SleeperWake)->Arg(100)->Iterations(30)->Unit(benchmark::kMicrosecond);

// The process tree's first scan over a host of 1000 processes (a /proc laid out in a temporary
// directory: a stat per process, /proc/loadavg) whose root has two children. ARG 1: the kernel's
// children lists are there too, and the scan follows them from the root; ARG 0: they are absent,
// and it reads every process's stat (the only way before 2026-12-06).
void BM_FirstScanOfAThousandProcesses(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("powerfit-bench-proc-" + std::to_string(::getpid()));
  const auto write = [&](const fs::path& relative, const std::string& text) {
    fs::create_directories((root / relative).parent_path());
    std::ofstream(root / relative) << text;
  };
  write("loadavg", "0.20 0.18 0.12 1/1000 5000\n");
  for (int pid = 1; pid <= 1000; ++pid) {
    const int ppid = pid == 501 || pid == 502 ? 500 : 1;
    write(std::to_string(pid) + "/stat", std::to_string(pid) + " (worker) S " + std::to_string(ppid) +
                                             " 1 1 0 -1 4194304 10 0 0 0 5 5 0 0 20 0 1 0 1000 2990080 100 "
                                             "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
    if (state.range(0) == 1) {
      write(std::to_string(pid) + "/task/" + std::to_string(pid) + "/children", pid == 500 ? "501 502 " : "");
    }
  }
  for (auto _ : state) {
    sensors::ProcessTree tree(root, 500);
    tree.open();
    benchmark::DoNotOptimize(tree.members().data());
  }
  state.SetLabel(state.range(0) == 1 ? "children lists" : "every stat");
  fs::remove_all(root);
}
BENCHMARK(BM_FirstScanOfAThousandProcesses)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The same on this machine's /proc, whichever way its kernel allows (this benchmark's own tree).
void BM_FirstScanOfThisHost(benchmark::State& state) {
  for (auto _ : state) {
    sensors::ProcessTree tree("/proc", ::getpid());
    tree.open();
    benchmark::DoNotOptimize(tree.members().data());
  }
}
BENCHMARK(BM_FirstScanOfThisHost)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace powerfit
