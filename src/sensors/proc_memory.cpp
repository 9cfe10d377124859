#include "sensors/proc_memory.hpp"

#include <optional>

#include "core/text.hpp"

namespace powerfit::sensors {
namespace {

struct MemInfo {
  std::optional<std::uint64_t> total_kib;
  std::optional<std::uint64_t> available_kib;
};

MemInfo parse_meminfo(std::string_view content) {
  MemInfo info;
  while (!content.empty() && !(info.total_kib && info.available_kib)) {
    std::string_view rest = text::next_line(content);
    const auto key = text::next_token(rest);
    if (key == "MemTotal:") info.total_kib = text::to_u64(text::next_token(rest));
    if (key == "MemAvailable:") info.available_kib = text::to_u64(text::next_token(rest));
  }
  return info;
}

}  // namespace

Availability ProcMemorySource::open() {
  const auto path = roots_.proc / "meminfo";
  if (const auto status = meminfo_.open(path); status != ReadStatus::ok) {
    return {false, explain_open_failure(path, status)};
  }
  std::string_view content;
  if (meminfo_.read(content) != ReadStatus::ok) return {false, "cannot read " + path.string()};
  const auto info = parse_meminfo(content);
  if (!info.total_kib || !info.available_kib) {
    return {false, "not supported here: " + path.string() + " lacks MemTotal or MemAvailable (kernel < 3.14)"};
  }
  used_ = add_channel({.name = "memory.used", .unit = Unit::byte, .kind = ChannelKind::gauge});
  available_ = add_channel({.name = "memory.available", .unit = Unit::byte, .kind = ChannelKind::gauge});
  return {true, "used and available memory from " + path.string()};
}

void ProcMemorySource::read(std::span<Reading> out) {
  std::string_view content;
  const auto status = meminfo_.read(content);
  const auto info = status == ReadStatus::ok ? parse_meminfo(content) : MemInfo{};
  if (!info.total_kib || !info.available_kib) {
    const auto failure = status == ReadStatus::ok ? ReadStatus::io_error : status;
    out[used_].status = failure;
    out[available_].status = failure;
    return;
  }
  out[used_] = {static_cast<double>((*info.total_kib - *info.available_kib) * 1024), ReadStatus::ok};
  out[available_] = {static_cast<double>(*info.available_kib * 1024), ReadStatus::ok};
}

}  // namespace powerfit::sensors
