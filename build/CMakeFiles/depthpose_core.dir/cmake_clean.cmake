file(REMOVE_RECURSE
  "CMakeFiles/depthpose_core.dir/pipeline/error.c.o"
  "CMakeFiles/depthpose_core.dir/pipeline/error.c.o.d"
  "libdepthpose_core.a"
  "libdepthpose_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/depthpose_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
