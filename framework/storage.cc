#include "framework/storage.h"

#include <new>

namespace lucid {

Storage::Storage(std::size_t nbytes)
    : data_(static_cast<std::byte*>(::operator new(nbytes == 0 ? kAlignment : nbytes, std::align_val_t{kAlignment}))),
      nbytes_(nbytes) {}

void Storage::AlignedDelete::operator()(std::byte* p) const { ::operator delete(p, std::align_val_t{kAlignment}); }

}  // namespace lucid
