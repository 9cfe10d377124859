#include "core/duration.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

namespace powerfit {
namespace {

constexpr std::array<std::pair<std::string_view, double>, 6> kUnits{{
    {"ns", 1.0},
    {"us", 1e3},
    {"ms", 1e6},
    {"s", 1e9},
    {"m", 60e9},
    {"h", 3600e9},
}};

}  // namespace

std::variant<Nanoseconds, DurationError> parse_duration(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  if (text.empty()) return DurationError{"empty duration; write a number and a unit, e.g. 100ms"};
  if (text.front() == '-') {
    return DurationError{"negative duration " + quoted + "; durations must be positive, e.g. 100ms"};
  }
  std::size_t digits_end = 0;
  while (digits_end < text.size() &&
         ((text[digits_end] >= '0' && text[digits_end] <= '9') || text[digits_end] == '.')) {
    ++digits_end;
  }
  double number = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + digits_end, number);
  if (digits_end == 0 || ec != std::errc() || end != text.data() + digits_end) {
    return DurationError{"invalid duration " + quoted + "; write a number and a unit, e.g. 250ms or 2s"};
  }
  const std::string_view unit = text.substr(digits_end);
  if (unit.empty()) {
    if (number == 0.0) return Nanoseconds{0};
    return DurationError{"duration " + quoted + " has no unit; add one of ns, us, ms, s, m, h (e.g. " +
                         std::string(text) + "ms)"};
  }
  for (const auto& [name, scale] : kUnits) {
    if (name == unit) {
      const double nanoseconds = number * scale;
      if (!std::isfinite(nanoseconds) || nanoseconds > 9.2e18) {
        return DurationError{"duration " + quoted + " is too long"};
      }
      return Nanoseconds{static_cast<long long>(std::llround(nanoseconds))};
    }
  }
  return DurationError{"unknown unit '" + std::string(unit) + "' in duration " + quoted +
                       "; use ns, us, ms, s, m or h"};
}

std::variant<Nanoseconds, DurationError> parse_interval(std::string_view text) {
  auto parsed = parse_duration(text);
  if (auto* error = std::get_if<DurationError>(&parsed)) {
    return DurationError{"interval: " + error->message};
  }
  const auto interval = std::get<Nanoseconds>(parsed);
  if (interval < std::chrono::milliseconds(1) || interval > std::chrono::seconds(60)) {
    return DurationError{"interval '" + std::string(text) +
                         "' is out of range; choose between 1ms and 60s (default 100ms)"};
  }
  return interval;
}

std::string format_duration(Nanoseconds duration) {
  const auto ns = duration.count();
  char buffer[64];
  if (ns % 1'000'000'000 == 0) {
    std::snprintf(buffer, sizeof buffer, "%llds", static_cast<long long>(ns / 1'000'000'000));
  } else if (ns % 1'000'000 == 0) {
    std::snprintf(buffer, sizeof buffer, "%lldms", static_cast<long long>(ns / 1'000'000));
  } else if (ns % 1'000 == 0) {
    std::snprintf(buffer, sizeof buffer, "%lldus", static_cast<long long>(ns / 1'000));
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldns", static_cast<long long>(ns));
  }
  return buffer;
}

}  // namespace powerfit
