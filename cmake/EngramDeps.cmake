# Third-party packages: Debian's packages on developer machines and CI; on a machine without a
# package registry (the lent GPU machines) the sources carried in ENGRAM_DEPS_DIR instead.
# scripts/pack-deps fills that folder from this machine's packages.
set(_deps "${ENGRAM_DEPS_DIR}")

# zlib reads gzip-compressed IDX files.
if(NOT EXISTS "${_deps}/zlib/lib/libz.a")
  find_package(ZLIB REQUIRED)
else()
  find_package(ZLIB QUIET)
  if(NOT ZLIB_FOUND)
    set(ZLIB_ROOT "${_deps}/zlib")
    find_package(ZLIB REQUIRED)
  endif()
endif()

find_package(Eigen3 3.3 QUIET NO_MODULE)
if(NOT TARGET Eigen3::Eigen)
  if(NOT EXISTS "${_deps}/eigen3/Eigen/Core")
    message(FATAL_ERROR "engram: Eigen3 not found: install libeigen3-dev (scripts/bootstrap) "
                        "or carry it in ${_deps}/eigen3 (scripts/pack-deps)")
  endif()
  add_library(Eigen3::Eigen INTERFACE IMPORTED)
  target_include_directories(Eigen3::Eigen SYSTEM INTERFACE "${_deps}/eigen3")
endif()

find_package(nlohmann_json 3.9 QUIET)
if(NOT TARGET nlohmann_json::nlohmann_json)
  if(NOT EXISTS "${_deps}/include/nlohmann/json.hpp")
    message(FATAL_ERROR "engram: nlohmann/json not found: install nlohmann-json3-dev "
                        "or carry it in ${_deps}/include (scripts/pack-deps)")
  endif()
  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)
  target_include_directories(nlohmann_json::nlohmann_json SYSTEM INTERFACE "${_deps}/include")
endif()

find_package(CLI11 2.0 QUIET)
if(NOT TARGET CLI11::CLI11)
  if(NOT EXISTS "${_deps}/include/CLI/CLI.hpp")
    message(FATAL_ERROR "engram: CLI11 not found: install libcli11-dev "
                        "or carry it in ${_deps}/include (scripts/pack-deps)")
  endif()
  add_library(CLI11::CLI11 INTERFACE IMPORTED)
  target_include_directories(CLI11::CLI11 SYSTEM INTERFACE "${_deps}/include")
endif()

if(ENGRAM_BUILD_TESTS)
  find_package(GTest QUIET)
  if(NOT TARGET GTest::gtest_main)
    if(NOT EXISTS "${_deps}/googletest/CMakeLists.txt")
      message(FATAL_ERROR "engram: GoogleTest not found: install libgtest-dev libgmock-dev "
                          "or carry its sources in ${_deps}/googletest (scripts/pack-deps)")
    endif()
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    set(BUILD_GMOCK ON CACHE BOOL "" FORCE)
    add_subdirectory("${_deps}/googletest" "${PROJECT_BINARY_DIR}/_deps/googletest" EXCLUDE_FROM_ALL SYSTEM)
    foreach(lib gtest gtest_main gmock gmock_main)
      if(NOT TARGET GTest::${lib})
        add_library(GTest::${lib} ALIAS ${lib})
      endif()
    endforeach()
  endif()
  include(GoogleTest)
endif()

if(ENGRAM_BUILD_BENCHMARKS)
  find_package(benchmark QUIET)
  if(NOT TARGET benchmark::benchmark)
    if(EXISTS "${_deps}/benchmark/lib/libbenchmark.so")
      add_library(benchmark::benchmark SHARED IMPORTED)
      set_target_properties(benchmark::benchmark PROPERTIES
        IMPORTED_LOCATION "${_deps}/benchmark/lib/libbenchmark.so"
        IMPORTED_NO_SONAME ON
        INTERFACE_INCLUDE_DIRECTORIES "${_deps}/benchmark/include"
        INTERFACE_LINK_LIBRARIES "Threads::Threads")
      find_package(Threads REQUIRED)
    else()
      message(WARNING "engram: Google Benchmark not found; benchmarks are not built")
      set(ENGRAM_BUILD_BENCHMARKS OFF)
    endif()
  endif()
endif()
