# cmake -DENGRAM=<engram executable> -DDOC=docs/learning-rules.md -P learning_rules_doc.cmake
# The table `engram learning-rules --markdown` prints is in DOC verbatim, and every rule
# (`engram learning-rules --names`) is listed in `engram run --help` and `engram compare --help`.
execute_process(COMMAND "${ENGRAM}" learning-rules --markdown OUTPUT_VARIABLE table
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "engram learning-rules --markdown failed (${rc})")
endif()
file(READ "${DOC}" doc)
string(FIND "${doc}" "${table}" at)
if(at LESS 0)
  message(FATAL_ERROR "${DOC} does not hold the table of `engram learning-rules --markdown`; "
                      "paste it there:\n${table}")
endif()
execute_process(COMMAND "${ENGRAM}" learning-rules --names OUTPUT_VARIABLE names)
string(REPLACE "\n" ";" names "${names}")
list(FILTER names EXCLUDE REGEX "^$")
foreach(command run compare)
  execute_process(COMMAND "${ENGRAM}" ${command} --help OUTPUT_VARIABLE help)
  foreach(name IN LISTS names)
    string(REGEX MATCH "(^|[ ,|:])${name}([ ,|\n)]|$)" found "${help}")
    if(NOT found)
      message(FATAL_ERROR "engram ${command} --help does not list learning rule '${name}'")
    endif()
  endforeach()
endforeach()
message(STATUS "learning rules table in sync")
