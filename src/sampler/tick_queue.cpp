#include "sampler/tick_queue.hpp"

#include <algorithm>

namespace powerfit {

TickQueue::TickQueue(std::size_t channels, std::size_t capacity_ticks, std::vector<std::size_t> dated)
    : channels_(channels),
      capacity_(std::max<std::size_t>(capacity_ticks, 2)),
      times_(std::make_unique_for_overwrite<std::int64_t[]>(capacity_)),
      values_(std::make_unique_for_overwrite<double[]>(capacity_ * channels)),
      present_(std::make_unique_for_overwrite<std::uint8_t[]>(capacity_ * channels)),
      dated_(std::move(dated)),
      dated_times_(std::make_unique_for_overwrite<std::int64_t[]>(capacity_ * dated_.size())) {}

bool TickQueue::try_push(std::int64_t time_ns, std::span<const double> values,
                         std::span<const std::uint8_t> present, std::span<const std::int64_t> times) {
  const std::uint64_t head = head_.load(std::memory_order_relaxed);
  if (head - tail_.load(std::memory_order_acquire) >= capacity_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  const std::size_t slot = static_cast<std::size_t>(head % capacity_);
  times_[slot] = time_ns;
  std::copy(values.begin(), values.end(), values_.get() + slot * channels_);
  std::copy(present.begin(), present.end(), present_.get() + slot * channels_);
  for (std::size_t k = 0; k < dated_.size(); ++k) {
    dated_times_[slot * dated_.size() + k] = dated_[k] < times.size() ? times[dated_[k]] : time_ns;
  }
  head_.store(head + 1, std::memory_order_release);
  return true;
}

}  // namespace powerfit
