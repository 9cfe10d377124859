#pragma once
// Pairs of byte counters per device (read/written per disk, received/sent per interface) and
// their sum over a chosen set of devices. The sum is accumulated from per-device increases, so
// it stays monotonic when a device appears or disappears mid-run.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sensors/source.hpp"

namespace powerfit::sensors {

class DeviceCounters {
 public:
  static constexpr std::size_t kNoChannel = static_cast<std::size_t>(-1);
  using Pair = std::array<std::uint64_t, 2>;
  using Channels = std::array<std::size_t, 2>;

  void set_total_channels(Channels channels) { total_channels_ = channels; }
  // A device known at open, with its own channels.
  void add_device(std::string name, Channels channels, bool in_total);

  void begin_tick();
  // `in_total_if_new` decides for a device first seen mid-run, which gets no channel of its own
  // but is counted in the total from the moment it appears.
  void update(std::string_view name, Pair values, bool in_total_if_new, std::span<Reading> out);
  // Devices not updated this tick report `gone`; the totals are written.
  void end_tick(std::span<Reading> out);

 private:
  struct Device {
    std::string name;
    Channels channels{kNoChannel, kNoChannel};
    bool in_total = false;
    bool seen = false;
    bool has_last = false;
    Pair last{};
  };

  std::vector<Device> devices_;
  Channels total_channels_{kNoChannel, kNoChannel};
  std::array<double, 2> total_{0.0, 0.0};
};

}  // namespace powerfit::sensors
