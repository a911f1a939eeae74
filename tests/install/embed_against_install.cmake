# Installs the built engram into a temporary prefix, then configures, builds and runs
# examples/embed against it exactly as a downstream application would.
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

run_step("install" ${CMAKE_COMMAND} --install "${ENGRAM_BINARY_DIR}" --prefix "${prefix}")
run_step("configure embed" ${CMAKE_COMMAND} -S "${ENGRAM_SOURCE_DIR}/examples/embed"
  -B "${WORK_DIR}/build" -G "${CMAKE_GENERATOR}" -DCMAKE_BUILD_TYPE=Release
  "-DCMAKE_PREFIX_PATH=${prefix}" "-DTorch_DIR=${Torch_DIR}")
run_step("build embed" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run_step("run embed" "${WORK_DIR}/build/embed")
message("${step_output}")
