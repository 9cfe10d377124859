#include "analysis/settle.hpp"

#include <algorithm>

namespace powerfit::analysis {

void SettleCheck::add(double time_s, double watts) {
  if (!slice_start_s_) slice_start_s_ = time_s;
  if (time_s - *slice_start_s_ >= rule_.slice_s && count_ > 0) {
    const double mean = sum_ / count_;
    if (last_ && mean >= *last_ - std::max(rule_.tolerance * *last_, rule_.floor_w)) settled_ = true;
    last_ = mean;
    slice_start_s_ = time_s;
    sum_ = 0.0;
    count_ = 0;
  }
  sum_ += watts;
  ++count_;
}

}  // namespace powerfit::analysis
