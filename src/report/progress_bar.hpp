#pragma once
// A one-line progress bar on a terminal; silent when the stream is not a terminal or when asked.

#include <cstddef>
#include <ostream>
#include <string>

namespace powerfit::report {

class ProgressBar {
 public:
  // Draws only when `enabled`; callers pass isatty(stderr) && !quiet.
  ProgressBar(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}
  ~ProgressBar() { finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void begin(std::string title);
  void update(std::size_t done, std::size_t total);
  void finish();  // clears the line

 private:
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  std::string title_;
  int last_width_ = -1;
};

}  // namespace powerfit::report
