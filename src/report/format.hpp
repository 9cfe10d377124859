#pragma once
// Number formatting and optional values, as every report prints and serialises them.

#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace powerfit::report {

// printf-style formatting of one number: format("%.2f", 3.14159) == "3.14".
inline std::string format(const char* pattern, double value) {
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

// The value, or JSON null.
template <typename T>
nlohmann::ordered_json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

}  // namespace powerfit::report
