// Must not compile: declaring a one-input kernel for an expression that reads two streams.
#include "framework/expr/define_kernels.h"
using Bad = decltype(lucid::expr::stream<0> + lucid::expr::stream<1>);
LUCID_DETAIL_CHECK_ARITY(Bad, 1)
