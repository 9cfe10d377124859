// Option values: durations and intervals (`-i 50ms`, `--baseline 5s`), numbers as the readers
// take them from procfs and sysfs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/duration.hpp"
#include "core/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)powerfit::parse_duration(text);
  (void)powerfit::parse_interval(text);
  (void)powerfit::text::to_u64(text);
  (void)powerfit::text::to_double(text);
  return 0;
}
