// Must not compile: differentiating by an expression rather than a placeholder.
#include "framework/expr/derivative.h"
using namespace lucid::expr;
auto bad = d(exp(stream<0>), exp(stream<0>));
