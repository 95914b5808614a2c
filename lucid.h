// lucid: the public API in one include.
#pragma once

#include "autodiff/engine.h"
#include "autodiff/grad_mode.h"
#include "autodiff/gradcheck.h"
#include "autodiff/ops.h"
#include "framework/device.h"
#include "framework/dtype.h"
#include "framework/errors.h"
#include "framework/factories.h"
#include "framework/random.h"
#include "framework/shape.h"
#include "framework/tensor.h"
#include "framework/threading.h"
#include "modules/module.h"
#include "modules/parameter.h"
#include "modules/sequential.h"
#include "modules/state_dict.h"
