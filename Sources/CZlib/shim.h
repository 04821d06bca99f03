#ifndef DSARI_CZLIB_SHIM_H
#define DSARI_CZLIB_SHIM_H
#include <zlib.h>

/* deflateInit2 and inflateInit2 are macros (they pass the library version
 * and the stream's size): Swift cannot call them. windowBits 15 + 16 asks for
 * the gzip wrapper (RFC 1952) instead of zlib's; with no header set, the
 * gzip header's mtime is 0, so equal input gives equal bytes. */
static inline int czlib_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

static inline int czlib_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}
#endif
