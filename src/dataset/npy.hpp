#pragma once
// A small reader of NumPy's .npy format (versions 1, 2 and 3): float32 arrays for model inputs
// and integer arrays for labels, in C order and little-endian, which is what np.save writes on
// every common machine. Anything else gets an error that names the fix.

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace powerfit::dataset {

struct NpyError {
  std::string message;  // one line, naming the file, the problem and the fix
};

struct NpyHeader {
  std::string descr;  // "<f4", "<i8", "|u1", ...
  bool fortran_order = false;
  std::vector<std::size_t> shape;
  std::size_t data_offset = 0;
  std::size_t element_count() const;
};

struct FloatArray {
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

std::variant<NpyHeader, NpyError> parse_npy_header(const std::string& bytes, const std::string& name);

std::variant<FloatArray, NpyError> read_npy_float32(const std::filesystem::path& path);

// Integer labels of any width, signed or not, widened to int64.
std::variant<std::vector<std::int64_t>, NpyError> read_npy_integers(const std::filesystem::path& path);

}  // namespace powerfit::dataset
