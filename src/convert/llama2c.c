/* convert/llama2c.c - llama2.c checkpoint + tokenizer -> GGUF `llama` (layout and mapping in llama2c.h).
 *
 * Both inputs are mapped read-only and validated completely before anything is written; tensor bytes
 * are then copied straight from the checkpoint mapping into the GGUF writer's per-tensor buffer.
 */
#include "convert/llama2c.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/mapfile.h"
#include "format/dtype.h"
#include "format/gguf.h"

/* llama.cpp's llama_token_type numbering (LLAMA_TOKEN_TYPE_*). */
enum { TT_NORMAL = 1, TT_UNKNOWN = 2, TT_CONTROL = 3, TT_BYTE = 6 };

#define MAX_DIM (1 << 24)   /* any dimension (and group_size); keeps every size product far from overflow */
#define MAX_LAYERS 4096

static uint32_t rd_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static float rd_f32(const uint8_t *p) {
    uint32_t u = rd_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* ---- checkpoint layout ---------------------------------------------------------------------------- */

/* Where one GGUF tensor's data lies in the checkpoint. Tensors are kept in GGUF order ("slots"):
 * token_embd, then per layer the 9 kinds below, then output_norm, output. */
enum { K_ATTN_NORM, K_Q, K_K, K_V, K_O, K_FFN_NORM, K_GATE, K_DOWN, K_UP, K_PER_LAYER };
static const char *const k_kind_name[K_PER_LAYER] = {"attn_norm", "attn_q",   "attn_k",   "attn_v",  "attn_output",
                                                     "ffn_norm",  "ffn_gate", "ffn_down", "ffn_up"};
#define SLOT(l, k) (1 + (size_t)K_PER_LAYER * (size_t)(l) + (size_t)(k))
#define SLOT_OUTPUT_NORM(c) SLOT((c)->n_layers, 0)
#define SLOT_OUTPUT(c) (SLOT((c)->n_layers, 0) + 1)

typedef struct src_tensor {
    uint64_t off;      /* byte offset in the checkpoint */
    int64_t ne0, ne1;  /* GGUF dims (ne1 = 0: 1-D) */
    bool q8;           /* version 2: int8 values then one f32 scale per group_size values */
} src_tensor;

typedef struct planner {
    src_tensor *t;     /* NULL: only measure */
    uint64_t off;
    uint64_t gs;
} planner;

static void place(planner *p, size_t slot, int64_t ne0, int64_t ne1, bool q8) {
    const uint64_t n = (uint64_t)ne0 * (uint64_t)(ne1 ? ne1 : 1);
    if (p->t) p->t[slot] = (src_tensor){p->off, ne0, ne1, q8};
    p->off += q8 ? n + 4 * (n / p->gs) : 4 * n;
}

static void place_layers(planner *p, const lf_llama2c_config *c, int kind, int64_t ne0, int64_t ne1, bool q8) {
    for (int32_t l = 0; l < c->n_layers; l++) place(p, SLOT(l, kind), ne0, ne1, q8);
}

/* Fills t (may be NULL; else SLOT_OUTPUT(c) + 1 entries) and returns the file size the config implies.
 * Orders as llama2.c's export.py writes them (legacy_export, version1_export, version2_export).
 * Every dimension <= 2^24 and L <= 2^12, so no size computed here can wrap. */
static uint64_t plan(const lf_llama2c_config *c, src_tensor *t) {
    planner p = {t, c->header_bytes, c->group_size > 0 ? (uint64_t)c->group_size : 1};
    const int64_t D = c->dim, F = c->hidden_dim, V = c->vocab_size, KV = c->kv_dim;
    const bool q = c->version == 2;
    if (c->version == 0) {
        place(&p, 0, D, V, false);
        place_layers(&p, c, K_ATTN_NORM, D, 0, false);
        place_layers(&p, c, K_Q, D, D, false);
        place_layers(&p, c, K_K, D, KV, false);
        place_layers(&p, c, K_V, D, KV, false);
        place_layers(&p, c, K_O, D, D, false);
        place_layers(&p, c, K_FFN_NORM, D, 0, false);
        place_layers(&p, c, K_GATE, D, F, false);
        place_layers(&p, c, K_DOWN, F, D, false);
        place_layers(&p, c, K_UP, D, F, false);
        place(&p, SLOT_OUTPUT_NORM(c), D, 0, false);
        p.off += 4 * (uint64_t)c->seq_len * (uint64_t)c->head_size; /* freq_cis_real, freq_cis_imag */
    } else {
        place_layers(&p, c, K_ATTN_NORM, D, 0, false);
        place_layers(&p, c, K_FFN_NORM, D, 0, false);
        place(&p, SLOT_OUTPUT_NORM(c), D, 0, false);
        place(&p, 0, D, V, q);
        place_layers(&p, c, K_Q, D, D, q);
        place_layers(&p, c, K_K, D, KV, q);
        place_layers(&p, c, K_V, D, KV, q);
        place_layers(&p, c, K_O, D, D, q);
        place_layers(&p, c, K_GATE, D, F, q);
        place_layers(&p, c, K_DOWN, F, D, q);
        place_layers(&p, c, K_UP, D, F, q);
    }
    if (!c->shared) place(&p, SLOT_OUTPUT(c), D, V, q);
    return p.off;
}

/* ---- checkpoint header ---------------------------------------------------------------------------- */

int lf_llama2c_parse_config(const uint8_t *data, size_t size, lf_llama2c_config *c, lfmrt_err *e) {
    if (!c || (!data && size)) return lf_err(e, LFMRT_E_INVALID, "llama2.c config: NULL argument");
    memset(c, 0, sizeof *c);
    if (size < LF_LLAMA2C_HEADER_BYTES)
        return lf_err(e, LFMRT_E_FORMAT, "llama2.c checkpoint: %zu bytes, shorter than the %d-byte header",
                      size, LF_LLAMA2C_HEADER_BYTES);
    int base = 0; /* byte of the 7 dimension fields */
    c->header_bytes = LF_LLAMA2C_HEADER_BYTES;
    if (rd_u32(data) == LF_LLAMA2C_MAGIC) {
        if (size < LF_LLAMA2C_HEADER_V1_BYTES)
            return lf_err(e, LFMRT_E_FORMAT,
                          "llama2.c checkpoint: %zu bytes, shorter than the %d-byte header its magic 'ak42' announces",
                          size, LF_LLAMA2C_HEADER_V1_BYTES);
        c->version = (int32_t)rd_u32(data + 4);
        if (c->version != 1 && c->version != 2)
            return lf_err(e, LFMRT_E_UNSUPPORTED,
                          "llama2.c checkpoint: version %d is not supported (legacy, 1: fp32, 2: int8 groups)",
                          c->version);
        base = 8;
        c->header_bytes = LF_LLAMA2C_HEADER_V1_BYTES;
    }
    int32_t h[7];
    for (int i = 0; i < 7; i++) h[i] = (int32_t)rd_u32(data + base + 4 * i);
    static const char *const names[7] = {"dim", "hidden_dim", "n_layers", "n_heads",
                                         "n_kv_heads", "vocab_size", "seq_len"};
    c->dim = h[0];
    c->hidden_dim = h[1];
    c->n_layers = h[2];
    c->n_heads = h[3];
    c->n_kv_heads = h[4];
    if (c->version == 0) { /* legacy: the sign of vocab_size says whether the classifier is shared */
        c->shared = h[5] > 0;
        c->vocab_size = h[5] == INT32_MIN ? 0 : (h[5] < 0 ? -h[5] : h[5]);
    } else {
        const uint8_t sh = data[base + 28];
        if (sh > 1)
            return lf_err(e, LFMRT_E_FORMAT, "llama2.c checkpoint: shared_classifier flag (byte %d) is %u, not 0 or 1",
                          base + 28, sh);
        c->shared = sh == 1;
        c->vocab_size = h[5];
    }
    c->seq_len = h[6];
    const int32_t v[7] = {c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size,
                          c->seq_len};
    for (int i = 0; i < 7; i++) {
        int32_t lim = i == 2 ? MAX_LAYERS : MAX_DIM;
        if (v[i] <= 0 || v[i] > lim)
            return lf_err(e, LFMRT_E_FORMAT,
                          "llama2.c checkpoint: header field %s = %d (byte %d) is out of range 1..%d: not a "
                          "llama2.c checkpoint?", names[i], h[i], base + 4 * i, lim);
    }
    if (c->dim % c->n_heads)
        return lf_err(e, LFMRT_E_FORMAT, "llama2.c checkpoint: dim %d is not a multiple of n_heads %d",
                      c->dim, c->n_heads);
    if (c->n_kv_heads > c->n_heads || c->n_heads % c->n_kv_heads)
        return lf_err(e, LFMRT_E_FORMAT,
                      "llama2.c checkpoint: n_heads %d is not a multiple of n_kv_heads %d", c->n_heads,
                      c->n_kv_heads);
    c->head_size = c->dim / c->n_heads;
    if (c->head_size % 2)
        return lf_err(e, LFMRT_E_FORMAT, "llama2.c checkpoint: head size %d (dim/n_heads) is odd",
                      c->head_size);
    if (c->vocab_size < 3)
        return lf_err(e, LFMRT_E_FORMAT,
                      "llama2.c checkpoint: vocab_size %d < 3 (ids 0, 1, 2 are <unk>, <s>, </s>)",
                      c->vocab_size);
    c->kv_dim = c->head_size * c->n_kv_heads;
    if (c->version == 2) {
        c->group_size = (int32_t)rd_u32(data + base + 29);
        const uint64_t gs = (uint64_t)c->group_size, D = (uint64_t)c->dim;
        if (c->group_size <= 0 || c->group_size > MAX_DIM || (D * D) % gs || (D * (uint64_t)c->kv_dim) % gs ||
            (D * (uint64_t)c->hidden_dim) % gs || (D * (uint64_t)c->vocab_size) % gs)
            return lf_err(e, LFMRT_E_FORMAT,
                          "llama2.c checkpoint: group_size %d (byte %d) must be positive and divide every "
                          "quantized matrix (dim %d, kv_dim %d, hidden %d, vocab %d)", c->group_size, base + 29,
                          c->dim, c->kv_dim, c->hidden_dim, c->vocab_size);
    }
    const uint64_t want = plan(c, NULL);
    c->data_bytes = want - c->header_bytes;
    if ((uint64_t)size != want)
        return lf_err(e, LFMRT_E_FORMAT,
                      "llama2.c checkpoint (version %d): %zu bytes, but its header (dim %d, hidden %d, %d layers, "
                      "%d heads, %d kv heads, vocab %d%s, seq %d) implies %llu bytes: %s", c->version, size, c->dim,
                      c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads, c->vocab_size,
                      c->shared ? " shared" : " unshared", c->seq_len, (unsigned long long)want,
                      (uint64_t)size < want ? "truncated file" : "trailing bytes (or not a llama2.c checkpoint)");
    return LFMRT_OK;
}

/* ---- tokenizer ------------------------------------------------------------------------------------ */

void lf_llama2c_vocab_free(lf_llama2c_vocab *v) {
    if (!v) return;
    free(v->piece);
    free(v->len);
    free(v->score);
    memset(v, 0, sizeof *v);
}

int lf_llama2c_parse_vocab(const uint8_t *data, size_t size, int32_t n_vocab, lf_llama2c_vocab *v,
                           lfmrt_err *e) {
    if (!v || (!data && size) || n_vocab <= 0)
        return lf_err(e, LFMRT_E_INVALID, "llama2.c tokenizer: NULL argument or n_vocab %d <= 0", n_vocab);
    memset(v, 0, sizeof *v);
    if (size < 4)
        return lf_err(e, LFMRT_E_FORMAT, "llama2.c tokenizer: %zu bytes, shorter than the 4-byte header", size);
    v->max_len = rd_u32(data);
    v->piece = calloc((size_t)n_vocab, sizeof *v->piece);
    v->len = calloc((size_t)n_vocab, sizeof *v->len);
    v->score = calloc((size_t)n_vocab, sizeof *v->score);
    if (!v->piece || !v->len || !v->score) {
        lf_llama2c_vocab_free(v);
        return lf_err(e, LFMRT_E_NOMEM, "llama2.c tokenizer: out of memory for %d entries", n_vocab);
    }
    size_t off = 4;
    for (int32_t i = 0; i < n_vocab; i++) {
        if (size - off < 8) {
            lf_llama2c_vocab_free(v);
            return lf_err(e, LFMRT_E_FORMAT,
                          "llama2.c tokenizer: truncated at entry %d of %d (byte %zu of %zu): wrong tokenizer "
                          "for this model's vocabulary size?", i, n_vocab, off, size);
        }
        float s = rd_f32(data + off);
        int32_t len = (int32_t)rd_u32(data + off + 4);
        if (!isfinite(s)) {
            lf_llama2c_vocab_free(v);
            return lf_err(e, LFMRT_E_FORMAT, "llama2.c tokenizer: entry %d (byte %zu) has a non-finite score",
                          i, off);
        }
        if (len < 0 || (uint32_t)len > v->max_len || (size_t)len > size - off - 8) {
            const uint32_t max_len = v->max_len;
            lf_llama2c_vocab_free(v);
            return lf_err(e, LFMRT_E_FORMAT,
                          "llama2.c tokenizer: entry %d (byte %zu) has length %d (max_token_length %u, %zu "
                          "bytes left)", i, off, len, max_len, size - off - 8);
        }
        v->score[i] = s;
        v->len[i] = (uint32_t)len;
        v->piece[i] = data + off + 8;
        off += 8 + (size_t)len;
    }
    if (off != size) {
        lf_llama2c_vocab_free(v);
        return lf_err(e, LFMRT_E_FORMAT,
                      "llama2.c tokenizer: %zu trailing bytes after %d entries (byte %zu): wrong tokenizer for "
                      "this model's vocabulary size?", size - off, n_vocab, off);
    }
    v->n = n_vocab;
    return LFMRT_OK;
}

/* ---- GGUF vocabulary ------------------------------------------------------------------------------ */

static bool is_hex_upper(uint8_t ch) { return (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F'); }

/* "<0xXX>" exactly (the form llama2.c and SentencePiece use for byte pieces). */
static bool is_byte_piece(const uint8_t *p, uint32_t n) {
    return n == 6 && p[0] == '<' && p[1] == '0' && p[2] == 'x' && is_hex_upper(p[3]) && is_hex_upper(p[4]) &&
           p[5] == '>';
}

/* Token texts (spaces escaped to U+2581, ids 0/1/2 renamed), types, in one arena. */
typedef struct gguf_vocab {
    char *arena;
    const char **text;
    size_t *tlen;
    int32_t *type;
} gguf_vocab;

static void gguf_vocab_free(gguf_vocab *g) {
    free(g->arena);
    free(g->text);
    free(g->tlen);
    free(g->type);
}

static int build_gguf_vocab(const lf_llama2c_vocab *v, gguf_vocab *g, lfmrt_err *e) {
    memset(g, 0, sizeof *g);
    const size_t nv = v->n > 0 ? (size_t)v->n : 1;
    size_t total = 16;
    for (int32_t i = 0; i < v->n; i++) total += 3 * (size_t)v->len[i] + 8;
    g->arena = malloc(total);
    g->text = calloc(nv, sizeof *g->text);
    g->tlen = calloc(nv, sizeof *g->tlen);
    g->type = calloc(nv, sizeof *g->type);
    if (!g->arena || !g->text || !g->tlen || !g->type) {
        gguf_vocab_free(g);
        return lf_err(e, LFMRT_E_NOMEM, "llama2.c convert: out of memory for the vocabulary");
    }
    char *w = g->arena;
    for (int32_t i = 0; i < v->n; i++) {
        const uint8_t *p = v->piece[i];
        uint32_t n = v->len[i];
        char *start = w;
        static const char *const fixed[3] = {"<unk>", "<s>", "</s>"};
        if (i < 3) {
            size_t k = strlen(fixed[i]);
            memcpy(w, fixed[i], k);
            w += k;
            g->type[i] = i == 0 ? TT_UNKNOWN : TT_CONTROL;
        } else {
            g->type[i] = n == 0 ? TT_CONTROL : is_byte_piece(p, n) ? TT_BYTE : TT_NORMAL;
            for (uint32_t j = 0; j < n; j++) {
                if (p[j] == ' ') { /* U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's space */
                    *w++ = (char)0xE2;
                    *w++ = (char)0x96;
                    *w++ = (char)0x81;
                } else {
                    *w++ = (char)p[j];
                }
            }
        }
        g->text[i] = start;
        g->tlen[i] = (size_t)(w - start);
    }
    return LFMRT_OK;
}

/* ---- tensors -------------------------------------------------------------------------------------- */

typedef struct fill_ctx {
    const uint8_t *file;   /* the whole checkpoint */
    const src_tensor *t;   /* [n_t] in GGUF order */
    uint64_t gs;
    size_t n_t, next;
} fill_ctx;

/* Copies (f32) or dequantizes (int8 x group scale, as runq.c's dequantize) the next tensor. */
static int fill_tensor(void *user, const char *name, uint32_t type, const int64_t *ne, void *dst,
                       uint64_t nbytes, lfmrt_err *e) {
    fill_ctx *f = user;
    const src_tensor *s = f->next < f->n_t ? &f->t[f->next] : NULL;
    const uint64_t n = s ? (uint64_t)s->ne0 * (uint64_t)(s->ne1 ? s->ne1 : 1) : 0;
    if (!s || nbytes != 4 * n)
        return lf_err(e, LFMRT_E_INVALID, "llama2.c convert: unexpected tensor '%s' requested", name);
    const uint8_t *src = f->file + s->off;
    if (!s->q8) {
        memcpy(dst, src, (size_t)nbytes);
    } else {
        float *out = dst;
        const int8_t *q = (const int8_t *)src;
        const uint8_t *scales = src + n;
        for (uint64_t g = 0; g < n / f->gs; g++) {
            const float sc = rd_f32(scales + 4 * g);
            for (uint64_t i = g * f->gs; i < (g + 1) * f->gs; i++) out[i] = (float)q[i] * sc;
        }
    }
    f->next++;
    return LFMRT_OK;
}

/* Adds every tensor in slot order (output only when not shared) to the writer. */
static int add_tensors(lf_gguf_writer *w, const lf_llama2c_config *c, const src_tensor *t, size_t *n_t,
                       lfmrt_err *e) {
    const size_t n = c->shared ? SLOT_OUTPUT(c) : SLOT_OUTPUT(c) + 1;
    char nm[64];
    for (size_t i = 0; i < n; i++) {
        if (i == 0) snprintf(nm, sizeof nm, "token_embd.weight");
        else if (i == SLOT_OUTPUT_NORM(c)) snprintf(nm, sizeof nm, "output_norm.weight");
        else if (i == SLOT_OUTPUT(c)) snprintf(nm, sizeof nm, "output.weight");
        else snprintf(nm, sizeof nm, "blk.%zu.%s.weight", (i - 1) / K_PER_LAYER, k_kind_name[(i - 1) % K_PER_LAYER]);
        const int64_t ne[2] = {t[i].ne0, t[i].ne1};
        int rc = lf_gguf_writer_add_tensor(w, nm, LF_DT_F32, t[i].ne1 ? 2 : 1, ne);
        if (rc) return lf_err(e, rc, "llama2.c convert: cannot add tensor '%s'", nm);
    }
    *n_t = n;
    return LFMRT_OK;
}

/* ---- metadata ------------------------------------------------------------------------------------- */

/* general.name: the file name without folders and a trailing ".bin". */
static void model_name(const char *path, char *out, size_t cap) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".bin") == 0) n -= 4;
    if (n == 0) b = "llama2c", n = 7;
    snprintf(out, cap, "%.*s", (int)(n < cap ? n : cap - 1), b);
}

static int set_keys(lf_gguf_writer *w, const lf_llama2c_config *c, const gguf_vocab *gv,
                    const lf_llama2c_vocab *v, const char *name) {
    int rc = 0;
    rc = rc ? rc : lf_gguf_writer_set_str(w, "general.architecture", "llama");
    rc = rc ? rc : lf_gguf_writer_set_str(w, "general.name", name);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "general.file_type", 0); /* LLAMA_FTYPE_ALL_F32 */
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.context_length", (uint32_t)c->seq_len);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.embedding_length", (uint32_t)c->dim);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.block_count", (uint32_t)c->n_layers);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.feed_forward_length", (uint32_t)c->hidden_dim);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.attention.head_count", (uint32_t)c->n_heads);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.attention.head_count_kv", (uint32_t)c->n_kv_heads);
    rc = rc ? rc : lf_gguf_writer_set_f32(w, "llama.attention.layer_norm_rms_epsilon", 1e-5f);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.rope.dimension_count", (uint32_t)c->head_size);
    rc = rc ? rc : lf_gguf_writer_set_f32(w, "llama.rope.freq_base", 10000.0f);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "llama.vocab_size", (uint32_t)c->vocab_size);
    rc = rc ? rc : lf_gguf_writer_set_str(w, "tokenizer.ggml.model", "llama");
    rc = rc ? rc : lf_gguf_writer_set_arr_str(w, "tokenizer.ggml.tokens", gv->text, gv->tlen, (size_t)v->n);
    rc = rc ? rc : lf_gguf_writer_set_arr_f32(w, "tokenizer.ggml.scores", v->score, (size_t)v->n);
    rc = rc ? rc : lf_gguf_writer_set_arr_i32(w, "tokenizer.ggml.token_type", gv->type, (size_t)v->n);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "tokenizer.ggml.bos_token_id", 1);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "tokenizer.ggml.eos_token_id", 2);
    rc = rc ? rc : lf_gguf_writer_set_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    rc = rc ? rc : lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_bos_token", true);
    rc = rc ? rc : lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_eos_token", false);
    rc = rc ? rc : lf_gguf_writer_set_bool(w, "tokenizer.ggml.add_space_prefix", true);
    return rc;
}

/* ---- entry point ---------------------------------------------------------------------------------- */

/* true if a and b name the same existing file (writing one would truncate the other's mapping: SIGBUS) */
static bool same_file(const char *a, const char *b) {
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int lf_llama2c_convert(const char *model_bin, const char *tok_bin, const char *out_gguf, lfmrt_err *e) {
    if (!model_bin || !tok_bin || !out_gguf)
        return lf_err(e, LFMRT_E_INVALID, "llama2.c convert: NULL path (model, tokenizer and output are required)");
    lf_mapfile mm = {0}, tm = {0};
    lf_llama2c_vocab v = {0};
    gguf_vocab gv = {0};
    lf_gguf_writer *w = NULL;
    src_tensor *t = NULL;
    lf_llama2c_config c;
    int rc;
    if (same_file(out_gguf, model_bin) || same_file(out_gguf, tok_bin))
        return lf_err(e, LFMRT_E_INVALID, "llama2.c convert: output %s is one of the input files", out_gguf);
    if ((rc = lf_mapfile_open(model_bin, &mm, e))) goto done;
    if ((rc = lf_llama2c_parse_config(mm.data, mm.size, &c, e))) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
        rc = lf_err(e, rc, "%s: %s", model_bin, msg);
        goto done;
    }
    if ((rc = lf_mapfile_open(tok_bin, &tm, e))) goto done;
    if ((rc = lf_llama2c_parse_vocab(tm.data, tm.size, c.vocab_size, &v, e))) {
        char msg[sizeof e->msg];
        snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
        rc = lf_err(e, rc, "%s (vocab_size %d from %s): %s", tok_bin, c.vocab_size, model_bin, msg);
        goto done;
    }
    if ((rc = build_gguf_vocab(&v, &gv, e))) goto done;
    w = lf_gguf_writer_create();
    t = calloc(SLOT_OUTPUT(&c) + 1, sizeof *t);
    if (!w || !t) {
        rc = lf_err(e, LFMRT_E_NOMEM, "llama2.c convert: out of memory");
        goto done;
    }
    char name[128];
    model_name(model_bin, name, sizeof name);
    if ((rc = set_keys(w, &c, &gv, &v, name))) {
        rc = lf_err(e, rc, "llama2.c convert: cannot set GGUF metadata (%s)", lfmrt_status_name(rc));
        goto done;
    }
    plan(&c, t);
    size_t n_t = 0;
    if ((rc = add_tensors(w, &c, t, &n_t, e))) goto done;
    fill_ctx f = {mm.data, t, c.group_size > 0 ? (uint64_t)c.group_size : 1, n_t, 0};
    rc = lf_gguf_writer_write(w, out_gguf, fill_tensor, &f, NULL, NULL, e);
done:
    free(t);
    lf_gguf_writer_destroy(w);
    gguf_vocab_free(&gv);
    lf_llama2c_vocab_free(&v);
    lf_mapfile_close(&tm);
    lf_mapfile_close(&mm);
    return rc;
}
