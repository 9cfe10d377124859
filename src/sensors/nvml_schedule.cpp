#include "sensors/nvml_schedule.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include "core/duration.hpp"

namespace powerfit::sensors {
namespace {

using Field = std::chrono::milliseconds NvmlSchedule::*;
constexpr std::array<std::pair<std::string_view, Field>, 11> kFields{{{"energy", &NvmlSchedule::energy},
                                                                     {"energy_level", &NvmlSchedule::energy_level},
                                                                    {"first", &NvmlSchedule::first},
                                                                    {"retry", &NvmlSchedule::retry},
                                                                    {"watch", &NvmlSchedule::watch},
                                                                    {"watch_first", &NvmlSchedule::watch_first},
                                                                    {"watch_for", &NvmlSchedule::watch_for},
                                                                    {"watch_every", &NvmlSchedule::watch_every},
                                                                    {"shift_gap", &NvmlSchedule::shift_gap},
                                                                    {"after_shift", &NvmlSchedule::after_shift},
                                                                    {"memory", &NvmlSchedule::memory}}};

using Switch = bool NvmlSchedule::*;
constexpr std::array<std::pair<std::string_view, Switch>, 5> kSwitches{{{"aim", &NvmlSchedule::aim},
                                                                       {"aim_hold", &NvmlSchedule::aim_hold},
                                                                       {"mark", &NvmlSchedule::mark},
                                                                       {"watch_counter", &NvmlSchedule::watch_counter},
                                                                       {"counter_in_stretches", &NvmlSchedule::counter_in_stretches}}};

// Shares given as a percent or off: the name, the field, the largest share and an example.
struct Percent {
  std::string_view name;
  double NvmlSchedule::*field;
  double most;
  std::string_view example;
};
constexpr std::array<Percent, 2> kPercents{{{"shift", &NvmlSchedule::shift, 10.0, "10%"},
                                           {"instant_lead", &NvmlSchedule::instant_lead, 1.0, "50%"}}};

// Whole numbers: the name, the field and the largest.
using Count = int NvmlSchedule::*;
constexpr std::array<std::tuple<std::string_view, Count, int>, 1> kCounts{{{"watch_sharp", &NvmlSchedule::watch_sharp, 100}}};

// "10%" as 0.1, "off" as 0; nothing when it is neither a percent above 0 and at most `most` as a share, nor off.
std::optional<double> parse_percent(std::string_view text, double most) {
  if (text == "off") return 0.0;
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  const std::string number(text.substr(0, text.size() - 1));
  char* end = nullptr;
  const double percent = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size() || !(percent > 0.0 && percent <= most * 100.0)) return std::nullopt;
  return percent / 100.0;
}

}  // namespace

std::variant<NvmlSchedule, std::string> parse_nvml_schedule(const char* text) {
  NvmlSchedule schedule;
  if (text == nullptr || *text == '\0') return schedule;
  const std::string prefix = std::string(kNvmlScheduleVariable) + "='" + text + "': ";
  const std::string fix = "; fix it (e.g. energy=1s,watch_for=600ms,watch_every=5s) or unset it";
  std::string_view rest(text);
  for (bool more = true; more;) {
    const auto comma = rest.find(',');
    const auto item = rest.substr(0, comma);
    more = comma != std::string_view::npos;
    if (more) rest.remove_prefix(comma + 1);
    const auto equals = item.find('=');
    const auto key = item.substr(0, equals);
    const auto* on_off = std::find_if(kSwitches.begin(), kSwitches.end(), [&](const auto& f) { return f.first == key; });
    if (on_off != kSwitches.end() && equals != std::string_view::npos) {
      const auto value = item.substr(equals + 1);
      if (value != "on" && value != "off") return prefix + std::string(key) + " is on or off, not '" + std::string(value) + "'" + fix;
      schedule.*(on_off->second) = value == "on";
      continue;
    }
    const auto* count = std::find_if(kCounts.begin(), kCounts.end(), [&](const auto& c) { return std::get<0>(c) == key; });
    if (count != kCounts.end() && equals != std::string_view::npos) {
      const auto value = item.substr(equals + 1);
      const auto& [name, target, most] = *count;
      int parsed = -1;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      if (error != std::errc() || end != value.data() + value.size() || parsed < 0 || parsed > most) {
        return prefix + std::string(key) + " is a whole number from 0 to " + std::to_string(most) + " (e.g. 2), not '" +
               std::string(value) + "'" + fix;
      }
      schedule.*target = parsed;
      continue;
    }
    const auto* share = std::find_if(kPercents.begin(), kPercents.end(), [&](const auto& p) { return p.name == key; });
    if (share != kPercents.end() && equals != std::string_view::npos) {
      const auto value = item.substr(equals + 1);
      const auto parsed = parse_percent(value, share->most);
      if (!parsed) {
        char most[32];
        std::snprintf(most, sizeof most, "%g%%", share->most * 100.0);
        return prefix + std::string(key) + " is a percent above 0 and up to " + most + " (e.g. " + std::string(share->example) +
               ") or off, not '" + std::string(value) + "'" + fix;
      }
      schedule.*(share->field) = *parsed;
      continue;
    }
    const auto* field = std::find_if(kFields.begin(), kFields.end(), [&](const auto& f) { return f.first == key; });
    if (equals == std::string_view::npos || field == kFields.end()) {
      return prefix + "'" + std::string(item) + "' is not NAME=DURATION with NAME one of energy, energy_level, first, retry, watch, " +
             "watch_first, watch_for, watch_every, shift_gap, after_shift, memory (or watch_sharp=NUMBER, shift=PERCENT|off, instant_lead=PERCENT|off, aim=on|off, aim_hold=on|off, mark=on|off, watch_counter=on|off, counter_in_stretches=on|off)" + fix;
    }
    const auto duration = parse_duration(item.substr(equals + 1));
    if (const auto* error = std::get_if<DurationError>(&duration)) return prefix + error->message + fix;
    const auto value = std::chrono::duration_cast<std::chrono::milliseconds>(std::get<Nanoseconds>(duration));
    if (value < std::chrono::milliseconds(1) || value > std::chrono::hours(1)) {
      return prefix + std::string(key) + " must lie between 1ms and 1h" + fix;
    }
    schedule.*(field->second) = value;
  }
  return schedule;
}

std::variant<NvmlSchedule, std::string> nvml_schedule_from_environment() {
  return parse_nvml_schedule(std::getenv(kNvmlScheduleVariable));
}

std::string describe(const NvmlSchedule& schedule) {
  std::string text;
  for (const auto& [name, field] : kFields) {
    text += (text.empty() ? "" : ",") + std::string(name) + "=" + format_duration(schedule.*field);
  }
  for (const auto& [name, field, most] : kCounts) text += "," + std::string(name) + "=" + std::to_string(schedule.*field);
  for (const auto& share : kPercents) {
    const double value = schedule.*(share.field);
    char percent[64];
    std::snprintf(percent, sizeof percent, value > 0.0 ? ",%.*s=%g%%" : ",%.*s=off", static_cast<int>(share.name.size()),
                  share.name.data(), value * 100.0);
    text += percent;
  }
  for (const auto& [name, field] : kSwitches) text += "," + std::string(name) + (schedule.*field ? "=on" : "=off");
  return text;
}

}  // namespace powerfit::sensors
