# Empty dependencies file for depthpose_core.
# This may be replaced when dependencies are built.
