file(REMOVE_RECURSE
  "libdepthpose_core.a"
)
