#include "image_codecs.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <zlib.h>
/* jpeglib.h needs size_t and FILE declared first. */
#include <jpeglib.h>
#include <jerror.h>

/* ---------------------------------------------------------------- shared helpers */

static void clear_error(fl_codec_error *error) {
    error->status = FL_CODEC_OK;
    error->byte_offset = -1;
    error->message[0] = '\0';
}

/* Records the first failure only: later ones are usually consequences of it. */
static void set_error(fl_codec_error *error, int32_t status, int64_t byte_offset, const char *format, ...) {
    if (error->status != FL_CODEC_OK) return;
    error->status = status;
    error->byte_offset = byte_offset;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(error->message, sizeof error->message, format, arguments);
    va_end(arguments);
}

/* Size checks shared by the decoders; returns 0 and sets `error` when the image is too big. */
static int dimensions_acceptable(uint32_t width, uint32_t height, const char *format_name, fl_codec_error *error) {
    if (width == 0 || height == 0) {
        set_error(error, FL_CODEC_CORRUPT, -1, "%s header gives an empty image (%ux%u)", format_name, width, height);
        return 0;
    }
    if (width > FL_CODEC_MAX_SIDE || height > FL_CODEC_MAX_SIDE ||
        (uint64_t)width * (uint64_t)height > (uint64_t)FL_CODEC_MAX_PIXELS) {
        set_error(error, FL_CODEC_TOO_LARGE, -1, "%s image is %ux%u, larger than the limit of %u per side and %u pixels",
                  format_name, width, height, FL_CODEC_MAX_SIDE, FL_CODEC_MAX_PIXELS);
        return 0;
    }
    return 1;
}

static int encode_arguments_acceptable(const uint8_t *pixels, uint32_t width, uint32_t height,
                                       uint8_t **out_data, size_t *out_size, fl_codec_error *error) {
    if (pixels == NULL || out_data == NULL || out_size == NULL) {
        set_error(error, FL_CODEC_INVALID_ARGUMENT, -1, "a required pointer argument is NULL");
        return 0;
    }
    if (width == 0 || height == 0) {
        set_error(error, FL_CODEC_INVALID_ARGUMENT, -1, "cannot encode an empty image (%ux%u)", width, height);
        return 0;
    }
    if (width > FL_CODEC_MAX_SIDE || height > FL_CODEC_MAX_SIDE ||
        (uint64_t)width * (uint64_t)height > (uint64_t)FL_CODEC_MAX_PIXELS) {
        set_error(error, FL_CODEC_TOO_LARGE, -1, "image is %ux%u, larger than the limit of %u per side and %u pixels",
                  width, height, FL_CODEC_MAX_SIDE, FL_CODEC_MAX_PIXELS);
        return 0;
    }
    return 1;
}

void fl_codec_free(void *buffer) { free(buffer); }

/* ---------------------------------------------------------------- PNG */

/*
 * Everything the PNG code touches after setjmp lives in this heap object: automatic
 * variables modified between setjmp and longjmp have indeterminate values afterwards.
 */
typedef struct {
    fl_codec_error *error;
    /* reading */
    const uint8_t *input;
    size_t input_size;
    size_t input_offset;
    /* writing */
    uint8_t *output;
    size_t output_size;
    size_t output_capacity;
    /* scratch owned until success */
    uint8_t *pixels;
    png_bytep *rows;
} png_job;

/* The checks every decoder starts with; clears the outputs so that a failure leaves none set. */
static int decode_arguments_acceptable(const uint8_t *data, size_t size, uint8_t **out_pixels,
                                       uint32_t *out_width, uint32_t *out_height, const char *format_name,
                                       fl_codec_error *error) {
    if (error == NULL) return 0;
    clear_error(error);
    if (out_pixels == NULL || out_width == NULL || out_height == NULL) {
        set_error(error, FL_CODEC_INVALID_ARGUMENT, -1, "a required pointer argument is NULL");
        return 0;
    }
    *out_pixels = NULL;
    *out_width = 0;
    *out_height = 0;
    if (data == NULL || size == 0) {
        set_error(error, FL_CODEC_TRUNCATED, 0, "%s data is empty (0 bytes)", format_name);
        return 0;
    }
    return 1;
}

static void png_fail(png_structp png, png_const_charp message) {
    png_job *job = (png_job *)png_get_error_ptr(png);
    int64_t offset = job->input != NULL ? (int64_t)job->input_offset : -1;
    set_error(job->error, FL_CODEC_CORRUPT, offset, "%s", message);
    png_longjmp(png, 1);
}

static void png_ignore_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void describe_chunk(png_uint_32 chunk_type, char out[5]) {
    for (int i = 0; i < 4; i++) {
        char c = (char)((chunk_type >> (24 - 8 * i)) & 0xff);
        out[i] = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? c : '?';
    }
    out[4] = '\0';
}

static void png_read_from_memory(png_structp png, png_bytep destination, png_size_t length) {
    png_job *job = (png_job *)png_get_io_ptr(png);
    size_t remaining = job->input_size - job->input_offset;
    if (length > remaining) {
        png_uint_32 chunk = png_get_io_chunk_type(png);
        if (chunk != 0) {
            char name[5];
            describe_chunk(chunk, name);
            set_error(job->error, FL_CODEC_TRUNCATED, (int64_t)job->input_size,
                      "PNG data truncated at byte %zu: the file ends inside or before chunk %s, which needs %zu more bytes",
                      job->input_size, name, length - remaining);
        } else {
            set_error(job->error, FL_CODEC_TRUNCATED, (int64_t)job->input_size,
                      "PNG data truncated at byte %zu: %zu more bytes were expected", job->input_size, length - remaining);
        }
        png_error(png, "truncated");
    }
    memcpy(destination, job->input + job->input_offset, length);
    job->input_offset += length;
}

/* Composites RGBA over white in place, leaving tightly packed RGB at the front of the buffer. */
static void composite_over_white(uint8_t *buffer, size_t pixel_count) {
    for (size_t i = 0; i < pixel_count; i++) {
        const uint8_t *source = buffer + 4 * i;
        uint8_t *target = buffer + 3 * i;
        unsigned alpha = source[3];
        for (int c = 0; c < 3; c++) {
            unsigned blended = source[c] * alpha + 255u * (255u - alpha);
            target[c] = (uint8_t)((blended + 127u) / 255u);
        }
    }
}

int32_t fl_png_decode_rgb(const uint8_t *data, size_t size, uint8_t **out_pixels,
                          uint32_t *out_width, uint32_t *out_height, fl_codec_error *error) {
    if (!decode_arguments_acceptable(data, size, out_pixels, out_width, out_height, "PNG", error)) {
        return error == NULL ? FL_CODEC_INVALID_ARGUMENT : error->status;
    }
    size_t signature_bytes = size < 8 ? size : 8;
    if (png_sig_cmp(data, 0, signature_bytes) != 0) {
        set_error(error, FL_CODEC_BAD_SIGNATURE, 0,
                  "not a PNG file (bad signature): it starts with %02x %02x %02x %02x instead of 89 50 4e 47",
                  data[0], size > 1 ? data[1] : 0, size > 2 ? data[2] : 0, size > 3 ? data[3] : 0);
        return error->status;
    }
    if (size < 8) {
        set_error(error, FL_CODEC_TRUNCATED, (int64_t)size, "PNG data truncated at byte %zu, inside the 8-byte signature", size);
        return error->status;
    }

    png_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        set_error(error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory");
        return error->status;
    }
    job->error = error;
    job->input = data;
    job->input_size = size;

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, png_fail, png_ignore_warning);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_destroy_read_struct(png != NULL ? &png : NULL, NULL, NULL);
        free(job);
        set_error(error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory creating the PNG reader");
        return error->status;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(job->rows);
        free(job->pixels);
        free(job);
        return error->status;
    }
    png_set_read_fn(png, job, png_read_from_memory);
    png_read_info(png, info);

    png_uint_32 width = png_get_image_width(png, info);
    png_uint_32 height = png_get_image_height(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    int color_type = png_get_color_type(png, info);
    if (!dimensions_acceptable(width, height, "PNG", error)) png_longjmp(png, 1);

    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16) png_set_scale_16(png);
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    png_byte channels = png_get_channels(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if ((channels != 3 && channels != 4) || row_bytes != (size_t)width * channels) {
        set_error(error, FL_CODEC_UNSUPPORTED, -1, "PNG colour type %d at %d bits did not convert to 8-bit RGB", color_type, bit_depth);
        png_longjmp(png, 1);
    }
    job->pixels = malloc(row_bytes * height);
    job->rows = malloc(sizeof(png_bytep) * height);
    if (job->pixels == NULL || job->rows == NULL) {
        set_error(error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory for a %ux%u PNG", width, height);
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < height; y++) job->rows[y] = job->pixels + (size_t)y * row_bytes;
    png_read_image(png, job->rows);
    png_read_end(png, NULL);

    if (channels == 4) composite_over_white(job->pixels, (size_t)width * height);
    *out_pixels = job->pixels;
    *out_width = width;
    *out_height = height;
    job->pixels = NULL;
    png_destroy_read_struct(&png, &info, NULL);
    free(job->rows);
    free(job);
    return FL_CODEC_OK;
}

static void png_write_to_memory(png_structp png, png_bytep source, png_size_t length) {
    png_job *job = (png_job *)png_get_io_ptr(png);
    if (length > job->output_capacity - job->output_size) {
        size_t capacity = job->output_capacity == 0 ? 4096 : job->output_capacity;
        while (capacity - job->output_size < length) {
            if (capacity > SIZE_MAX / 2) {
                set_error(job->error, FL_CODEC_OUT_OF_MEMORY, -1, "PNG output too large");
                png_error(png, "out of memory");
            }
            capacity *= 2;
        }
        uint8_t *grown = realloc(job->output, capacity);
        if (grown == NULL) {
            set_error(job->error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory growing the PNG output to %zu bytes", capacity);
            png_error(png, "out of memory");
        }
        job->output = grown;
        job->output_capacity = capacity;
    }
    memcpy(job->output + job->output_size, source, length);
    job->output_size += length;
}

static void png_flush_nothing(png_structp png) { (void)png; }

int32_t fl_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                      uint8_t **out_data, size_t *out_size, fl_codec_error *error) {
    if (error == NULL) return FL_CODEC_INVALID_ARGUMENT;
    clear_error(error);
    if (!encode_arguments_acceptable(pixels, width, height, out_data, out_size, error)) return error->status;
    *out_data = NULL;
    *out_size = 0;
    int color_type;
    switch (channels) {
        case 1: color_type = PNG_COLOR_TYPE_GRAY; break;
        case 2: color_type = PNG_COLOR_TYPE_GRAY_ALPHA; break;
        case 3: color_type = PNG_COLOR_TYPE_RGB; break;
        case 4: color_type = PNG_COLOR_TYPE_RGB_ALPHA; break;
        default:
            set_error(error, FL_CODEC_INVALID_ARGUMENT, -1, "PNG encoding takes 1 to 4 channels, not %u", channels);
            return error->status;
    }

    png_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        set_error(error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory");
        return error->status;
    }
    job->error = error;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, job, png_fail, png_ignore_warning);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_destroy_write_struct(png != NULL ? &png : NULL, NULL);
        free(job);
        set_error(error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory creating the PNG writer");
        return error->status;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(job->rows);
        free(job->output);
        free(job);
        return error->status;
    }
    png_set_write_fn(png, job, png_write_to_memory, png_flush_nothing);
    png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    /* Every setting that shapes the bytes is pinned rather than left to library defaults. */
    png_set_compression_level(png, FL_PNG_COMPRESSION_LEVEL);
    png_set_compression_mem_level(png, 8);
    png_set_compression_strategy(png, Z_DEFAULT_STRATEGY);
    png_set_compression_window_bits(png, 15);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_PAETH);

    size_t row_bytes = (size_t)width * channels;
    job->rows = malloc(sizeof(png_bytep) * height);
    if (job->rows == NULL) {
        set_error(error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory for %u row pointers", height);
        png_longjmp(png, 1);
    }
    for (uint32_t y = 0; y < height; y++) job->rows[y] = (png_bytep)(pixels + (size_t)y * row_bytes);
    png_write_info(png, info);
    png_write_image(png, job->rows);
    png_write_end(png, NULL);

    *out_data = job->output;
    *out_size = job->output_size;
    png_destroy_write_struct(&png, &info);
    free(job->rows);
    free(job);
    return FL_CODEC_OK;
}

/* ---------------------------------------------------------------- JPEG */

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    fl_codec_error *error;
    /* Size of the input while decoding (for byte offsets); 0 while encoding. */
    size_t input_size;
    /* The first warning, which strict decoding turns into an error. */
    int warning_code;
    char warning[JMSG_LENGTH_MAX];
} jpeg_error_context;

static int32_t jpeg_status_for(int message_code) {
    switch (message_code) {
        case JERR_NO_SOI: return FL_CODEC_BAD_SIGNATURE;
        case JWRN_JPEG_EOF:
        case JERR_INPUT_EOF:
        case JERR_INPUT_EMPTY: return FL_CODEC_TRUNCATED;
        case JERR_CONVERSION_NOTIMPL:
        case JERR_NOT_COMPILED: return FL_CODEC_UNSUPPORTED;
        case JERR_OUT_OF_MEMORY: return FL_CODEC_OUT_OF_MEMORY;
        case JERR_IMAGE_TOO_BIG:
        case JERR_WIDTH_OVERFLOW: return FL_CODEC_TOO_LARGE;
        default: return FL_CODEC_CORRUPT;
    }
}

static void jpeg_fail(j_common_ptr common) {
    jpeg_error_context *context = (jpeg_error_context *)common->err;
    char message[JMSG_LENGTH_MAX];
    common->err->format_message(common, message);
    int code = common->err->msg_code;
    int32_t status = jpeg_status_for(code);
    /* jpeg_mem_src answers running out of data with a warning and a fake end marker; the
     * fatal error that follows ("missing SOS marker"...) is then a consequence of truncation. */
    if (context->warning_code == JWRN_JPEG_EOF && context->warning[0] != '\0') {
        set_error(context->error, FL_CODEC_TRUNCATED, (int64_t)context->input_size,
                  "JPEG data truncated at byte %zu (%s)", context->input_size, message);
    } else if (status == FL_CODEC_TRUNCATED && context->input_size > 0) {
        set_error(context->error, status, (int64_t)context->input_size, "JPEG data truncated at byte %zu (%s)",
                  context->input_size, message);
    } else {
        set_error(context->error, status, -1, "%s", message);
    }
    longjmp(context->jump, 1);
}

static void jpeg_collect_warning(j_common_ptr common, int level) {
    /* Level -1 is a warning; levels >= 0 are trace messages, which are dropped. */
    if (level >= 0) return;
    jpeg_error_context *context = (jpeg_error_context *)common->err;
    common->err->num_warnings++;
    if (context->warning[0] == '\0') {
        context->warning_code = common->err->msg_code;
        common->err->format_message(common, context->warning);
    }
}

static void jpeg_print_nothing(j_common_ptr common) { (void)common; }

static void install_jpeg_error_handlers(jpeg_error_context *context, fl_codec_error *error) {
    jpeg_std_error(&context->manager);
    context->manager.error_exit = jpeg_fail;
    context->manager.emit_message = jpeg_collect_warning;
    context->manager.output_message = jpeg_print_nothing;
    context->error = error;
}

typedef struct {
    struct jpeg_destination_mgr manager;
    uint8_t *buffer;
    size_t capacity;
    size_t size;
} jpeg_memory_destination;

typedef struct {
    struct jpeg_compress_struct compressor;
    jpeg_error_context errors;
    jpeg_memory_destination destination;
} jpeg_compress_job;

static void jpeg_destination_start(j_compress_ptr compressor) {
    jpeg_memory_destination *destination = (jpeg_memory_destination *)compressor->dest;
    destination->capacity = 1 << 16;
    destination->buffer = malloc(destination->capacity);
    if (destination->buffer == NULL) ERREXIT1(compressor, JERR_OUT_OF_MEMORY, 1);
    destination->manager.next_output_byte = destination->buffer;
    destination->manager.free_in_buffer = destination->capacity;
}

/* libjpeg calls this when the whole buffer is full, whatever free_in_buffer says. */
static boolean jpeg_destination_grow(j_compress_ptr compressor) {
    jpeg_memory_destination *destination = (jpeg_memory_destination *)compressor->dest;
    size_t used = destination->capacity;
    if (used > SIZE_MAX / 2) ERREXIT1(compressor, JERR_OUT_OF_MEMORY, 2);
    uint8_t *grown = realloc(destination->buffer, used * 2);
    if (grown == NULL) ERREXIT1(compressor, JERR_OUT_OF_MEMORY, 2);
    destination->buffer = grown;
    destination->capacity = used * 2;
    destination->manager.next_output_byte = grown + used;
    destination->manager.free_in_buffer = destination->capacity - used;
    return TRUE;
}

static void jpeg_destination_finish(j_compress_ptr compressor) {
    jpeg_memory_destination *destination = (jpeg_memory_destination *)compressor->dest;
    destination->size = destination->capacity - destination->manager.free_in_buffer;
}

int32_t fl_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                       int32_t quality, uint8_t **out_data, size_t *out_size, fl_codec_error *error) {
    if (error == NULL) return FL_CODEC_INVALID_ARGUMENT;
    clear_error(error);
    if (!encode_arguments_acceptable(pixels, width, height, out_data, out_size, error)) return error->status;
    *out_data = NULL;
    *out_size = 0;
    if (channels != 1 && channels != 3) {
        set_error(error, FL_CODEC_INVALID_ARGUMENT, -1, "JPEG encoding takes 1 (grey) or 3 (RGB) channels, not %u", channels);
        return error->status;
    }
    if (quality < 1 || quality > 100) {
        set_error(error, FL_CODEC_INVALID_ARGUMENT, -1, "JPEG quality %d is outside 1...100", quality);
        return error->status;
    }

    jpeg_compress_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        set_error(error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory");
        return error->status;
    }
    install_jpeg_error_handlers(&job->errors, error);
    job->compressor.err = &job->errors.manager;
    if (setjmp(job->errors.jump)) {
        jpeg_destroy_compress(&job->compressor);
        free(job->destination.buffer);
        free(job);
        return error->status;
    }
    jpeg_create_compress(&job->compressor);
    job->destination.manager.init_destination = jpeg_destination_start;
    job->destination.manager.empty_output_buffer = jpeg_destination_grow;
    job->destination.manager.term_destination = jpeg_destination_finish;
    job->compressor.dest = &job->destination.manager;

    job->compressor.image_width = width;
    job->compressor.image_height = height;
    job->compressor.input_components = (int)channels;
    job->compressor.in_color_space = channels == 3 ? JCS_RGB : JCS_GRAYSCALE;
    jpeg_set_defaults(&job->compressor);
    jpeg_set_quality(&job->compressor, quality, TRUE);
    job->compressor.dct_method = JDCT_ISLOW;
    job->compressor.optimize_coding = FALSE;
    jpeg_start_compress(&job->compressor, TRUE);
    size_t row_bytes = (size_t)width * channels;
    while (job->compressor.next_scanline < job->compressor.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)job->compressor.next_scanline * row_bytes);
        jpeg_write_scanlines(&job->compressor, &row, 1);
    }
    jpeg_finish_compress(&job->compressor);

    *out_data = job->destination.buffer;
    *out_size = job->destination.size;
    job->destination.buffer = NULL;
    jpeg_destroy_compress(&job->compressor);
    free(job);
    return FL_CODEC_OK;
}

typedef struct {
    struct jpeg_decompress_struct decompressor;
    jpeg_error_context errors;
    uint8_t *pixels;
} jpeg_decompress_job;

int32_t fl_jpeg_decode_rgb(const uint8_t *data, size_t size, uint8_t **out_pixels,
                           uint32_t *out_width, uint32_t *out_height, fl_codec_error *error) {
    if (!decode_arguments_acceptable(data, size, out_pixels, out_width, out_height, "JPEG", error)) {
        return error == NULL ? FL_CODEC_INVALID_ARGUMENT : error->status;
    }
    if (size > ULONG_MAX) {
        set_error(error, FL_CODEC_TOO_LARGE, -1, "JPEG data of %zu bytes is too large", size);
        return error->status;
    }

    jpeg_decompress_job *job = calloc(1, sizeof *job);
    if (job == NULL) {
        set_error(error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory");
        return error->status;
    }
    install_jpeg_error_handlers(&job->errors, error);
    job->errors.input_size = size;
    job->decompressor.err = &job->errors.manager;
    if (setjmp(job->errors.jump)) {
        jpeg_destroy_decompress(&job->decompressor);
        free(job->pixels);
        free(job);
        return error->status;
    }
    jpeg_create_decompress(&job->decompressor);
    jpeg_mem_src(&job->decompressor, data, (unsigned long)size);
    jpeg_read_header(&job->decompressor, TRUE);
    if (!dimensions_acceptable(job->decompressor.image_width, job->decompressor.image_height, "JPEG", error)) {
        longjmp(job->errors.jump, 1);
    }
    job->decompressor.out_color_space = JCS_RGB;
    job->decompressor.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&job->decompressor);
    if (job->decompressor.output_components != 3) {
        set_error(error, FL_CODEC_UNSUPPORTED, -1, "JPEG decoded to %d components instead of RGB",
                  job->decompressor.output_components);
        longjmp(job->errors.jump, 1);
    }
    uint32_t width = job->decompressor.output_width;
    uint32_t height = job->decompressor.output_height;
    size_t row_bytes = (size_t)width * 3;
    job->pixels = malloc(row_bytes * height);
    if (job->pixels == NULL) {
        set_error(error, FL_CODEC_OUT_OF_MEMORY, -1, "out of memory for a %ux%u JPEG", width, height);
        longjmp(job->errors.jump, 1);
    }
    while (job->decompressor.output_scanline < height) {
        JSAMPROW row = job->pixels + (size_t)job->decompressor.output_scanline * row_bytes;
        jpeg_read_scanlines(&job->decompressor, &row, 1);
    }
    jpeg_finish_decompress(&job->decompressor);
    if (job->errors.warning[0] != '\0') {
        int32_t status = jpeg_status_for(job->errors.warning_code);
        if (status == FL_CODEC_TRUNCATED) {
            set_error(error, status, (int64_t)size, "JPEG data truncated at byte %zu (%s)", size, job->errors.warning);
        } else {
            set_error(error, FL_CODEC_CORRUPT, -1, "JPEG data corrupt: %s", job->errors.warning);
        }
        longjmp(job->errors.jump, 1);
    }

    *out_pixels = job->pixels;
    *out_width = width;
    *out_height = height;
    job->pixels = NULL;
    jpeg_destroy_decompress(&job->decompressor);
    free(job);
    return FL_CODEC_OK;
}
