#include "sensors/proc_disk.hpp"

#include <algorithm>
#include <filesystem>

#include "core/clock.hpp"
#include "core/text.hpp"

namespace powerfit::sensors {
namespace {

constexpr std::uint64_t kSectorBytes = 512;  // both files count 512-byte sectors on every device

struct SectorCounts {
  std::uint64_t read = 0;
  std::uint64_t written = 0;
};

// reads merged sectors_read ms writes merged sectors_written ...: the fields of
// /sys/block/DISK/stat, and of a diskstats line after "major minor name".
std::optional<SectorCounts> parse_disk_fields(std::string_view fields) {
  std::optional<std::uint64_t> values[7];
  for (auto& value : values) value = text::to_u64(text::next_token(fields));
  if (!values[2] || !values[6]) return std::nullopt;
  return SectorCounts{*values[2], *values[6]};
}

struct DiskLine {
  std::string_view name;
  SectorCounts sectors;
};

std::optional<DiskLine> parse_diskstats_line(std::string_view line) {
  text::next_token(line);
  text::next_token(line);
  const auto name = text::next_token(line);
  const auto sectors = parse_disk_fields(line);
  if (name.empty() || !sectors) return std::nullopt;
  return DiskLine{name, *sectors};
}

bool is_virtual(std::string_view name) {
  return text::starts_with(name, "loop") || text::starts_with(name, "ram") ||
         text::starts_with(name, "zram");
}

bool digits_only(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}


}  // namespace

bool is_whole_disk(const Roots& roots, std::string_view name, std::span<const std::string> all_names) {
  if (is_virtual(name)) return false;
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto block = roots.sys / "block";
  if (fs::is_directory(block, ec)) {
    const auto device = block / std::string(name);
    if (!fs::exists(device, ec)) return false;  // partitions live under their disk, not here
    const auto slaves = device / "slaves";
    return !fs::is_directory(slaves, ec) || fs::is_empty(slaves, ec);
  }
  // No /sys: a partition is a known device's name followed by digits, or by 'p' and digits.
  for (const auto& other : all_names) {
    if (other.size() >= name.size() || !text::starts_with(name, other)) continue;
    std::string_view suffix = name.substr(other.size());
    if (!suffix.empty() && suffix.front() == 'p') suffix.remove_prefix(1);
    if (digits_only(suffix)) return false;
  }
  return !text::starts_with(name, "dm-") && !text::starts_with(name, "md");
}

Availability ProcDiskSource::open() {
  const auto path = roots_.proc / "diskstats";
  if (const auto status = diskstats_.open(path); status != ReadStatus::ok) {
    return {false, explain_open_failure(path, status)};
  }
  std::string_view content;
  if (diskstats_.read(content) != ReadStatus::ok) return {false, "cannot read " + path.string()};
  std::error_code ec;
  use_sysfs_ = std::filesystem::is_directory(roots_.sys / "block", ec);
  std::vector<std::string> names;
  while (!content.empty()) {
    if (const auto disk = parse_diskstats_line(text::next_line(content))) names.emplace_back(disk->name);
  }
  const auto read_total = add_channel({.name = "disk.read_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter});
  const auto write_total = add_channel({.name = "disk.write_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter});
  counters_.set_total_channels({read_total, write_total});
  std::string listed;
  for (const auto& name : names) {
    if (!is_whole_disk(roots_, name, names)) {
      other_devices_.push_back(name);
      continue;
    }
    const auto read = add_channel({.name = "disk." + name + ".read_bytes", .unit = Unit::byte,
                                   .kind = ChannelKind::byte_counter, .scope = "disk:" + name});
    const auto write = add_channel({.name = "disk." + name + ".write_bytes", .unit = Unit::byte,
                                    .kind = ChannelKind::byte_counter, .scope = "disk:" + name});
    counters_.add_device(name, {read, write}, true);
    track(name);
    listed += " " + name;
  }
  return {true, "bytes read and written on " + std::to_string(disks_.size()) + " whole disk(s)" + listed +
                    (use_sysfs_ ? " from " + (roots_.sys / "block").string() + "/*/stat" : " from " + path.string())};
}

void ProcDiskSource::track(std::string name) {
  Disk disk{.name = std::move(name)};
  if (use_sysfs_) disk.stat.open(roots_.sys / "block" / disk.name / "stat");
  disks_.push_back(std::move(disk));
}

void ProcDiskSource::scan_diskstats(std::span<Reading> out) {
  std::string_view content;
  if (const auto status = diskstats_.read(content); status != ReadStatus::ok) {
    for (auto& reading : out) reading.status = status;
    return;
  }
  while (!content.empty()) {
    const auto line = parse_diskstats_line(text::next_line(content));
    if (!line) continue;
    if (std::find(other_devices_.begin(), other_devices_.end(), line->name) != other_devices_.end()) continue;
    const auto known = std::find_if(disks_.begin(), disks_.end(), [&](const Disk& d) { return d.name == line->name; });
    if (known == disks_.end()) {
      // Rare: a device added mid-run. Judge it once and remember the answer.
      std::vector<std::string> names;
      for (const auto& disk : disks_) names.push_back(disk.name);
      if (!is_whole_disk(roots_, line->name, names)) {
        other_devices_.emplace_back(line->name);
        continue;
      }
      track(std::string(line->name));
    }
    if (!use_sysfs_) {
      counters_.update(line->name, {line->sectors.read * kSectorBytes, line->sectors.written * kSectorBytes}, true, out);
    }
  }
}

void ProcDiskSource::read(std::span<Reading> out) {
  counters_.begin_tick();
  const std::int64_t now = monotonic_now_ns();
  if (!use_sysfs_ || now - last_scan_ns_ >= rescan_period_ns_) {
    scan_diskstats(out);
    last_scan_ns_ = now;
  }
  if (use_sysfs_) {
    for (auto& disk : disks_) {
      std::string_view content;
      if (disk.stat.read(content) != ReadStatus::ok) continue;  // gone: reported by end_tick
      if (const auto sectors = parse_disk_fields(content)) {
        counters_.update(disk.name, {sectors->read * kSectorBytes, sectors->written * kSectorBytes}, true, out);
      }
    }
  }
  counters_.end_tick(out);
}

}  // namespace powerfit::sensors
