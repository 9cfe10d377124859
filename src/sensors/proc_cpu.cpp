#include "sensors/proc_cpu.hpp"

#include <string>

#include "core/text.hpp"

namespace powerfit::sensors {
namespace {

// Fields after the label: user nice system idle iowait irq softirq steal guest guest_nice.
// guest time is already counted inside user, so it is not added again.
bool parse_jiffies(std::string_view fields, std::uint64_t& busy, std::uint64_t& total) {
  std::uint64_t values[8] = {};
  std::size_t count = 0;
  while (count < 8) {
    const auto token = text::next_token(fields);
    if (token.empty()) break;
    const auto value = text::to_u64(token);
    if (!value) return false;
    values[count++] = *value;
  }
  if (count < 4) return false;
  const std::uint64_t idle = values[3] + values[4];
  busy = values[0] + values[1] + values[2] + values[5] + values[6] + values[7];
  total = busy + idle;
  return true;
}

std::optional<std::size_t> core_number(std::string_view label) {
  if (!text::starts_with(label, "cpu") || label.size() == 3) return std::nullopt;
  const auto number = text::to_u64(label.substr(3));
  if (!number) return std::nullopt;
  return static_cast<std::size_t>(*number);
}

}  // namespace

Availability ProcCpuSource::open() {
  const auto path = roots_.proc / "stat";
  if (const auto status = stat_.open(path); status != ReadStatus::ok) {
    return {false, explain_open_failure(path, status)};
  }
  std::string_view content;
  if (stat_.read(content) != ReadStatus::ok) return {false, "cannot read " + path.string()};

  system_.channel = add_channel({.name = "cpu.utilization",
                                 .unit = Unit::percent,
                                 .kind = ChannelKind::utilization,
                                 .scope = "system"});
  while (!content.empty()) {
    std::string_view rest = text::next_line(content);
    const auto label = text::next_token(rest);
    const auto core = core_number(label);
    if (!core) continue;
    if (*core >= cores_.size()) cores_.resize(*core + 1, Line{.channel = std::string::npos});
    cores_[*core].channel = add_channel({.name = "cpu" + std::to_string(*core) + ".utilization",
                                         .unit = Unit::percent,
                                         .kind = ChannelKind::utilization,
                                         .scope = "cpu:" + std::to_string(*core)});
  }
  return {true, "utilization of the system and of " + std::to_string(channels_.size() - 1) +
                    " cores from " + path.string()};
}

ProcCpuSource::Line* ProcCpuSource::line_for(std::string_view label) {
  if (label == "cpu") return &system_;
  const auto core = core_number(label);
  if (!core || *core >= cores_.size() || cores_[*core].channel == std::string::npos) return nullptr;
  return &cores_[*core];
}

void ProcCpuSource::read(std::span<Reading> out) {
  for (auto& reading : out) reading = {0.0, ReadStatus::missing};
  std::string_view content;
  if (const auto status = stat_.read(content); status != ReadStatus::ok) {
    for (auto& reading : out) reading.status = status;
    return;
  }
  for (auto& core : cores_) core.seen_this_tick = false;
  while (!content.empty()) {
    std::string_view rest = text::next_line(content);
    const auto label = text::next_token(rest);
    if (!text::starts_with(label, "cpu")) break;  // the cpu lines come first
    Line* line = line_for(label);
    if (line == nullptr) continue;
    std::uint64_t busy = 0;
    std::uint64_t total = 0;
    if (!parse_jiffies(rest, busy, total)) {
      out[line->channel].status = ReadStatus::io_error;
      continue;
    }
    line->seen_this_tick = true;
    const Jiffies previous = line->previous;
    line->previous = {busy, total, true};
    // The first reading, or a CPU back from being offline, has no interval to average over yet.
    if (!previous.valid || total <= previous.total || busy < previous.busy) continue;
    const double busy_delta = static_cast<double>(busy - previous.busy);
    const double total_delta = static_cast<double>(total - previous.total);
    out[line->channel] = {100.0 * busy_delta / total_delta, ReadStatus::ok};
  }
  // A CPU taken offline disappears from /proc/stat; forget its counters so that its return
  // starts a fresh interval instead of averaging over the time it was away.
  for (auto& core : cores_) {
    if (!core.seen_this_tick) core.previous.valid = false;
  }
}

}  // namespace powerfit::sensors
