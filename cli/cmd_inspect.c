/* cli/inspect: `lfmrt inspect MODEL [--json]` - what a GGUF file holds: every metadata key (long arrays
 * and strings abbreviated), every tensor (name, dtype, shape, bytes, offset), totals, the layer layout
 * (A attention / C short convolution, from the per-layer head_count_kv) and the licence when the file
 * carries one (general.license, general.license.name, general.license.link).
 * It reads the file with the GGUF reader only, so it works on vocabulary-only files and on
 * architectures the engine cannot run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "common.h"
#include "format/dtype.h"
#include "format/gguf.h"
#include "json_out.h"

static const char *CMD = "inspect";

enum { ARR_SHOW = 8, ARR_FULL_JSON = 32, STR_SHOW = 72 };

static void usage(void) {
    printf("usage: lfmrt inspect MODEL [--json]\n"
           "\n"
           "Shows a GGUF file's metadata (long arrays abbreviated with their length), tensors (name,\n"
           "dtype, shape, bytes), totals, layer layout and licence. Works on any GGUF, including\n"
           "vocabulary-only files and architectures lfmrt cannot run.\n"
           "\n"
           "options:\n"
           "  -m, --model FILE      the file (same as the positional MODEL)\n"
           "  --json                one JSON object instead of text\n"
           "  -h, --help            this help\n");
}

static const char *type_name(uint32_t t) {
    static const char *const N[] = {"u8", "i8", "u16", "i16", "u32", "i32", "f32",
                                    "bool", "str", "arr", "u64", "i64", "f64"};
    return t < sizeof N / sizeof N[0] ? N[t] : "?";
}

static bool is_int_type(uint32_t t) {
    return t <= LF_GGUF_I32 || t == LF_GGUF_U64 || t == LF_GGUF_I64;
}

/* ---- text form -------------------------------------------------------------------------------- */

/* a string on one line: control characters escaped, cut after max bytes */
static void text_str(FILE *f, const char *p, uint64_t n, uint64_t max) {
    fputc('"', f);
    uint64_t shown = n > max ? max : n;
    for (uint64_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c < 0x20 || c == 0x7f) fprintf(f, "\\x%02x", c);
        else fputc(c, f);
    }
    fputc('"', f);
    if (n > max) fprintf(f, "... (%" PRIu64 " bytes)", n);
}

static void arr_elem(FILE *f, const lf_gguf_kv *kv, uint64_t i, bool json) {
    uint32_t et = kv->v.arr.type;
    int64_t iv;
    double dv;
    if (et == LF_GGUF_BOOL) {
        fputs(kv->v.arr.data[i] ? "true" : "false", f);
    } else if (et == LF_GGUF_U64) {
        uint64_t u = 0;
        for (int b = 0; b < 8; b++) u |= (uint64_t)kv->v.arr.data[i * 8 + (uint64_t)b] << (8 * b);
        fprintf(f, "%" PRIu64, u);
    } else if (is_int_type(et) && lf_gguf_arr_int(kv, i, &iv)) {
        fprintf(f, "%" PRId64, iv);
    } else if (lf_gguf_arr_float(kv, i, &dv)) {
        if (json) json_num(f, dv);
        else fprintf(f, "%.7g", dv);
    } else {
        fputs(json ? "null" : "?", f);
    }
}

static void kv_value(FILE *f, const lf_gguf_kv *kv, bool json) {
    switch (kv->type) {
    case LF_GGUF_U8: case LF_GGUF_U16: case LF_GGUF_U32: case LF_GGUF_U64:
        fprintf(f, "%" PRIu64, kv->v.u);
        break;
    case LF_GGUF_I8: case LF_GGUF_I16: case LF_GGUF_I32: case LF_GGUF_I64:
        fprintf(f, "%" PRId64, kv->v.i);
        break;
    case LF_GGUF_F32:
        if (json) json_num(f, kv->v.f);
        else fprintf(f, "%.7g", kv->v.f);
        break;
    case LF_GGUF_F64:
        if (json) json_num_exact(f, kv->v.f);
        else fprintf(f, "%.17g", kv->v.f);
        break;
    case LF_GGUF_BOOL: fputs(kv->v.u ? "true" : "false", f); break;
    case LF_GGUF_STRING:
        if (json) json_str(f, kv->v.s.p, (size_t)kv->v.s.n);
        else text_str(f, kv->v.s.p, kv->v.s.n, STR_SHOW);
        break;
    case LF_GGUF_ARRAY: {
        uint64_t n = kv->v.arr.n;
        bool full = json ? n <= ARR_FULL_JSON : n <= ARR_SHOW;
        uint64_t show = full ? n : ARR_SHOW;
        if (json && !full)
            fprintf(f, "{\"type\":\"array\",\"elem_type\":\"%s\",\"len\":%" PRIu64 ",\"head\":", type_name(kv->v.arr.type), n);
        fputc('[', f);
        if (kv->v.arr.type == LF_GGUF_STRING) {
            lf_gguf_str_iter it;
            lf_gguf_str_iter_init(&it, kv);
            lf_str s;
            for (uint64_t i = 0; i < show && lf_gguf_str_iter_next(&it, &s); i++) {
                if (i) fputs(", ", f);
                if (json) json_str(f, s.p, (size_t)s.n);
                else text_str(f, s.p, s.n, 32);
            }
        } else {
            for (uint64_t i = 0; i < show; i++) {
                if (i) fputs(", ", f);
                arr_elem(f, kv, i, json);
            }
        }
        if (!json && !full) fputs(", ...", f);
        fputc(']', f);
        if (json && !full) fputc('}', f);
        break;
    }
    default: fputs(json ? "null" : "?", f); break;
    }
}

/* ---- facts derived from the file ---------------------------------------------------------------- */

typedef struct facts {
    lf_str arch;            /* general.architecture, n = 0 if absent */
    lf_str name;
    lf_str lic, lic_name, lic_link;
    int64_t n_layers;       /* -1 if unknown */
    char *kinds;            /* n_layers chars 'A'/'C', malloc'd, NULL if unknown */
    int64_t n_attn;
    int64_t n_params;
    uint64_t bytes;
    unsigned dtype_count[LF_DT_COUNT];
} facts;

static lf_str get_str(const lf_gguf *g, const char *key) {
    lf_str s = {"", 0};
    if (lf_gguf_get_str(g, key, &s, NULL) != LFMRT_OK) s = (lf_str){"", 0};
    return s;
}

static void gather(const lf_gguf *g, facts *fc) {
    memset(fc, 0, sizeof *fc);
    fc->arch = get_str(g, "general.architecture");
    fc->name = get_str(g, "general.name");
    fc->lic = get_str(g, "general.license");
    fc->lic_name = get_str(g, "general.license.name");
    fc->lic_link = get_str(g, "general.license.link");
    fc->n_layers = -1;
    for (size_t i = 0; i < lf_gguf_n_tensors(g); i++) {
        const lf_gguf_tensor *t = lf_gguf_tensor_at(g, i);
        fc->n_params += t->ne[0] * t->ne[1] * t->ne[2] * t->ne[3];
        fc->bytes += t->nbytes;
        if (t->type < LF_DT_COUNT) fc->dtype_count[t->type]++;
    }
    if (fc->arch.n == 0 || fc->arch.n > 64) return;
    char key[128];
    snprintf(key, sizeof key, "%.*s.block_count", (int)fc->arch.n, fc->arch.p);
    int64_t nl;
    if (lf_gguf_get_i64(g, key, &nl, NULL) != LFMRT_OK || nl <= 0 || nl > 100000) return;
    fc->n_layers = nl;
    snprintf(key, sizeof key, "%.*s.attention.head_count_kv", (int)fc->arch.n, fc->arch.p);
    const lf_gguf_kv *kv = lf_gguf_find_kv(g, key);
    if (!kv) return;
    fc->kinds = malloc((size_t)nl + 1);
    if (!fc->kinds) return;
    for (int64_t il = 0; il < nl; il++) {
        int64_t h = 1;
        if (kv->type == LF_GGUF_ARRAY && !lf_gguf_arr_int(kv, (uint64_t)il, &h)) h = -1;
        fc->kinds[il] = h < 0 ? '?' : h == 0 ? 'C' : 'A';
        fc->n_attn += h > 0;
    }
    fc->kinds[nl] = '\0';
}

static void shape_str(const lf_gguf_tensor *t, char *buf, size_t cap) {
    size_t o = (size_t)snprintf(buf, cap, "[");
    for (uint32_t d = 0; d < t->n_dims && o < cap; d++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%" PRId64, d ? ", " : "", t->ne[d]);
    if (o < cap) snprintf(buf + o, cap - o, "]");
}

/* ---- the two outputs ---------------------------------------------------------------------------- */

static void print_text(const char *path, const lf_gguf *g, size_t size, const facts *fc) {
    FILE *f = stdout;
    fprintf(f, "file:          %s (%zu bytes)\n", path, size);
    fprintf(f, "format:        GGUF v%u, alignment %u, data at offset %" PRIu64 "\n", lf_gguf_version(g),
            lf_gguf_alignment(g), lf_gguf_data_offset(g));
    fprintf(f, "architecture:  %.*s\n", (int)fc->arch.n, fc->arch.n ? fc->arch.p : "");
    if (fc->name.n) fprintf(f, "name:          %.*s\n", (int)fc->name.n, fc->name.p);
    if (fc->lic.n || fc->lic_name.n || fc->lic_link.n) {
        fputs("licence:      ", f);
        if (fc->lic.n) fprintf(f, " %.*s", (int)fc->lic.n, fc->lic.p);
        if (fc->lic_name.n) fprintf(f, " (%.*s)", (int)fc->lic_name.n, fc->lic_name.p);
        if (fc->lic_link.n) fprintf(f, " %.*s", (int)fc->lic_link.n, fc->lic_link.p);
        fputc('\n', f);
    }
    if (fc->kinds)
        fprintf(f, "layers:        %" PRId64 " (%" PRId64 " attention, %" PRId64 " short conv): %s\n", fc->n_layers,
                fc->n_attn, fc->n_layers - fc->n_attn, fc->kinds);
    else if (fc->n_layers > 0)
        fprintf(f, "layers:        %" PRId64 "\n", fc->n_layers);
    fprintf(f, "tensors:       %zu, %" PRId64 " parameters, %" PRIu64 " bytes (%.1f MiB)\n", lf_gguf_n_tensors(g),
            fc->n_params, fc->bytes, (double)fc->bytes / (1024.0 * 1024.0));
    bool any = false;
    for (unsigned t = 0; t < LF_DT_COUNT; t++) {
        if (!fc->dtype_count[t]) continue;
        fprintf(f, "%s%s x %u", any ? ", " : "dtypes:        ", lf_dtype_name(t), fc->dtype_count[t]);
        any = true;
    }
    if (any) fputc('\n', f);

    fprintf(f, "\nmetadata (%zu keys):\n", lf_gguf_n_kv(g));
    for (size_t i = 0; i < lf_gguf_n_kv(g); i++) {
        const lf_gguf_kv *kv = lf_gguf_kv_at(g, i);
        char tn[32];
        if (kv->type == LF_GGUF_ARRAY)
            snprintf(tn, sizeof tn, "%s[%" PRIu64 "]", type_name(kv->v.arr.type), kv->v.arr.n);
        else
            snprintf(tn, sizeof tn, "%s", type_name(kv->type));
        fprintf(f, "  %-44.*s %-12s ", (int)(kv->key.n > 200 ? 200 : kv->key.n), kv->key.p, tn);
        kv_value(f, kv, false);
        fputc('\n', f);
    }
    fprintf(f, "\ntensors (%zu):\n", lf_gguf_n_tensors(g));
    for (size_t i = 0; i < lf_gguf_n_tensors(g); i++) {
        const lf_gguf_tensor *t = lf_gguf_tensor_at(g, i);
        char shp[128];
        shape_str(t, shp, sizeof shp);
        fprintf(f, "  %-40.*s %-6s %-22s %12" PRIu64 " B\n", (int)(t->name.n > 200 ? 200 : t->name.n), t->name.p,
                lf_dtype_name(t->type), shp, t->nbytes);
    }
}

static void json_lstr(FILE *f, lf_str s) {
    if (s.n) json_str(f, s.p, (size_t)s.n);
    else fputs("null", f);
}

static void print_json(const char *path, const lf_gguf *g, size_t size, const facts *fc) {
    FILE *f = stdout;
    fputs("{\"file\":", f);
    json_cstr(f, path);
    fprintf(f, ",\"size\":%zu,\"version\":%u,\"alignment\":%u,\"data_offset\":%" PRIu64, size, lf_gguf_version(g),
            lf_gguf_alignment(g), lf_gguf_data_offset(g));
    fputs(",\"architecture\":", f);
    json_lstr(f, fc->arch);
    fputs(",\"name\":", f);
    json_lstr(f, fc->name);
    fputs(",\"license\":", f);
    if (fc->lic.n || fc->lic_name.n || fc->lic_link.n) {
        fputs("{\"license\":", f);
        json_lstr(f, fc->lic);
        fputs(",\"name\":", f);
        json_lstr(f, fc->lic_name);
        fputs(",\"link\":", f);
        json_lstr(f, fc->lic_link);
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fputs(",\"layers\":", f);
    if (fc->n_layers > 0) {
        fprintf(f, "{\"n\":%" PRId64 ",\"kinds\":", fc->n_layers);
        json_cstr(f, fc->kinds);
        if (fc->kinds) fprintf(f, ",\"n_attention\":%" PRId64 ",\"n_conv\":%" PRId64, fc->n_attn, fc->n_layers - fc->n_attn);
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fprintf(f, ",\"totals\":{\"n_kv\":%zu,\"n_tensors\":%zu,\"n_params\":%" PRId64 ",\"bytes\":%" PRIu64 ",\"dtypes\":{",
            lf_gguf_n_kv(g), lf_gguf_n_tensors(g), fc->n_params, fc->bytes);
    bool first = true;
    for (unsigned t = 0; t < LF_DT_COUNT; t++) {
        if (!fc->dtype_count[t]) continue;
        json_key(f, &first, lf_dtype_name(t));
        fprintf(f, "%u", fc->dtype_count[t]);
    }
    fputs("}},\n\"metadata\":{", f);
    first = true;
    for (size_t i = 0; i < lf_gguf_n_kv(g); i++) {
        const lf_gguf_kv *kv = lf_gguf_kv_at(g, i);
        json_sep(f, &first);
        fputs("\n", f);
        json_str(f, kv->key.p, (size_t)kv->key.n);
        fputc(':', f);
        kv_value(f, kv, true);
    }
    fputs("},\n\"tensors\":[", f);
    for (size_t i = 0; i < lf_gguf_n_tensors(g); i++) {
        const lf_gguf_tensor *t = lf_gguf_tensor_at(g, i);
        fputs(i ? ",\n{\"name\":" : "\n{\"name\":", f);
        json_str(f, t->name.p, (size_t)t->name.n);
        fputs(",\"dtype\":", f);
        json_cstr(f, lf_dtype_name(t->type));
        fputs(",\"shape\":[", f);
        for (uint32_t d = 0; d < t->n_dims; d++) fprintf(f, d ? ",%" PRId64 : "%" PRId64, t->ne[d]);
        fprintf(f, "],\"bytes\":%" PRIu64 ",\"offset\":%" PRIu64 "}", t->nbytes, t->offset);
    }
    fputs("]}\n", f);
}

int cmd_inspect(int argc, char **argv) {
    const char *path = NULL;
    bool json = false;
    cli_args a;
    cli_args_init(&a, CMD, argc, argv, 1);
    int k, rc = 0;
    while ((k = cli_args_next(&a)) != CLI_END) {
        if (k == CLI_POS) {
            if (path) return cli_usage(CMD, "unexpected argument '%s' (one MODEL only)", a.arg);
            path = a.arg;
            continue;
        }
        if (cli_is(&a, "-h", "--help")) {
            usage();
            return CLI_OK;
        } else if (cli_is(&a, "-m", "--model")) {
            const char *p;
            rc = cli_val_str(&a, &p);
            if (!rc && path) return cli_usage(CMD, "unexpected argument '%s' (one MODEL only)", p);
            path = p;
        } else if (cli_is(&a, NULL, "--json")) rc = cli_flag(&a, &json);
        else return cli_unknown(&a);
        if (rc) return rc;
    }
    if (!path) return cli_usage(CMD, "missing MODEL");
    rc = cli_check_file(CMD, "model", path);
    if (rc) return rc;
    lf_gguf *g = NULL;
    lfmrt_err e;
    memset(&e, 0, sizeof e);
    int st = lf_gguf_open(path, &g, &e);
    if (st != LFMRT_OK)
        return cli_fail_path(CMD, "cannot read", path, &e, st);
    size_t size = 0;
    lf_gguf_bytes(g, &size);
    facts fc;
    gather(g, &fc);
    if (json) print_json(path, g, size, &fc);
    else print_text(path, g, size, &fc);
    free(fc.kinds);
    lf_gguf_close(g);
    return CLI_OK;
}
