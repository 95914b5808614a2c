// Must not compile: select() whose first argument is a number, not a comparison.
#include "framework/expr/expr.h"
using namespace lucid::expr;
auto bad = select(stream<0>, stream<0>, stream<1>);
