#include "sensors/proc_disk.hpp"

#include <algorithm>
#include <filesystem>

#include "core/text.hpp"

namespace powerfit::sensors {
namespace {

constexpr std::uint64_t kSectorBytes = 512;  // diskstats counts 512-byte sectors on every device

struct DiskLine {
  std::string_view name;
  std::uint64_t sectors_read = 0;
  std::uint64_t sectors_written = 0;
};

// major minor name reads merged sectors_read ms writes merged sectors_written ...
std::optional<DiskLine> parse_disk_line(std::string_view line) {
  text::next_token(line);
  text::next_token(line);
  DiskLine disk{.name = text::next_token(line)};
  std::optional<std::uint64_t> fields[7];
  for (auto& field : fields) field = text::to_u64(text::next_token(line));
  if (disk.name.empty() || !fields[2] || !fields[6]) return std::nullopt;
  disk.sectors_read = *fields[2];
  disk.sectors_written = *fields[6];
  return disk;
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
  std::vector<std::string> names;
  while (!content.empty()) {
    if (const auto disk = parse_disk_line(text::next_line(content))) names.emplace_back(disk->name);
  }
  const auto read_total = add_channel({.name = "disk.read_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter});
  const auto write_total = add_channel({.name = "disk.write_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter});
  counters_.set_total_channels({read_total, write_total});
  for (const auto& name : names) {
    if (!is_whole_disk(roots_, name, names)) {
      other_devices_.push_back(name);
      continue;
    }
    whole_disks_.push_back(name);
    const auto read = add_channel({.name = "disk." + name + ".read_bytes", .unit = Unit::byte,
                                   .kind = ChannelKind::byte_counter, .scope = "disk:" + name});
    const auto write = add_channel({.name = "disk." + name + ".write_bytes", .unit = Unit::byte,
                                    .kind = ChannelKind::byte_counter, .scope = "disk:" + name});
    counters_.add_device(name, {read, write}, true);
  }
  std::string detail = "bytes read and written on " + std::to_string(whole_disks_.size()) + " whole disk(s)";
  for (const auto& disk : whole_disks_) detail += " " + disk;
  return {true, detail + " from " + path.string()};
}

void ProcDiskSource::read(std::span<Reading> out) {
  std::string_view content;
  if (const auto status = diskstats_.read(content); status != ReadStatus::ok) {
    for (auto& reading : out) reading.status = status;
    return;
  }
  counters_.begin_tick();
  while (!content.empty()) {
    const auto disk = parse_disk_line(text::next_line(content));
    if (!disk) continue;
    const bool known_other = std::find(other_devices_.begin(), other_devices_.end(), disk->name) != other_devices_.end();
    if (known_other) continue;
    const bool known_whole = std::find(whole_disks_.begin(), whole_disks_.end(), disk->name) != whole_disks_.end();
    if (!known_whole) {
      // Rare: a device added mid-run. Judge it once and remember the answer.
      if (!is_whole_disk(roots_, disk->name, whole_disks_)) {
        other_devices_.emplace_back(disk->name);
        continue;
      }
      whole_disks_.emplace_back(disk->name);
    }
    counters_.update(disk->name, {disk->sectors_read * kSectorBytes, disk->sectors_written * kSectorBytes},
                     true, out);
  }
  counters_.end_tick(out);
}

}  // namespace powerfit::sensors
