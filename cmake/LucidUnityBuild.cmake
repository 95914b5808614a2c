# lucid_unity_build(<target> <batch-size>): compiles the target's sources in batches of <batch-size>
# files, each batch one translation unit, so the headers every file includes (lucid's, the standard
# library's, Boost's; most of a file's compile time) are parsed once per batch. The files of one
# target therefore need distinct names for file-local helpers. Call it from the directory that
# defines the target (source file properties are per directory).
function(lucid_unity_build target batch_size)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${batch_size})
  # Highway's foreach_target.h re-includes the file that defines HWY_TARGET_INCLUDE once per SIMD
  # target, which works only for a file compiled on its own.
  get_target_property(sources ${target} SOURCES)
  foreach(source IN LISTS sources)
    get_filename_component(path ${source} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    file(STRINGS ${path} highway_per_target_file REGEX "HWY_TARGET_INCLUDE")
    if(highway_per_target_file)
      set_source_files_properties(${source} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    endif()
  endforeach()
endfunction()
