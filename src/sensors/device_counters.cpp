#include "sensors/device_counters.hpp"

namespace powerfit::sensors {

void DeviceCounters::add_device(std::string name, Channels channels, bool in_total) {
  devices_.push_back({.name = std::move(name), .channels = channels, .in_total = in_total});
}

void DeviceCounters::begin_tick() {
  for (auto& device : devices_) device.seen = false;
}

void DeviceCounters::update(std::string_view name, Pair values, bool in_total_if_new,
                            std::span<Reading> out) {
  Device* device = nullptr;
  for (auto& candidate : devices_) {
    if (candidate.name == name) {
      device = &candidate;
      break;
    }
  }
  if (device == nullptr) {
    devices_.push_back({.name = std::string(name), .in_total = in_total_if_new});
    device = &devices_.back();
  }
  device->seen = true;
  for (std::size_t i = 0; i < 2; ++i) {
    if (device->channels[i] != kNoChannel) {
      out[device->channels[i]] = {static_cast<double>(values[i]), ReadStatus::ok};
    }
    if (device->in_total && device->has_last) {
      // A smaller value means the device was re-created and its counter restarted at zero.
      // Byte counts have no ceiling to judge a step by: all of a restarted counter is new.
      const auto last = device->last[i];
      total_[i] += static_cast<double>(values[i] >= last ? values[i] - last : values[i]);
    }
  }
  device->last = values;
  device->has_last = true;
}

void DeviceCounters::end_tick(std::span<Reading> out) {
  for (auto& device : devices_) {
    if (device.seen) continue;
    device.has_last = false;
    for (const auto channel : device.channels) {
      if (channel != kNoChannel) out[channel].status = ReadStatus::gone;
    }
  }
  for (std::size_t i = 0; i < 2; ++i) {
    if (total_channels_[i] != kNoChannel) out[total_channels_[i]] = {total_[i], ReadStatus::ok};
  }
}

}  // namespace powerfit::sensors
