#include "sensors/hwmon.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "core/joined.hpp"
#include "core/text.hpp"

namespace powerfit::sensors {
namespace {

namespace fs = std::filesystem;


// Channel names keep to letters, digits, '_' and '-'.
std::string slug(std::string text) {
  for (auto& c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return text;
}

bool file_exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

}  // namespace

bool HwmonSource::add_input(ChannelInfo info, std::vector<fs::path> paths, double scale) {
  Input input{.channel = 0, .files = {}, .scale = scale};
  for (const auto& path : paths) {
    ProcFile file;
    if (file.open(path) != ReadStatus::ok) return false;
    input.files.push_back(std::move(file));
  }
  input.channel = add_channel(std::move(info));
  inputs_.push_back(std::move(input));
  return true;
}

Availability HwmonSource::open() {
  const auto base = roots_.sys / "class" / "hwmon";
  std::vector<fs::path> devices;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) devices.push_back(entry.path());
  std::sort(devices.begin(), devices.end());
  if (devices.empty()) return {false, "file absent: " + base.string() + " (no hwmon sensors here)"};

  // Chips of one name (two power supplies, both `pmbus` with a `pin`) are told apart by their
  // hwmon directory, which is stable for a boot.
  std::vector<std::string> chips;
  std::map<std::string, int> chips_named;
  for (const auto& device : devices) ++chips_named[chips.emplace_back(read_trimmed(device / "name"))];

  int amd_gpus = 0;
  std::vector<std::string> found;
  for (std::size_t d = 0; d < devices.size(); ++d) {
    const auto& device = devices[d];
    const std::string& chip = chips[d];
    const std::string chip_key = slug(chip.empty() ? device.filename().string() : chip) +
                                 (!chip.empty() && chips_named[chip] > 1 ? "-" + device.filename().string() : "");
    if (chip == "amdgpu") {
      const std::string gpu = "amdgpu" + std::to_string(amd_gpus++);
      const auto power = file_exists(device / "power1_average") ? device / "power1_average" : device / "power1_input";
      add_input({.name = gpu + ".power", .unit = Unit::watt, .kind = ChannelKind::power_gauge,
                 .scope = "gpu:" + gpu, .in_energy_total = true},
                std::vector<fs::path>{power}, 1e-6);
      add_input({.name = gpu + ".utilization", .unit = Unit::percent, .kind = ChannelKind::gauge, .scope = "gpu:" + gpu},
                {device / "device" / "gpu_busy_percent"}, 1.0);
      add_input({.name = gpu + ".vram_used", .unit = Unit::byte, .kind = ChannelKind::gauge, .scope = "gpu:" + gpu},
                {device / "device" / "mem_info_vram_used"}, 1.0);
      found.push_back(gpu);
      continue;
    }
    if (chip == "ina3221") {
      for (int rail = 1; rail <= 3; ++rail) {
        const auto index = std::to_string(rail);
        const std::string label = read_trimmed(device / ("in" + index + "_label"));
        if (label.empty()) continue;
        // The board's input rail carries everything the other rails measure.
        const bool input_rail = label == "VDD_IN" || label == "POM_5V_IN";
        if (add_input({.name = "jetson." + slug(label) + ".power", .unit = Unit::watt,
                       .kind = ChannelKind::power_gauge, .scope = "system", .in_energy_total = input_rail},
                      {device / ("in" + index + "_input"), device / ("curr" + index + "_input")}, 1e-6)) {
          found.push_back("ina3221 " + label);
        }
      }
      continue;
    }
    for (int sensor = 1; sensor <= 8; ++sensor) {
      const auto index = std::to_string(sensor);
      const std::string label = read_trimmed(device / ("power" + index + "_label"));
      const std::string stem = "hwmon." + chip_key + "." + slug(label.empty() ? "power" + index : label);
      for (const char* suffix : {"_average", "_input"}) {
        const auto path = device / ("power" + index + suffix);
        if (file_exists(path) && add_input({.name = stem + ".power", .unit = Unit::watt, .kind = ChannelKind::power_gauge}, {path}, 1e-6)) {
          found.push_back(stem);
          break;
        }
      }
      const auto energy = device / ("energy" + index + "_input");
      const std::string energy_label = read_trimmed(device / ("energy" + index + "_label"));
      const std::string energy_stem = "hwmon." + chip_key + "." + slug(energy_label.empty() ? "energy" + index : energy_label);
      if (file_exists(energy) && add_input({.name = energy_stem + ".energy", .unit = Unit::joule,
                                       .kind = ChannelKind::energy_counter}, {energy}, 1e-6)) {
        found.push_back(energy_stem);
      }
    }
  }
  if (found.empty()) return {false, "not supported here: no power or energy sensor among " + std::to_string(devices.size()) + " hwmon device(s)"};
  return {true, joined(found)};
}

void HwmonSource::read(std::span<Reading> out) {
  for (auto& input : inputs_) {
    double value = input.scale;
    ReadStatus status = ReadStatus::ok;
    for (auto& file : input.files) {
      std::string_view content;
      status = file.read(content);
      if (status != ReadStatus::ok) break;
      const auto number = text::to_double(text::trim(content));
      if (!number) {
        status = ReadStatus::io_error;
        break;
      }
      value *= *number;
    }
    out[input.channel] = {value, status};
  }
}

}  // namespace powerfit::sensors
