// The registry every kind of hook shares: a HookList keeps (id, hook) pairs in registration order,
// and register_* returns a RemovableHandle that erases its entry again.
//
//   lucid::autograd::RemovableHandle h = x.register_hook(...);   // or module.register_forward_hook(...)
//   h.remove();   // detaches the hook; a second remove(), or one after the owner died, does nothing
//
// A handle refers to its hook's owner (a TensorImpl, a Node, a module's hooks) weakly: it does not keep
// the owner alive, and dropping a handle without calling remove() leaves the hook registered, as in
// PyTorch. Hooks are not thread-safe: register and remove them from the thread that runs the graph.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace lucid::autograd {

// A fresh id, unique in the process (ids of every hook kind come from one counter).
inline std::uint64_t next_hook_id() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

// Hooks of one kind, run in registration order. Runners iterate over a copy (snapshot()), so a hook
// may remove itself, or register another, while it runs.
template <typename Hook>
struct HookList {
  std::vector<std::pair<std::uint64_t, Hook>> entries;

  std::uint64_t add(Hook hook) {
    const std::uint64_t id = next_hook_id();
    entries.emplace_back(id, std::move(hook));
    return id;
  }
  bool erase(std::uint64_t id) {
    return std::erase_if(entries, [id](const auto& entry) { return entry.first == id; }) > 0;
  }
  bool empty() const { return entries.empty(); }
  std::vector<std::pair<std::uint64_t, Hook>> snapshot() const { return entries; }
};

// Detaches one registered hook. `remover(owner, id)` erases the hook from its owner (and may drop
// the owner's hook storage once empty); it runs at most once, and only while the owner is alive.
class RemovableHandle {
 public:
  using Remover = void (*)(void* owner, std::uint64_t id);

  RemovableHandle() = default;
  RemovableHandle(std::weak_ptr<void> owner, Remover remover, std::uint64_t id)
      : owner_(std::move(owner)), remover_(remover), id_(id) {}

  void remove() {
    if (const std::shared_ptr<void> owner = owner_.lock()) remover_(owner.get(), id_);
    owner_.reset();
  }
  // The hook's id, unique in the process (0 for a default-constructed handle).
  std::uint64_t id() const { return id_; }

 private:
  std::weak_ptr<void> owner_;
  Remover remover_ = nullptr;
  std::uint64_t id_ = 0;
};

}  // namespace lucid::autograd
