# Finds LibTorch (normally the one inside the PyPI torch wheel) and decides whether the CUDA
# kernels are compiled.
set(ENGRAM_PYTHON "" CACHE FILEPATH "Python interpreter whose torch package provides LibTorch")
if(NOT Torch_DIR)
  if(NOT ENGRAM_PYTHON)
    find_program(ENGRAM_PYTHON_FOUND NAMES python3 python)
    set(ENGRAM_PYTHON "${ENGRAM_PYTHON_FOUND}" CACHE FILEPATH "" FORCE)
  endif()
  execute_process(
    COMMAND "${ENGRAM_PYTHON}" -c "import torch.utils; print(torch.utils.cmake_prefix_path)"
    OUTPUT_VARIABLE _torch_prefix OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_VARIABLE _torch_err RESULT_VARIABLE _torch_rc)
  if(NOT _torch_rc EQUAL 0)
    message(FATAL_ERROR "engram: '${ENGRAM_PYTHON}' cannot import torch (${_torch_err}).\n"
                        "Run scripts/bootstrap, or pass -DENGRAM_PYTHON=<python with torch> "
                        "or -DTorch_DIR=<libtorch>/share/cmake/Torch.")
  endif()
  list(APPEND CMAKE_PREFIX_PATH "${_torch_prefix}")
endif()

# torch's own CMake config picks the GPU architectures from this variable; without it, it would
# compile for every architecture it knows (slow) since no GPU is visible at build time.
if(NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  set(ENV{TORCH_CUDA_ARCH_LIST} "${ENGRAM_CUDA_ARCH_LIST}")
endif()
# torch's config warns about and ignores CMAKE_CUDA_ARCHITECTURES; ENGRAM_CUDA_ARCH_LIST rules.
unset(CMAKE_CUDA_ARCHITECTURES CACHE)
unset(CMAKE_CUDA_ARCHITECTURES)
find_package(Torch 2.11 REQUIRED)
message(STATUS "engram: LibTorch ${Torch_VERSION} from ${Torch_DIR}")

# LibTorch's CPU build runs at::parallel_for on OpenMP, but the template is inline and goes
# parallel only in translation units compiled with OpenMP (_OPENMP): without the flag every
# fused CPU kernel of engram would run on one thread whatever at::set_num_threads says.
find_package(OpenMP REQUIRED COMPONENTS CXX)

set(ENGRAM_TORCH_HAS_CUDA OFF)
if(TARGET torch_cuda OR CAFFE2_USE_CUDA)
  set(ENGRAM_TORCH_HAS_CUDA ON)
endif()

set(ENGRAM_WITH_CUDA OFF)
if(ENGRAM_CUDA STREQUAL "ON" OR ENGRAM_CUDA STREQUAL "AUTO")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER AND ENGRAM_TORCH_HAS_CUDA)
    set(ENGRAM_WITH_CUDA ON)
  elseif(ENGRAM_CUDA STREQUAL "ON")
    message(FATAL_ERROR "engram: ENGRAM_CUDA=ON but nvcc found: '${CMAKE_CUDA_COMPILER}', "
                        "LibTorch built with CUDA: ${ENGRAM_TORCH_HAS_CUDA}")
  endif()
elseif(NOT ENGRAM_CUDA STREQUAL "OFF")
  message(FATAL_ERROR "engram: ENGRAM_CUDA must be AUTO, ON or OFF, got '${ENGRAM_CUDA}'")
endif()

set(ENGRAM_NVCC_VERSION "none")
set(ENGRAM_TORCH_CUDA_VERSION "none")
if(ENGRAM_TORCH_HAS_CUDA AND CUDA_VERSION)
  set(ENGRAM_TORCH_CUDA_VERSION "${CUDA_VERSION}")
endif()
if(ENGRAM_WITH_CUDA)
  # The kernels are plain CUDA on raw pointers (no ATen headers), so the torch CUDA flags are
  # not needed for them; only the architecture list is taken over.
  string(REPLACE "." "" _archs "${ENGRAM_CUDA_ARCH_LIST}")
  string(REPLACE "+PTX" "" _archs "${_archs}")
  set(CMAKE_CUDA_ARCHITECTURES ${_archs})
  set(CMAKE_CUDA_FLAGS "")
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  # Share the CUDA runtime LibTorch loads (same soname) instead of a second static copy.
  set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
  set(ENGRAM_NVCC_VERSION "${CMAKE_CUDA_COMPILER_VERSION}")
  message(STATUS "engram: CUDA kernels ON (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, arch ${_archs})")
else()
  message(STATUS "engram: CUDA kernels OFF")
endif()
