// Checkpoints in the safetensors format, readable by Hugging Face's safetensors libraries and by
// scripts/safetensors_numpy.py.
//
// File layout: an 8-byte little-endian u64 N; N bytes of JSON header
//   {"__metadata__": {"key": "value", ...}, "name": {"dtype": "F32", "shape": [2, 3],
//    "data_offsets": [begin, end]}, ...}
// padded with spaces to a multiple of 8; then the tensors' raw little-endian bytes, with offsets
// relative to the first byte after the header. The data regions must tile the rest of the file
// exactly, in some order, with no gap, overlap or trailing byte. lucid reads and writes F32, F64 and I64.
//
//   lucid::save(model, "model.safetensors", {{"epoch", "5"}});
//   lucid::load(model, "model.safetensors");
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "modules/module.h"
#include "modules/state_dict.h"

namespace lucid {

// Free-form string pairs stored under "__metadata__".
using SafetensorsMetadata = std::map<std::string, std::string>;

// Writes the dict's tensors (in its order) and the metadata to `path`, atomically: the bytes go to
// `<path>.tmp.<pid>` in the same directory, are flushed and synced, and the temporary file is then
// renamed over `path`. On any error the temporary file is removed, `path` is left as it was, and
// ValueError names the path and the cause. Also ValueError for an undefined tensor or a tensor
// named "__metadata__".
void save(const nn::StateDict& dict, const std::filesystem::path& path, const SafetensorsMetadata& metadata = {});
// save(module.state_dict(), path, metadata).
void save(const nn::Module& module, const std::filesystem::path& path, const SafetensorsMetadata& metadata = {});

// Reads every tensor of the file, in file order. The header is validated whole before any tensor is
// allocated; a file that is missing, truncated or malformed in any way gives ValueError naming the
// path and the fault.
nn::StateDict load_state_dict(const std::filesystem::path& path);
// The file's "__metadata__" (empty when absent), with the same validation.
SafetensorsMetadata load_metadata(const std::filesystem::path& path);
// Loads the file into the module with load_state_dict(dict, strict=true): keys and shapes must match
// exactly (dtypes are converted). On any error the module is unchanged and ValueError names the path.
void load(nn::Module& module, const std::filesystem::path& path);

}  // namespace lucid
