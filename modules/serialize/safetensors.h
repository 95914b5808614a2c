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

// Writes the dict's tensors (in its order) and the metadata to `path`, atomically and durably: the
// bytes go to `<path>.tmp.<pid>` in the same directory and are fsynced, the temporary file is renamed
// over `path`, and the directory is fsynced. Crash safety: a process killed at any point of a save
// (SIGKILL, a crash) leaves `path` holding its previous file or the new one, whole, never a mix
// (tests/reliability/checkpoint_crash_test.cc kills saves mid-write); once save returns, the new file
// also survives a power loss on a file system and disk that honour fsync. A save killed before its
// rename leaves its `<path>.tmp.<pid>` behind: loading `path` never reads it (and a partial one fails
// load's validation). save does not delete such leftovers, since one may belong to a save still
// running (in another process, pid namespace or host): remove them when no save is running.
// On any error the temporary file is removed, `path` is left as it was, and ValueError names the path
// and the cause; when only the final directory sync fails, `path` already holds the new file and the
// error says it may not survive a power loss. Also ValueError for an undefined tensor or a tensor
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
