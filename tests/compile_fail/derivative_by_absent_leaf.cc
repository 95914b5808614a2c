// Must not compile: differentiating by a placeholder the expression does not contain.
#include "framework/expr/derivative.h"
using namespace lucid::expr;
auto bad = d(stream<0> * stream<0>, stream<1>);
