CMakeFiles/depthpose.dir/pipeline/main.c.o: /work/main/pipeline/main.c \
 /usr/include/stdc-predef.h
