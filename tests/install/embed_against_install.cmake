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
# The installed tree holds public headers only: no detail/ or cuda/ folder, no internal header
# (argument checks, kernels, CPU implementations, the precompiled header), and every
# <engram/...> that an installed header includes is installed too.
set(include_root "${prefix}/include/engram")
file(GLOB_RECURSE installed RELATIVE "${include_root}" "${include_root}/*")
set(internal "")
foreach(f IN LISTS installed)
  if(f MATCHES "(^|/)(detail|cuda)/" OR f MATCHES "(_checks|_kernel|_cpu_impl|_device)\\.h$"
     OR f MATCHES "(^|/)pch\\.h$")
    list(APPEND internal "${f}")
  endif()
  file(STRINGS "${include_root}/${f}" includes REGEX "^#include <engram/")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^#include <engram/([^>]+)>.*" "\\1" header "${line}")
    if(NOT EXISTS "${include_root}/${header}")
      list(APPEND internal "${f} includes <engram/${header}>, which is not installed")
    endif()
  endforeach()
endforeach()
list(LENGTH installed n_installed)
if(n_installed LESS 20)
  message(FATAL_ERROR "installed tree: only ${n_installed} headers under ${include_root}")
endif()
if(internal)
  string(REPLACE ";" "\n  " internal "${internal}")
  message(FATAL_ERROR "installed tree has internal headers:\n  ${internal}")
endif()
message("installed tree: ${n_installed} public headers, no internal ones")

run_step("configure embed" ${CMAKE_COMMAND} -S "${ENGRAM_SOURCE_DIR}/examples/embed"
  -B "${WORK_DIR}/build" -G "${CMAKE_GENERATOR}" -DCMAKE_BUILD_TYPE=Release
  "-DCMAKE_PREFIX_PATH=${prefix}" "-DTorch_DIR=${Torch_DIR}")
run_step("build embed" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
run_step("run embed" "${WORK_DIR}/build/embed")
message("${step_output}")
