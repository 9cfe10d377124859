#include "report/progress_bar.hpp"

namespace powerfit::report {

void ProgressBar::begin(std::string title) {
  title_ = std::move(title);
  last_width_ = -1;
}

void ProgressBar::update(std::size_t done, std::size_t total) {
  if (!enabled_ || total == 0) return;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / total);
  if (filled == last_width_) return;  // redraw only when the bar moves
  last_width_ = filled;
  out_ << '\r' << title_ << " [" << std::string(static_cast<std::size_t>(filled), '#')
       << std::string(static_cast<std::size_t>(kWidth - filled), ' ') << "] " << (100 * done / total) << "% " << std::flush;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  out_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace powerfit::report
