#include "dataset/npy.hpp"

#include <cstring>
#include <fstream>
#include <functional>
#include <numeric>
#include <sstream>

#include "core/text.hpp"

namespace powerfit::dataset {
namespace {

constexpr char kMagic[] = "\x93NUMPY";

std::variant<std::string, NpyError> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NpyError{"cannot read " + path.string() + "; check the path"};
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The value after `'key':` in the header's Python dict literal, up to the next top-level comma.
std::string dict_value(std::string_view dict, std::string_view key) {
  const std::string quoted = "'" + std::string(key) + "'";
  auto at = dict.find(quoted);
  if (at == std::string_view::npos) return {};
  at = dict.find(':', at + quoted.size());
  if (at == std::string_view::npos) return {};
  std::size_t end = at + 1;
  int depth = 0;
  for (; end < dict.size(); ++end) {
    const char c = dict[end];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if ((c == ',' && depth == 0) || (c == '}' && depth == 0)) break;
  }
  return std::string(text::trim(dict.substr(at + 1, end - at - 1)));
}

template <typename Integer>
void widen(const char* data, std::size_t count, std::vector<std::int64_t>& out) {
  for (std::size_t i = 0; i < count; ++i) {
    Integer value;
    std::memcpy(&value, data + i * sizeof(Integer), sizeof(Integer));
    out.push_back(static_cast<std::int64_t>(value));
  }
}

}  // namespace

std::size_t NpyHeader::element_count() const {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

std::variant<NpyHeader, NpyError> parse_npy_header(const std::string& bytes, const std::string& name) {
  const auto fail = [&](const std::string& what) { return NpyError{name + ": " + what}; };
  if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0) {
    return fail("not a .npy file (no \\x93NUMPY magic); write it with numpy.save");
  }
  const auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t length = 0;
  std::size_t start = 0;
  if (major == 1) {
    length = static_cast<unsigned char>(bytes[8]) | static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return fail("truncated header");
    for (int i = 0; i < 4; ++i) length |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    start = 12;
  } else {
    return fail("unsupported .npy version " + std::to_string(major) + "; write it with numpy.save");
  }
  if (bytes.size() < start + length) return fail("truncated header");
  const std::string_view dict(bytes.data() + start, length);
  NpyHeader header{.data_offset = start + length};
  const auto descr = dict_value(dict, "descr");
  const auto fortran = dict_value(dict, "fortran_order");
  auto shape = dict_value(dict, "shape");
  const auto trimmed = text::trim(dict);
  const bool braced = trimmed.size() >= 2 && trimmed.front() == '{' && trimmed.back() == '}';
  if (!braced || descr.size() < 3 || descr.front() != '\'' || descr.back() != '\'' ||
      (fortran != "True" && fortran != "False") || shape.size() < 2 || shape.front() != '(' || shape.back() != ')') {
    return fail("malformed header (needs 'descr', 'fortran_order' and 'shape'); write it with numpy.save");
  }
  header.descr = descr.substr(1, descr.size() - 2);
  header.fortran_order = fortran == "True";
  std::string_view dims(shape);
  dims = dims.substr(1, dims.size() - 2);
  while (!dims.empty()) {
    const auto comma = dims.find(',');
    const auto item = text::trim(dims.substr(0, comma));
    if (!item.empty()) {
      const auto value = text::to_u64(item);
      if (!value || *value > (std::uint64_t{1} << 40)) return fail("malformed shape " + shape);
      header.shape.push_back(static_cast<std::size_t>(*value));
      // A product beyond any memory is no shape (and must not overflow).
      double elements = 1.0;
      for (const auto dimension : header.shape) elements *= static_cast<double>(dimension);
      if (elements > 1e15) return fail("shape " + shape + " is too large for any memory");
    }
    dims = comma == std::string_view::npos ? std::string_view{} : dims.substr(comma + 1);
  }
  if (header.fortran_order) {
    return fail("stored in Fortran order; save it in C order: numpy.save(path, numpy.ascontiguousarray(array))");
  }
  return header;
}

namespace {

// A whole .npy file and its parsed header.
struct Loaded {
  std::string bytes;
  NpyHeader header;
};

std::variant<Loaded, NpyError> load(const std::filesystem::path& path) {
  auto file = read_file(path);
  if (auto* error = std::get_if<NpyError>(&file)) return *error;
  auto parsed = parse_npy_header(std::get<std::string>(file), path.string());
  if (auto* error = std::get_if<NpyError>(&parsed)) return *error;
  return Loaded{std::move(std::get<std::string>(file)), std::get<NpyHeader>(parsed)};
}

}  // namespace

std::variant<FloatArray, NpyError> read_npy_float32(const std::filesystem::path& path) {
  auto loaded = load(path);
  if (auto* error = std::get_if<NpyError>(&loaded)) return *error;
  const auto& [bytes, header] = std::get<Loaded>(loaded);
  if (header.descr != "<f4" && header.descr != "|f4") {
    return NpyError{path.string() + ": holds dtype '" + header.descr +
                    "', inputs must be little-endian float32; convert with numpy.save(path, array.astype('<f4'))"};
  }
  const std::size_t count = header.element_count();
  if (bytes.size() - header.data_offset < count * sizeof(float)) {
    return NpyError{path.string() + ": truncated: the header promises " + std::to_string(count) +
                    " values but the file ends early; write it again"};
  }
  FloatArray array{.shape = header.shape, .values = std::vector<float>(count)};
  std::memcpy(array.values.data(), bytes.data() + header.data_offset, count * sizeof(float));
  return array;
}

std::variant<std::vector<std::int64_t>, NpyError> read_npy_integers(const std::filesystem::path& path) {
  auto loaded = load(path);
  if (auto* error = std::get_if<NpyError>(&loaded)) return *error;
  const auto& [bytes, header] = std::get<Loaded>(loaded);
  const std::string& d = header.descr;
  const bool little = d.size() == 3 && (d[0] == '<' || d[0] == '|');
  const std::size_t width = little ? static_cast<std::size_t>(d[2] - '0') : 0;
  if (!little || (d[1] != 'i' && d[1] != 'u') || (width != 1 && width != 2 && width != 4 && width != 8)) {
    return NpyError{path.string() + ": holds dtype '" + d +
                    "', labels must be little-endian integers; convert with numpy.save(path, labels.astype('<i8'))"};
  }
  const std::size_t count = header.element_count();
  if (bytes.size() - header.data_offset < count * width) {
    return NpyError{path.string() + ": truncated: the header promises " + std::to_string(count) +
                    " labels but the file ends early; write it again"};
  }
  std::vector<std::int64_t> labels;
  labels.reserve(count);
  const char* data = bytes.data() + header.data_offset;
  const bool is_signed = d[1] == 'i';
  switch (width) {
    case 1: is_signed ? widen<std::int8_t>(data, count, labels) : widen<std::uint8_t>(data, count, labels); break;
    case 2: is_signed ? widen<std::int16_t>(data, count, labels) : widen<std::uint16_t>(data, count, labels); break;
    case 4: is_signed ? widen<std::int32_t>(data, count, labels) : widen<std::uint32_t>(data, count, labels); break;
    default: is_signed ? widen<std::int64_t>(data, count, labels) : widen<std::uint64_t>(data, count, labels); break;
  }
  return labels;
}

}  // namespace powerfit::dataset
