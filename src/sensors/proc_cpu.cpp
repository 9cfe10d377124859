#include "sensors/proc_cpu.hpp"

#include <string>
#include <utility>

#include "core/text.hpp"

namespace powerfit::sensors {
namespace {

std::optional<std::size_t> core_number(std::string_view label) {
  if (!text::starts_with(label, "cpu") || label.size() == 3) return std::nullopt;
  const auto number = text::to_u64(label.substr(3));
  if (!number) return std::nullopt;
  return static_cast<std::size_t>(*number);
}

}  // namespace

// Fields: user nice system idle iowait irq softirq steal guest guest_nice.
std::optional<CpuJiffies> parse_cpu_jiffies(std::string_view fields) {
  std::uint64_t values[8] = {};
  std::size_t count = 0;
  while (count < 8) {
    const auto token = text::next_token(fields);
    if (token.empty()) break;
    const auto value = text::to_u64(token);
    if (!value) return std::nullopt;
    values[count++] = *value;
  }
  if (count < 4) return std::nullopt;
  const std::uint64_t idle = values[3] + values[4];
  const std::uint64_t busy = values[0] + values[1] + values[2] + values[5] + values[6] + values[7];
  return CpuJiffies{busy, busy + idle};
}

std::optional<double> utilization_between(const CpuJiffies& before, const CpuJiffies& after) {
  if (after.total <= before.total || after.busy < before.busy) return std::nullopt;
  return 100.0 * static_cast<double>(after.busy - before.busy) / static_cast<double>(after.total - before.total);
}

constexpr std::size_t kMaxCores = 8192;

Availability ProcCpuSource::open() {
  const auto path = roots_.proc / "stat";
  if (const auto status = stat_->open(path); status != ReadStatus::ok) {
    return {false, explain_open_failure(path, status)};
  }
  std::string_view content;
  if (stat_->read(taken_, content) != ReadStatus::ok) return {false, "cannot read " + path.string()};

  system_.channel = add_channel({.name = "cpu.utilization",
                                 .unit = Unit::percent,
                                 .kind = ChannelKind::utilization,
                                 .scope = "system"});
  while (!content.empty()) {
    std::string_view rest = text::next_line(content);
    const auto label = text::next_token(rest);
    const auto core = core_number(label);
    // Linux numbers at most 8192 CPUs: anything beyond is a damaged line, and a core seen twice
    // is one core (fuzz_procfs found "cpu99619476491" allocating for 10^11 cores).
    if (!core || *core >= kMaxCores) continue;
    if (*core >= cores_.size()) cores_.resize(*core + 1, Line{.channel = std::string::npos});
    if (cores_[*core].channel != std::string::npos) continue;
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
  if (const auto status = stat_->read(taken_, content); status != ReadStatus::ok) {
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
    const auto jiffies = parse_cpu_jiffies(rest);
    if (!jiffies) {
      out[line->channel].status = ReadStatus::io_error;
      continue;
    }
    line->seen_this_tick = true;
    const auto previous = std::exchange(line->previous, jiffies);
    // The first reading, or a CPU back from being offline, has no interval to average over yet.
    if (!previous) continue;
    if (const auto percent = utilization_between(*previous, *jiffies)) out[line->channel] = {*percent, ReadStatus::ok};
  }
  // A CPU taken offline disappears from /proc/stat; forget its counters so that its return
  // starts a fresh interval instead of averaging over the time it was away.
  for (auto& core : cores_) {
    if (!core.seen_this_tick) core.previous.reset();
  }
}

}  // namespace powerfit::sensors
