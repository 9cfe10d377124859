#pragma once
// Reads a source once and looks its readings up by channel name.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "sensors/source.hpp"

namespace powerfit::testing {

inline std::map<std::string, sensors::Reading> read_all(sensors::Source& source) {
  std::vector<sensors::Reading> readings(source.channels().size());
  source.read(readings);
  std::map<std::string, sensors::Reading> by_name;
  for (std::size_t i = 0; i < readings.size(); ++i) by_name[source.channels()[i].name] = readings[i];
  return by_name;
}

inline bool has_channel(const sensors::Source& source, const std::string& name) {
  for (const auto& channel : source.channels()) {
    if (channel.name == name) return true;
  }
  return false;
}

}  // namespace powerfit::testing
