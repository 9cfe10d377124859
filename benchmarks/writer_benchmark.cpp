// CPU cost of storing ticks, by how many ticks one commit holds: the writer's batch (five ticks
// before 2026-12-04, twenty now). Twenty channels a tick: more than `--sources nvml` records on
// one GPU (15 on the test suite's fake NVML), fewer than all sources.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include "recording/database.hpp"

namespace powerfit::recording {
namespace {

constexpr int kChannels = 20;

void BM_StoreTicks(benchmark::State& state) {
  const auto ticks_per_commit = state.range(0);
  const auto path = std::filesystem::temp_directory_path() / ("powerfit-writer-benchmark-" + std::to_string(ticks_per_commit) + ".db");
  std::filesystem::remove(path);
  {
    auto database = Database::open(path, Database::Mode::read_write);
    const auto run = database.begin_run({.uuid = new_run_uuid(), .command = {"sleep", "10"}, .start_wall_ns = 1, .interval_s = 0.1});
    std::vector<ChannelInfo> channels;
    for (int i = 0; i < kChannels; ++i) {
      channels.push_back({.name = "gpu0.channel" + std::to_string(i), .unit = Unit::watt, .kind = ChannelKind::power_gauge});
    }
    const auto ids = database.add_channels(run, channels);
    std::int64_t t = 0;
    for (auto _ : state) {  // one commit of `ticks_per_commit` ticks, as RunWriter::flush makes it
      auto transaction = database.transaction();
      for (std::int64_t tick = 0; tick < ticks_per_commit; ++tick) {
        t += 100'000'000;
        for (int i = 0; i < kChannels; ++i) database.insert_sample(run, ids[static_cast<std::size_t>(i)], t, 100.0 + 0.25 * static_cast<double>(i + tick));
      }
      transaction.commit();
    }
    state.counters["per_tick"] = benchmark::Counter(static_cast<double>(state.iterations() * ticks_per_commit),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  }
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}
BENCHMARK(BM_StoreTicks)->Arg(5)->Arg(20)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace powerfit::recording
