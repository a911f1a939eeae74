# `engram run --device auto --deterministic` records the device it chose and the determinism.
execute_process(
  COMMAND ${ENGRAM} run ${PRESET} --benchmark split-synthetic --scenario class --strategy replay
          --iterations 10 --threads 1 --quiet --device auto --deterministic --out ${OUT}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "engram run failed (${rc}): ${out}${err}")
endif()
file(READ ${OUT} json)
string(JSON device GET "${json}" runs 0 device)
string(JSON deterministic GET "${json}" runs 0 deterministic)
string(JSON other GET "${json}" runs 0 resumed_on_other_device)
if(NOT device MATCHES "^(cpu|cuda:0)$")
  message(FATAL_ERROR "device recorded as '${device}', expected cpu or cuda:0")
endif()
if(NOT deterministic STREQUAL "ON")
  message(FATAL_ERROR "deterministic recorded as '${deterministic}', expected true")
endif()
if(NOT other STREQUAL "OFF")
  message(FATAL_ERROR "resumed_on_other_device recorded as '${other}', expected false")
endif()
message(STATUS "device ${device}, deterministic ${deterministic}")
