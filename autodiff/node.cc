#include "autodiff/node.h"

#include <boost/container/small_vector.hpp>

namespace lucid::autograd {

// Releasing the last handle of a long chain would otherwise destroy node after node recursively.
// Here each node takes over the input nodes it is the last owner of, and destroys them one at a
// time, taking over theirs first. The backward functions (and the tensors they saved, whose grad_fn
// is always also an edge) are already gone when this body runs, so edges hold the last references.
Node::~Node() {
  boost::container::small_vector<std::shared_ptr<Node>, 8> orphans;  // no allocation for chains
  auto take_edges = [&orphans](Node& node) {
    for (Edge& edge : node.edges) {
      if (edge.node) orphans.push_back(std::move(edge.node));
    }
  };
  take_edges(*this);
  while (!orphans.empty()) {
    std::shared_ptr<Node> node = std::move(orphans.back());
    orphans.pop_back();
    if (node.use_count() == 1) take_edges(*node);  // node dies at the end of this iteration
  }
}

}  // namespace lucid::autograd
