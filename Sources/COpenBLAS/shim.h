// OpenBLAS's CBLAS interface (Debian: libopenblas-dev, pthread variant).
#include <cblas.h>
