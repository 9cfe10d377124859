// A stand-in for libcuda.so.1, built by the test suite so that powerfit's real dlopen path to the
// CUDA driver (session/gpu_binding.cpp: the GPUs CUDA shows, in CUDA's order, by UUID) runs
// without a GPU. Its devices are FAKE_CUDA_UUIDS (comma-separated, as NVML writes UUIDs:
// GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), in the order given; FAKE_CUDA_INIT_ERROR makes
// cuInit fail with that code, FAKE_CUDA_UUID_ERROR makes cuDeviceGetUuid_v2 fail.

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::vector<std::string> devices() {
  std::vector<std::string> list;
  const char* text = std::getenv("FAKE_CUDA_UUIDS");
  if (text == nullptr) return list;
  std::string all = text;
  for (std::size_t begin = 0; begin <= all.size();) {
    const auto end = std::min(all.find(',', begin), all.size());
    if (end > begin) list.push_back(all.substr(begin, end - begin));
    begin = end + 1;
  }
  return list;
}

int code_of(const char* variable) {
  const char* text = std::getenv(variable);
  return text == nullptr ? 0 : std::atoi(text);
}

}  // namespace

extern "C" {

int cuInit(unsigned int /*flags*/) { return code_of("FAKE_CUDA_INIT_ERROR"); }

int cuDeviceGetCount(int* count) {
  *count = static_cast<int>(devices().size());
  return 0;
}

int cuDeviceGet(int* device, int ordinal) {
  if (ordinal < 0 || ordinal >= static_cast<int>(devices().size())) return 101;  // CUDA_ERROR_INVALID_DEVICE
  *device = ordinal;
  return 0;
}

// The 16 bytes of "GPU-" followed by 32 hex digits and dashes.
int cuDeviceGetUuid_v2(unsigned char* bytes, int device) {
  if (const int code = code_of("FAKE_CUDA_UUID_ERROR"); code != 0) return code;
  const auto list = devices();
  if (device < 0 || device >= static_cast<int>(list.size())) return 101;
  std::string hex;
  for (const char c : list[static_cast<std::size_t>(device)].substr(4)) {
    if (c != '-') hex += c;
  }
  if (hex.size() != 32) return 1;
  for (int i = 0; i < 16; ++i) bytes[i] = static_cast<unsigned char>(std::strtoul(hex.substr(2 * i, 2).c_str(), nullptr, 16));
  return 0;
}

}  // extern "C"
