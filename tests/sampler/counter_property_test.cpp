// Property test of the trusted-joules rules: random power profiles read through a counter that
// wraps, glitches (a transient 0, a torn high value), drops out (failed reads) and resets, driven
// through the sampler tick by tick in virtual time, then through the window code. Every run must
// give the exact energy back within the documented tolerance:
// - glitches and drop-outs lose nothing and add nothing;
// - a reset loses at most the stretch from the last believed reading before it to the second
//   reading in a row after it that goes on plausibly (at most P_max × that stretch);
// - a window's edges are known to within the samples around them (P_max × the gap at each edge).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "analysis/window.hpp"
#include "sampler/sampler.hpp"

namespace powerfit {
namespace {

constexpr std::int64_t kInterval = 10'000'000;  // 10 ms of virtual time a tick
constexpr double kMaxPower = 300.0;
constexpr double kCeiling = 400.0;  // the channel's plausibility ceiling, above any true power

// The truth: power constant over random stretches.
struct Profile {
  std::vector<std::pair<double, double>> steps;  // from (s), watts
  double energy(double t) const {
    double joules = 0.0;
    for (std::size_t i = 0; i < steps.size() && steps[i].first < t; ++i) {
      const double end = std::min(i + 1 < steps.size() ? steps[i + 1].first : t, t);
      joules += steps[i].second * (end - steps[i].first);
    }
    return joules;
  }
};

// What the device shows at each tick: set by the test before the tick.
class FaultySource final : public sensors::Source {
 public:
  FaultySource(double wrap_at, sensors::Reading& next) : wrap_at_(wrap_at), next_(next) {}
  std::string_view name() const override { return "faulty"; }
  sensors::Availability open() override {
    add_channel({.name = "dev.energy", .unit = Unit::joule, .kind = ChannelKind::energy_counter,
                 .wrap_at = wrap_at_, .max_rate = kCeiling, .in_energy_total = true});
    return {true, ""};
  }
  void read(std::span<sensors::Reading> out) override { out[0] = next_; }

 private:
  double wrap_at_;
  sensors::Reading& next_;
};

struct Case {
  Profile profile;
  double wrap_at = 0.0, offset = 0.0;
  int ticks = 0;
};

TEST(CounterProperty, RandomPowersWrapsGlitchesResetsAndDropOutsGiveTheExactEnergyBack) {
  int windows_checked = 0, resets_seen = 0, glitches_seen = 0;
  for (unsigned seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    auto uniform = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    Case c;
    c.ticks = 200 + static_cast<int>(rng() % 400);
    for (double t = 0.0; t < c.ticks * 0.01 + 0.1; t += uniform(0.005, 0.1)) c.profile.steps.emplace_back(t, uniform(0.0, kMaxPower));
    // RAPL's powercap range, NVML's counter that never wraps; started near the wrap so it wraps.
    c.wrap_at = seed % 2 ? 262143.328850 : 0.0;
    c.offset = c.wrap_at > 0 ? c.wrap_at - uniform(0.0, 600.0) : uniform(0.0, 1e6);

    sensors::Reading next;
    std::vector<std::unique_ptr<sensors::Source>> sources;
    sources.push_back(std::make_unique<FaultySource>(c.wrap_at, next));
    sources.back()->open();
    Sampler sampler(std::move(sources), {.interval = std::chrono::nanoseconds(kInterval), .queue_ticks = 4096});

    double base = c.offset;     // raw counter = base + energy since the last reset
    double reset_energy = 0.0;  // true energy at the last reset
    double lost_bound = 0.0;    // what resets may lose, at most
    double last_good_t = 0.0;
    double reset_from = -1.0;  // the last good reading before a reset not yet counted through (-1: none)
    int good_since_reset = 0;
    int dropout = 0;
    for (int tick = 0; tick <= c.ticks; ++tick) {
      const double t = tick * 0.01;
      const double truth = c.profile.energy(t);
      const bool edge = tick < 3 || tick > c.ticks - 3;
      const auto roll = static_cast<unsigned>(rng() % 1000);
      if (!edge && dropout == 0 && roll < 30) dropout = 1 + static_cast<int>(rng() % 3);
      // The counter restarts from zero. Just below the top of a wrapping range a restart cannot be
      // told from a wrap (both read as a small value after a large one, the amount between them
      // plausible): there it would count the rest of the range, at most the ceiling times the
      // interval plus kCounterSlackSeconds. Restarts are drawn away from the top.
      const double to_top = c.wrap_at > 0 ? c.wrap_at - std::fmod(base + (truth - reset_energy), c.wrap_at) : 1e300;
      if (!edge && roll >= 998 && dropout == 0 && reset_from < 0.0 && to_top > kCeiling * (0.1 + kCounterSlackSeconds)) {
        reset_from = last_good_t;
        good_since_reset = 0;
        base = 0.0;
        reset_energy = truth;
      }
      double raw = base + (truth - reset_energy);
      if (c.wrap_at > 0) raw = std::fmod(raw, c.wrap_at);
      next = {raw, sensors::ReadStatus::ok};
      if (dropout > 0) {
        next.status = sensors::ReadStatus::io_error;
        --dropout;
      } else if (!edge && roll >= 40 && roll < 60) {
        next.value = roll % 2 ? 0.0 : raw + uniform(1e6, 1e9);  // a transient 0, or a torn high value
      } else {
        last_good_t = t;
        if (reset_from >= 0.0 && ++good_since_reset == 2) {
          lost_bound += kMaxPower * (t - reset_from);
          reset_from = -1.0;
        }
      }
      sampler.sample_at(tick * kInterval);
    }

    const auto& track = sampler.tracks()[0];
    ASSERT_FALSE(track.failed()) << "seed " << seed;
    const double total_truth = c.profile.energy(c.ticks * 0.01);
    resets_seen += static_cast<int>(track.counter().resets());
    glitches_seen += static_cast<int>(track.counter().glitches());
    EXPECT_LE(track.increase(), total_truth + 1e-6) << "seed " << seed << ": energy added";
    EXPECT_GE(track.increase(), total_truth - lost_bound - 1e-6) << "seed " << seed << ": energy lost";

    // A random window, through the window code, on the recorded series.
    analysis::Series series;
    sampler.queue().drain([&](std::int64_t time, auto values, auto present, auto) {
      if (present[0]) series.emplace_back(time, values[0]);
    });
    if (track.counter().resets() > 0) continue;  // a reset's lost stretch may fall in any window
    const int a = 1 + static_cast<int>(rng() % (c.ticks / 2));
    const int b = a + 1 + static_cast<int>(rng() % (c.ticks - a - 1));
    const auto t0 = a * kInterval + static_cast<std::int64_t>(rng() % kInterval);
    const auto t1 = std::min<std::int64_t>(b * kInterval + static_cast<std::int64_t>(rng() % kInterval), c.ticks * kInterval);
    const auto window = analysis::energy_in_window(series, ChannelKind::energy_counter, t0, t1);
    ASSERT_TRUE(window) << "seed " << seed;
    const auto gap_at = [&](std::int64_t t) {
      const auto after = std::lower_bound(series.begin(), series.end(), std::make_pair(t, -1e300));
      const auto before = after == series.begin() ? after : after - 1;
      return static_cast<double>((after == series.end() ? before : after)->first - before->first) * 1e-9;
    };
    const double truth = c.profile.energy(static_cast<double>(t1) * 1e-9) - c.profile.energy(static_cast<double>(t0) * 1e-9);
    EXPECT_NEAR(*window, truth, kMaxPower * (gap_at(t0) + gap_at(t1)) + 1e-6) << "seed " << seed;
    ++windows_checked;
  }
  // The faults were really exercised.
  EXPECT_GT(resets_seen, 20);
  EXPECT_GT(glitches_seen, 500);
  EXPECT_GT(windows_checked, 100);
}

}  // namespace
}  // namespace powerfit
