# Runs COMMAND (a ;-list) and passes when it exits non-zero within LIMIT seconds with output
# matching EXPECT: a failing rank must end the whole MPI run with a clear message, not hang it.
#   cmake -DCOMMAND=... -DEXPECT=regex -DLIMIT=seconds -P expect_abort.cmake
string(TIMESTAMP start "%s")
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out TIMEOUT 120)
string(TIMESTAMP end "%s")
math(EXPR seconds "${end} - ${start}")
message("exit: ${rc}, ${seconds} s, output:\n${out}")
if(rc EQUAL 0)
  message(FATAL_ERROR "expected a non-zero exit")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "expected output matching: ${EXPECT}")
endif()
if(seconds GREATER LIMIT)
  message(FATAL_ERROR "took ${seconds} s, more than ${LIMIT} s")
endif()
