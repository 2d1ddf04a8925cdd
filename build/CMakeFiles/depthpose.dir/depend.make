# Empty dependencies file for depthpose.
# This may be replaced when dependencies are built.
