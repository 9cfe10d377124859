#pragma once
// The entry points of an engine plugin. Engines (LibTorch, OpenCV) are large: linked into the
// binary they would be loaded by every `powerfit run` (a third of a second and 160 MB before the
// first sample). Each lives in its own shared module instead, opened by `bench` alone. Plugins
// are built with powerfit itself, so C++ types and exceptions cross this boundary safely.

#include <string>

#include "dataset/dataset.hpp"
#include "inference/backend.hpp"

namespace powerfit::inference {

// Raised whenever what crosses this boundary changes (the signatures below, Backend, Dataset): a
// plugin of another version is refused when loaded, not called.
inline constexpr int kPluginAbiVersion = 1;
using AbiVersionFunction = int (*)();
inline constexpr const char* kAbiVersionSymbol = "powerfit_plugin_abi_version";

// Opens a model; throws BackendError. The caller owns the result.
using OpenBackendFunction = Backend* (*)(const std::string& model, const BackendOptions& options);
inline constexpr const char* kOpenBackendSymbol = "powerfit_plugin_open_backend";

// Decodes an image folder (the OpenCV plugin only); false with `error` set when it cannot.
using LoadImageFolderFunction = bool (*)(const std::string& directory, const dataset::DatasetOptions& options,
                                         dataset::Dataset& dataset, std::string& error);
inline constexpr const char* kLoadImageFolderSymbol = "powerfit_plugin_load_image_folder";

}  // namespace powerfit::inference

#define POWERFIT_PLUGIN_EXPORT extern "C" __attribute__((visibility("default")))
// Every plugin says which version of this boundary it was built for.
#define POWERFIT_PLUGIN_ABI_VERSION \
  POWERFIT_PLUGIN_EXPORT int powerfit_plugin_abi_version() { return powerfit::inference::kPluginAbiVersion; }
