#pragma once
// Hands ticks from the sampling thread to the recording thread without locks or allocation:
// a single-producer, single-consumer ring of fixed-size slots. When the consumer falls behind the
// producer drops the tick from storage (and counts it) rather than wait. The slots are allocated
// at construction but left unwritten, so a page of the ring is touched only when the first tick
// reaches it: a short run pays for the slots it uses, not for the whole ring (8192 ticks).

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace powerfit {

class TickQueue {
 public:
  // `dated` lists the channels whose values carry a time of their own (values polled in the
  // background, dated when they were read), kept beside the tick's time.
  TickQueue(std::size_t channels, std::size_t capacity_ticks, std::vector<std::size_t> dated = {});

  // Producer side; `times` holds a time per channel, of which those of the dated channels are
  // kept. Returns false when the ring is full.
  bool try_push(std::int64_t time_ns, std::span<const double> values, std::span<const std::uint8_t> present,
                std::span<const std::int64_t> times = {});

  const std::vector<std::size_t>& dated() const { return dated_; }

  // Consumer side: calls f(time_ns, values, present, dated_times) for each waiting tick, oldest
  // first; dated_times[k] is the time of channel dated()[k].
  template <typename F>
  std::size_t drain(F&& f) {
    const std::uint64_t head = head_.load(std::memory_order_acquire);
    std::uint64_t tail = tail_.load(std::memory_order_relaxed);
    std::size_t drained = 0;
    for (; tail != head; ++tail, ++drained) {
      const std::size_t slot = static_cast<std::size_t>(tail % capacity_);
      f(times_[slot], std::span<const double>(values_.get() + slot * channels_, channels_),
        std::span<const std::uint8_t>(present_.get() + slot * channels_, channels_),
        std::span<const std::int64_t>(dated_times_.get() + slot * dated_.size(), dated_.size()));
    }
    tail_.store(tail, std::memory_order_release);
    return drained;
  }

  std::size_t size() const { return static_cast<std::size_t>(head_.load() - tail_.load()); }
  std::size_t capacity() const { return capacity_; }
  std::uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  std::size_t channels_;
  std::size_t capacity_;
  // Default-initialised (not zeroed): a slot is read only after try_push has written it.
  std::unique_ptr<std::int64_t[]> times_;
  std::unique_ptr<double[]> values_;
  std::unique_ptr<std::uint8_t[]> present_;
  std::vector<std::size_t> dated_;
  std::unique_ptr<std::int64_t[]> dated_times_;
  std::atomic<std::uint64_t> head_{0};
  std::atomic<std::uint64_t> tail_{0};
  std::atomic<std::uint64_t> dropped_{0};
};

}  // namespace powerfit
