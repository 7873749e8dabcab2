# Runs every command line of an examples/*.cmd file (lines starting with "joulegraph"); each
# must exit 0. Lines starting with '#' are comments.
file(STRINGS "${CMD_FILE}" lines)
foreach(line IN LISTS lines)
  if(line MATCHES "^joulegraph(.*)$")
    separate_arguments(args UNIX_COMMAND "${CMAKE_MATCH_1}")
    execute_process(COMMAND ${JOULEGRAPH} ${args} WORKING_DIRECTORY ${WORKDIR}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "example failed (exit ${rc}): ${line}\n${out}\n${err}")
    endif()
    message(STATUS "ok: ${line}")
  endif()
endforeach()
