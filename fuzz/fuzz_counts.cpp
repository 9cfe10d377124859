// The JSON a measured workload writes to POWERFIT_REPORT_FILE.
#include <cstddef>
#include <cstdint>
#include <string>

#include "workload/counts_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)powerfit::workload::parse_counts(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
