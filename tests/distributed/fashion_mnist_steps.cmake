# The Fashion-MNIST example under mpirun -np 2 writes steps.csv once, from rank 0, with the global
# step: 640 samples in global batches of 128 are 5 steps per epoch, so 2 epochs give the rows
# 1..10 at epochs 0.2..2.0 (a rank writing too, or local step counts, would break the sequence).
#   cmake -DCOMMAND=<mpirun ...;fashion_mnist> -DOUT=<scratch dir> -P fashion_mnist_steps.cmake
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND ${COMMAND} --epochs 2 --limit 640 --test-limit 300 --threads 1 --out "${OUT}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT 240)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exit ${rc}, output:\n${out}")
endif()
file(STRINGS "${OUT}/steps.csv" lines)
list(LENGTH lines count)
if(NOT count EQUAL 11)
  message(FATAL_ERROR "steps.csv has ${count} lines, expected a header and 10 rows:\n${lines}")
endif()
list(GET lines 0 header)
if(NOT header STREQUAL "step,epoch,loss,accuracy,learning_rate,samples_per_second")
  message(FATAL_ERROR "steps.csv header: ${header}")
endif()
foreach(step RANGE 1 10)
  list(GET lines ${step} row)
  math(EXPR tenths "${step} * 2")
  math(EXPR whole "${tenths} / 10")
  math(EXPR fraction "${tenths} % 10")
  if(NOT row MATCHES "^${step},${whole}\\.${fraction}00000,")
    message(FATAL_ERROR "row ${step} is '${row}', expected step ${step} at epoch ${whole}.${fraction}")
  endif()
endforeach()
message("steps.csv: 10 rows, global steps 1..10")
