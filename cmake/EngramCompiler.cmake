# Compiler launcher and warning policy for project targets.
include(GNUInstallDirs)

find_program(ENGRAM_CCACHE ccache)
if(ENGRAM_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  # Precompiled headers are only cacheable with these sloppiness settings.
  set(_ccache_launcher env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      CCACHE_BASEDIR=${PROJECT_SOURCE_DIR} ${ENGRAM_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${_ccache_launcher})
  set(CMAKE_CUDA_COMPILER_LAUNCHER ${_ccache_launcher})
  message(STATUS "engram: using ccache ${ENGRAM_CCACHE}")
endif()

# Project code builds with -Wall -Wextra (and -Werror unless ENGRAM_WERROR=OFF); dependencies are
# included as system headers so their warnings do not count.
function(engram_project_warnings target)
  set(flags -Wall -Wextra -Wno-unused-parameter)
  if(ENGRAM_WERROR)
    list(APPEND flags -Werror)
  endif()
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${flags}>)
  if(ENGRAM_WERROR)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CUDA>:-Werror=all-warnings -Xcompiler=-Wall>)
  endif()
endfunction()

# Executables share the library's precompiled header. GCC refuses a PCH built with other
# code-generation flags, and the library's is built -fPIC where executables default to -fPIE.
function(engram_reuse_pch target)
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fPIC>)
  target_precompile_headers(${target} REUSE_FROM engram)
endfunction()
