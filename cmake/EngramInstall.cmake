# cmake --install: headers under include/engram, the library, and a relocatable CMake package so
# that applications write find_package(Engram) + target_link_libraries(app Engram::engram).
include(CMakePackageConfigHelpers)

set_target_properties(engram PROPERTIES EXPORT_NAME engram)
install(TARGETS engram EXPORT EngramTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET engram_cli)
  install(TARGETS engram_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

foreach(mapping IN LISTS ENGRAM_HEADER_ROOTS)
  string(REPLACE "=" ";" pair "${mapping}")
  list(GET pair 0 name)
  list(GET pair 1 dir)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${dir}/"
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/engram/${name}
    FILES_MATCHING PATTERN "*.h"
    # Internal headers (kernels, argument checks, the precompiled header) live in detail/ and
    # CUDA launchers in cuda/; applications never include them.
    PATTERN "detail" EXCLUDE PATTERN "cuda" EXCLUDE)
endforeach()
install(FILES "${ENGRAM_INCLUDE_DIR}/engram/config.h" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/engram)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/models/" DESTINATION ${CMAKE_INSTALL_DATADIR}/engram/models
  FILES_MATCHING PATTERN "*.json")

set(ENGRAM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Engram)
install(EXPORT EngramTargets NAMESPACE Engram:: DESTINATION ${ENGRAM_CMAKE_DIR})
configure_package_config_file(cmake/EngramConfig.cmake.in
  "${PROJECT_BINARY_DIR}/EngramConfig.cmake" INSTALL_DESTINATION ${ENGRAM_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/EngramConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/EngramConfig.cmake" "${PROJECT_BINARY_DIR}/EngramConfigVersion.cmake"
  DESTINATION ${ENGRAM_CMAKE_DIR})
