# `cmake --build build --target docs`: HTML reference of the public headers (lucid.h, framework/,
# autodiff/, modules/, lucid/version.h) with Doxygen, into build/docs/html. Doxygen is optional
# (Debian: doxygen); without it the target prints how to get it. Any Doxygen warning fails it.
# Named lucid_docs when lucid is a sub-project, so a user's own `docs` target does not clash.
if(LUCID_IS_TOP_LEVEL)
  set(lucid_docs_target docs)
else()
  set(lucid_docs_target lucid_docs)
endif()
find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/Doxyfile.in ${PROJECT_BINARY_DIR}/Doxyfile @ONLY)
  add_custom_target(${lucid_docs_target}
                    COMMAND ${DOXYGEN_EXECUTABLE} ${PROJECT_BINARY_DIR}/Doxyfile
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                    COMMENT "Doxygen: API reference in ${PROJECT_BINARY_DIR}/docs/html/index.html" VERBATIM)
else()
  add_custom_target(${lucid_docs_target}
                    COMMAND ${CMAKE_COMMAND} -E echo "docs: Doxygen not found, skipped (apt-get install doxygen)"
                    VERBATIM)
endif()
