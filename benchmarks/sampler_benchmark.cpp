// CPU cost of one sampling tick over the procfs channel set of this machine, whole and per source.

#include <unistd.h>

#include <benchmark/benchmark.h>

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "sampler/sampler.hpp"
#include "sensors/catalog.hpp"

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

}  // namespace
}  // namespace powerfit
