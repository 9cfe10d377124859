// The .npy header of a data set, as `powerfit bench -d DIR` reads it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dataset/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)powerfit::dataset::parse_npy_header(bytes, "fuzz.npy");
  return 0;
}
