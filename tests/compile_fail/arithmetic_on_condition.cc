// Must not compile: a comparison used as a number.
#include "framework/expr/expr.h"
using namespace lucid::expr;
auto bad = (stream<0> > stream<1>) * stream<0>;
