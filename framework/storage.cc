#include "framework/storage.h"

#include <new>

namespace lucid {
namespace {

std::byte* allocate(std::size_t nbytes) {
  if (nbytes >= Storage::kAlignFrom) {
    return static_cast<std::byte*>(::operator new(nbytes, std::align_val_t{Storage::kAlignment}));
  }
  return static_cast<std::byte*>(::operator new(nbytes == 0 ? 1 : nbytes));
}

}  // namespace

Storage::Storage(std::size_t nbytes) : data_(allocate(nbytes), Delete{nbytes >= kAlignFrom}), nbytes_(nbytes) {}

void Storage::Delete::operator()(std::byte* p) const {
  if (aligned) {
    ::operator delete(p, std::align_val_t{kAlignment});
  } else {
    ::operator delete(p);
  }
}

}  // namespace lucid
