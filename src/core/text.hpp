#pragma once
// Allocation-free tokenising of the line-oriented text files under /proc and /sys.

#include <cstdint>
#include <optional>
#include <string_view>

namespace powerfit::text {

// Splits off the next line (without its '\n') and advances `rest` past it.
std::string_view next_line(std::string_view& rest);

// Splits off the next whitespace-separated token and advances `rest` past it; empty at the end.
std::string_view next_token(std::string_view& rest);

std::optional<std::uint64_t> to_u64(std::string_view token);
std::optional<std::int64_t> to_i64(std::string_view token);
std::optional<double> to_double(std::string_view token);

std::string_view trim(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);

}  // namespace powerfit::text
