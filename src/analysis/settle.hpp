#pragma once
// Whether a machine's power has stopped falling: before an idle baseline, a GPU that has just
// worked draws above its floor for a few seconds (an H200 after a matrix load, 2026-12-02: 93 W
// at 2 s, its 79.5 W floor from 4 s). Power is fed as it is sampled; it is averaged over slices of
// `slice_s`, and the machine has settled once a slice is no lower than the one before by more
// than `tolerance` of it (or `floor_w`, for small draws whose noise is larger than that share).

#include <optional>

namespace powerfit::analysis {

struct SettleRule {
  double slice_s = 2.0;
  double tolerance = 0.01;
  double floor_w = 0.5;
};

class SettleCheck {
 public:
  explicit SettleCheck(SettleRule rule = {}) : rule_(rule) {}
  // Power `watts` at `time_s` (any origin, non-decreasing).
  void add(double time_s, double watts);
  bool settled() const { return settled_; }

 private:
  SettleRule rule_;
  std::optional<double> slice_start_s_;
  double sum_ = 0.0;
  int count_ = 0;
  std::optional<double> last_;
  bool settled_ = false;
};

}  // namespace powerfit::analysis
