# Install rules: `cmake --install build --prefix P` puts the public headers under P/include/lucid/
# (a user writes #include "lucid.h" as inside the tree), lucid/version.h under P/include/, the static
# libraries under P/lib, the CMake package (lucid::lucid, lucid::distributed) under P/lib/cmake/lucid
# and lucid.pc under P/lib/pkgconfig. `cpack -G DEB` in the build tree packages the same as lucid-dev.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Public headers: every header of framework/, autodiff/ and modules/ (lucid.h's closure plus what a
# user's own fused op includes: the expression headers, the Highway evaluator, the kernel macros),
# except modules/distributed/mpi_util.h, the one header that includes <mpi.h> (the .cc files' only).
install(FILES lucid.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lucid)
file(GLOB_RECURSE lucid_public_headers RELATIVE ${PROJECT_SOURCE_DIR}
     ${PROJECT_SOURCE_DIR}/framework/*.h ${PROJECT_SOURCE_DIR}/framework/*.inc
     ${PROJECT_SOURCE_DIR}/autodiff/*.h ${PROJECT_SOURCE_DIR}/modules/*.h)
list(FILTER lucid_public_headers EXCLUDE REGEX "mpi_util\\.h$")
foreach(header IN LISTS lucid_public_headers)
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lucid/${dir})
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/include/lucid/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lucid)

foreach(library framework autodiff modules)
  set_target_properties(lucid_${library} PROPERTIES EXPORT_NAME ${library})
  add_library(lucid::${library} ALIAS lucid_${library})
endforeach()
set(lucid_installed_targets lucid_build_flags lucid_framework lucid_autodiff lucid_modules lucid)
if(LUCID_HAS_MPI)
  set_target_properties(lucid_distributed PROPERTIES EXPORT_NAME distributed)
  list(APPEND lucid_installed_targets lucid_distributed)
endif()
install(TARGETS ${lucid_installed_targets} EXPORT lucidTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

set(lucid_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/lucid)
install(EXPORT lucidTargets NAMESPACE lucid:: DESTINATION ${lucid_cmake_dir})
configure_package_config_file(cmake/lucidConfig.cmake.in ${PROJECT_BINARY_DIR}/lucidConfig.cmake
                              INSTALL_DESTINATION ${lucid_cmake_dir})
# 0.x: a minor version may break the API, so 0.2 accepts 0.2.y only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lucidConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/lucidConfig.cmake ${PROJECT_BINARY_DIR}/lucidConfigVersion.cmake
        DESTINATION ${lucid_cmake_dir})

# lucid.pc: the prefix is found from the file's own place, so the tree installs anywhere (and cpack's
# /usr). Libraries in link order, then what they link: OpenBLAS (its OpenMP build, outside the
# default search path), oneDNN, OpenMP's runtime, MPI's C library; libhwy and zlib come as Requires.
file(RELATIVE_PATH LUCID_PC_RELATIVE_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" LUCID_PC_RELATIVE_PREFIX "${LUCID_PC_RELATIVE_PREFIX}")
set(LUCID_PC_CFLAGS "-DHWY_DISABLED_TARGETS=HWY_SSSE3")
set(LUCID_PC_LIBS "-llucid_modules -llucid_autodiff -llucid_framework ${OpenBLAS_LIBRARIES} -ldnnl -fopenmp")
if(LUCID_HAS_MPI)
  string(APPEND LUCID_PC_CFLAGS " -DLUCID_HAS_MPI")
  list(JOIN MPI_C_LIBRARIES " " mpi_libraries)
  set(LUCID_PC_LIBS "-llucid_distributed ${LUCID_PC_LIBS} ${mpi_libraries}")
endif()
configure_file(cmake/lucid.pc.in ${PROJECT_BINARY_DIR}/lucid.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/lucid.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# cpack -G DEB: lucid-dev_<version>_amd64.deb installing under /usr. Depends: the -dev packages a
# consumer's build needs, one for each find_dependency of lucidConfig.cmake and each library of
# lucid.pc (OpenMP's runtime comes with g++; Boost, Highway, oneDNN, OpenBLAS, zlib, Open MPI).
# oneDNN's CMake config requires OpenCL, which libdnnl-dev only recommends.
set(CPACK_PACKAGE_NAME lucid-dev)
set(CPACK_PACKAGE_VENDOR lucid)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}: headers, static libraries, CMake package, lucid.pc")
set(CPACK_PACKAGE_CONTACT "lucid developers <lucid@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(lucid_deb_depends libboost1.81-dev libhwy-dev libopenblas-openmp-dev libdnnl-dev ocl-icd-opencl-dev zlib1g-dev)
if(LUCID_HAS_MPI)
  list(APPEND lucid_deb_depends libopenmpi-dev)
endif()
list(JOIN lucid_deb_depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
set(CPACK_GENERATOR DEB)
include(CPack)
