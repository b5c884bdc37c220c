#ifndef FAULTLINE_IMAGE_CODECS_H
#define FAULTLINE_IMAGE_CODECS_H

/*
 * Memory-to-memory PNG and JPEG codecs on libpng and libjpeg(-turbo).
 *
 * Both libraries report fatal errors by longjmp, which must never cross a Swift frame, so
 * every jump is caught inside this C code and turned into a status plus a message. No
 * function here prints anything or terminates the process. Every buffer returned through
 * an `out_*` pointer was allocated here and must be released with `fl_codec_free`.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What went wrong; `FL_CODEC_OK` (0) means success. */
typedef enum {
    FL_CODEC_OK = 0,
    /** The input does not start with the format's signature. */
    FL_CODEC_BAD_SIGNATURE = 1,
    /** The input ends before the format says it should; `byte_offset` is where. */
    FL_CODEC_TRUNCATED = 2,
    /** The input is damaged (bad CRC, bad compressed data, inconsistent header...). */
    FL_CODEC_CORRUPT = 3,
    /** Valid input that this codec does not handle (e.g. CMYK JPEG). */
    FL_CODEC_UNSUPPORTED = 4,
    /** A caller error: null pointer, zero size, unsupported channel count, bad quality. */
    FL_CODEC_INVALID_ARGUMENT = 5,
    FL_CODEC_OUT_OF_MEMORY = 6,
    /** The image is larger than `FL_CODEC_MAX_SIDE` or `FL_CODEC_MAX_PIXELS`. */
    FL_CODEC_TOO_LARGE = 7,
} fl_codec_status;

/** The largest width or height accepted when decoding. */
#define FL_CODEC_MAX_SIDE 32768u
/** The largest number of pixels accepted when decoding (bounds memory to ~400 MB RGB). */
#define FL_CODEC_MAX_PIXELS (1u << 27)

/** The zlib level used by `fl_png_encode`; fixed so that output bytes are reproducible. */
#define FL_PNG_COMPRESSION_LEVEL 3

/** The outcome of a codec call. */
typedef struct {
    /** An `fl_codec_status` value. */
    int32_t status;
    /** The byte of the input where the problem was found, or -1 when unknown. */
    int64_t byte_offset;
    /** A one-line, NUL-terminated explanation (empty on success). */
    char message[256];
} fl_codec_error;

/**
 * Decodes a PNG of any colour type and bit depth into 8-bit RGB, row-major, 3 bytes per
 * pixel. Palette and grey images are expanded, 16-bit samples are scaled to 8 bits, and an
 * alpha channel (or tRNS transparency) is composited over white. Gamma chunks are ignored,
 * so sample values come out as stored.
 */
int32_t fl_png_decode_rgb(const uint8_t *data, size_t size, uint8_t **out_pixels,
                          uint32_t *out_width, uint32_t *out_height, fl_codec_error *error);

/**
 * Encodes 8-bit pixels (1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA channels, row-major,
 * no row padding) as a non-interlaced PNG with a fixed zlib level and the Paeth filter on
 * every row, and no time or text chunks, so that the same pixels give the same bytes.
 */
int32_t fl_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                      uint8_t **out_data, size_t *out_size, fl_codec_error *error);

/**
 * Encodes 8-bit grey (1 channel) or RGB (3 channels) pixels as a baseline JPEG at `quality`
 * 1...100 with libjpeg's standard tables, 4:2:0 chroma subsampling for RGB and the exact
 * integer DCT, so that the same pixels and quality give the same bytes.
 */
int32_t fl_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                       int32_t quality, uint8_t **out_data, size_t *out_size, fl_codec_error *error);

/**
 * Decodes a JPEG into 8-bit RGB, row-major, 3 bytes per pixel. Decoding is strict: any
 * libjpeg warning (premature end of data, corrupt entropy data) is reported as an error
 * instead of returning a partly grey image.
 */
int32_t fl_jpeg_decode_rgb(const uint8_t *data, size_t size, uint8_t **out_pixels,
                           uint32_t *out_width, uint32_t *out_height, fl_codec_error *error);

/** Releases a buffer returned by one of the functions above; NULL is allowed. */
void fl_codec_free(void *buffer);

#ifdef __cplusplus
}
#endif

#endif /* FAULTLINE_IMAGE_CODECS_H */
