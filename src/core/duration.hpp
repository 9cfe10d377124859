#pragma once
// Human durations on the command line: "250ms", "2s", "1.5m", "100us".

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

namespace powerfit {

using Nanoseconds = std::chrono::nanoseconds;

struct DurationError {
  std::string message;
};

// Parses a non-negative duration. A bare number is rejected: the unit must be explicit so that
// "100" is never silently read as 100 seconds by someone who meant milliseconds.
std::variant<Nanoseconds, DurationError> parse_duration(std::string_view text);

// Parses a sampling interval and checks it lies in [1 ms, 60 s].
std::variant<Nanoseconds, DurationError> parse_interval(std::string_view text);

// "100ms", "2s", "1.5s": the shortest exact-looking rendering for messages and reports.
std::string format_duration(Nanoseconds duration);

}  // namespace powerfit
