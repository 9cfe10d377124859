#include "recording/writer.hpp"

#include "core/clock.hpp"
#include "core/thread_name.hpp"

#include <algorithm>

namespace powerfit::recording {

std::chrono::milliseconds batch_period_for(std::chrono::nanoseconds interval) {
  const auto twenty_ticks = std::chrono::duration_cast<std::chrono::milliseconds>(20 * interval);
  return std::clamp(twenty_ticks, std::chrono::milliseconds(1000), std::chrono::milliseconds(5000));
}

RunWriter::RunWriter(Database& database, Sampler& sampler, std::int64_t run_id,
                     std::vector<std::int64_t> channel_ids, std::chrono::milliseconds batch_period)
    : database_(database),
      sampler_(sampler),
      run_id_(run_id),
      channel_ids_(std::move(channel_ids)),
      standing_(channel_ids_.size()),
      batch_period_(batch_period) {
  const auto& channels = sampler_.channels();
  for (std::size_t i = 0; i < standing_.size() && i < channels.size(); ++i) {
    const auto kind = channels[i].kind;
    if (kind == ChannelKind::byte_counter || kind == ChannelKind::gauge || kind == ChannelKind::utilization) standing_[i].emplace();
  }
}

RunWriter::~RunWriter() { stop(); }

void RunWriter::start() {
  if (thread_.joinable()) return;
  stop_requested_ = false;
  thread_ = std::thread([this] {
    name_this_thread("pf-writer");
    run();
  });
}

void RunWriter::stop() {
  if (!thread_.joinable()) return;
  stop_requested_ = true;
  sleeper_.wake();
  thread_.join();
}

void RunWriter::run() {
  const std::int64_t cpu_start = thread_cpu_ns();
  const std::int64_t period_ns = std::chrono::nanoseconds(batch_period_).count();
  for (;;) {
    sleeper_.sleep_until(monotonic_now_ns() + period_ns);  // cut short by stop() alone
    const bool stopping = stop_requested_;
    flush();
    if (stopping) break;
  }
  flush();  // ticks the sampler pushed while the last batch was being written
  cpu_s_ = static_cast<double>(thread_cpu_ns() - cpu_start) * 1e-9;
}

void RunWriter::flush() {
  if (!error_.empty()) {
    // Storage failed earlier: keep the queue empty so the sampler never stalls, and say so once.
    sampler_.queue().drain([](auto, auto, auto, auto) {});
    return;
  }
  auto markers = sampler_.take_markers();
  if (sampler_.queue().size() == 0 && markers.empty()) return;  // no empty transactions
  std::uint64_t ticks = 0;
  std::int64_t first_ns = -1;
  try {
    auto transaction = database_.transaction();
    const auto& dated = sampler_.queue().dated();
    sampler_.queue().drain([&](std::int64_t time_ns, std::span<const double> values,
                               std::span<const std::uint8_t> present, std::span<const std::int64_t> dated_times) {
      if (ticks++ == 0) first_ns = time_ns;
      for (std::size_t i = 0, k = 0; i < values.size(); ++i) {
        std::int64_t at = time_ns;
        if (k < dated.size() && dated[k] == i) at = dated_times[k++];
        if (present[i] == 0) continue;
        store(i, at, values[i]);
      }
    });
    store_held();
    for (const auto& marker : markers) database_.insert_marker(run_id_, marker);
    transaction.commit();
    stored_ticks_ += ticks;
  } catch (const RecordingError& error) {
    error_ = error.what();
    lost_from_ns_ = std::max<std::int64_t>(first_ns, 0);
    // The rest of this batch was drained with nothing stored.
    sampler_.queue().drain([](auto, auto, auto, auto) {});
  }
}

void RunWriter::store(std::size_t channel, std::int64_t time_ns, double value) {
  auto& standing = standing_[channel];
  if (!standing) return database_.insert_sample(run_id_, channel_ids_[channel], time_ns, value);
  if (standing->stored == value) {
    standing->repeated_at_ns = time_ns;
    return;
  }
  store_repeat(channel);
  database_.insert_sample(run_id_, channel_ids_[channel], time_ns, value);
  standing->stored = value;
}

void RunWriter::store_repeat(std::size_t channel) {
  auto& standing = standing_[channel];
  if (!standing || !standing->repeated_at_ns) return;
  database_.insert_sample(run_id_, channel_ids_[channel], *standing->repeated_at_ns, *standing->stored);
  standing->repeated_at_ns.reset();
}

void RunWriter::store_held() {
  for (std::size_t i = 0; i < standing_.size(); ++i) store_repeat(i);
}

}  // namespace powerfit::recording
