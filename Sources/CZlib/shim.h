#ifndef SPANSCOPE_CZLIB_SHIM_H
#define SPANSCOPE_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro; Swift cannot call macros. */
static inline int spanscope_inflate_init(z_stream *stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}
#endif
