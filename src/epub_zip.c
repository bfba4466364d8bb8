/*
 * epub_zip.c — the OCF container (EPUB 3.3 OCF): the parts as ZIP entries
 * in order, the mimetype first and stored, the rest deflated beforehand
 * with deflate.c and handed to libzip as they are, at a fixed time so the
 * bytes depend only on the input; written atomically.  The one includer
 * of libzip.
 */
#include "epub_int.h"
#include "deflate.h"

#include <zip.h>

#include <string.h>

/* ================================================================ archive */

static int zip_fail(gl_ctx *ctx, const char *out_path, zip_error_t *ze)
{
    int rc = gl_error(ctx, GALLEY_ERR_BACKEND, "%s: cannot build EPUB archive: %s", out_path,
                      zip_error_strerror(ze));
    return rc;
}

/* ================================================================ deflated entries */

/* An entry deflated by us, handed to libzip as a source whose stat says
 * it is deflated already (method, sizes, CRC), so libzip copies the bytes
 * as they are instead of compressing them again. */
typedef struct {
    gl_buf data;           /* raw deflate */
    size_t pos;
    size_t size;           /* uncompressed */
    uint32_t crc;
} deflated;

static zip_int64_t deflated_cb(void *user, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    deflated *d = user;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        d->pos = 0;
        return 0;
    case ZIP_SOURCE_READ: {
        size_t n = d->data.len - d->pos;
        if (n > len)
            n = (size_t)len;
        memcpy(data, d->data.data + d->pos, n);
        d->pos += n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_STAT: {
        if (len < sizeof(zip_stat_t))
            return -1;
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->size = d->size;
        st->comp_size = d->data.len;
        st->crc = d->crc;
        st->comp_method = ZIP_CM_DEFLATE;
        st->encryption_method = ZIP_EM_NONE;
        st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC | ZIP_STAT_COMP_METHOD |
                    ZIP_STAT_ENCRYPTION_METHOD;
        return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(NULL, data, len);   // never fails: no error
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:   // the buffers are write_zip's
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              -1);
    default:
        return -1;
    }
}

// libdeflate's level for the entries (see the figures at deflate_part).
#define EPUB_DEFLATE_LEVEL 6

/* Deflates one part.  War and Peace's XHTML, 3 MB: zlib level 9 (libzip's
 * default) took 0.22 s, zlib 6 0.13 s; libdeflate 6 takes a fifth of zlib
 * 9's time for an EPUB 130 bytes larger (zlib 6's is 5 KB larger). */
static int deflate_part(gl_deflater *z, const part *p, deflated *d)
{
    d->size = p->data.len;
    d->crc = gl_crc32(p->data.data, p->data.len);
    return gl_deflate_raw(z, p->data.data, p->data.len, &d->data, p->name);
}

/* Builds the ZIP in memory and writes it atomically: libzip's own temp file
 * and rename would leave a temp file behind on some failures, and we want
 * a failed run to leave an existing output untouched (galley.h). */
int gl_epub_zip_write(epub *e, part *parts, size_t nparts)
{
    gl_ctx *ctx = e->ctx;
    int rc = -1;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_t *za = NULL;
    gl_out out = {.fd = -1};
    bool out_open = false;
    zip_source_t *mem = NULL;
    deflated *defl = gl_calloc(ctx, nparts ? nparts : 1, sizeof *defl);
    gl_deflater *z = defl ? gl_deflater_new(ctx, EPUB_DEFLATE_LEVEL) : NULL;
    if (!z)
        goto cleanup;
    for (size_t i = 0; i < nparts; i++) {
        gl_buf_init(&defl[i].data, ctx);
        if (!parts[i].store && deflate_part(z, &parts[i], &defl[i]))
            goto cleanup;
    }
    mem = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (!mem) {
        zip_fail(ctx, e->out_path, &ze);
        goto cleanup;
    }
    za = zip_open_from_source(mem, ZIP_TRUNCATE, &ze);
    if (!za) {
        zip_fail(ctx, e->out_path, &ze);
        zip_source_free(mem);
        mem = NULL;
        goto cleanup;
    }
    // The archive owns mem now; our extra reference keeps it alive after
    // zip_close() so that we can read the finished bytes back.
    zip_source_keep(mem);
    for (size_t i = 0; i < nparts; i++) {
        zip_source_t *s = parts[i].store
                              ? zip_source_buffer(za, parts[i].data.data, parts[i].data.len, 0)
                              : zip_source_function(za, deflated_cb, &defl[i]);
        zip_int64_t idx = s ? zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            if (s)
                zip_source_free(s);
            zip_fail(ctx, e->out_path, zip_get_error(za));
            goto cleanup;
        }
        zip_uint64_t u = (zip_uint64_t)idx;
        // OCF 3.3 §4.2.3: mimetype first, stored, no extra field.  The rest is
        // deflated above at a fixed level so the bytes depend only on the
        // input (and libdeflate).  Fixed time and Unix mode 0644 on every
        // entry: nothing from the machine or the clock reaches the archive.
        if (zip_set_file_compression(za, u, parts[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0) <
                0 ||
            zip_file_set_dostime(za, u, e->dos_time, e->dos_date, 0) < 0 ||
            zip_file_set_external_attributes(za, u, 0, ZIP_OPSYS_UNIX, 0100644u << 16) < 0) {
            zip_fail(ctx, e->out_path, zip_get_error(za));
            goto cleanup;
        }
    }
    if (zip_close(za) < 0) {
        zip_fail(ctx, e->out_path, zip_get_error(za));
        goto cleanup;
    }
    za = NULL;

    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_source_stat(mem, &st) < 0 || !(st.valid & ZIP_STAT_SIZE) || zip_source_open(mem) < 0) {
        zip_fail(ctx, e->out_path, zip_source_error(mem));
        goto cleanup;
    }
    if (gl_out_open(ctx, &out, e->out_path)) {
        zip_source_close(mem);
        goto cleanup;
    }
    out_open = true;
    char chunk[65536];
    zip_uint64_t left = st.size;
    while (left) {
        zip_int64_t n = zip_source_read(mem, chunk, left < sizeof chunk ? left : sizeof chunk);
        if (n <= 0) {
            zip_fail(ctx, e->out_path, zip_source_error(mem));
            zip_source_close(mem);
            goto cleanup;
        }
        if (gl_out_write(ctx, &out, chunk, (size_t)n)) {
            zip_source_close(mem);
            goto cleanup;
        }
        left -= (zip_uint64_t)n;
    }
    zip_source_close(mem);
    out_open = false;
    rc = gl_out_commit(ctx, &out);
cleanup:
    if (out_open)
        gl_out_abort(&out);
    if (za)
        zip_discard(za);
    if (mem)
        zip_source_free(mem);
    for (size_t i = 0; defl && i < nparts; i++)
        gl_buf_free(&defl[i].data);
    gl_free(defl);
    gl_deflater_free(z);
    zip_error_fini(&ze);
    return rc;
}