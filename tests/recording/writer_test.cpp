#include "recording/writer.hpp"

#include <gtest/gtest.h>

#include <map>

#include "support/temp_tree.hpp"

namespace powerfit::recording {
namespace {

using std::chrono::milliseconds;
using Series = std::vector<std::pair<std::int64_t, double>>;

std::vector<int> ticks_of(const Series& stored) {
  std::vector<int> ticks;
  for (const auto& [t, value] : stored) ticks.push_back(static_cast<int>(t / 100'000'000));
  return ticks;
}

// A straight line between the stored samples gives back every tick's value.
void expect_line_gives_back(const Series& stored, const std::map<std::int64_t, double>& value_at) {
  for (const auto& [t, value] : value_at) {
    const auto after = std::lower_bound(stored.begin(), stored.end(), std::make_pair(t, -1e300));
    ASSERT_NE(after, stored.end());
    if (after->first == t) {
      EXPECT_EQ(after->second, value) << t;
      continue;
    }
    ASSERT_NE(after, stored.begin());
    const auto before = after - 1;
    const double share = static_cast<double>(t - before->first) / static_cast<double>(after->first - before->first);
    EXPECT_DOUBLE_EQ(before->second + share * (after->second - before->second), value) << t;
  }
}

TEST(Writer, CommitsEveryTwentyTicksAtLeastASecondAndAtMostFiveSecondsApart) {
  // Most of the writer's CPU is per commit: at 100 ms a commit every five ticks cost the writer
  // 56–60 µs a tick, one every twenty 24–25 µs (BENCHMARKS.md, 2026-12-04).
  EXPECT_EQ(batch_period_for(milliseconds(100)), milliseconds(2000));
  EXPECT_EQ(batch_period_for(milliseconds(200)), milliseconds(4000));
  EXPECT_EQ(batch_period_for(milliseconds(10)), milliseconds(1000));  // not 50 commits a second
  EXPECT_EQ(batch_period_for(milliseconds(1000)), milliseconds(5000));  // a killed run loses 5 s at most
}

// A disk's byte counter, a power gauge, a temperature and a core's utilization, their values set
// by the test before each tick.
class FourChannelSource final : public sensors::Source {
 public:
  double bytes = 0.0;
  double watts = 0.0;
  double celsius = 30.0;
  double percent = 0.0;
  std::string_view name() const override { return "test"; }
  sensors::Availability open() override {
    add_channel({.name = "disk.read_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter});
    add_channel({.name = "test.power", .unit = Unit::watt, .kind = ChannelKind::power_gauge});
    add_channel({.name = "test.temperature", .unit = Unit::celsius, .kind = ChannelKind::gauge});
    add_channel({.name = "cpu0.utilization", .unit = Unit::percent, .kind = ChannelKind::utilization});
    return {true, ""};
  }
  void read(std::span<sensors::Reading> out) override {
    out[0] = {bytes, sensors::ReadStatus::ok};
    out[1] = {watts, sensors::ReadStatus::ok};
    out[2] = {celsius, sensors::ReadStatus::ok};
    out[3] = {percent, sensors::ReadStatus::ok};
  }
};

// A run of FourChannelSource's channels at 100 ms, its writer not started.
class Recording {
 public:
  Recording() {
    auto owned = std::make_unique<FourChannelSource>();
    source_ = owned.get();
    source_->open();
    std::vector<std::unique_ptr<sensors::Source>> sources;
    sources.push_back(std::move(owned));
    sampler_ = std::make_unique<Sampler>(std::move(sources), SamplerOptions{.interval = milliseconds(100)});
    const auto run = database_.begin_run({.uuid = new_run_uuid(), .command = {"true"}, .start_wall_ns = 1, .interval_s = 0.1});
    ids_ = database_.add_channels(run, sampler_->channels());
    writer_ = std::make_unique<RunWriter>(database_, *sampler_, run, ids_);
  }
  struct Parts {
    FourChannelSource& source;
    Sampler& sampler;
    Database& database;
    const std::vector<std::int64_t>& ids;
    RunWriter& writer;
  };
  Parts parts() { return {*source_, *sampler_, database_, ids_, *writer_}; }

 private:
  powerfit::testing::TempTree tree_;
  Database database_ = Database::open(tree_.path("runs.db"), Database::Mode::read_write);
  FourChannelSource* source_ = nullptr;  // owned by the sampler
  std::unique_ptr<Sampler> sampler_;
  std::vector<std::int64_t> ids_;
  std::unique_ptr<RunWriter> writer_;
};

TEST(Writer, AByteCounterThatStandsStillIsStoredWhereItStopsAndMovesAndAtEachCommit) {
  // Every tick of every channel was stored: beside an H100, two idle disks and four interfaces
  // were 16 of 55 rows a tick, 2 µs of the writer's CPU each.
  Recording recording;
  auto [source, sampler, database, ids, writer] = recording.parts();

  // Bytes: 1000 for ticks 0-9, 5000 for 10-24, 9000 for 25-29; power 50 W throughout. Ticks
  // 0-19 are one commit, 20-29 the next.
  std::map<std::int64_t, double> bytes_at;
  const auto tick = [&](int i) {
    source.bytes = i < 10 ? 1000.0 : i < 25 ? 5000.0 : 9000.0;
    source.watts = 50.0;
    const std::int64_t t = std::int64_t{i} * 100'000'000;
    bytes_at[t] = source.bytes - 1000.0;  // a counter is stored as counted from the run's start
    sampler.sample_at(t);
  };
  for (int i = 0; i < 20; ++i) tick(i);
  writer.start();
  writer.stop();
  for (int i = 20; i < 30; ++i) tick(i);
  writer.start();
  writer.stop();
  ASSERT_TRUE(writer.error().empty()) << writer.error();

  const auto stored = database.channel_series(ids[0]);
  EXPECT_EQ(ticks_of(stored), (std::vector<int>{0, 9, 10, 19, 24, 25, 29}));
  expect_line_gives_back(stored, bytes_at);
  EXPECT_EQ(database.channel_series(ids[1]).size(), 30u);  // a power gauge that stands still: every tick
}

TEST(Writer, AGaugeOrAUtilizationThatStandsStillIsStoredWhereItStopsAndMovesAndAtEachCommit) {
  // Every tick of every gauge and utilization was stored: beside an idle H100 its utilization,
  // memory utilization, SM clock and temperature were four of its six rows a tick, each the same
  // as the tick before; in bench's runs on that machine 8 to 11 of its 16 cores stayed at 0%.
  Recording recording;
  auto [source, sampler, database, ids, writer] = recording.parts();

  // 30 °C for ticks 0-11, 31 °C at 12, 32 °C for 13-29; the core at 0% but for 10% at tick 12.
  // Ticks 0-19 are one commit, 20-29 the next.
  std::map<std::int64_t, double> celsius_at, percent_at;
  for (int i = 0; i < 30; ++i) {
    if (i == 20) writer.start(), writer.stop();
    source.celsius = i < 12 ? 30.0 : i == 12 ? 31.0 : 32.0;
    source.percent = i == 12 ? 10.0 : 0.0;
    const std::int64_t t = std::int64_t{i} * 100'000'000;
    celsius_at[t] = source.celsius;
    percent_at[t] = source.percent;
    sampler.sample_at(t);
  }
  writer.start();
  writer.stop();
  ASSERT_TRUE(writer.error().empty()) << writer.error();

  const auto stored = database.channel_series(ids[2]);
  EXPECT_EQ(ticks_of(stored), (std::vector<int>{0, 11, 12, 13, 19, 29}));
  expect_line_gives_back(stored, celsius_at);
  const auto core = database.channel_series(ids[3]);
  EXPECT_EQ(ticks_of(core), (std::vector<int>{0, 11, 12, 13, 19, 29}));
  expect_line_gives_back(core, percent_at);
}

}  // namespace
}  // namespace powerfit::recording
