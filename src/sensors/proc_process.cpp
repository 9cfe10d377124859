#include "sensors/proc_process.hpp"

#include <unistd.h>

#include <algorithm>
#include <string>

#include "core/clock.hpp"
#include "core/text.hpp"

namespace powerfit::sensors {
namespace {


}  // namespace

std::optional<ProcIo> parse_proc_io(std::string_view content) {
  std::optional<std::uint64_t> read_bytes;
  std::optional<std::uint64_t> write_bytes;
  while (!content.empty()) {
    std::string_view rest = text::next_line(content);
    const auto key = text::next_token(rest);
    if (key == "read_bytes:") read_bytes = text::to_u64(text::next_token(rest));
    if (key == "write_bytes:") write_bytes = text::to_u64(text::next_token(rest));
  }
  if (!read_bytes || !write_bytes) return std::nullopt;
  return ProcIo{*read_bytes, *write_bytes};
}

ProcProcessSource::ProcProcessSource(Roots roots, std::shared_ptr<ProcessTree> tree, std::int64_t rescan_period_ns)
    : roots_(std::move(roots)),
      tree_(std::move(tree)),
      rescan_period_ns_(rescan_period_ns),
      ticks_per_second_(static_cast<double>(::sysconf(_SC_CLK_TCK))),
      page_bytes_(static_cast<double>(::sysconf(_SC_PAGESIZE))) {}

Availability ProcProcessSource::open() {
  const auto stat_path = roots_.proc / std::to_string(tree_->root()) / "stat";
  ProcFile probe;
  if (const auto status = probe.open(stat_path); status != ReadStatus::ok) {
    return {false, explain_open_failure(stat_path, status)};
  }
  if (!tree_->open()) return {false, "cannot list " + roots_.proc.string()};
  cpu_time_ = add_channel({.name = "process.cpu_time", .unit = Unit::second, .kind = ChannelKind::counter, .scope = "process-tree"});
  rss_ = add_channel({.name = "process.rss", .unit = Unit::byte, .kind = ChannelKind::gauge, .scope = "process-tree"});
  read_bytes_ = add_channel({.name = "process.read_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter, .scope = "process-tree"});
  write_bytes_ = add_channel({.name = "process.write_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter, .scope = "process-tree"});
  return {true, "CPU time, resident memory and storage I/O of process " + std::to_string(tree_->root()) +
                    " and its descendants"};
}

void ProcProcessSource::read(std::span<Reading> out) {
  const std::int64_t now = monotonic_now_ns();
  if (member_lost_ || (now - last_scan_ns_ >= rescan_period_ns_ && tree_->may_have_grown())) {
    tree_->refresh();
    last_scan_ns_ = now;
    member_lost_ = false;
    const auto& members = tree_->members();
    std::erase_if(open_members_, [&](const auto& item) {
      return !std::binary_search(members.begin(), members.end(), item.first);
    });
  }
  const auto& members = tree_->members();

  double ticks = 0.0;
  double rss_pages = 0.0;
  double read_bytes = 0.0;
  double write_bytes = 0.0;
  std::size_t counted = 0;
  std::size_t io_read = 0;
  bool io_denied = false;
  for (const pid_t pid : members) {
    auto [it, inserted] = open_members_.try_emplace(pid);
    Member& member = it->second;
    if (inserted) {
      const auto directory = roots_.proc / std::to_string(pid);
      member.stat.open(directory / "stat");
      member.io.open(directory / "io");
    }
    std::string_view content;
    const auto stat = member.stat.read(content) == ReadStatus::ok ? parse_proc_stat(content) : std::nullopt;
    if (!stat) {
      member_lost_ = true;  // reaped: its share now sits with its parent; rescan next tick
      continue;
    }
    ++counted;
    ticks += static_cast<double>(stat->utime + stat->stime + stat->cutime + stat->cstime);
    rss_pages += static_cast<double>(stat->rss_pages);
    const auto io_status = member.io.read(content);
    const auto io = io_status == ReadStatus::ok ? parse_proc_io(content) : std::nullopt;
    if (io) {
      ++io_read;
      read_bytes += static_cast<double>(io->read_bytes);
      write_bytes += static_cast<double>(io->write_bytes);
    }
    io_denied = io_denied || io_status == ReadStatus::permission_denied;
  }

  cpu_time_max_ = std::max(cpu_time_max_, ticks / ticks_per_second_);
  read_bytes_max_ = std::max(read_bytes_max_, read_bytes);
  write_bytes_max_ = std::max(write_bytes_max_, write_bytes);
  out[cpu_time_] = {cpu_time_max_, ReadStatus::ok};
  out[rss_] = {rss_pages * page_bytes_, counted > 0 ? ReadStatus::ok : ReadStatus::missing};
  // A descendant of another user (a setuid helper) hides its I/O; the rest still counts. Only
  // when no member's I/O can be read at all does the channel report the refusal.
  const auto io_status = io_read == 0 && io_denied ? ReadStatus::permission_denied : ReadStatus::ok;
  out[read_bytes_] = {read_bytes_max_, io_status};
  out[write_bytes_] = {write_bytes_max_, io_status};
}

}  // namespace powerfit::sensors
