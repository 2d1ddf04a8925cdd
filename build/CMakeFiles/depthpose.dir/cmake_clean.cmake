file(REMOVE_RECURSE
  "CMakeFiles/depthpose.dir/pipeline/main.c.o"
  "CMakeFiles/depthpose.dir/pipeline/main.c.o.d"
  "depthpose"
  "depthpose.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/depthpose.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
